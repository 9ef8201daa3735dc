/**
 * The receiver's typed events and what each one carries.
 *
 * Money is exact everywhere: `amount`, `balance` and the gap amounts are {@link Money} (bigint minor
 * units); the strings exactly as received stay under `verified` and in the stored `event`.
 *
 * @module
 */
import type {
  AuthenticatedFields,
  BalanceGapClosed,
  BalanceGapDetected,
  BalanceGapNarrowed,
  Dc,
  DuplicateIgnored,
  Money,
  Rejection,
  StoreError,
  SuspectedReplay,
  TransactionReceived,
  UnobservedMovements,
  VerifiedTransaction,
} from '@banksocket-webhooks/core'
import type { Recorded } from '@banksocket-webhooks/core/runtime-kit'

/**
 * A new, verified transaction, as the `transaction`, `credit` and `debit` events carry it: the
 * {@link VerifiedTransaction} (authenticated `verified` fields apart from the `unverified` ones,
 * exact `amount` and `balance`, `idempotencyKey`, `secretIndex`) plus when it was received and the
 * domain event that will be stored once every listener has finished.
 *
 * `D` narrows `verified.dc`: `credit` listeners get `ReceivedTransaction<'Credit'>`.
 *
 * @example
 * import type { ReceivedTransaction } from '@banksocket-webhooks/receiver'
 * const line = (tx: ReceivedTransaction) =>
 *   `${tx.verified.dc} ${tx.verified.amount} ${tx.verified.currency} (${tx.amount.minor} minor units) key ${tx.idempotencyKey}`
 */
export type ReceivedTransaction<D extends Dc = Dc> = VerifiedTransaction &
  Readonly<{
    /** The authenticated fields, exact strings as received; `dc` narrowed to `D`. */
    verified: AuthenticatedFields & Readonly<{ dc: D }>
    /** When the receiver got the notification (ISO 8601, from the `now` option). */
    receivedAt: string
    /**
     * A genuine repeat: the key was already recorded, but the movement continues the chain's head
     * exactly (Credit 100 / Debit 100 / Credit 100 with the same description), so it is recorded
     * again.
     */
    repeat: boolean
    /** The `TransactionReceived` event appended to the account ledger after the listeners succeed. */
    event: TransactionReceived
  }>

/**
 * A notification that was already recorded (same idempotency key), as the `duplicate` event carries
 * it. It is answered `200 {"status":"duplicate"}` and never emitted as a transaction again.
 *
 * @example
 * import type { DuplicateDelivery } from '@banksocket-webhooks/receiver'
 * const note = (d: DuplicateDelivery) => `re-delivery of ${d.idempotencyKey} for account ${d.event.data.accountId}`
 */
export type DuplicateDelivery = VerifiedTransaction &
  Readonly<{
    /** When the re-delivery arrived (ISO 8601). */
    receivedAt: string
    /** The `DuplicateIgnored` event appended to the account ledger. */
    event: DuplicateIgnored
  }>

/**
 * The balance chain of an account broke, as the `gap` event carries it: this movement fits no chain
 * fragment, so a gap opens from the head (`from`) to where the movement starts (`to`).
 * Equivalently, the head plus or minus this movement's amount should have been `expectedBalance`,
 * the notification says `actualBalance`, and `missing` (`to - from`, `actual - expected`) is what
 * was never notified: positive for money in, negative for money out. Emitted before the
 * `transaction` event of the same notification. A late notification that fills the gap later
 * emits `gap_narrowed` or `gap_closed` with the same `gapId`.
 *
 * @example
 * import type { BalanceGap } from '@banksocket-webhooks/receiver'
 * const alert = (gap: BalanceGap) =>
 *   `account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} missing (${gap.missing.minor} minor units)`
 */
