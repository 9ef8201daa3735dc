import { fold, type Money } from '@banksocket-webhooks/core'
import { given } from '@banksocket-webhooks/test-support/gwt'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type Credit,
  type CreditEvent,
  creditDecider,
  type Expectation,
  type ExpectationEvent,
  type ExpectationStatus,
  expectationDecider,
  expectationLookup,
  matchCredit,
} from '../src/index.ts'
import { money } from './support/credits.ts'

/** An expectation as its stream folds it, optionally closed. */
const expectation = (
  id: string,
  reference: string,
  amount: Money,
  more: Readonly<{ accountId?: string; status?: Extract<ExpectationStatus, 'cancelled' | 'expired'> }> = {},
): Expectation => {
  const events: ExpectationEvent[] = [
    {
      type: 'PaymentExpected',
      data: {
        id,
        reference,
        key: reference.replace(/[\s\-/._]/g, '').toUpperCase(),
        amount: '0',
        currency: amount.currency,
        accountId: more.accountId ?? null,
        expiresAt: null,
      },
    },
  ]
  if (more.status === 'cancelled') events.push({ type: 'PaymentCancelled', data: { id, reason: null, paid: '0', currency: amount.currency } })
  if (more.status === 'expired')
    events.push({ type: 'PaymentExpired', data: { id, at: '2026-12-01T00:00:00.000Z', paid: '0', currency: amount.currency } })
  const state = fold(expectationDecider)(events)
  if (state === undefined) throw new Error('expected')
  return { ...state, amount, remaining: amount }
}

const credit = (description: string, more: Partial<Credit> = {}): Credit => ({
  key: 'k1',
  amount: money('1499.90'),
  description,
  accountId: '69',
  ...more,
})

const o1042 = expectation('order-1042', 'SIP1042', money('1499.90'))
const o1043 = expectation('order-1043', 'SIP1043', money('250.00'))

// ---------------------------------------------------------------------------------------------
// The matcher

test('exactly one expectation named: matched', () => {
  assert.equal(matchCredit(credit('SN:9 sip-1042 ödemesi'), expectationLookup([o1042, o1043])), { _tag: 'Matched', expectation: 'order-1042' })
})

test('none named: unmatched, no_reference', () => {
  assert.equal(matchCredit(credit('kira ödemesi'), expectationLookup([o1042])), { _tag: 'Unmatched', reason: 'no_reference', candidates: [] })
  assert.equal(matchCredit(credit('SIP10421'), expectationLookup([o1042])), { _tag: 'Unmatched', reason: 'no_reference', candidates: [] })
})

test('two orders paid in one transfer: ambiguous, naming both, in the order written', () => {
  assert.equal(matchCredit(credit('SIP1043 ve SIP1042'), expectationLookup([o1042, o1043])), {
    _tag: 'Ambiguous',
    candidates: ['order-1043', 'order-1042'],
  })
})

test('account_id narrows: an expectation naming another account is not matched, one naming none is', () => {
  const on70 = expectation('order-1042', 'SIP1042', money('1499.90'), { accountId: '70' })
  assert.equal(matchCredit(credit('SIP1042'), expectationLookup([on70])), { _tag: 'Unmatched', reason: 'other_account', candidates: ['order-1042'] })
  assert.equal(matchCredit(credit('SIP1042', { accountId: '70' }), expectationLookup([on70])), { _tag: 'Matched', expectation: 'order-1042' })
  // It never widens: naming two, the one on another account drops out and the other is matched.
  assert.equal(matchCredit(credit('SIP1042 SIP1043'), expectationLookup([on70, o1043])), { _tag: 'Matched', expectation: 'order-1043' })
  // An expectation with no account takes a credit whatever account_id it claims.
  assert.equal(matchCredit(credit('SIP1042', { accountId: '999' }), expectationLookup([o1042])), { _tag: 'Matched', expectation: 'order-1042' })
})

test('a currency mismatch is unmatched with the reason', () => {
  assert.equal(matchCredit(credit('SIP1042', { amount: money('1499.90', 'USD') }), expectationLookup([o1042])), {
    _tag: 'Unmatched',
    reason: 'currency_mismatch',
    candidates: ['order-1042'],
  })
})

test('cancelled or expired expectations take nothing: unmatched, expectation_closed; a live one named beside them is matched', () => {
  const gone = expectation('order-1042', 'SIP1042', money('1499.90'), { status: 'cancelled' })
  const late = expectation('order-1043', 'SIP1043', money('250.00'), { status: 'expired' })
  assert.equal(matchCredit(credit('SIP1042 SIP1043'), expectationLookup([gone, late])), {
    _tag: 'Unmatched',
    reason: 'expectation_closed',
    candidates: ['order-1042', 'order-1043'],
  })
  assert.equal(matchCredit(credit('SIP1042 SIP1043'), expectationLookup([gone, o1043])), { _tag: 'Matched', expectation: 'order-1043' })
})

