/**
 * Where a credit goes: the matcher that routes a verified credit to the one expected payment its
 * description names (or to none, with the reason, or to several, as ambiguous), and the credit
 * decider that records the route once per credit (`credit-<idempotencyKey>`), so that a credit
 * applied twice, by a retry, a restart or a second process, still ends in exactly one place.
 *
 * @module
 */
import { type Decider, formatMoney, type Money } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type { CreditEvent, UnmatchedReason } from './events.ts'
import { type Expectation, isClosed } from './expectation.ts'
import { exactMoney } from './internal.ts'
import { findReferences } from './reference.ts'

/**
 * A credit as payments sees it: its idempotency key, exact amount, the authenticated description,
 * and the `account_id` the notification carried (not covered by the hash: it can only narrow a
 * match, never make one).
 *
 * @example
 * import type { Credit } from '@banksocket-webhooks/payments'
 * const c: Credit = { key: '9f86d0...', amount: { minor: 149990n, currency: 'TRY' }, description: 'SN:9 SİP1042', accountId: '69' }
 */
export type Credit = Readonly<{ key: string; amount: Money; description: string; accountId: string }>

/**
 * What payments reads from a verified transaction: core's `VerifiedTransaction` and the receivers'
 * `ReceivedTransaction` are both one. Only the authenticated `description`, `currency` and
 * `amount` decide a match; `account_id` only narrows it. `repeat` is the receivers' mark of a
 * genuine repeat (the same authenticated fields, so the same idempotency key, recorded again
 * because it continues the balance chain): see {@link creditOf}.
 *
 * @example
 * import type { CreditTransaction } from '@banksocket-webhooks/payments'
 * import type { VerifiedTransaction } from '@banksocket-webhooks/core'
 * const asCredit = (tx: VerifiedTransaction): CreditTransaction => tx
 */
export type CreditTransaction = Readonly<{
  idempotencyKey: string
  amount: Money
  verified: Readonly<{ dc: string; description: string; currency: string }>
  unverified: Readonly<{ account_id: string }>
  repeat?: boolean
}>

/**
 * The {@link Credit} of a verified transaction. Its key is the idempotency key; for a genuine
 * repeat (`repeat: true`: Credit 100 / Debit 100 / Credit 100 with the same description, which the
 * receiver records twice) it is the idempotency key with `:repeat` appended, so the repeat is a
 * credit of its own (and a retried delivery of it is still the same credit). A third identical
 * occurrence has the repeat's key again, and is taken for its re-delivery.
 *
 * @example
 * import { creditOf } from '@banksocket-webhooks/payments'
 * receiver.on('credit', (tx) => console.log(creditOf(tx).key, creditOf(tx).amount.minor))
 */
export const creditOf = (tx: CreditTransaction): Credit => ({
  key: tx.repeat === true ? `${tx.idempotencyKey}:repeat` : tx.idempotencyKey,
  amount: tx.amount,
  description: tx.verified.description,
  accountId: tx.unverified.account_id,
})

/**
 * Where the matcher sends a credit: to exactly one expectation, to none (with the reason and the
 * expectations that were named but did not qualify), or to none because several qualify.
 *
 * @example
 * import type { CreditRoute } from '@banksocket-webhooks/payments'
 * const r: CreditRoute = { _tag: 'Ambiguous', candidates: ['order-1042', 'order-1043'] }
 */
export type CreditRoute =
  | Readonly<{ _tag: 'Matched'; expectation: string }>
  | Readonly<{ _tag: 'Unmatched'; reason: UnmatchedReason; candidates: ReadonlyArray<string> }>
  | Readonly<{ _tag: 'Ambiguous'; candidates: ReadonlyArray<string> }>

/**
 * The expectations the matcher can see: the one each reference key stands for (the latest one
 * expected under it), and the longest key.
 *
 * @example
 * import { expectationLookup } from '@banksocket-webhooks/payments'
 * const lookup = expectationLookup(expectations)
 * lookup.latest('SIP1042')?.id // 'order-1042'
 */
export type ExpectationLookup = Readonly<{
  latest: (key: string) => Expectation | undefined
  maxKeyLength: number
}>

