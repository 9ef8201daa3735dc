import { createInMemoryEventStore, type EventStore, formatMoney } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type CreditOutcome,
  createPayments,
  creditStream,
  type Payments,
  type PaymentsEvent,
  type PaymentsEvents,
  PaymentsFailure,
  paymentStream,
} from '../src/index.ts'
import { creditTx, money, right } from './support/credits.ts'

type Seen = Array<readonly [keyof PaymentsEvents, unknown]>

/** Opens payments over `store` and records every event it emits, in order. */
const open = async (store: EventStore<PaymentsEvent> = createInMemoryEventStore(), now?: () => Date) => {
  const payments = right(await createPayments(now === undefined ? { store } : { store, now })())
  const seen: Seen = []
  for (const name of ['payment_settled', 'payment_partial', 'payment_overpaid', 'credit_unmatched', 'credit_ambiguous', 'error'] as const) {
    payments.on(name, (payload: unknown) => void seen.push([name, payload]))
  }
  return { payments, store, seen }
}

/** Three orders, as the demo creates them. */
const threeOrders = async (payments: Payments) => {
  right(await payments.expect({ id: 'order-1001', reference: 'SİP1001', amount: money('1499.90') })())
  right(await payments.expect({ id: 'order-1002', reference: 'SİP1002', amount: money('750.00') })())
  right(await payments.expect({ id: 'order-1003', reference: 'SİPARİŞ 1003', amount: money('99.99'), accountId: '69' })())
}

const eventCount = async (store: EventStore<PaymentsEvent>) => right(await store.readAll()()).length
const outcome = (o: CreditOutcome) =>
  o._tag === 'Applied'
    ? `${o._tag} ${o.expectation.id} ${o.expectation.status}`
    : o._tag === 'Unmatched'
      ? `${o._tag} ${o.reason}`
      : `${o._tag} ${o.candidates.join(',')}`

test('one settled, one partially paid and one unmatched credit, each stored and emitted once', async () => {
  const { payments, seen } = await open()
  await threeOrders(payments)
  const settled = right(await payments.applyCredit(creditTx({ amount: '1499.90', description: 'SN:1 sip-1001 ödemesi' }))())
  const partial = right(await payments.applyCredit(creditTx({ amount: '500.00', description: 'SN:2 SİP 1002' }))())
  const unmatched = right(await payments.applyCredit(creditTx({ amount: '250.00', description: 'SN:3 kira' }))())
  assert.equal([settled, partial, unmatched].map(outcome), [
    'Applied order-1001 settled',
    'Applied order-1002 partially_paid',
    'Unmatched no_reference',
  ])
  assert.equal(
    seen.map(([name]) => name),
    ['payment_settled', 'payment_partial', 'credit_unmatched'],
  )
  const [, partialNotice] = seen[1] ?? []
  const p = partialNotice as Parameters<PaymentsEvents['payment_partial']>[0]
  assert.equal(p.event.data, { id: 'order-1002', credit: partial.credit.key, amount: '500.00', paid: '500.00', remaining: '250.00', currency: 'TRY' })
  assert.equal(p.expectation.remaining, money('250.00'))
  assert.is(payments.get('order-1002')?.status, 'partially_paid')
  assert.equal(
    partial.events.map((e) => e.type),
    ['CreditMatched', 'PaymentPartiallyPaid'],
  )
})

test('an overpayment and an ambiguous credit', async () => {
  const { payments, seen } = await open()
  await threeOrders(payments)
  const over = right(await payments.applyCredit(creditTx({ amount: '1500.00', description: 'SIP1001' }))())
  assert.is(outcome(over), 'Applied order-1001 overpaid')
  assert.equal(over._tag === 'Applied' && over.expectation.excess, money('0.10'))
  const both = right(await payments.applyCredit(creditTx({ amount: '849.99', description: 'SIP1002 + SIPARIS-1003' }))())
  assert.equal(outcome(both), 'Ambiguous order-1002,order-1003')
  assert.equal(
    seen.map(([name]) => name),
    ['payment_overpaid', 'credit_ambiguous'],
  )
  assert.is(payments.get('order-1002')?.status, 'expected', 'an ambiguous credit is applied to none')
})

