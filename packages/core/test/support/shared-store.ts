/**
 * A shared store in memory, for the inbox's shared-store path: what PostgreSQL does (a key claimed
 * once across every stream, compare-and-set on the version, the state kept as JSON beside the
 * stream), with a pause before each operation so that two inboxes on it interleave.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { LedgerEvent, LedgerState, StoredEvent } from '../../src/index.ts'
import { LedgerStateCodec } from '../../src/ledger-state.ts'
import type { RecordError, SharedLedgerStore, StreamState } from '../../src/shared-store.ts'
import { versionMatches } from '../../src/store.ts'

type Row = { events: LedgerEvent[]; state: string | undefined; stateVersion: number; duplicates: number; head: string | undefined }

export type MemorySharedStore = SharedLedgerStore<LedgerEvent, LedgerState> & {
  /** Make the next `n` operations fail with a StoreFailure. */
  failNext(n: number): void
  /** Make the next `n` writes commit and then answer a StoreFailure, as a write whose answer was lost (a query timeout). */
  loseAnswerOfNext(n: number): void
  readonly stats: { versionConflicts: number; keyConflicts: number; operations: number }
}

export const createMemorySharedStore = (pauseMs = 1): MemorySharedStore => {
  const rows = new Map<string, Row>()
  const keys = new Map<string, string>()
  const all: StoredEvent<LedgerEvent>[] = []
  const stats = { versionConflicts: 0, keyConflicts: 0, operations: 0 }
  let failing = 0
  let losing = 0
  const pause = () => (stats.operations++, new Promise((resolve) => setTimeout(resolve, Math.random() * pauseMs)))
  const row = (stream: string): Row => rows.get(stream) ?? { events: [], state: undefined, stateVersion: 0, duplicates: 0, head: undefined }
  const failure = () => (failing > 0 ? (failing--, true) : false)
  const decodeState = (text: string | undefined): LedgerState | undefined => {
    if (text === undefined) return undefined
    const decoded = LedgerStateCodec.decode(JSON.parse(text))
    if (E.isLeft(decoded)) throw new Error('state does not decode')
    return decoded.right
  }
  const stateOf = (r: Row): StreamState<LedgerState> => ({
    version: r.events.length,
    state: decodeState(r.state),
    stateVersion: r.stateVersion,
    duplicates: r.duplicates,
  })
  const down = E.left({ _tag: 'StoreFailure' as const, message: 'store down' })
  return {
    shared: true,
    stats,
    failNext: (n) => void (failing = n),
    loseAnswerOfNext: (n) => void (losing = n),
    readStream:
      (stream, options = {}) =>
      async () => {
        await pause()
        if (failure()) return down
        const r = row(stream)
        const after = options.after ?? 0
        return E.right({ version: r.events.length, events: r.events.slice(after, options.limit === undefined ? undefined : after + options.limit) })
      },
    appendToStream: (stream, events, expected) => async () => {
      await pause()
      const r = row(stream)
      if (!versionMatches(expected, r.events.length)) return E.left({ _tag: 'VersionConflict', stream, expected, actual: r.events.length })
      for (const event of events) {
        r.events.push(event)
        all.push({ stream, version: r.events.length, event, position: all.length + 1 })
      }
      r.head = undefined
      rows.set(stream, r)
      return E.right({ nextVersion: r.events.length })
    },
    readAll:
      (options = {}) =>
      async () =>
        E.right(all.slice(options.after ?? 0, options.limit === undefined ? undefined : (options.after ?? 0) + options.limit)),
    readState: (stream) => async () => {
      await pause()
      if (failure()) return down
      return E.right(stateOf(row(stream)))
    },
    readStates: (prefix) => async () => E.right(new Map([...rows].filter(([s]) => s.startsWith(prefix)).map(([s, r]) => [s, stateOf(r)]))),
    keyOwner: (key) => async () => {
      await pause()
      if (failure()) return down
      return E.right(keys.get(key))
    },
    countDuplicate:
      (stream, count = 1) =>
      async () => {
        await pause()
        if (failure()) return down
        const r = row(stream)
        r.duplicates += count
        rows.set(stream, r)
        return E.right(r.duplicates)
      },
    record: (stream, recording) => async (): Promise<E.Either<RecordError, { nextVersion: number }>> => {
      await pause()
      if (failure()) return down
      const owner = recording.claim === undefined ? undefined : keys.get(recording.claim)
      if (owner !== undefined) {
        stats.keyConflicts++
        // As PostgreSQL's record_to_stream: counted on the owner unless its head is unknown or may
        // make this a genuine repeat.
        const unlessHead = recording.duplicate?.unlessHead
        const ownerRow = row(owner)
        const countable =
          recording.duplicate !== undefined && (unlessHead === undefined || (ownerRow.head !== undefined && ownerRow.head !== unlessHead))
        // As version 4's duplicate_outcome: asked to count it later, say so and write nothing.
        if (countable && recording.duplicate?.later === true)
          return E.left({ _tag: 'KeyConflict', key: recording.claim as string, stream: owner, countable })
        if (countable) {
          ownerRow.duplicates++
          rows.set(owner, ownerRow)
        }
        return E.left({ _tag: 'KeyConflict', key: recording.claim as string, stream: owner, ...(countable ? { counted: countable } : {}) })
      }
      const r = row(stream)
      if (!versionMatches(recording.expectedVersion, r.events.length)) {
        stats.versionConflicts++
        return E.left({ _tag: 'VersionConflict', stream, expected: recording.expectedVersion, actual: r.events.length })
      }
      for (const event of recording.events) {
        r.events.push(event)
        all.push({ stream, version: r.events.length, event, position: all.length + 1 })
      }
      if (recording.state !== undefined) {
        r.state = JSON.stringify(LedgerStateCodec.encode(recording.state))
        r.stateVersion = r.events.length
      }
      if (recording.claim !== undefined) keys.set(recording.claim, stream)
      r.head = recording.head
      rows.set(stream, r)
      if (losing > 0) {
        losing--
        return E.left({ _tag: 'StoreFailure', message: 'PostgreSQL did not answer within 6 s (query timeout)' })
      }
      return E.right({ nextVersion: r.events.length })
    },
  }
}
