/**
 * The EventStore port: read a stream, append with an expected version (optimistic concurrency),
 * read everything in order, whole or in pages from a global position (to rebuild on start, or to
 * feed a consumer). An in-memory implementation ships here; durable stores are adapters.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'

/**
 * The version an append expects the stream to be at: a number (events already in the stream),
 * `'no_stream'` (must be empty, same as 0) or `'any'` (no check).
 *
 * @example
 * import type { ExpectedVersion } from '@banksocket-webhooks/core/store-kit'
 * const v: ExpectedVersion = 3
 */
export type ExpectedVersion = number | 'no_stream' | 'any'

/**
 * Why a store operation failed: another writer got there first, or the store itself failed.
 *
 * @example
 * import type { StoreError } from '@banksocket-webhooks/core'
 * const e: StoreError = { _tag: 'VersionConflict', stream: 'ledger-69-TRY', expected: 3, actual: 4 }
 */
export type StoreError =
  | Readonly<{ _tag: 'VersionConflict'; stream: string; expected: ExpectedVersion; actual: number }>
  | Readonly<{ _tag: 'StoreFailure'; message: string }>

/**
 * A `StoreFailure` for something a store threw or rejected with, carrying its message.
 *
 * @internal
 * @example
 * storeFailure(new Error('disk full')) // { _tag: 'StoreFailure', message: 'disk full' }
 */
export const storeFailure = (error: unknown): StoreError => ({
  _tag: 'StoreFailure',
  message: error instanceof Error ? error.message : String(error),
})

/**
 * A stream's events and its version (the number of events in it; 0 for a stream never written).
 *
 * @example
 * import type { StreamRead } from '@banksocket-webhooks/core/store-kit'
 * const r: StreamRead<string> = { version: 0, events: [] }
 */
export type StreamRead<Ev> = Readonly<{ version: number; events: ReadonlyArray<Ev> }>

/**
 * An event with its stream and its 1-based version in that stream: what a projection needs, and
 * what the inbox reports of an append (whose global positions it is not told).
 *
 * @example
 * import type { StreamEvent } from '@banksocket-webhooks/core'
 * const s: StreamEvent<string> = { stream: 'ledger-69-TRY', version: 1, event: 'x' }
 */
export type StreamEvent<Ev> = Readonly<{ stream: string; version: number; event: Ev }>

/**
 * An event as a store holds it: its stream, its 1-based version in that stream, and its global
 * position in the store, unique, assigned when the event is stored and increasing in the store's
 * feed order (`readAll`'s order). Pass the last position you read as `after` to read on from there.
 *
 * @example
 * import type { StoredEvent } from '@banksocket-webhooks/core'
 * const s: StoredEvent<string> = { stream: 'ledger-69-TRY', version: 1, event: 'x', position: 17 }
 */
export type StoredEvent<Ev> = StreamEvent<Ev> & Readonly<{ position: number }>

/**
 * Options of `readStream`: read the events after a version, at most `limit` of them. The answer's
 * `version` is still the stream's current version, so `events.length < version - after` means there
 * is more to read.
 *
 * @example
 * import type { ReadStreamOptions } from '@banksocket-webhooks/core/store-kit'
 * const tail: ReadStreamOptions = { after: 120, limit: 100 } // versions 121 to 220
 */
export type ReadStreamOptions = Readonly<{
  /**
   * Read the events whose version is greater than this (a snapshot's version, say).
   * @default 0
   */
  after?: number
  /**
   * The most events to read (1 to {@link MAX_READ_LIMIT}).
   * @default every event after `after`
   */
  limit?: number
}>

/**
 * Options of `readAll`: read the events after a global position, at most `limit` of them, in the
 * store's feed order. To page through a store, pass the `position` of the last event of a page as
 * the next page's `after`; an empty page means there is nothing more for now.
 *
 * @example
 * import type { ReadAllOptions } from '@banksocket-webhooks/core/store-kit'
 * const next: ReadAllOptions = { after: 1041, limit: 500 }
 */
export type ReadAllOptions = Readonly<{
  /**
   * Read the events after the event at this position (0: from the start). A position no event of
   * this store ever had is a `StoreFailure`: a checkpoint from another store, or a store replaced.
   * @default 0
   */
  after?: number
  /**
   * The most events to read (1 to {@link MAX_READ_LIMIT}).
   * @default every event after `after`
   */
  limit?: number
}>