test('the same credit applied twice changes nothing and emits nothing', async () => {
  const { payments, store, seen } = await open()
  await threeOrders(payments)
  const credits = [
    creditTx({ amount: '1499.90', description: 'SIP1001' }),
    creditTx({ amount: '100.00', description: 'SIP1002' }),
    creditTx({ amount: '5.00', description: 'nothing' }),
    creditTx({ amount: '5.00', description: 'SIP1001 SIP1002' }),
  ]
  for (const tx of credits) right(await payments.applyCredit(tx)())
  const stored = await eventCount(store)
  const emitted = seen.length
  for (const tx of credits) {
    const again = right(await payments.applyCredit(tx)())
    assert.ok(again.replayed)
    assert.equal(again.events, [])
  }
  assert.equal((await Promise.all(credits.map(async (tx) => right(await payments.applyCredit(tx)())))).map(outcome), [
    'Applied order-1001 settled',
    'Applied order-1002 partially_paid',
    'Unmatched no_reference',
    'Ambiguous order-1001,order-1002',
  ])
  assert.is(await eventCount(store), stored)
  assert.is(seen.length, emitted)
  assert.equal(payments.get('order-1002')?.paid, money('100.00'))
})

test('after a restart on the same store: the index is rebuilt, and old credits change nothing', async () => {
  const store = createInMemoryEventStore<PaymentsEvent>()
  const first = await open(store)
  await threeOrders(first.payments)
  const tx = creditTx({ amount: '1000.00', description: 'SIP1001' })
  right(await first.payments.applyCredit(tx)())
  const stored = await eventCount(store)

  const second = await open(store)
  assert.equal(
    second.payments.expectations().map((e) => `${e.id} ${e.status} ${formatMoney(e.paid)}`),
    ['order-1001 partially_paid 1000.00', 'order-1002 expected 0.00', 'order-1003 expected 0.00'],
  )
  assert.ok(right(await second.payments.applyCredit(tx)()).replayed)
  assert.is(await eventCount(store), stored)
  assert.equal(second.seen, [])
  // New credits route through the rebuilt index.
  assert.is(outcome(right(await second.payments.applyCredit(creditTx({ amount: '499.90', description: 'sip1001' }))())), 'Applied order-1001 settled')
})

test('account_id narrows: a credit on another account is unmatched (other_account) for an account-bound expectation', async () => {
  const { payments } = await open()
  await threeOrders(payments)
  const elsewhere = right(await payments.applyCredit(creditTx({ amount: '99.99', description: 'SIPARIS 1003', accountId: '70' }))())
  assert.equal(elsewhere._tag === 'Unmatched' && [elsewhere.reason, elsewhere.candidates], ['other_account', ['order-1003']])
  assert.is(
    outcome(right(await payments.applyCredit(creditTx({ amount: '99.99', description: 'SIPARIS 1003', accountId: '69' }))())),
    'Applied order-1003 settled',
  )
})

test('a currency mismatch is unmatched, with the reason', async () => {
  const { payments } = await open()
  await threeOrders(payments)
  const usd = right(await payments.applyCredit(creditTx({ amount: '1499.90', currency: 'USD', description: 'SIP1001' }))())
  assert.equal(usd._tag === 'Unmatched' && [usd.reason, usd.candidates], ['currency_mismatch', ['order-1001']])
})

test('an open reference cannot be expected twice; once paid, the same reference may be expected again and the latest stands', async () => {
  const { payments } = await open()
  await threeOrders(payments)
  assert.equal(
    await payments.expect({ id: 'order-2001', reference: 'sip-1001', amount: money('10.00') })(),
    E.left({
      _tag: 'ReferenceInUse',
      reference: 'sip-1001',
      key: 'SIP1001',
      expectation: 'order-1001',
    }),
  )
  // The same expectation again is not an error.
  assert.ok(E.isRight(await payments.expect({ id: 'order-1001', reference: 'SİP1001', amount: money('1499.90') })()))
  right(await payments.applyCredit(creditTx({ amount: '1499.90', description: 'SIP1001' }))())
  right(await payments.expect({ id: 'order-2001', reference: 'SIP 1001', amount: money('10.00') })())
  assert.is(outcome(right(await payments.applyCredit(creditTx({ amount: '10.00', description: 'SIP1001' }))())), 'Applied order-2001 settled')
})

