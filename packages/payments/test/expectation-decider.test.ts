import { fold } from '@banksocket-webhooks/core'
import { given } from '@banksocket-webhooks/test-support/gwt'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ExpectationCommand, type ExpectationEvent, expectationDecider, type PaymentExpected, PaymentsEvent } from '../src/index.ts'
import { money } from './support/credits.ts'

const expectation = given(expectationDecider)
const ID = 'order-1042'

const expected: PaymentExpected = {
  type: 'PaymentExpected',
  data: { id: ID, reference: 'SİP1042', key: 'SIP1042', amount: '1499.90', currency: 'TRY', accountId: null, expiresAt: null },
}
const expect = (overrides: Partial<Extract<ExpectationCommand, { type: 'ExpectPayment' }>['data']> = {}): ExpectationCommand => ({
  type: 'ExpectPayment',
  data: { id: ID, reference: 'SİP1042', amount: money('1499.90'), accountId: null, expiresAt: null, ...overrides },
})
const apply = (credit: string, amount: string, currency = 'TRY'): ExpectationCommand => ({
  type: 'ApplyCredit',
  data: { id: ID, credit, amount: money(amount, currency) },
})
const partial = (credit: string, amount: string, paid: string, remaining: string): ExpectationEvent => ({
  type: 'PaymentPartiallyPaid',
  data: { id: ID, credit, amount, paid, remaining, currency: 'TRY' },
})
const cancelled: ExpectationEvent = { type: 'PaymentCancelled', data: { id: ID, reason: null, paid: '0.00', currency: 'TRY' } }

test('a payment is expected: its reference is kept as given and matched by its folded key', () => {
  expectation([]).when(expect()).then([expected])
})

test('expecting the same payment again adds nothing; a different one under the same id is refused', () => {
  expectation([expected]).when(expect()).then([])
  const result = expectation([expected]).when(expect({ amount: money('1500.00') })).result
  assert.ok(E.isLeft(result) && result.left._tag === 'AlreadyExpected' && result.left.existing.reference === 'SİP1042')
})

test('unusable expectations are refused, naming the field', () => {
  const field = (command: ExpectationCommand) => {
    const r = expectation([]).when(command).result
    return E.isLeft(r) && r.left._tag === 'InvalidExpectation' ? r.left.field : undefined
  }
  assert.is(field(expect({ id: ' ' })), 'id')
  assert.is(field(expect({ reference: '#1042' })), 'reference')
  assert.is(field(expect({ amount: money('0.00') })), 'amount')
  assert.is(field(expect({ amount: { minor: 100n, currency: 'try' } })), 'amount')
  assert.is(field(expect({ accountId: '' })), 'accountId')
  assert.is(field(expect({ expiresAt: 'tomorrow' })), 'expiresAt')
})

test('a credit for the exact amount settles it', () => {
  expectation([expected])
    .when(apply('k1', '1499.90'))
    .then([{ type: 'PaymentSettled', data: { id: ID, credit: 'k1', amount: '1499.90', paid: '1499.90', currency: 'TRY' } }])
})

test('a smaller credit pays part of it, with what remains; the next ones settle or overpay it', () => {
  expectation([expected])
    .when(apply('k1', '1000'))
    .then([partial('k1', '1000.00', '1000.00', '499.90')])
  expectation([expected, partial('k1', '1000.00', '1000.00', '499.90')])
    .when(apply('k2', '499.90'))
    .then([{ type: 'PaymentSettled', data: { id: ID, credit: 'k2', amount: '499.90', paid: '1499.90', currency: 'TRY' } }])
  expectation([expected, partial('k1', '1000.00', '1000.00', '499.90')])
    .when(apply('k2', '500.00'))
    .then([{ type: 'PaymentOverpaid', data: { id: ID, credit: 'k2', amount: '500.00', paid: '1500.00', excess: '0.10', currency: 'TRY' } }])
})

test('a larger credit overpays it, with the excess; a credit for a settled payment overpays it too', () => {
  expectation([expected])
    .when(apply('k1', '1500.00'))
    .then([{ type: 'PaymentOverpaid', data: { id: ID, credit: 'k1', amount: '1500.00', paid: '1500.00', excess: '0.10', currency: 'TRY' } }])
  const settled: ExpectationEvent = { type: 'PaymentSettled', data: { id: ID, credit: 'k1', amount: '1499.90', paid: '1499.90', currency: 'TRY' } }
  expectation([expected, settled])
    .when(apply('k2', '1499.90'))
    .then([{ type: 'PaymentOverpaid', data: { id: ID, credit: 'k2', amount: '1499.90', paid: '2999.80', excess: '1499.90', currency: 'TRY' } }])
})

