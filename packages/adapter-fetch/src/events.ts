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
  BalanceGapDetected,
  Dc,
  DuplicateIgnored,
  Money,
  Rejection,
  StoreError,
  TransactionReceived,
  VerifiedTransaction,
} from '@banksocket-webhooks/core'

/**
 * A new, verified transaction, as the `transaction`, `credit` and `debit` events carry it: the
 * {@link VerifiedTransaction} (authenticated `verified` fields apart from the `unverified` ones,
 * exact `amount` and `balance`, `idempotencyKey`, `secretIndex`) plus when it was received and the
 * domain event that will be stored once every listener has finished.
 *
 * `D` narrows `verified.dc`: `credit` listeners get `ReceivedTransaction<'Credit'>`.
 *
 * @example
 * import type { ReceivedTransaction } from '@banksocket-webhooks/adapter-fetch'
 * const line = (tx: ReceivedTransaction) =>
 *   `${tx.verified.dc} ${tx.verified.amount} ${tx.verified.currency} (${tx.amount.minor} minor units) key ${tx.idempotencyKey}`
 */
export type ReceivedTransaction<D extends Dc = Dc> = VerifiedTransaction &
  Readonly<{
    /** The authenticated fields, exact strings as received; `dc` narrowed to `D`. */
    verified: AuthenticatedFields & Readonly<{ dc: D }>
    /** When the receiver got the notification (ISO 8601, from the `now` option). */
    receivedAt: string
    /** The `TransactionReceived` event appended to the account ledger after the listeners succeed. */
    event: TransactionReceived
  }>

/**
 * A notification that was already recorded (same idempotency key), as the `duplicate` event carries
 * it. It is answered `200 {"status":"duplicate"}` and never emitted as a transaction again.
 *
 * @example
 * import type { DuplicateDelivery } from '@banksocket-webhooks/adapter-fetch'
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
 * The running balance of an account did not continue, as the `gap` event carries it: the previous
 * balance plus or minus this movement's amount should have been `expectedBalance`, the notification
 * says `actualBalance`, and `missing` (`actual - expected`) is what was never notified: positive for
 * money in, negative for money out. Emitted before the `transaction` event of the same notification.
 *
 * @example
 * import type { BalanceGap } from '@banksocket-webhooks/adapter-fetch'
 * const alert = (gap: BalanceGap) =>
 *   `account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} missing (${gap.missing.minor} minor units)`
 */
export type BalanceGap = Readonly<{
  accountId: string
  currency: string
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
 * Something went wrong after a notification was verified, or inside a listener, as the `error`
 * event carries it. The first three are answered with a 500 so that Banksocket retries:
 *
 * - `handler_failed`: a `transaction`, `credit`, `debit`, `gap` or `duplicate` listener threw,
 *   rejected or outlived `handlerTimeout` (`error` is then a `HandlerTimeoutError`). Nothing was stored.
 * - `store_failed`: the EventStore failed the read or append. Nothing was stored.
 * - `internal_error`: something below the application failed (a hasher that threw, say).
 * - `listener_failed`: a `rejected` listener threw or rejected; the answer was not affected.
 *
 * @example
 * import type { ReceiverError } from '@banksocket-webhooks/adapter-fetch'
 * const describe = (e: ReceiverError) => e._tag === 'handler_failed' ? `handler failed for ${e.transaction.idempotencyKey}` : e._tag
 */
export type ReceiverError =
  | Readonly<{ _tag: 'handler_failed'; error: unknown; transaction: VerifiedTransaction }>
  | Readonly<{ _tag: 'store_failed'; error: StoreError; transaction: VerifiedTransaction }>
  | Readonly<{ _tag: 'internal_error'; error: unknown }>
  | Readonly<{ _tag: 'listener_failed'; event: 'rejected'; error: unknown }>

/**
 * The receiver's events, as listener signatures. Listeners may be async.
 *
 * - `gap`, `transaction`, `credit`, `debit`, `duplicate` run before anything is stored, and the
 *   answer waits for them (up to `handlerTimeout`): if one throws, rejects or times out, the
 *   notification is answered 500, nothing is stored and Banksocket retries. Make them idempotent
 *   (the retry brings the same `idempotencyKey`).
 * - `rejected` (a 4xx answer) and `error` are told after the fact; what they do never changes
 *   the answer, and an `error` listener that throws is ignored.
 *
 * @example
 * import type { ReceiverEvents } from '@banksocket-webhooks/adapter-fetch'
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
  /** The running balance broke before this transaction; emitted before its `transaction`. */
  gap: (gap: BalanceGap) => void | Promise<void>
  /** A notification was refused with a 4xx (400, 401, 413 or 415). */
  rejected: (rejection: Rejection) => void | Promise<void>
  /** A 500 was answered, or a `rejected` listener failed. */
  error: (error: ReceiverError) => void | Promise<void>
}

/**
 * The name of a receiver event.
 *
 * @example
 * import type { ReceiverEventName } from '@banksocket-webhooks/adapter-fetch'
 * const names: ReceiverEventName[] = ['transaction', 'credit', 'debit', 'duplicate', 'gap', 'rejected', 'error']
 */
export type ReceiverEventName = keyof ReceiverEvents