test('a cancelled payment takes no credit: unmatched, expectation_closed', async () => {
  const { payments } = await open()
  await threeOrders(payments)
  assert.is(right(await payments.cancel('order-1002', 'out of stock')()).status, 'cancelled')
  const late = right(await payments.applyCredit(creditTx({ amount: '750.00', description: 'SIP1002' }))())
  assert.equal(late._tag === 'Unmatched' && [late.reason, late.candidates], ['expectation_closed', ['order-1002']])
  assert.equal(await payments.cancel('order-404')(), E.left({ _tag: 'UnknownExpectation', id: 'order-404' }))
})

test('expire and expireDue follow the clock; a payment is not expired before its expiresAt', async () => {
  let now = new Date('2026-11-30T12:00:00.000Z')
  const { payments } = await open(createInMemoryEventStore(), () => now)
  right(await payments.expect({ id: 'a', reference: 'A1', amount: money('1.00'), expiresAt: new Date('2026-12-01T00:00:00.000Z') })())
  right(await payments.expect({ id: 'b', reference: 'B1', amount: money('1.00'), expiresAt: new Date('2026-12-02T00:00:00.000Z') })())
  right(await payments.expect({ id: 'c', reference: 'C1', amount: money('1.00') })())
  assert.equal(
    await payments.expire('a')(),
    E.left({ _tag: 'NotDue', id: 'a', expiresAt: '2026-12-01T00:00:00.000Z', at: '2026-11-30T12:00:00.000Z' }),
  )
  assert.equal(right(await payments.expireDue()()), [])
  now = new Date('2026-12-01T00:00:00.000Z')
  assert.equal(
    right(await payments.expireDue()()).map((e) => `${e.id} ${e.status}`),
    ['a expired'],
  )
  assert.is(right(await payments.expire('c')()).status, 'expired', 'without expiresAt, an explicit expire applies at once')
  const late = right(await payments.applyCredit(creditTx({ amount: '1.00', description: 'A1' }))())
  assert.equal(late._tag === 'Unmatched' && late.reason, 'expectation_closed')
  assert.equal(
    await payments.expect({ id: 'd', reference: 'D1', amount: money('1.00'), expiresAt: new Date('not a date') })(),
    E.left({
      _tag: 'InvalidExpectation',
      id: 'd',
      field: 'expiresAt',
      reason: 'is an invalid Date',
    }),
  )
})

test('an unmatched or ambiguous credit is assigned by hand after review, once', async () => {
  const { payments, seen } = await open()
  await threeOrders(payments)
  const lost = right(await payments.applyCredit(creditTx({ amount: '750.00', description: 'sipariş ödemem' }))())
  assert.is(lost._tag, 'Unmatched')
  const assigned = right(await payments.assignCredit(lost.credit.key, 'order-1002')())
  assert.is(outcome(assigned), 'Applied order-1002 settled')
  assert.equal(
    assigned.events.map((e) => e.type),
    ['CreditAssigned', 'PaymentSettled'],
  )
  assert.ok(right(await payments.assignCredit(lost.credit.key, 'order-1002')()).replayed)
  assert.equal(
    await payments.assignCredit(lost.credit.key, 'order-1001')(),
    E.left({ _tag: 'CreditAlreadyApplied', credit: lost.credit.key, expectation: 'order-1002' }),
  )
  assert.equal(await payments.assignCredit('no-such-credit', 'order-1001')(), E.left({ _tag: 'UnknownCredit', credit: 'no-such-credit' }))
  assert.equal(await payments.assignCredit(lost.credit.key, 'order-404')(), E.left({ _tag: 'UnknownExpectation', id: 'order-404' }))
  const usd = right(await payments.applyCredit(creditTx({ amount: '5.00', currency: 'USD', description: '?' }))())
  assert.equal(
    await payments.assignCredit(usd.credit.key, 'order-1001')(),
    E.left({ _tag: 'CurrencyMismatch', id: 'order-1001', expected: 'TRY', received: 'USD' }),
  )
  right(await payments.cancel('order-1001')())
  assert.equal(
    await payments.assignCredit(usd.credit.key, 'order-1001')(),
    E.left({ _tag: 'ExpectationClosed', id: 'order-1001', status: 'cancelled' }),
  )
  assert.equal(
    seen.map(([name]) => name),
    ['credit_unmatched', 'payment_settled', 'credit_unmatched'],
  )
})

