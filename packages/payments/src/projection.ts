/**
 * Payments read back from a store: every expectation as it stands, where every credit went, and
 * the totals that must add up (money credited = applied + unmatched + ambiguous + pending).
 *
 * @module
 */
import { addMoney, type Money, type StreamEvent, zero } from '@banksocket-webhooks/core'
import { type Credit, type CreditRoute, type CreditState, creditDecider } from './credit.ts'
import type { PaymentsEvent } from './events.ts'
import { type Expectation, type ExpectationState, expectationDecider } from './expectation.ts'
import { isCreditEvent, isExpectationEvent } from './internal.ts'

/**
 * Where one credit went, as the store says: its route, whether a match came from a manual
 * assignment, and whether the expectation it was sent to has applied it (`applied: false` on a
 * `Matched` route means the application was interrupted between the two appends and is completed
 * when the credit is applied again: the receiver's retry does that).
 *
 * @example
 * import type { CreditSummary } from '@banksocket-webhooks/payments'
 * const unmatched = (c: CreditSummary) => c.route._tag === 'Unmatched'
 */
export type CreditSummary = Readonly<{ credit: Credit; route: CreditRoute; assigned: boolean; applied: boolean }>

/**
 * Every expectation (by id, in the order they were expected) and every credit (by idempotency key,
 * in the order they were routed) in a store.
 *
 * @example
 * import type { PaymentsSummary } from '@banksocket-webhooks/payments'
 * const open = (s: PaymentsSummary) => [...s.expectations.values()].filter((e) => e.status === 'expected')
 */
export type PaymentsSummary = Readonly<{
  expectations: ReadonlyMap<string, Expectation>
  credits: ReadonlyMap<string, CreditSummary>
}>

const PAYMENT_PREFIX = 'payment-'
const CREDIT_PREFIX = 'credit-'

/**
 * Folds stored events into a {@link PaymentsSummary}: streams named `payment-…` with the
 * expectation decider, `credit-…` with the credit decider, each from its own initial state. Streams
 * and events of other kinds are skipped.
 *
 * @example
 * import { summarizePayments } from '@banksocket-webhooks/payments'
 * import * as E from 'fp-ts/lib/Either.js'
 * const all = await store.readAll()()
 * if (E.isRight(all)) summarizePayments(all.right).expectations.get('order-1042')?.status // 'settled'
 */
export const summarizePayments = (stored: Iterable<StreamEvent<PaymentsEvent>>): PaymentsSummary => {
  const expectationStreams = new Map<string, ExpectationState>()
  const creditStreams = new Map<string, CreditState>()
  for (const { stream, event } of stored) {
    if (stream.startsWith(PAYMENT_PREFIX) && isExpectationEvent(event)) {
      const state = expectationStreams.has(stream) ? expectationStreams.get(stream) : expectationDecider.initialState
      expectationStreams.set(stream, expectationDecider.evolve(state, event))
    } else if (stream.startsWith(CREDIT_PREFIX) && isCreditEvent(event)) {
      const state = creditStreams.has(stream) ? creditStreams.get(stream) : creditDecider.initialState
      creditStreams.set(stream, creditDecider.evolve(state, event))
    }
  }
  const expectations = new Map<string, Expectation>()
  for (const e of expectationStreams.values()) if (e !== undefined) expectations.set(e.id, e)
  const credits = new Map<string, CreditSummary>()
  for (const c of creditStreams.values()) {
    if (c === undefined) continue
    const target = c.route._tag === 'Matched' ? expectations.get(c.route.expectation) : undefined
    credits.set(c.credit.key, { ...c, applied: target?.credits.includes(c.credit.key) ?? false })
  }
  return { expectations, credits }
}

/**
 * Money credited in one currency, and where it went: `applied` to expectations, `unmatched`,
 * `ambiguous`, and `pending` (sent to an expectation that has not applied it yet). They always add
 * up: `credited = applied + unmatched + ambiguous + pending`.
 *
 * @example
 * import type { CreditTotals } from '@banksocket-webhooks/payments'
 * const reviewable = (t: CreditTotals) => t.unmatched.minor + t.ambiguous.minor
 */
export type CreditTotals = Readonly<{ credited: Money; applied: Money; unmatched: Money; ambiguous: Money; pending: Money }>

/**
 * Totals of a {@link PaymentsSummary}'s credits, per currency.
 *
 * @example
 * import { creditTotals, summarizePayments } from '@banksocket-webhooks/payments'
 * import { formatMoney } from '@banksocket-webhooks/core'
 * const tryTotals = creditTotals(summarizePayments(events)).get('TRY')
 * if (tryTotals) console.log(`to review: ${formatMoney(tryTotals.unmatched)} TRY unmatched`)
 */
export const creditTotals = (summary: PaymentsSummary): ReadonlyMap<string, CreditTotals> => {
  const totals = new Map<string, { -readonly [K in keyof CreditTotals]: Money }>()
  for (const { credit, route, applied } of summary.credits.values()) {
    const currency = credit.amount.currency
    let t = totals.get(currency)
    if (t === undefined) {
      t = { credited: zero(currency), applied: zero(currency), unmatched: zero(currency), ambiguous: zero(currency), pending: zero(currency) }
      totals.set(currency, t)
    }
    t.credited = addMoney(t.credited, credit.amount)
    const bucket = route._tag === 'Unmatched' ? 'unmatched' : route._tag === 'Ambiguous' ? 'ambiguous' : applied ? 'applied' : 'pending'
    t[bucket] = addMoney(t[bucket], credit.amount)
  }
  return totals
}