export type BalanceGap = Readonly<{
  accountId: string
  currency: string
  /** Names the gap in later `gap_narrowed` and `gap_closed` events. */
  gapId: number
  /** The balance the chain had reached (the head) when the gap opened. */
  from: Money
  /** The balance this movement starts from. */
  to: Money
  /** The balance the previous notification and this amount imply. */
  expectedBalance: Money
  /** The balance this notification carries. */
  actualBalance: Money
  /** `actualBalance - expectedBalance`. */
  missing: Money
  /** Idempotency key of the previous movement on this ledger. */
  previousKey: string
  /** Idempotency key of the movement that revealed the gap. */
  idempotencyKey: string
  /** The notification that revealed the gap. */
  transaction: VerifiedTransaction
  /** The `BalanceGapDetected` event (amounts as decimal strings) appended to the ledger. */
  event: BalanceGapDetected
}>

/**
 * A late notification filled an open gap, fully (`gap_closed`: `from`, `to`, `missing` are the gap
 * as it was) or partly (`gap_narrowed`: `from`, `to`, `missing` are what is still open). Emitted
 * after the `transaction` event of the notification that filled it.
 *
 * @example
 * import type { BalanceGapChange } from '@banksocket-webhooks/receiver'
 * const note = (c: BalanceGapChange) => `gap ${c.gapId} on ${c.accountId}: filled by ${c.idempotencyKey}`
 */
export type BalanceGapChange = Readonly<{
  accountId: string
  currency: string
  gapId: number
  from: Money
  to: Money
  missing: Money
  /** Idempotency key of the notification that filled the gap. */
  idempotencyKey: string
  /** The notification that filled the gap. */
  transaction: VerifiedTransaction
  /** The stored event. */
  event: BalanceGapNarrowed | BalanceGapClosed
}>

/**
 * On a receiver told that its webhook sees one direction only (`filter: 'NEW_CREDIT'` or
 * `'NEW_DEBIT'`), a break in the balance chain that the unseen direction explains, as the
 * `unobserved` event carries it: `net` (`to - from`) is what the unseen movements add up to. Not a
 * missed notification, so not a `gap`.
 *
 * @example
 * import type { Unobserved } from '@banksocket-webhooks/receiver'
 * const note = (u: Unobserved) => `${u.accountId}: ${u.net.minor} minor units moved unseen (${u.filter})`
 */
export type Unobserved = Readonly<{
  accountId: string
  currency: string
  gapId: number
  filter: 'NEW_CREDIT' | 'NEW_DEBIT'
  from: Money
  to: Money
  net: Money
  transaction: VerifiedTransaction
  event: UnobservedMovements
}>

/**
 * A verified notification whose key is older than the exact dedupe window and that fits nowhere in
 * the balance chain: most likely an old notification replayed. It is stored for review and answered
 * `200 {"status":"suspected_replay"}`, and never reaches `transaction`, `credit` or `debit`
 * listeners.
 *
 * @example
 * import type { SuspectedReplayDelivery } from '@banksocket-webhooks/receiver'
 * const review = (r: SuspectedReplayDelivery) => `review ${r.verified.amount} ${r.verified.currency} (${r.idempotencyKey})`
 */
export type SuspectedReplayDelivery = VerifiedTransaction &
  Readonly<{
    /** When the delivery arrived (ISO 8601). */
    receivedAt: string
    /** The stored `SuspectedReplay` event. */
    event: SuspectedReplay
  }>

/**
 * Something went wrong after a notification was verified, or inside a listener, as the `error`
 * event carries it. The first three are answered with a 500 so that Banksocket retries:
 *
 * - `handler_failed`: a listener of a ledger event (`transaction`, `credit`, `debit`, `gap`, `duplicate`, ...) threw,
 *   rejected or outlived `handlerTimeout` (`error` is then a `HandlerTimeoutError`). Nothing was stored.
 * - `store_failed`: the EventStore failed the read or append. Nothing was stored.
 * - `internal_error`: something below the application failed (a hasher that threw, say).
 * - `listener_failed`: a `rejected` or `recorded` listener threw or rejected; the answer was not affected.
 *
 * @example
 * import type { ReceiverError } from '@banksocket-webhooks/receiver'
 * const describe = (e: ReceiverError) => e._tag === 'handler_failed' ? `handler failed for ${e.transaction.idempotencyKey}` : e._tag
 */