test('a debit is not a credit: applyCredit refuses it, handleCredit ignores it', async () => {
  const { payments, store } = await open()
  await threeOrders(payments)
  const debit = creditTx({ amount: '1499.90', description: 'SIP1001', dc: 'Debit' })
  assert.equal(await payments.applyCredit(debit)(), E.left({ _tag: 'NotACredit', credit: debit.idempotencyKey, dc: 'Debit' }))
  const before = await eventCount(store)
  await payments.handleCredit(debit)
  assert.is(await eventCount(store), before)
})

test('a failing listener is reported on error and changes nothing; the other listeners still run', async () => {
  const { payments, seen } = await open()
  await threeOrders(payments)
  const calls: string[] = []
  const boom = new Error('mailer down')
  payments.on('payment_settled', () => {
    calls.push('throws')
    throw boom
  })
  payments.on('payment_settled', async () => {
    calls.push('rejects')
    throw boom
  })
  payments.once('payment_settled', () => void calls.push('once'))
  const settled = right(await payments.applyCredit(creditTx({ amount: '1499.90', description: 'SIP1001' }))())
  await new Promise((resolve) => setTimeout(resolve, 0))
  assert.is(settled._tag === 'Applied' && settled.expectation.status, 'settled')
  assert.equal(calls, ['throws', 'rejects', 'once'])
  const errors = seen.filter(([name]) => name === 'error').map(([, e]) => e)
  assert.equal(errors, [
    { _tag: 'listener_failed', event: 'payment_settled', error: boom },
    { _tag: 'listener_failed', event: 'payment_settled', error: boom },
  ])
  right(await payments.applyCredit(creditTx({ amount: '1.00', description: 'SIP1002' }))())
  right(await payments.applyCredit(creditTx({ amount: '749.00', description: 'SIP1002' }))())
  assert.equal(calls, ['throws', 'rejects', 'once', 'throws', 'rejects'], 'a once listener runs once')
})

test('concurrent credits for one expectation queue instead of racing: every one is applied', async () => {
  const { payments } = await open()
  right(await payments.expect({ id: 'big', reference: 'BIG1', amount: money('100.00') })())
  const results = await Promise.all(Array.from({ length: 25 }, () => payments.applyCredit(creditTx({ amount: '5.00', description: 'BIG1' }))()))
  assert.ok(results.every(E.isRight))
  const big = payments.get('big')
  assert.equal([big?.status, big?.paid, big?.excess, big?.credits.length], ['overpaid', money('125.00'), money('25.00'), 25])
})

// ---------------------------------------------------------------------------------------------
// Failures and other processes

/** A store that fails the next `n` appends to streams starting with `prefix`. */
const failingAppends = (inner: EventStore<PaymentsEvent>, prefix: string, n: number): EventStore<PaymentsEvent> => {
  let left = n
  return {
    ...inner,
    appendToStream: (stream, events, expected) =>
      stream.startsWith(prefix) && left-- > 0
        ? TE.left({ _tag: 'StoreFailure', message: 'disk full' })
        : inner.appendToStream(stream, events, expected),
  }
}

