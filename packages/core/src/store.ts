/**
 * The EventStore port: read a stream, append with an expected version (optimistic concurrency),
 * read everything in order (to rebuild on start). An in-memory implementation ships here; durable
 * stores are adapters.
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
 * import type { ExpectedVersion } from '@banksocket-webhooks/core'
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
 * A stream's events and its version (the number of events in it; 0 for a stream never written).
 *
 * @example
 * import type { StreamRead } from '@banksocket-webhooks/core'
 * const r: StreamRead<string> = { version: 0, events: [] }
 */
export type StreamRead<Ev> = Readonly<{ version: number; events: ReadonlyArray<Ev> }>

/**
 * An event with where it sits: its stream and its 1-based version in that stream.
 *
 * @example
 * import type { StoredEvent } from '@banksocket-webhooks/core'
 * const s: StoredEvent<string> = { stream: 'ledger-69-TRY', version: 1, event: 'x' }
 */
export type StoredEvent<Ev> = Readonly<{ stream: string; version: number; event: Ev }>

/**
 * The EventStore port.
 *
 * @example
 * import type { EventStore, LedgerEvent } from '@banksocket-webhooks/core'
 * const append = (store: EventStore<LedgerEvent>, e: LedgerEvent) => store.appendToStream('ledger-69-TRY', [e], 'any')
 */
export interface EventStore<Ev> {
  /** Reads one stream from its start. */
  readStream(stream: string): TE.TaskEither<StoreError, StreamRead<Ev>>
  /**
   * Appends events atomically if the stream is at `expected`; resolves with the new version once
   * the events are stored (durably, for a durable store). The append's place in the stream is
   * fixed when the task starts, in the order tasks are started: a second append started before
   * the first resolves is checked against the version the first will produce.
   */
  appendToStream(stream: string, events: ReadonlyArray<Ev>, expected: ExpectedVersion): TE.TaskEither<StoreError, Readonly<{ nextVersion: number }>>
  /** Every event of every stream, in append order. */
  readAll(): TE.TaskEither<StoreError, ReadonlyArray<StoredEvent<Ev>>>
}

/**
 * Whether a stream at `actual` satisfies `expected`.
 *
 * @example
 * import { versionMatches } from '@banksocket-webhooks/core'
 * versionMatches('no_stream', 0) // true
 */
export const versionMatches = (expected: ExpectedVersion, actual: number): boolean =>
  expected === 'any' || (expected === 'no_stream' ? actual === 0 : expected === actual)

/**
 * An event store in memory: for tests, demos and receivers that keep nothing across restarts.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * const store = createInMemoryEventStore<{ type: string }>()
 * await store.appendToStream('s', [{ type: 'A' }], 'no_stream')() // Right({ nextVersion: 1 })
 * await store.appendToStream('s', [{ type: 'B' }], 'no_stream')() // Left(VersionConflict)
 */
export const createInMemoryEventStore = <Ev>(): EventStore<Ev> => {
  const streams = new Map<string, Ev[]>()
  // The global order as three parallel columns rather than one record per event: a store that keeps
  // every event forever should not also keep a wrapper object for each.
  const allStreams: string[] = []
  const allVersions: number[] = []
  const allEvents: Ev[] = []
  return {
    readStream: (stream) => async () => E.right({ version: streams.get(stream)?.length ?? 0, events: [...(streams.get(stream) ?? [])] }),
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
      return E.right({ nextVersion: current.length })
    },
    readAll: () => async () =>
      E.right(allEvents.map((event, i): StoredEvent<Ev> => ({ stream: allStreams[i] as string, version: allVersions[i] as number, event }))),
  }
}