/**
 * A lookup over expectations given in the order they were expected: under a key used more than
 * once, the latest stands.
 *
 * @example
 * import { expectationLookup } from '@banksocket-webhooks/payments'
 * expectationLookup([]).latest('SIP1042') // undefined
 */
export const expectationLookup = (expectations: Iterable<Expectation>): ExpectationLookup => {
  const byKey = new Map<string, Expectation>()
  let maxKeyLength = 0
  for (const e of expectations) {
    byKey.set(e.key, e)
    maxKeyLength = Math.max(maxKeyLength, Array.from(e.key).length)
  }
  return { latest: (key) => byKey.get(key), maxKeyLength }
}

const ids = (es: ReadonlyArray<Expectation>): ReadonlyArray<string> => es.map((e) => e.id)

/**
 * Routes one credit. The description's named references (whole tokens, Turkish folding, see
 * {@link findReferences}) give the named expectations, each the latest under its key; then, in
 * order, those expecting another account, another currency, or already cancelled or expired drop
 * out. One left: `Matched`. Several: `Ambiguous`. None: `Unmatched`, with the reason of the step
 * that left none and the expectations that step dropped as `candidates`.
 *
 * The route depends only on the credit and on which expectations exist and are closed, never on
 * what other credits paid, so the order credits arrive in does not change where they go.
 *
 * @example
 * import { expectationLookup, matchCredit } from '@banksocket-webhooks/payments'
 * matchCredit({ key: 'k', amount: { minor: 100n, currency: 'TRY' }, description: 'sip 1042', accountId: '69' }, expectationLookup([order1042]))
 * // { _tag: 'Matched', expectation: 'order-1042' }
 */
export const matchCredit = (credit: Credit, lookup: ExpectationLookup): CreditRoute => {
  const keys = findReferences(credit.description, (key) => lookup.latest(key) !== undefined, lookup.maxKeyLength)
  const named = keys.flatMap((key) => lookup.latest(key) ?? [])
  if (named.length === 0) return { _tag: 'Unmatched', reason: 'no_reference', candidates: [] }
  const onAccount = named.filter((e) => e.accountId === null || e.accountId === credit.accountId)
  if (onAccount.length === 0) return { _tag: 'Unmatched', reason: 'other_account', candidates: ids(named) }
  const inCurrency = onAccount.filter((e) => e.amount.currency === credit.amount.currency)
  if (inCurrency.length === 0) return { _tag: 'Unmatched', reason: 'currency_mismatch', candidates: ids(onAccount) }
  const live = inCurrency.filter((e) => !isClosed(e.status))
  if (live.length === 0) return { _tag: 'Unmatched', reason: 'expectation_closed', candidates: ids(inCurrency) }
  const [only] = live
  return live.length === 1 && only !== undefined ? { _tag: 'Matched', expectation: only.id } : { _tag: 'Ambiguous', candidates: ids(live) }
}

/**
 * The stream of one credit.
 *
 * @example
 * import { creditStream } from '@banksocket-webhooks/payments'
 * creditStream('9f86d0') // 'credit-9f86d0'
 */
export const creditStream = (key: string): string => `credit-${key}`

/**
 * The state of one credit stream: `undefined` before the credit is routed; then the credit, its
 * current route, and whether a `Matched` route came from a manual assignment.
 *
 * @example
 * import { creditDecider } from '@banksocket-webhooks/payments'
 * creditDecider.initialState // undefined
 */
export type CreditState = Readonly<{ credit: Credit; route: CreditRoute; assigned: boolean }> | undefined

/**
 * Commands of the credit decider.
 *
 * - `RouteCredit`: record where the matcher sent the credit; the first route recorded wins, so a
 *   second process or a retry that routed it too records nothing and follows the first.
 * - `AssignCredit`: send an unmatched or ambiguous credit to an expectation by hand.
 * - `UnrouteCredit`: the expectation a credit was sent to refused it (cancelled or expired in the
 *   meantime): the credit becomes unmatched with `reason`.
 *
 * @example
 * import type { CreditCommand } from '@banksocket-webhooks/payments'
 * const c: CreditCommand = { type: 'AssignCredit', data: { credit: '9f86d0...', expectation: 'order-1042' } }
 */