test('interrupted between routing and applying: handleCredit rejects (the receiver answers 500), and the retry completes it', async () => {
  const inner = createInMemoryEventStore<PaymentsEvent>()
  const { payments, seen } = await open(failingAppends(inner, 'payment-order-1001', 0))
  await threeOrders(payments)
  const flaky = await open(failingAppends(inner, 'payment-order-1001', 1))
  const tx = creditTx({ amount: '1499.90', description: 'SIP1001' })
  const failure = await flaky.payments.handleCredit(tx).then(
    () => undefined,
    (e: unknown) => e,
  )
  assert.instance(failure, PaymentsFailure)
  assert.equal((failure as PaymentsFailure).error, {
    _tag: 'StoreFailed',
    stream: 'payment-order-1001',
    error: { _tag: 'StoreFailure', message: 'disk full' },
  })
  assert.is((failure as PaymentsFailure).message, 'payments could not apply the credit: StoreFailed')
  assert.equal(
    right(await inner.readStream(creditStream(tx.idempotencyKey))()).events.map((e) => e.type),
    ['CreditMatched'],
  )
  assert.equal(flaky.seen, [])
  // The retry (Banksocket re-delivers after the 500) finishes the job, and tells the listeners.
  await flaky.payments.handleCredit(tx)
  assert.equal(
    right(await inner.readStream(paymentStream('order-1001'))()).events.map((e) => e.type),
    ['PaymentExpected', 'PaymentSettled'],
  )
  assert.equal(
    flaky.seen.map(([name]) => name),
    ['payment_settled'],
  )
  assert.equal(seen, [])
})

test('two processes on one store: the first route recorded wins, and the credit still ends in one place', async () => {
  const store = createInMemoryEventStore<PaymentsEvent>()
  const a = await open(store)
  const b = await open(store) // opened before the orders exist: its index is stale
  await threeOrders(a.payments)
  const tx = creditTx({ amount: '1499.90', description: 'SIP1001' })
  const inB = right(await b.payments.applyCredit(tx)())
  assert.equal(outcome(inB), 'Unmatched no_reference')
  const inA = right(await a.payments.applyCredit(tx)())
  assert.equal([outcome(inA), inA.replayed], ['Unmatched no_reference', true], 'A follows the route B recorded')
  assert.is(a.payments.get('order-1001')?.status, 'expected')
  // Review fixes it; B catches up with refresh().
  right(await a.payments.assignCredit(tx.idempotencyKey, 'order-1001')())
  right(await b.payments.refresh()())
  assert.is(b.payments.get('order-1001')?.status, 'settled')
})

test('cancelled by another process after routing: the credit becomes unmatched (expectation_closed) instead', async () => {
  const store = createInMemoryEventStore<PaymentsEvent>()
  const a = await open(store)
  await threeOrders(a.payments)
  const b = await open(store) // sees order-1002 open
  right(await a.payments.cancel('order-1002')())
  const late = right(await b.payments.applyCredit(creditTx({ amount: '750.00', description: 'SIP1002' }))())
  assert.equal(late._tag === 'Unmatched' && [late.reason, late.candidates], ['expectation_closed', ['order-1002']])
  assert.equal(
    late.events.map((e) => e.type),
    ['CreditMatched', 'CreditUnmatched'],
  )
  assert.equal(
    b.seen.map(([name]) => name),
    ['credit_unmatched'],
  )
  assert.is(b.payments.get('order-1002')?.status, 'cancelled')
})

test('a store that cannot be read fails createPayments with StoreFailed; bad options throw, saying what to pass', async () => {
  const broken: EventStore<PaymentsEvent> = { ...createInMemoryEventStore(), readAll: () => TE.left({ _tag: 'StoreFailure', message: 'offline' }) }
  assert.equal(
    await createPayments({ store: broken })(),
    E.left({ _tag: 'StoreFailed', stream: '$all', error: { _tag: 'StoreFailure', message: 'offline' } }),
  )
  assert.throws(() => createPayments({ store: {} as EventStore<PaymentsEvent> }), /store must be an EventStore/)
  assert.throws(() => createPayments({ store: createInMemoryEventStore(), maxRetries: -1 }), /maxRetries must be a non-negative integer/)
})

test.run()
