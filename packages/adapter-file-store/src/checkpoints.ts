/**
 * Core's checkpoint port beside a file log: each consumer's checkpoint is a small JSON file in
 * `<log>.checkpoints/`, replaced atomically on every move, and one active instance per name is a
 * lock file in the same directory (`leases.ts`) (docs/architecture.md, "Consumers").
 *
 * @module
 */
import { mkdir, readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import type { StoreError } from '@banksocket-webhooks/core'
import { SerialQueue } from '@banksocket-webhooks/core/runtime-kit'
import type { CheckpointError, CheckpointStore } from '@banksocket-webhooks/core/store-kit'
import { checkAdvance, checkConsumerName } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { replaceFile, syncDirectory } from './file.ts'
import { describe, errorCode } from './internal.ts'
import { acquireFileLease } from './leases.ts'

/**
 * Options of {@link createFileCheckpoints}.
 *
 * @example
 * import type { FileCheckpointsOptions } from '@banksocket-webhooks/adapter-file-store'
 * const options: FileCheckpointsOptions = { path: './data/events.jsonl' }
 */
export type FileCheckpointsOptions = Readonly<{
  /** The event log whose consumers these are; the checkpoints live in `<path>.checkpoints/`. */
  path: string
}>

/**
 * Core's `CheckpointStore` for the consumers of a file log, plus where it keeps them. See
 * {@link createFileCheckpoints}.
 *
 * @example
 * import type { FileCheckpoints } from '@banksocket-webhooks/adapter-file-store'
 * const where = (checkpoints: FileCheckpoints) => checkpoints.directory // '/data/events.jsonl.checkpoints'
 */
export interface FileCheckpoints extends CheckpointStore<undefined> {
  /** The directory of the checkpoint and lock files: `<log>.checkpoints` (absolute). */
  readonly directory: string
}

type StoreFailure = Extract<StoreError, { _tag: 'StoreFailure' }>

const failure = (message: string): StoreFailure => ({ _tag: 'StoreFailure', message })

/**
 * The advances under way in this process, one at a time per checkpoint file (whichever
 * `FileCheckpoints` of the log they were made on).
 */
const advances = new SerialQueue()

/**
 * The file name of a consumer's files: the name itself (`checkConsumerName` allows only letters,
 * digits, `.`, `_`, `-` and `:`), except that Windows, where `:` cannot be in a file name, gets `%3A`.
 */
const fileName = (name: string): string => (process.platform === 'win32' ? name.replaceAll(':', '%3A') : name)

/** The content of a checkpoint file. */
const checkpointText = (name: string, position: number): string => `${JSON.stringify({ name, position, savedAt: new Date().toISOString() })}\n`

/** The position in a checkpoint file's text, or what is wrong with it. */
const parseCheckpoint = (name: string, text: string): E.Either<string, number> => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return E.left('it is not JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return E.left('it is not a JSON object')
  const record = value as Record<string, unknown>
  const position = record['position']
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) {
    return E.left('its position is not a non-negative integer')
  }
  // A file system that ignores case gives `Orders` the file of `orders`: refuse rather than share.
  if (record['name'] !== undefined && record['name'] !== name) {
    return E.left(`it holds the checkpoint of consumer ${JSON.stringify(record['name'])} (a file system that ignores case?)`)
  }
  return E.right(position)
}