test('digits-only references: an amount, a date or a phone number in the description is not an order number', () => {
  const n1042 = expectation('order-1042', '1042', money('1042.50'))
  const n50 = expectation('order-50', '50', money('1042.50'))
  const lookup = expectationLookup([n1042, n50])
  for (const description of ['10.42', 'ODEME 1042.50 TL', '1/042', 'tel 0532 104 2']) {
    assert.equal(matchCredit(credit(description), lookup), { _tag: 'Unmatched', reason: 'no_reference', candidates: [] }, description)
  }
  // The amount 1042.50 beside order 50 used to name order 1042 too, which made the credit ambiguous.
  assert.equal(matchCredit(credit('SIPARIS 50 ODEME 1042.50 TL'), lookup), { _tag: 'Matched', expectation: 'order-50' })
  for (const description of ['SIPARIS 1042 ODEME', '1042', 'NO:1042,', 'ＮＯ：１０４２']) {
    assert.equal(matchCredit(credit(description), lookup), { _tag: 'Matched', expectation: 'order-1042' }, description)
  }
})

test('under a reference expected more than once, the latest expectation stands', () => {
  const again = expectation('order-2042', 'SIP1042', money('99.00'))
  assert.equal(matchCredit(credit('SIP1042'), expectationLookup([o1042, again])), { _tag: 'Matched', expectation: 'order-2042' })
})

// ---------------------------------------------------------------------------------------------
// The credit decider

const credits = given(creditDecider)
const c = credit('SN:9 SİP1042')
const data = { credit: 'k1', amount: '1499.90', currency: 'TRY', description: 'SN:9 SİP1042', accountId: '69' }
const matched: CreditEvent = { type: 'CreditMatched', data: { ...data, expectation: 'order-1042' } }
const unmatched: CreditEvent = { type: 'CreditUnmatched', data: { ...data, reason: 'no_reference', candidates: [] } }
const ambiguous: CreditEvent = { type: 'CreditAmbiguous', data: { ...data, candidates: ['order-1042', 'order-1043'] } }

test('a credit is routed once: matched, unmatched or ambiguous, with its exact amount and description', () => {
  credits([])
    .when({ type: 'RouteCredit', data: { credit: c, route: { _tag: 'Matched', expectation: 'order-1042' } } })
    .then([matched])
  credits([])
    .when({ type: 'RouteCredit', data: { credit: c, route: { _tag: 'Unmatched', reason: 'no_reference', candidates: [] } } })
    .then([unmatched])
  credits([])
    .when({ type: 'RouteCredit', data: { credit: c, route: { _tag: 'Ambiguous', candidates: ['order-1042', 'order-1043'] } } })
    .then([ambiguous])
})

test('the first route wins: routing a credit again, even elsewhere, records nothing', () => {
  credits([matched])
    .when({ type: 'RouteCredit', data: { credit: c, route: { _tag: 'Unmatched', reason: 'no_reference', candidates: [] } } })
    .then([])
  credits([unmatched])
    .when({ type: 'RouteCredit', data: { credit: c, route: { _tag: 'Matched', expectation: 'order-1042' } } })
    .then([])
})

test('an unmatched or ambiguous credit is assigned by hand once; a matched one is not moved', () => {
  const assign = { type: 'AssignCredit', data: { credit: 'k1', expectation: 'order-1042' } } as const
  credits([unmatched])
    .when(assign)
    .then([{ type: 'CreditAssigned', data: { credit: 'k1', expectation: 'order-1042' } }])
  credits([ambiguous])
    .when(assign)
    .then([{ type: 'CreditAssigned', data: { credit: 'k1', expectation: 'order-1042' } }])
  credits([unmatched, { type: 'CreditAssigned', data: { credit: 'k1', expectation: 'order-1042' } }])
    .when(assign)
    .then([])
  credits([matched])
    .when({ type: 'AssignCredit', data: { credit: 'k1', expectation: 'order-9' } })
    .thenFails({
      _tag: 'CreditAlreadyApplied',
      credit: 'k1',
      expectation: 'order-1042',
    })
  credits([]).when(assign).thenFails({ _tag: 'UnknownCredit', credit: 'k1' })
})

test('a matched credit its expectation refused becomes unmatched, once', () => {
  const unroute = { type: 'UnrouteCredit', data: { credit: 'k1', expectation: 'order-1042', reason: 'expectation_closed' } } as const
  credits([matched])
    .when(unroute)
    .then([{ type: 'CreditUnmatched', data: { ...data, reason: 'expectation_closed', candidates: ['order-1042'] } }])
  credits([matched, { type: 'CreditUnmatched', data: { ...data, reason: 'expectation_closed', candidates: ['order-1042'] } }])
    .when(unroute)
    .then([])
  credits([]).when(unroute).thenFails({ _tag: 'UnknownCredit', credit: 'k1' })
})

test('the state keeps the exact credit and its current route', () => {
  const state = fold(creditDecider)([unmatched, { type: 'CreditAssigned', data: { credit: 'k1', expectation: 'order-1042' } }])
  assert.equal(state, { credit: c, route: { _tag: 'Matched', expectation: 'order-1042' }, assigned: true })
})

test.run()