export type ReceiverError =
  | Readonly<{ _tag: 'handler_failed'; error: unknown; transaction: VerifiedTransaction }>
  | Readonly<{ _tag: 'store_failed'; error: StoreError; transaction: VerifiedTransaction }>
  | Readonly<{ _tag: 'internal_error'; error: unknown }>
  | Readonly<{ _tag: 'listener_failed'; event: 'rejected' | 'recorded'; error: unknown }>

/**
 * The receiver's events, as listener signatures. Listeners may be async.
 *
 * - `gap`, `unobserved`, `transaction`, `credit`, `debit`, `gap_narrowed`, `gap_closed`,
 *   `duplicate` and `suspected_replay` run before anything is stored, and the
 *   answer waits for them (up to `handlerTimeout`): if one throws, rejects or times out, the
 *   notification is answered 500, nothing is stored and Banksocket retries. Make them idempotent
 *   (the retry brings the same `idempotencyKey`).
 * - `recorded` (the events are stored), `rejected` (a 4xx answer) and `error` are told after the
 *   fact; what they do never changes the answer, and an `error` listener that throws is ignored.
 *
 * @example
 * import type { ReceiverEvents } from '@banksocket-webhooks/receiver'
 * import { EventEmitter } from 'eventemitter3'
 * const events = new EventEmitter<ReceiverEvents>()
 * events.on('credit', (tx) => console.log(tx.amount.minor)) // tx: ReceivedTransaction<'Credit'>
 */
export interface ReceiverEvents {
  /** Every new verified transaction, credit or debit. */
  transaction: (transaction: ReceivedTransaction) => void | Promise<void>
  /** A new verified transaction with `dc` `Credit` (money in), after `transaction`. */
  credit: (transaction: ReceivedTransaction<'Credit'>) => void | Promise<void>
  /** A new verified transaction with `dc` `Debit` (money out), after `transaction`. */
  debit: (transaction: ReceivedTransaction<'Debit'>) => void | Promise<void>
  /** A verified notification already recorded; answered 200 `{"status":"duplicate"}`. */
  duplicate: (duplicate: DuplicateDelivery) => void | Promise<void>
  /** The balance chain broke before this transaction; emitted before its `transaction`. */
  gap: (gap: BalanceGap) => void | Promise<void>
  /** A late transaction filled part of an open gap; emitted after its `transaction`. */
  gap_narrowed: (change: BalanceGapChange) => void | Promise<void>
  /** A late transaction closed an open gap; emitted after its `transaction`. */
  gap_closed: (change: BalanceGapChange) => void | Promise<void>
  /** A break explained by the direction a filtered webhook does not see; before its `transaction`. */
  unobserved: (unobserved: Unobserved) => void | Promise<void>
  /** An old notification replayed, most likely: held back from `transaction`, `credit`, `debit`. */
  suspected_replay: (delivery: SuspectedReplayDelivery) => void | Promise<void>
  /**
   * The events of an accepted (or suspected-replay) notification are stored: the ledger's stream,
   * each event with its version, the verified transaction. Told once the store says so (durably,
   * for a durable store) and before the 200 is answered; never for a duplicate or a failure. Use it
   * for output that must follow what was recorded.
   */
  recorded: (recorded: Recorded) => void | Promise<void>
  /** A notification was refused with a 4xx (400, 401, 413 or 415). */
  rejected: (rejection: Rejection) => void | Promise<void>
  /** A 500 was answered, or a `rejected` listener failed. */
  error: (error: ReceiverError) => void | Promise<void>
}

/**
 * The name of a receiver event.
 *
 * @example
 * import type { ReceiverEventName } from '@banksocket-webhooks/receiver'
 * const names: ReceiverEventName[] = ['transaction', 'credit', 'debit', 'duplicate', 'gap', 'gap_narrowed', 'gap_closed', 'unobserved', 'suspected_replay', 'recorded', 'rejected', 'error']
 */
export type ReceiverEventName = keyof ReceiverEvents
