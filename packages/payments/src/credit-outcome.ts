/**
 * Where a credit ended, as `applyCredit` and `assignCredit` resolve: {@link CreditOutcome}.
 *
 * @module
 */
import type { Credit, CreditRoute } from './credit.ts'
import type { PaymentsEvent, UnmatchedReason } from './events.ts'
import type { Expectation } from './expectation.ts'

/**
 * Where a credit ended, with the events this call stored (none, and `replayed: true`, when the
 * credit had been applied before: applying it again changed nothing).
 *
 * - `Applied`: to `expectation` (as it stands now: partially paid, settled or overpaid).
 * - `Unmatched`: to nothing, for manual review, with the reason and the expectations named.
 * - `Ambiguous`: it names several expectations (`candidates`) and went to none of them.
 *
 * @example
 * import type { CreditOutcome } from '@banksocket-webhooks/payments'
 * const say = (o: CreditOutcome) => o._tag === 'Applied' ? `${o.expectation.id} is ${o.expectation.status}` : o._tag
 */
export type CreditOutcome = Readonly<{ credit: Credit; events: ReadonlyArray<PaymentsEvent>; replayed: boolean }> &
  (
    | Readonly<{ _tag: 'Applied'; expectation: Expectation }>
    | Readonly<{ _tag: 'Unmatched'; reason: UnmatchedReason; candidates: ReadonlyArray<string> }>
    | Readonly<{ _tag: 'Ambiguous'; candidates: ReadonlyArray<string> }>
  )

/**
 * The outcome of a credit whose route sends it to no expectation (unmatched or ambiguous), with the
 * events this call stored: none means the route had been stored before (`replayed`).
 *
 * @internal
 * @example
 * import { unappliedOutcome } from './credit-outcome.ts'
 * unappliedOutcome(credit, { _tag: 'Ambiguous', candidates: ['order-1042', 'order-1043'] }, [])
 * // { _tag: 'Ambiguous', credit, candidates: ['order-1042', 'order-1043'], events: [], replayed: true }
 */
export const unappliedOutcome = (
  credit: Credit,
  route: Exclude<CreditRoute, Readonly<{ _tag: 'Matched' }>>,
  events: ReadonlyArray<PaymentsEvent>,
): CreditOutcome => {
  const replayed = events.length === 0
  return route._tag === 'Unmatched'
    ? { _tag: 'Unmatched', credit, reason: route.reason, candidates: route.candidates, events, replayed }
    : { _tag: 'Ambiguous', credit, candidates: route.candidates, events, replayed }
}
