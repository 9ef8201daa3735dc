/**
 * Helpers shared by the modules of this package; not part of its public API.
 *
 * @internal
 * @module
 */
import { type Decider, type Money, parseAmount } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type { CreditEvent, ExpectationEvent, PaymentsEvent } from './events.ts'

/**
 * Money from an amount an event carries. Events are written from exact money by this package and
 * checked by the `DecimalAmount` codec when a durable store loads them, so a failure here is a
 * corrupted store, not an expected outcome: it throws a `TypeError` saying so.
 *
 * @internal
 */
export const exactMoney = (amount: string, currency: string): Money => {
  const parsed = parseAmount(amount, currency)
  if (E.isLeft(parsed)) throw new TypeError(`a payments event holds an amount that is not exact money: "${amount}" ${parsed.left.reason}`)
  return parsed.right
}

/** Whether a currency code is three upper-case ASCII letters (ISO 4217 form). @internal */
export const isCurrencyCode = (currency: string): boolean => /^[A-Z]{3}$/.test(currency)

/** Whether a string is an ISO 8601 date-time that `Date` reads. @internal */
export const isInstant = (text: string): boolean => !Number.isNaN(Date.parse(text))

const EXPECTATION_EVENTS: ReadonlySet<string> = new Set<ExpectationEvent['type']>([
  'PaymentExpected',
  'PaymentPartiallyPaid',
  'PaymentSettled',
  'PaymentOverpaid',
  'PaymentExpired',
  'PaymentCancelled',
])
const CREDIT_EVENTS: ReadonlySet<string> = new Set<CreditEvent['type']>(['CreditMatched', 'CreditUnmatched', 'CreditAmbiguous', 'CreditAssigned'])

/** Whether an event belongs on an expectation stream (by its type). @internal */
export const isExpectationEvent = (event: PaymentsEvent): event is ExpectationEvent => EXPECTATION_EVENTS.has(event.type)

/** Whether an event belongs on a credit stream (by its type). @internal */
export const isCreditEvent = (event: PaymentsEvent): event is CreditEvent => CREDIT_EVENTS.has(event.type)

/**
 * A decider of one kind of stream, over the store of all payments events: its `evolve` skips any
 * event of another kind, so the one command handler can run it on an `EventStore<PaymentsEvent>`.
 *
 * @internal
 */
export const onPaymentsStore = <C, Ev extends PaymentsEvent, S, Err>(
  decider: Decider<C, Ev, S, Err>,
  belongs: (event: PaymentsEvent) => event is Ev,
): Decider<C, PaymentsEvent, S, Err> => ({
  initialState: decider.initialState,
  decide: decider.decide,
  evolve: (state, event) => (belongs(event) ? decider.evolve(state, event) : state),
})
