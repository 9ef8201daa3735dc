/**
 * `@banksocket-webhooks/payments`: match incoming transfers to the payments a business expects, on
 * Web APIs only (Node, Deno, Workers, Bun) and any core `EventStore`.
 *
 * - Expectations: {@link expectationDecider} (expect, apply a credit, cancel, expire), one stream
 *   per expected payment, with {@link PaymentExpected}, {@link PaymentPartiallyPaid},
 *   {@link PaymentSettled}, {@link PaymentOverpaid}, {@link PaymentExpired} and
 *   {@link PaymentCancelled}.
 * - Matching: {@link foldTurkish}, {@link referenceKey}, {@link findReferences} and
 *   {@link matchCredit}: whole-token references in the authenticated description, Turkish-aware,
 *   a reference of digits only named only by that number standing alone; `account_id` only narrows.
 * - Every credit ends somewhere: {@link creditDecider} records it once as matched, unmatched (with
 *   the reason) or ambiguous (with the candidates).
 * - Runtime: {@link createPayments} and its typed events; `receiver.on('credit', payments.handleCredit)`,
 *   or {@link followCredits}: payments as a consumer of the receiver's store, rebuildable from its
 *   history and resuming from a checkpoint after a crash.
 *
 * @example
 * import { createPayments } from '@banksocket-webhooks/payments'
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * import * as E from 'fp-ts/lib/Either.js'
 *
 * const opened = await createPayments({ store: createInMemoryEventStore() })()
 * if (E.isLeft(opened)) throw new Error(opened.left._tag)
 * const payments = opened.right
 * await payments.expect({ id: 'order-1042', reference: 'SİP1042', amount: { minor: 149990n, currency: 'TRY' } })()
 * payments.on('payment_settled', ({ expectation }) => console.log(`${expectation.id} is paid`))
 * receiver.on('credit', payments.handleCredit)
 *
 * @packageDocumentation
 */
export {
  type Credit,
  type CreditCommand,
  type CreditError,
  type CreditRoute,
  type CreditState,
  type CreditTransaction,
  creditDecider,
  creditOf,
  creditStream,
  type ExpectationLookup,
  expectationLookup,
  matchCredit,
} from './credit.ts'
export type { CreditOutcome } from './credit-outcome.ts'
export {
  CreditAmbiguous,
  CreditAssigned,
  CreditEvent,
  CreditMatched,
  CreditUnmatched,
  DecimalAmount,
  ExpectationEvent,
  PaymentCancelled,
  PaymentExpected,
  PaymentExpired,
  PaymentOverpaid,
  PaymentPartiallyPaid,
  PaymentSettled,
  PaymentsEvent,
  UnmatchedReason,
} from './events.ts'
export {
  type Expectation,
  type ExpectationCommand,
  type ExpectationError,
  type ExpectationState,
  type ExpectationStatus,
  expectationDecider,
  isClosed,
  isOpen,
  paymentStream,
} from './expectation.ts'
export { creditTransactionOf, type FollowCreditsOptions, followCredits } from './follow.ts'
export type { CreditNotice, PaymentNotice, PaymentsEvents, PaymentsListenerError } from './notices.ts'
export type { PaymentsOptions } from './options.ts'
export { createPayments, type ExpectInput, Payments } from './payments.ts'
export { type PaymentsError, PaymentsFailure } from './payments-error.ts'
export { type CreditSummary, type CreditTotals, creditTotals, type PaymentsSummary, summarizePayments } from './projection.ts'
export {
  findReferences,
  foldTurkish,
  type InvalidReference,
  isLetterOrDigit,
  isReferenceSeparator,
  mentions,
  referenceKey,
} from './reference.ts'