/**
 * The largest `limit` a read accepts: 10,000 events.
 *
 * @example
 * import { MAX_READ_LIMIT } from '@banksocket-webhooks/core/store-kit'
 * MAX_READ_LIMIT // 10000
 */
export const MAX_READ_LIMIT = 10_000

/**
 * Checks the options of `readStream` or `readAll` and fills in the defaults: `after` a non-negative
 * integer (default 0), `limit` an integer from 1 to {@link MAX_READ_LIMIT} (default none: no
 * bound). Throws a `TypeError` naming `method` otherwise. Every store calls it when a read is asked
 * for, so a bad option fails the same way, early, whatever the store.
 *
 * @example
 * import { checkReadOptions } from '@banksocket-webhooks/core/store-kit'
 * checkReadOptions('readAll', { after: 17, limit: 100 }) // { after: 17, limit: 100 }
 * checkReadOptions('readAll', undefined) // { after: 0, limit: undefined }
 * checkReadOptions('readAll', { limit: 0 }) // throws TypeError
 */
export const checkReadOptions = (
  method: string,
  options: ReadStreamOptions | ReadAllOptions | undefined,
): Readonly<{ after: number; limit: number | undefined }> => {
  const after = options?.after ?? 0
  const limit = options?.limit
  if (!Number.isSafeInteger(after) || after < 0) {
    throw new TypeError(`${method}: after must be a non-negative integer (0 reads from the start), got ${String(after)}`)
  }
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_READ_LIMIT)) {
    throw new TypeError(
      `${method}: limit must be an integer from 1 to ${MAX_READ_LIMIT}, got ${String(limit)}; leave it out to read everything after \`after\``,
    )
  }
  return { after, limit }
}

/**
 * The EventStore port.
 *
 * Reads page: `readStream(stream, { after, limit })` by version, `readAll({ after, limit })` by
 * global position, so neither a consumer nor a rebuild has to hold a million-event history at once.
 * Without options, both read everything.
 *
 * @example
 * import type { EventStore, LedgerEvent } from '@banksocket-webhooks/core'
 * const append = (store: EventStore<LedgerEvent>, e: LedgerEvent) => store.appendToStream('ledger-69-TRY', [e], 'any')
 */
export interface EventStore<Ev> {
  /**
   * Reads one stream: from its start, or the events after version `after`, at most `limit` of them,
   * in version order; `version` is the stream's current version. Bad options throw a `TypeError`
   * (see {@link checkReadOptions}).
   */
  readStream(stream: string, options?: ReadStreamOptions): TE.TaskEither<StoreError, StreamRead<Ev>>
  /**
   * Appends events atomically if the stream is at `expected`; resolves with the new version once
   * the events are stored (durably, for a durable store). The append's place in the stream is
   * fixed when the task starts, in the order tasks are started: a second append started before
   * the first resolves is checked against the version the first will produce.
   */
  appendToStream(stream: string, events: ReadonlyArray<Ev>, expected: ExpectedVersion): TE.TaskEither<StoreError, Readonly<{ nextVersion: number }>>
  /**
   * Events of every stream in the store's feed order, each with its global position: without
   * options, every event (all loaded at once); with them, those after the event at position `after`,
   * at most `limit`. Paging on with the last event's position reads each event once, in the same
   * order as `readAll()`. Bad options throw a `TypeError` (see {@link checkReadOptions}).
   */
  readAll(options?: ReadAllOptions): TE.TaskEither<StoreError, ReadonlyArray<StoredEvent<Ev>>>
  /**
   * The position of the last event in feed order that a `readAll` started now would return (0 for
   * a store with none): where a consumer that starts at `'end'` begins. Optional: without it, a
   * consumer pages through the feed to find its end.
   */
  head?(): TE.TaskEither<StoreError, number>
  /**
   * Calls `onChange` soon after events are appended through this store object (a durable store:
   * once they are stored), so that a consumer in the same process reads them at once instead of
   * at its next poll. Answers the function that stops it. Optional: a consumer polls without it.
   */
  watch?(onChange: () => void): () => void
}

