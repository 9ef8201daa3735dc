import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ledgerDecider, type LedgerEvent, type TransactionReceived } from '../src/index.ts'
import { given } from './support/gwt.ts'

const tx = (key: string, dc: 'Credit' | 'Debit', amount: string, balance: string): TransactionReceived['data'] => ({
  idempotencyKey: key,
  receivedAt: '2026-11-23T10:00:00.000Z',
  hash: 'h',
  verified: { dc, code: 'EFT', amount, balance, currency: 'TRY', description: `SN:${key}` },
  unverified: { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' },
})
const received = (data: TransactionReceived['data']): LedgerEvent => ({ type: 'TransactionReceived', data })
const record = (data: TransactionReceived['data']) => ({ type: 'RecordTransaction' as const, data })
const ledger = given(ledgerDecider())

const t1 = tx('k1', 'Credit', '100.00', '18100.00')
const t2 = tx('k2', 'Debit', '2500.50', '15599.50')

test('the first movement of a ledger is recorded as it is', () => {
  ledger([]).when(record(t1)).then([received(t1)])
})

test('a movement that continues the running balance is recorded', () => {
  ledger([received(t1)]).when(record(t2)).then([received(t2)])
})

test('a re-delivery is a DuplicateIgnored, not a second transaction', () => {
  ledger([received(t1), received(t2)])
    .when(record({ ...t1, receivedAt: '2026-11-23T10:05:00.000Z' }))
    .then([{ type: 'DuplicateIgnored', data: { idempotencyKey: 'k1', accountId: '69', receivedAt: '2026-11-23T10:05:00.000Z' } }])
})

test('a missed credit shows as a gap with the missing amount, and the movement is still recorded', () => {
  const t3 = tx('k3', 'Credit', '50.00', '18400.00') // 18100 + 50 = 18150 expected; 250.00 of credits missing
  ledger([received(t1)]).when(record(t3)).then([
    { type: 'BalanceGapDetected', data: { accountId: '69', currency: 'TRY', previousKey: 'k1', idempotencyKey: 'k3', expectedBalance: '18150.00', actualBalance: '18400.00', missing: '250.00' } },
    received(t3),
  ])
})

test('a missed debit shows as a negative missing amount', () => {
  const t3 = tx('k3', 'Debit', '100.00', '17900.00') // expected 18000.00
  const result = ledger([received(t1)]).when(record(t3)).result
  const gap = result._tag === 'Right' ? result.right[0] : undefined
  assert.equal(gap?.type === 'BalanceGapDetected' && gap.data.missing, '-100.00')
})

test('continuity resumes after a gap from the new balance', () => {
  const t3 = tx('k3', 'Credit', '50.00', '18400.00')
  const t4 = tx('k4', 'Debit', '400.00', '18000.00')
  ledger([received(t1), received(t3)]).when(record(t4)).then([received(t4)])
})

test('hand-built commands with a non-decimal amount are refused', () => {
  ledger([]).when(record(tx('k', 'Credit', '1e3', '1000.00'))).thenFails({ _tag: 'InvalidAmount', input: '1e3', reason: 'is not an unsigned dot-decimal amount such as 100.00' })
})

test('the dedupe window is bounded: a key older than the window is no longer recognised', () => {
  const small = given(ledgerDecider({ dedupeWindow: 2 }))
  const a = tx('a', 'Credit', '1.00', '1.00')
  const b = tx('b', 'Credit', '1.00', '2.00')
  const c = tx('c', 'Credit', '1.00', '3.00')
  assert.is(small([received(a), received(b), received(c)]).when(record(a)).result._tag, 'Right')
  const again = small([received(a), received(b), received(c)]).when(record(c)).result
  assert.equal(again._tag === 'Right' && again.right[0]?.type, 'DuplicateIgnored')
  const old = small([received(a), received(b), received(c)]).when(record(a)).result
  assert.equal(old._tag === 'Right' && old.right.map((e) => e.type), ['BalanceGapDetected', 'TransactionReceived'])
})

test.run()