export type CreditCommand =
  | Readonly<{ type: 'RouteCredit'; data: Readonly<{ credit: Credit; route: CreditRoute }> }>
  | Readonly<{ type: 'AssignCredit'; data: Readonly<{ credit: string; expectation: string }> }>
  | Readonly<{ type: 'UnrouteCredit'; data: Readonly<{ credit: string; expectation: string; reason: UnmatchedReason }> }>

/**
 * Why the credit decider refused a command: the credit was never routed, or it already went to
 * another expectation.
 *
 * @example
 * import type { CreditError } from '@banksocket-webhooks/payments'
 * const e: CreditError = { _tag: 'CreditAlreadyApplied', credit: '9f86d0...', expectation: 'order-1042' }
 */
export type CreditError =
  | Readonly<{ _tag: 'UnknownCredit'; credit: string }>
  | Readonly<{ _tag: 'CreditAlreadyApplied'; credit: string; expectation: string }>

const creditData = (credit: Credit) => ({
  credit: credit.key,
  amount: formatMoney(credit.amount),
  currency: credit.amount.currency,
  description: credit.description,
  accountId: credit.accountId,
})

const routeEvent = (credit: Credit, route: CreditRoute): CreditEvent => {
  switch (route._tag) {
    case 'Matched':
      return { type: 'CreditMatched', data: { ...creditData(credit), expectation: route.expectation } }
    case 'Unmatched':
      return { type: 'CreditUnmatched', data: { ...creditData(credit), reason: route.reason, candidates: route.candidates } }
    case 'Ambiguous':
      return { type: 'CreditAmbiguous', data: { ...creditData(credit), candidates: route.candidates } }
  }
}

const creditFrom = (d: Readonly<{ credit: string; amount: string; currency: string; description: string; accountId: string }>): Credit => ({
  key: d.credit,
  amount: exactMoney(d.amount, d.currency),
  description: d.description,
  accountId: d.accountId,
})

/**
 * The credit decider (see {@link CreditCommand}).
 *
 * @example
 * import { creditDecider } from '@banksocket-webhooks/payments'
 * creditDecider.decide({ type: 'RouteCredit', data: { credit, route: { _tag: 'Matched', expectation: 'order-1042' } } }, undefined)
 * // Right([{ type: 'CreditMatched', data: { credit: '9f86d0...', ..., expectation: 'order-1042' } }])
 */
export const creditDecider: Decider<CreditCommand, CreditEvent, CreditState, CreditError> = {
  initialState: undefined,
  decide: (command, state) => {
    switch (command.type) {
      case 'RouteCredit':
        return E.right(state === undefined ? [routeEvent(command.data.credit, command.data.route)] : [])
      case 'AssignCredit': {
        const { credit, expectation } = command.data
        if (state === undefined) return E.left({ _tag: 'UnknownCredit', credit })
        if (state.route._tag !== 'Matched') return E.right([{ type: 'CreditAssigned', data: { credit, expectation } }])
        if (state.route.expectation === expectation) return E.right([])
        return E.left({ _tag: 'CreditAlreadyApplied', credit, expectation: state.route.expectation })
      }
      case 'UnrouteCredit': {
        const { credit, expectation, reason } = command.data
        if (state === undefined) return E.left({ _tag: 'UnknownCredit', credit })
        if (state.route._tag !== 'Matched' || state.route.expectation !== expectation) return E.right([])
        return E.right([routeEvent(state.credit, { _tag: 'Unmatched', reason, candidates: [expectation] })])
      }
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'CreditMatched':
        return { credit: creditFrom(event.data), route: { _tag: 'Matched', expectation: event.data.expectation }, assigned: false }
      case 'CreditUnmatched':
        return {
          credit: creditFrom(event.data),
          route: { _tag: 'Unmatched', reason: event.data.reason, candidates: event.data.candidates },
          assigned: false,
        }
      case 'CreditAmbiguous':
        return { credit: creditFrom(event.data), route: { _tag: 'Ambiguous', candidates: event.data.candidates }, assigned: false }
      case 'CreditAssigned':
        return state === undefined ? state : { ...state, route: { _tag: 'Matched', expectation: event.data.expectation }, assigned: true }
    }
  },
}
