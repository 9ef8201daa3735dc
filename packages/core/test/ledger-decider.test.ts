import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { given } from '../../test-support/src/gwt.ts'
import { fold, type LedgerCommand, type LedgerEvent, ledgerDecider, parseAmount, parseBalance, type TransactionReceived } from '../src/index.ts'

const tx = (key: string, dc: 'Credit' | 'Debit', amount: string, balance: string, description = `SN:${key}`): TransactionReceived['data'] => ({
  idempotencyKey: key,
  receivedAt: '2026-11-23T10:00:00.000Z',
  hash: 'h',
  verified: { dc, code: 'EFT', amount, balance, currency: 'TRY', description },
  unverified: { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' },
})
const received = (data: TransactionReceived['data']): LedgerEvent => ({ type: 'TransactionReceived', data })
const record = (data: TransactionReceived['data'], seen?: 'recorded' | 'maybe'): LedgerCommand =>
  seen === undefined ? { type: 'RecordTransaction', data } : { type: 'RecordTransaction', data, seen }
const ledger = given(ledgerDecider())

const t1 = tx('k1', 'Credit', '100.00', '18100.00')
const t2 = tx('k2', 'Debit', '2500.50', '15599.50')

test('the first movement of a ledger is recorded as it is', () => {
  ledger([])
    .when(record(t1))
    .then([received(t1)])
})

test('a movement that continues the running balance is recorded', () => {
  ledger([received(t1)])
    .when(record(t2))
    .then([received(t2)])
})

test('a key the ledger recorded is a DuplicateIgnored, not a second transaction', () => {
  ledger([received(t1), received(t2)])
    .when(record({ ...t1, receivedAt: '2026-11-23T10:05:00.000Z' }, 'recorded'))
    .then([{ type: 'DuplicateIgnored', data: { idempotencyKey: 'k1', accountId: '69', receivedAt: '2026-11-23T10:05:00.000Z' } }])
})

test('a missed credit opens a gap from the head to where the movement starts, and the movement is recorded', () => {
  const t3 = tx('k3', 'Credit', '50.00', '18400.00') // starts at 18350.00: 250.00 of credits missing after 18100.00
  ledger([received(t1)])
    .when(record(t3))
    .then([
      {
        type: 'BalanceGapDetected',
        data: {
          accountId: '69',
          currency: 'TRY',
          gapId: 1,
          from: '18100.00',
          to: '18350.00',
          missing: '250.00',
          previousKey: 'k1',
          idempotencyKey: 'k3',
          expectedBalance: '18150.00',
          actualBalance: '18400.00',
        },
      },
      received(t3),
    ])
})

test('a missed debit shows as a negative missing amount', () => {
  const t3 = tx('k3', 'Debit', '100.00', '17900.00') // expected 18000.00
  const result = ledger([received(t1)]).when(record(t3)).result
  const gap = result._tag === 'Right' ? result.right[0] : undefined
  assert.equal(gap?.type === 'BalanceGapDetected' && gap.data.missing, '-100.00')
})

test('the late movement closes the gap it fills, naming the gap and the delivery', () => {
  const a = tx('a', 'Credit', '100.00', '1100.00')
  const c = tx('c', 'Debit', '30.00', '1120.00')
  const b = tx('b', 'Credit', '50.00', '1150.00')
  ledger([received(a), received(c)])
    .when(record(b))
    .then([
      received(b),
      {
        type: 'BalanceGapClosed',
        data: { accountId: '69', currency: 'TRY', gapId: 1, idempotencyKey: 'b', from: '1100.00', to: '1150.00', missing: '50.00' },
      },
    ])
})

test('a late movement that fills part of a gap narrows it to what is still missing', () => {
  const a = tx('a', 'Credit', '100.00', '1100.00')
  const d = tx('d', 'Credit', '10.00', '1200.00') // starts at 1190.00: 90.00 missing
  const b = tx('b', 'Credit', '40.00', '1140.00') // 1100.00 -> 1140.00: 50.00 still missing
  ledger([received(a), received(d)])
    .when(record(b))
    .then([
      received(b),
      {
        type: 'BalanceGapNarrowed',
        data: { accountId: '69', currency: 'TRY', gapId: 1, idempotencyKey: 'b', from: '1140.00', to: '1190.00', missing: '50.00' },
      },
    ])
})

test('the issue table: a late credit closes the gap, no false gap follows, the head is 1130.00', () => {
  const decider = ledgerDecider()
  const steps = [
    tx('a', 'Credit', '100.00', '1100.00'),
    tx('c', 'Debit', '30.00', '1120.00'),
    tx('b', 'Credit', '50.00', '1150.00'),
    tx('d', 'Credit', '10.00', '1130.00'),
  ]
  let state = decider.initialState
  const types: string[][] = []
  for (const step of steps) {
    const events = decider.decide(record(step), state)
    if (E.isLeft(events)) throw new Error('refused')
    types.push(events.right.map((e) => e.type))
    state = fold(decider)(events.right, state)
  }
  assert.equal(types, [
    ['TransactionReceived'],
    ['BalanceGapDetected', 'TransactionReceived'],
    ['TransactionReceived', 'BalanceGapClosed'],
    ['TransactionReceived'],
  ])
  assert.equal(
    state.chain.fragments.map((f) => [f.start, f.end]),
    [[100000n, 113000n]],
  )
})

test('a genuine repeat (Credit 100 / Debit 100 / Credit 100, same description) is recorded and marked', () => {
  const c1 = tx('same', 'Credit', '100.00', '18100.00', 'SN:1 KIRA')
  const d1 = tx('debit', 'Debit', '100.00', '18000.00', 'SN:1 KIRA')
  ledger([received(c1), received(d1)])
    .when(record(c1, 'recorded'))
    .then([{ type: 'TransactionReceived', data: { ...c1, repeat: true } }])
})

test('a key recorded long ago that fits nowhere is a suspected replay; one that fits is recorded', () => {
  const a = tx('a', 'Credit', '100.00', '1100.00')
  const b = tx('b', 'Credit', '50.00', '1150.00')
  const old = tx('old', 'Credit', '100.00', '900.00')
  ledger([received(a), received(b)])
    .when(record(old, 'maybe'))
    .then([{ type: 'SuspectedReplay', data: old }])
  const next = tx('next', 'Debit', '10.00', '1140.00')
  ledger([received(a), received(b)])
    .when(record(next, 'maybe'))
    .then([received(next)])
})

test('credits only: a drop between credits is unobserved movements; money from nowhere is still a gap', () => {
  const credits = given(ledgerDecider({ filter: 'NEW_CREDIT' }))
  const a = tx('a', 'Credit', '100.00', '1100.00')
  const after = tx('b', 'Credit', '10.00', '1060.00') // starts at 1050.00: 50.00 of debits unseen
  credits([received(a)])
    .when(record(after))
    .then([
      {
        type: 'UnobservedMovements',
        data: {
          accountId: '69',
          currency: 'TRY',
          gapId: 1,
          filter: 'NEW_CREDIT',
          from: '1100.00',
          to: '1050.00',
          net: '-50.00',
          previousKey: 'a',
          idempotencyKey: 'b',
        },
      },
      received(after),
    ])
  const rise = tx('c', 'Credit', '10.00', '1200.00')
  const result = credits([received(a)]).when(record(rise)).result
  assert.equal(E.isRight(result) && result.right[0]?.type, 'BalanceGapDetected')
})

test('debits only: a rise between debits is unobserved; a drop is a missed debit', () => {
  const debits = given(ledgerDecider({ filter: 'NEW_DEBIT' }))
  const a = tx('a', 'Debit', '100.00', '900.00')
  const rise = debits([received(a)]).when(record(tx('b', 'Debit', '10.00', '990.00'))).result
  assert.equal(E.isRight(rise) && rise.right[0]?.type, 'UnobservedMovements')
  const drop = debits([received(a)]).when(record(tx('c', 'Debit', '10.00', '800.00'))).result
  assert.equal(E.isRight(drop) && drop.right[0]?.type, 'BalanceGapDetected')
})

test('a filtered ledger stays bounded: past maxFragments the oldest unobserved boundaries are bridged', () => {
  const decider = ledgerDecider({ filter: 'NEW_CREDIT', maxFragments: 3 })
  let state = decider.initialState
  let balance = 1000
  for (let i = 0; i < 20; i++) {
    balance += 10 // a credit of 10.00...
    const events = decider.decide(record(tx(`k${i}`, 'Credit', '10.00', `${balance}.00`)), state)
    if (E.isLeft(events)) throw new Error('refused')
    state = fold(decider)(events.right, state)
    balance -= 3 // ...then 3.00 of debits nobody sees
  }
  assert.ok(state.chain.fragments.length <= 3)
  assert.is(state.count, 20)
  assert.is(state.chain.fragments[state.chain.fragments.length - 1]?.end, 114300n) // 1000.00 + 20 x 10.00 - 19 x 3.00
})

test('when balances repeat, a link that joins two fragments joins them rather than extending the head', () => {
  const a = tx('a', 'Credit', '100.00', '1100.00')
  const c = tx('c', 'Debit', '30.00', '1120.00') // the head ends at 1120.00 ...
  const b1 = tx('b1', 'Credit', '20.00', '1120.00') // ... and so does the first fragment, after this
  const b2 = tx('b2', 'Credit', '30.00', '1150.00') // 1120.00 -> 1150.00 closes the gap
  const result = ledger([received(a), received(c), received(b1)]).when(record(b2)).result
  assert.equal(E.isRight(result) && result.right.map((e) => e.type), ['TransactionReceived', 'BalanceGapClosed'])
})

test('any ledger stays bounded: past maxFragments the oldest open gap is given up and counted', () => {
  const decider = ledgerDecider({ maxFragments: 5 })
  let state = decider.initialState
  for (let i = 0; i < 50; i++) {
    // the same balances every time: no movement fits another, each opens a gap
    const events = decider.decide(record(tx(`k${i}`, 'Credit', '100.00', '18100.00')), state)
    if (E.isLeft(events)) throw new Error('refused')
    state = fold(decider)(events.right, state)
  }
  assert.is(state.chain.fragments.length, 5)
  assert.equal([state.count, state.gapsDetected, state.gapsAbandoned], [50, 49, 45])
})

test('hand-built commands with a non-decimal amount are refused', () => {
  ledger([])
    .when(record(tx('k', 'Credit', '1e3', '1000.00')))
    .thenFails({ _tag: 'InvalidAmount', input: '1e3', reason: 'is not an unsigned dot-decimal amount such as 100.00' })
})

test('maxFragments must leave room for a gap', () => {
  assert.throws(() => ledgerDecider({ maxFragments: 1 }), /maxFragments/)
})

test('money given with the command (parsed once by receive) decides exactly as the strings do', () => {
  const decider = ledgerDecider()
  const withMoney = (data: TransactionReceived['data']): LedgerCommand => {
    const amount = parseAmount(data.verified.amount, data.verified.currency)
    const balance = parseBalance(data.verified.balance, data.verified.currency)
    if (E.isLeft(amount) || E.isLeft(balance)) throw new Error('fixture money does not parse')
    return { type: 'RecordTransaction', data, money: { amount: amount.right, balance: balance.right } }
  }
  const gapAfter = tx('k3', 'Credit', '10.00', '20000.00')
  let plain = decider.initialState
  let once = decider.initialState
  for (const data of [t1, t2, gapAfter]) {
    const a = decider.decide(record(data), plain)
    const b = decider.decide(withMoney(data), once)
    assert.equal(b, a, data.idempotencyKey)
    if (E.isLeft(a) || E.isLeft(b)) return
    plain = a.right.reduce(decider.evolve, plain)
    once = b.right.reduce(decider.evolve, once)
  }
  assert.equal(once.chain, plain.chain)
})

test('decide and evolve keep nothing between calls: one decider over interleaved ledgers answers as a fresh one per call', () => {
  const shared = ledgerDecider()
  const fresh = () => ledgerDecider()
  const other = (data: TransactionReceived['data']): TransactionReceived['data'] => ({
    ...data,
    idempotencyKey: `other-${data.idempotencyKey}`,
    unverified: { ...data.unverified, account_id: '70' },
  })
  const movements = [t1, t2, tx('k3', 'Credit', '10.00', '20000.00'), tx('k4', 'Credit', '4390.50', '19990.00')]
  let a = shared.initialState
  let b = shared.initialState
  let aAlone = fresh().initialState
  let bAlone = fresh().initialState
  for (const data of movements) {
    // Both ledgers decided before either evolves, and each decision made twice.
    const decidedA = shared.decide(record(data), a)
    const decidedB = shared.decide(record(other(data)), b)
    assert.equal(shared.decide(record(data), a), decidedA)
    const aloneA = fresh().decide(record(data), aAlone)
    const aloneB = fresh().decide(record(other(data)), bAlone)
    assert.equal(decidedA, aloneA)
    assert.equal(decidedB, aloneB)
    if (E.isLeft(decidedA) || E.isLeft(decidedB) || E.isLeft(aloneA) || E.isLeft(aloneB)) throw new Error('refused')
    b = decidedB.right.reduce(shared.evolve, b)
    a = decidedA.right.reduce(shared.evolve, a)
    aAlone = aloneA.right.reduce((s, e) => fresh().evolve(s, e), aAlone)
    bAlone = aloneB.right.reduce((s, e) => fresh().evolve(s, e), bAlone)
    assert.equal(a, aAlone)
    assert.equal(b, bAlone)
  }
  assert.equal([a.count, a.gapsDetected, b.count, b.gapsDetected], [4, 1, 4, 1])
  assert.equal(a.chain.fragments.length, 1) // k4 closed the gap k3 opened
})

test.run()
