/**
 * Which indexed events a read answers: the page of `readAll({ after, limit })` by global position
 * and the page of `readStream(stream, { after, limit })` by version, found in the index alone (the
 * lines are then fetched by `reader.ts`). The writer store and the follower answer the same reads
 * the same way through it.
 *
 * Both take `visible`, how many indexed events the read may see (the first ones in log order): the
 * writer's every acknowledged event, the follower's every event it has made visible. Entries the
 * index holds beyond it are left out, so a read is a stable snapshot while the index grows.
 *
 * @module
 */
import type { StoreError } from '@banksocket-webhooks/core'
import { unknownPosition } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { firstAfterVersion, type LineIndex } from './line-index.ts'

/**
 * The events of a page: how many, and the ordinal (place in the index) of the `i`-th.
 *
 * @internal
 */
export type Page = Readonly<{ count: number; ordinalAt: (i: number) => number }>

/**
 * The position of the last of the first `visible` indexed events (0 when there is none): what
 * `head()` answers.
 *
 * @internal
 */
export const headOf = (index: LineIndex, visible: number): number => (visible === 0 ? 0 : index.position(visible - 1))

/**
 * The page of `readAll({ after, limit })` among the first `visible` events, whose last position
 * taken is `lastPosition` (a position after it was never given: `StoreFailure`).
 *
 * @internal
 */
export const feedPage = (
  index: LineIndex,
  visible: number,
  lastPosition: number,
  after: number,
  limit: number | undefined,
): E.Either<StoreError, Page> => {
  if (after > lastPosition) return E.left(unknownPosition(after))
  const first = index.firstAfterPosition(after, visible)
  return E.right({ count: Math.min(visible - first, limit ?? visible), ordinalAt: (i) => first + i })
}

/**
 * The page of `readStream(stream, { after, limit })` among the first `visible` events, with the
 * stream's version as of them; `undefined` for a stream none of them belongs to.
 *
 * @internal
 */
export const streamPage = (
  index: LineIndex,
  visible: number,
  stream: string,
  after: number,
  limit: number | undefined,
): (Page & Readonly<{ version: number }>) | undefined => {
  const entry = index.stream(stream)
  if (entry === undefined) return undefined
  const { ordinals } = entry
  // The stream's events among the visible ones: usually all of them (a follower may have indexed a
  // few more, at the end, than it shows yet).
  let end = ordinals.length
  while (end > 0 && (ordinals[end - 1] as number) >= visible) end--
  // Its version as of them: the version of its last visible event, or the version taken by lines
  // skipped after it (only with onCorruption: 'skip') once every event of the stream is visible.
  const version = end === ordinals.length ? entry.version : end === 0 ? 0 : (entry.versions?.[end - 1] ?? end)
  const first = Math.min(firstAfterVersion(entry, after), end)
  return { version, count: Math.min(end - first, limit ?? end), ordinalAt: (i) => ordinals[first + i] as number }
}
