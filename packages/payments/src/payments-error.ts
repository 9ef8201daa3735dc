/**
 * How payments operations fail: {@link PaymentsError}, the tagged `Left` of every operation, and
 * {@link PaymentsFailure}, the Error a receiver listener rejects with so that Banksocket retries.
 *
 * @module
 */
import type { CommandError, StoreError } from '@banksocket-webhooks/core'
import type { CreditError } from './credit.ts'
import type { UnmatchedReason } from './events.ts'
import type { ExpectationError } from './expectation.ts'

/**
 * Why a payments operation failed. The domain refusals of the two deciders
 * ({@link ExpectationError}, {@link CreditError}) and:
 *
 * - `ReferenceInUse`: another expectation still open was expected under the same reference key;
 * - `NotACredit`: `applyCredit` was given a debit;
 * - `StoreFailed`: the store failed a read or an append (nothing was half-done that a retry does
 *   not complete);
 * - `RetriesExhausted`: other writers kept winning the race on `stream`.
 *
 * @example
 * import type { PaymentsError } from '@banksocket-webhooks/payments'
 * const retryable = (e: PaymentsError) => e._tag === 'StoreFailed' || e._tag === 'RetriesExhausted'
 */
export type PaymentsError =
  | ExpectationError
  | CreditError
  | Readonly<{ _tag: 'ReferenceInUse'; reference: string; key: string; expectation: string }>
  | Readonly<{ _tag: 'NotACredit'; credit: string; dc: string }>
  | Readonly<{ _tag: 'StoreFailed'; stream: string; error: StoreError }>
  | Readonly<{ _tag: 'RetriesExhausted'; stream: string; attempts: number }>

/**
 * The Error `handleCredit` rejects with when a credit could not be applied (the store failed, or
 * other writers kept winning), so that the receiver answers 500 and Banksocket retries. `error` is
 * the {@link PaymentsError}; the message names only its tag.
 *
 * @example
 * import { PaymentsFailure } from '@banksocket-webhooks/payments'
 * receiver.on('error', (e) => { if (e._tag === 'handler_failed' && e.error instanceof PaymentsFailure) console.error(e.error.error._tag) })
 */
export class PaymentsFailure extends Error {
  override readonly name = 'PaymentsFailure'
  constructor(readonly error: PaymentsError) {
    super(`payments could not apply the credit: ${error._tag}`)
  }
}

/**
 * The {@link PaymentsError} of a failed command of core's command handler: the decider's own
 * refusal as it is, a store failure as `StoreFailed`, lost races as `RetriesExhausted`.
 *
 * @internal
 * @example
 * import { fromCommand } from './payments-error.ts'
 * fromCommand({ _tag: 'RetriesExhausted', stream: 'payment-order-1042', attempts: 4 })
 * // { _tag: 'RetriesExhausted', stream: 'payment-order-1042', attempts: 4 }
 */
export const fromCommand = <Err extends PaymentsError>(e: CommandError<Err>): PaymentsError => {
  switch (e._tag) {
    case 'DomainError':
      return e.error
    case 'StoreError':
      return { _tag: 'StoreFailed', stream: e.stream, error: e.error }
    case 'RetriesExhausted':
      return { _tag: 'RetriesExhausted', stream: e.stream, attempts: e.attempts }
  }
}

/**
 * The unmatched reason for an expectation that refuses a credit routed to it, if it is one: a
 * credit sent to an expectation closed (or in another currency) in the meantime is unmatched;
 * any other refusal is a failure.
 *
 * @internal
 * @example
 * import { refusalReason } from './payments-error.ts'
 * refusalReason({ _tag: 'ExpectationClosed', id: 'order-1042', status: 'cancelled' }) // 'expectation_closed'
 * refusalReason({ _tag: 'UnknownExpectation', id: 'order-1042' })                     // undefined
 */
export const refusalReason = (error: ExpectationError): UnmatchedReason | undefined => {
  switch (error._tag) {
    case 'ExpectationClosed':
      return 'expectation_closed'
    case 'CurrencyMismatch':
      return 'currency_mismatch'
    default:
      return undefined
  }
}
