/**
 * The port of a store shared by several receivers (several processes on one database): the
 * `EventStore` port plus what lets the database, not a process, decide. An idempotency key claimed
 * once across every ledger, a ledger's state kept beside its stream and read in one query, and a
 * duplicate counter. A shared store says so (`shared: true`), and `createInbox` then takes the
 * shared path (`isShared` is the test); `@banksocket-webhooks/adapter-postgres` implements it.
 *
 * @module
 */
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { EventStore, ExpectedVersion, StoreError } from './store.ts'

/**
 * A write whose idempotency key is already recorded, in this stream or in any other: `stream` is
 * where. Nothing was written, except, when the write asked for it (`Recording.duplicate`), the
 * duplicate counted on `stream` (`counted: true`; absent when nothing was counted). A write that
 * asked to count it `later` is told `countable: true` instead when it is a duplicate to count: the
 * caller counts it (`countDuplicate`), nothing was written.
 *
 * @example
 * import type { KeyConflict } from '@banksocket-webhooks/core/store-kit'
 * const e: KeyConflict = { _tag: 'KeyConflict', key: 'k-2f1c', stream: 'ledger-69-TRY' }
 * const counted: KeyConflict = { ...e, counted: true }
 * const toCount: KeyConflict = { ...e, countable: true }
 */
export type KeyConflict = Readonly<{ _tag: 'KeyConflict'; key: string; stream: string; counted?: boolean; countable?: boolean }>

/**
 * Why a shared store's `record` wrote nothing: the key is taken, the stream moved on
 * (`VersionConflict`: read again, decide again) or the store failed.
 *
 * @example
 * import type { RecordError } from '@banksocket-webhooks/core/store-kit'
 * const retry = (e: RecordError) => e._tag === 'VersionConflict'
 */
export type RecordError = StoreError | KeyConflict

/**
 * A ledger write: the events, the version the stream must be at, the stream's new state (omitted:
 * the stored one is kept) and the idempotency key to claim (omitted for a genuine repeat). Two
 * more let a notification be one round trip whether it is new or a duplicate:
 *
 * - `head`: a short token the writer derives from `state` (the ledger's chain head balance),
 *   stored beside it; a write that gives none leaves the stream's head unknown.
 * - `duplicate`: when `claim` is recorded already, count a duplicate on the stream that recorded
 *   it in the same call (answered `KeyConflict` with `counted: true`), unless that stream's head is
 *   unknown or equals `unlessHead` (answered `counted: false`, nothing counted: the caller decides,
 *   since it may be a genuine repeat). With `later: true` nothing is counted: the answer says
 *   whether it would have been (`countable: true`), so that the caller counts duplicates itself and
 *   writes the counts in batches; a store that cannot tell counts it at once (`counted: true`).
 *
 * @example
 * import type { Recording } from '@banksocket-webhooks/core/store-kit'
 * const r: Recording<{ type: string }, number> = { expectedVersion: 4, events: [{ type: 'A' }], state: 5, claim: 'k-1' }
 * const oneTrip: Recording<{ type: string }, number> = { ...r, head: '1810000', duplicate: { unlessHead: '1800000' } }
 */
export type Recording<Ev, S> = Readonly<{
  expectedVersion: ExpectedVersion
  events: ReadonlyArray<Ev>
  state?: S
  claim?: string
  head?: string
  duplicate?: Readonly<{ unlessHead?: string; later?: boolean }>
}>

/**
 * A stream's row: its version, the state stored by the last `record` that gave one and the version
 * it was stored at (`stateVersion < version` when plain appends came after it), and the duplicates
 * counted on it.
 *
 * @example
 * import type { StreamState } from '@banksocket-webhooks/core/store-kit'
 * const fresh: StreamState<unknown> = { version: 0, state: undefined, stateVersion: 0, duplicates: 0 }
 */
export type StreamState<S> = Readonly<{ version: number; state: S | undefined; stateVersion: number; duplicates: number }>

/**
 * A store several receivers share. Every write is one transaction that checks the stream's version,
 * appends, stores the state and claims the key, or does none of it. The inbox reads a ledger's
 * events after its stored state's version with the port's `readStream(stream, { after })`. The
 * store declares what it is with `shared: true`: that, and nothing else, makes `createInbox` take
 * the shared path.
 *
 * @example
 * import type { LedgerEvent, LedgerState } from '@banksocket-webhooks/core'
 * import type { SharedLedgerStore } from '@banksocket-webhooks/core/store-kit'
 * const owner = (store: SharedLedgerStore<LedgerEvent, LedgerState>, key: string) => store.keyOwner(key)
 */
export interface SharedLedgerStore<Ev, S> extends EventStore<Ev> {
  /**
   * Declares the capability: several receivers share this store, and it decides. `createInbox`
   * takes the shared path for a store with `shared: true`, and for no other.
   */
  readonly shared: true
  /** The stream's version, stored state and duplicate count, in one query. */
  readState(stream: string): TE.TaskEither<StoreError, StreamState<S>>
  /** The state of every stream whose name starts with `prefix`. */
  readStates(prefix: string): TE.TaskEither<StoreError, ReadonlyMap<string, StreamState<S>>>
  /**
   * One write: a key recorded in ANY stream is a `KeyConflict` naming that stream, whatever the
   * version (and counted there as a duplicate when `recording.duplicate` asks and the head allows).
   */
  record(stream: string, recording: Recording<Ev, S>): TE.TaskEither<RecordError, Readonly<{ nextVersion: number }>>
  /** The stream an idempotency key was recorded in, if it was. */
  keyOwner(key: string): TE.TaskEither<StoreError, string | undefined>
  /** Adds `count` (default 1) to the stream's duplicate counter; answers the new total. */
  countDuplicate(stream: string, count?: number): TE.TaskEither<StoreError, number>
}

/**
 * Whether a store declared itself shared (`shared: true`): the inbox then keeps nothing in memory
 * between deliveries and lets the store decide. A store is shared because it says so, never because
 * of the methods it happens to have.
 *
 * @internal
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * isShared(createInMemoryEventStore()) // false
 */
export const isShared = <Ev, S>(store: EventStore<Ev> | SharedLedgerStore<Ev, S>): store is SharedLedgerStore<Ev, S> =>
  (store as Partial<SharedLedgerStore<Ev, S>>).shared === true