test('the same credit applied twice changes nothing', () => {
  expectation([expected, partial('k1', '1000.00', '1000.00', '499.90')])
    .when(apply('k1', '1000.00'))
    .then([])
})

test('credits are refused by a cancelled or expired payment, in another currency, or for an unknown payment', () => {
  expectation([expected, cancelled]).when(apply('k1', '1499.90')).thenFails({ _tag: 'ExpectationClosed', id: ID, status: 'cancelled' })
  const expired: ExpectationEvent = { type: 'PaymentExpired', data: { id: ID, at: '2026-12-01T00:00:00.000Z', paid: '0.00', currency: 'TRY' } }
  expectation([expected, expired]).when(apply('k1', '1499.90')).thenFails({ _tag: 'ExpectationClosed', id: ID, status: 'expired' })
  expectation([expected])
    .when(apply('k1', '1499.90', 'USD'))
    .thenFails({ _tag: 'CurrencyMismatch', id: ID, expected: 'TRY', received: 'USD' })
  expectation([]).when(apply('k1', '1499.90')).thenFails({ _tag: 'UnknownExpectation', id: ID })
})

test('an open payment is cancelled with what was paid so far; again is nothing; a paid one is not', () => {
  expectation([expected, partial('k1', '1000.00', '1000.00', '499.90')])
    .when({ type: 'CancelPayment', data: { id: ID, reason: 'customer asked' } })
    .then([{ type: 'PaymentCancelled', data: { id: ID, reason: 'customer asked', paid: '1000.00', currency: 'TRY' } }])
  expectation([expected, cancelled])
    .when({ type: 'CancelPayment', data: { id: ID, reason: null } })
    .then([])
  const settled: ExpectationEvent = { type: 'PaymentSettled', data: { id: ID, credit: 'k1', amount: '1499.90', paid: '1499.90', currency: 'TRY' } }
  expectation([expected, settled])
    .when({ type: 'CancelPayment', data: { id: ID, reason: null } })
    .thenFails({ _tag: 'ExpectationClosed', id: ID, status: 'settled' })
  expectation([])
    .when({ type: 'CancelPayment', data: { id: ID, reason: null } })
    .thenFails({ _tag: 'UnknownExpectation', id: ID })
})

test('a payment expires at or after its expiresAt, not before; again is nothing', () => {
  const due = { ...expected, data: { ...expected.data, expiresAt: '2026-12-01T00:00:00.000Z' } }
  expectation([due])
    .when({ type: 'ExpirePayment', data: { id: ID, at: '2026-11-30T23:59:59.999Z' } })
    .thenFails({ _tag: 'NotDue', id: ID, expiresAt: '2026-12-01T00:00:00.000Z', at: '2026-11-30T23:59:59.999Z' })
  const expired: ExpectationEvent = { type: 'PaymentExpired', data: { id: ID, at: '2026-12-01T00:00:00.000Z', paid: '0.00', currency: 'TRY' } }
  expectation([due])
    .when({ type: 'ExpirePayment', data: { id: ID, at: '2026-12-01T00:00:00.000Z' } })
    .then([expired])
  expectation([due, expired])
    .when({ type: 'ExpirePayment', data: { id: ID, at: '2026-12-02T00:00:00.000Z' } })
    .then([])
  expectation([due, cancelled])
    .when({ type: 'ExpirePayment', data: { id: ID, at: '2026-12-02T00:00:00.000Z' } })
    .thenFails({ _tag: 'ExpectationClosed', id: ID, status: 'cancelled' })
})

test('the state: exact money paid, remaining and excess, status, and the credits in order', () => {
  const state = fold(expectationDecider)([
    expected,
    partial('k1', '1000.00', '1000.00', '499.90'),
    { type: 'PaymentOverpaid', data: { id: ID, credit: 'k2', amount: '600.00', paid: '1600.00', excess: '100.10', currency: 'TRY' } },
  ])
  assert.equal(state, {
    id: ID,
    reference: 'SİP1042',
    key: 'SIP1042',
    amount: money('1499.90'),
    paid: money('1600.00'),
    remaining: money('0'),
    excess: money('100.10'),
    status: 'overpaid',
    accountId: null,
    expiresAt: null,
    credits: ['k1', 'k2'],
  })
})

test('events are io-ts codecs: they encode to JSON and decode back; an amount that is not exact is refused', () => {
  const json = JSON.parse(JSON.stringify(PaymentsEvent.encode(expected))) as unknown
  assert.equal(PaymentsEvent.decode(json), E.right(expected))
  assert.ok(E.isLeft(PaymentsEvent.decode({ ...expected, data: { ...expected.data, amount: 1499.9 } })))
  assert.ok(E.isLeft(PaymentsEvent.decode({ ...expected, data: { ...expected.data, amount: '1.4999e3' } })))
})

test.run()