/**
 * The checkpoints of the consumers of the file log at `path`, in the directory `<path>.checkpoints`
 * (created on the first save or claim): core's `CheckpointStore<undefined>`. Creating it touches no
 * file. The writer store and the follower have one as their `checkpoints`.
 *
 * - `read(name)`: the position in `<name>.json` (`{"name":"orders","position":17,"savedAt":"…"}`),
 *   or `undefined` when there is no such file. A file that is not a checkpoint is a `StoreFailure`.
 * - `advance(name, expected, next, work?)`: a compare-and-set. Refused with `CheckpointConflict`
 *   when the saved checkpoint is not `expected` (`undefined`: no file) or `next` is not beyond it;
 *   otherwise runs `work(undefined)` (a throw or rejection is `WorkFailed`, and nothing is saved),
 *   then saves atomically (a temporary file in the same directory, synced, renamed over the old
 *   one, the directory synced): a crash leaves the old checkpoint or the new one, never a torn file.
 *   The advances of one name in one process run one at a time, so the compare and the save are
 *   never interleaved. The work's effects are not undone by a refused save: at least once.
 * - `acquire(name, { retryEvery, signal })`: one active instance per name, across processes: the
 *   lock file `<name>.lock` holds the holder's pid and a token, and one whose process is no longer
 *   running is taken over. While a live process holds it, `acquire` tries again every `retryEvery`
 *   ms (default 1000) until it is free or `signal` aborts (the promise then rejects with the
 *   signal's reason); in one process a second `acquire` of a name waits for the first one's
 *   `release` and follows at once. The lease's `lost` never resolves: a lock file cannot be taken
 *   from a live holder, so the lease lasts until `release` (idempotent) or the process ends.
 *
 * Across processes, the compare-and-set is only as good as the lease: a file system has no atomic
 * compare of a file's content, so two processes advancing one name without holding its lease can
 * both succeed. Names are checked with `checkConsumerName` and positions with `checkAdvance` when
 * a method is called (a `TypeError`); on a file system that ignores case (macOS, Windows), names
 * that differ only in case would share a file, and reading such a file fails rather than mixing
 * them up. On Windows, `:` in a name is written `%3A` in its file names.
 *
 * @example
 * import { createFileCheckpoints } from '@banksocket-webhooks/adapter-file-store'
 * const checkpoints = createFileCheckpoints({ path: './data/events.jsonl' })
 * const lease = await checkpoints.acquire('orders') // waits while another process runs 'orders'
 * await checkpoints.read('orders')() // Right(undefined): never saved
 * await checkpoints.advance('orders', undefined, 17)() // Right(undefined): ./data/events.jsonl.checkpoints/orders.json
 * await checkpoints.advance('orders', undefined, 40)() // Left({ _tag: 'CheckpointConflict', name: 'orders', expected: undefined, actual: 17 })
 * await lease.release()
 */
export const createFileCheckpoints = (options: FileCheckpointsOptions): FileCheckpoints => {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new TypeError('createFileCheckpoints needs `path`, the event log whose consumers keep their checkpoints beside it')
  }
  const directory = `${resolve(options.path)}.checkpoints`
  const fileOf = (name: string): string => join(directory, `${fileName(name)}.json`)
  let directoryMade = false

  const readSaved = async (name: string): Promise<E.Either<StoreFailure, number | undefined>> => {
    let text: string
    try {
      text = await readFile(fileOf(name), 'utf8')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return E.right(undefined)
      return E.left(failure(`could not read the checkpoint of consumer '${name}' (${describe(error)})`))
    }
    return E.mapLeft((problem: string) =>
      failure(`the checkpoint file of consumer '${name}' (${fileName(name)}.json beside the log) is not a checkpoint: ${problem}; repair it by hand`),
    )(parseCheckpoint(name, text))
  }

  const save = async (name: string, position: number): Promise<E.Either<StoreFailure, void>> => {
    try {
      if (!directoryMade) {
        // The directory's own entry is synced too, so that it survives a crash (whoever made it:
        // `acquire` makes it without syncing).
        await mkdir(directory, { recursive: true, mode: 0o700 })
        await syncDirectory(dirname(directory))
        directoryMade = true
      }
      await replaceFile(fileOf(name), checkpointText(name, position))
      return E.right(undefined)
    } catch (error) {
      return E.left(failure(`could not save the checkpoint of consumer '${name}' (${describe(error)})`))
    }
  }

  const advance = async (
    name: string,
    expected: number | undefined,
    next: number,
    work: ((tx: undefined) => Promise<void>) | undefined,
  ): Promise<E.Either<CheckpointError, void>> => {
    const saved = await readSaved(name)
    if (E.isLeft(saved)) return saved
    const actual = saved.right
    if (actual !== expected || (actual !== undefined && next <= actual)) return E.left({ _tag: 'CheckpointConflict', name, expected, actual })
    if (work !== undefined) {
      try {
        await work(undefined)
      } catch (error) {
        return E.left({ _tag: 'WorkFailed', error })
      }
    }
    // Read again: a process that does not hold the name may have moved it while the work ran.
    const now = await readSaved(name)
    if (E.isLeft(now)) return now
    if (now.right !== actual) return E.left({ _tag: 'CheckpointConflict', name, expected, actual: now.right })
    return save(name, next)
  }

  return {
    directory,
    read: (name) => {
      checkConsumerName(name)
      return () => readSaved(name)
    },
    advance: (name, expected, next, work) => {
      checkConsumerName(name)
      checkAdvance(expected, next)
      return () => advances.run(fileOf(name), () => advance(name, expected, next, work))
    },
    acquire: async (name, acquireOptions) => {
      checkConsumerName(name)
      return acquireFileLease(join(directory, `${fileName(name)}.lock`), name, acquireOptions)
    },
  }
}