/**
 * The listeners of a store's `watch`: told after each append, each one at most once per turn of
 * the event loop however many appends there were. A listener that throws is ignored.
 *
 * @example
 * import { AppendWatchers } from '@banksocket-webhooks/core/store-kit'
 * const watchers = new AppendWatchers()
 * const stop = watchers.watch(() => console.log('appended'))
 * watchers.notify() // logs 'appended' in a microtask
 * stop()
 */
export class AppendWatchers {
  readonly #listeners = new Set<() => void>()
  #scheduled = false

  /** Adds a listener; answers the function that removes it. */
  readonly watch = (onChange: () => void): (() => void) => {
    const listener = () => onChange()
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /** Tells the listeners, in a microtask (coalesced). */
  notify(): void {
    if (this.#scheduled || this.#listeners.size === 0) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      for (const listener of this.#listeners) {
        try {
          listener()
        } catch {
          // A listener's failure is its own: the append is done.
        }
      }
    })
  }
}

/**
 * Whether a stream at `actual` satisfies `expected`.
 *
 * @example
 * import { versionMatches } from '@banksocket-webhooks/core/store-kit'
 * versionMatches('no_stream', 0) // true
 */
export const versionMatches = (expected: ExpectedVersion, actual: number): boolean =>
  expected === 'any' || (expected === 'no_stream' ? actual === 0 : expected === actual)

/**
 * An event store in memory: for tests, demos and receivers that keep nothing across restarts.
 * Positions are 1, 2, 3, ... in append order, which is its feed order.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * const store = createInMemoryEventStore<{ type: string }>()
 * await store.appendToStream('s', [{ type: 'A' }], 'no_stream')() // Right({ nextVersion: 1 })
 * await store.appendToStream('s', [{ type: 'B' }], 'no_stream')() // Left(VersionConflict)
 * await store.readAll({ after: 0, limit: 10 })() // Right([{ stream: 's', version: 1, event: { type: 'A' }, position: 1 }])
 */
export const createInMemoryEventStore = <Ev>(): EventStore<Ev> => {
  const streams = new Map<string, Ev[]>()
  // The global order as three parallel columns rather than one record per event: a store that keeps
  // every event forever should not also keep a wrapper object for each. An event's position is its
  // index in them plus one.
  const allStreams: string[] = []
  const allVersions: number[] = []
  const allEvents: Ev[] = []
  const watchers = new AppendWatchers()
  return {
    watch: watchers.watch,
    readStream: (stream, options) => {
      const { after, limit } = checkReadOptions('readStream', options)
      return async () => {
        const events = streams.get(stream) ?? []
        return E.right({ version: events.length, events: events.slice(after, limit === undefined ? undefined : after + limit) })
      }
    },
    appendToStream: (stream, events, expected) => async (): Promise<E.Either<StoreError, Readonly<{ nextVersion: number }>>> => {
      const current = streams.get(stream) ?? []
      if (!versionMatches(expected, current.length)) {
        return E.left({ _tag: 'VersionConflict', stream, expected, actual: current.length })
      }
      for (const event of events) {
        current.push(event)
        allStreams.push(stream)
        allVersions.push(current.length)
        allEvents.push(event)
      }
      streams.set(stream, current)
      if (events.length > 0) watchers.notify()
      return E.right({ nextVersion: current.length })
    },
    head: () => async () => E.right(allEvents.length),
    readAll: (options) => {
      const { after, limit } = checkReadOptions('readAll', options)
      return async () => {
        if (after > allEvents.length) return E.left(unknownPosition(after))
        const end = limit === undefined ? allEvents.length : Math.min(allEvents.length, after + limit)
        const page: StoredEvent<Ev>[] = []
        for (let i = after; i < end; i++) {
          page.push({ stream: allStreams[i] as string, version: allVersions[i] as number, event: allEvents[i] as Ev, position: i + 1 })
        }
        return E.right(page)
      }
    },
  }
}

/**
 * The failure of a `readAll` whose `after` is a position no event of the store had.
 *
 * @example
 * import { unknownPosition } from '@banksocket-webhooks/core/store-kit'
 * unknownPosition(42) // { _tag: 'StoreFailure', message: 'readAll: no event of this store has position 42 ...' }
 */
export const unknownPosition = (after: number): StoreError => ({
  _tag: 'StoreFailure',
  message: `readAll: no event of this store has position ${after}, so there is nothing to read after it; pass 0 or the position of an event this store returned (was the checkpoint saved from another store?)`,
})
