import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type LedgerEvent, type StreamEvent, summarizeLedgers } from '../src/index.ts'

const tx = (key: string, dc: 'Credit' | 'Debit', amount: string, balance: string, account = '69'): LedgerEvent => ({
  type: 'TransactionReceived',
  data: {
    idempotencyKey: key,
    receivedAt: '2026-11-23T10:00:00.000Z',
    hash: 'h',
    verified: { dc, code: 'EFT', amount, balance, currency: 'TRY', description: key },
    unverified: { account_id: account, account: '', bank: '', opponent_id: '', opponent_iban: '' },
  },
})

test('the projection totals credits and debits exactly, keeps the head balance, duplicates (from 0.1 stores) and open gaps', () => {
  const events: StreamEvent<LedgerEvent>[] = [
    { stream: 'ledger-69-TRY', version: 1, event: tx('a', 'Credit', '0.10', '0.10') },
    { stream: 'ledger-69-TRY', version: 2, event: tx('b', 'Credit', '0.20', '0.30') },
    { stream: 'ledger-69-TRY', version: 3, event: { type: 'DuplicateIgnored', data: { idempotencyKey: 'a', accountId: '69', receivedAt: 'x' } } },
    {
      stream: 'ledger-69-TRY',
      version: 4,
      event: {
        type: 'BalanceGapDetected',
        data: {
          accountId: '69',
          currency: 'TRY',
          gapId: 1,
          from: '0.30',
          to: '1.30',
          previousKey: 'b',
          idempotencyKey: 'c',
          expectedBalance: '0.25',
          actualBalance: '1.25',
          missing: '1.00',
        },
      },
    },
    { stream: 'ledger-69-TRY', version: 5, event: tx('c', 'Debit', '0.05', '1.25') },
    { stream: 'ledger-70-TRY', version: 1, event: tx('d', 'Debit', '99999999999999999.99', '-99999999999999999.99', '70') },
    { stream: 'subscriptions', version: 1, event: { type: 'WebhookDeleted', data: { id: 1 } } as unknown as LedgerEvent },
  ]
  const s = summarizeLedgers(events)
  assert.equal([...s.keys()], ['ledger-69-TRY', 'ledger-70-TRY'])
  const a = s.get('ledger-69-TRY')!
  assert.equal(
    {
      balance: a.balance,
      credits: a.credits,
      debits: a.debits,
      count: a.count,
      creditCount: a.creditCount,
      debitCount: a.debitCount,
      duplicates: a.duplicates,
      gaps: a.gapsDetected,
      open: a.openGaps.map((g) => [g.from.minor, g.to.minor, g.missing.minor]),
    },
    {
      balance: { minor: 125n, currency: 'TRY' },
      credits: { minor: 30n, currency: 'TRY' },
      debits: { minor: 5n, currency: 'TRY' },
      count: 3,
      creditCount: 2,
      debitCount: 1,
      duplicates: 1,
      gaps: 1,
      open: [[30n, 130n, 100n]],
    },
  )
  assert.equal(s.get('ledger-70-TRY')!.debits, { minor: 9999999999999999999n, currency: 'TRY' })
})

test('the balance is the head of the chain, not the last arrival: a late movement closes the gap', () => {
  const events: StreamEvent<LedgerEvent>[] = [
    { stream: 'ledger-69-TRY', version: 1, event: tx('a', 'Credit', '100.00', '1100.00') },
    { stream: 'ledger-69-TRY', version: 2, event: tx('c', 'Debit', '30.00', '1120.00') },
    { stream: 'ledger-69-TRY', version: 3, event: tx('b', 'Credit', '50.00', '1150.00') },
  ]
  const a = summarizeLedgers(events).get('ledger-69-TRY')!
  assert.equal([a.balance, a.openGaps.length, a.count], [{ minor: 112000n, currency: 'TRY' }, 0, 3])
})

test('with a credits-only filter a drop between credits is unobserved, not an open gap', () => {
  const events: StreamEvent<LedgerEvent>[] = [
    { stream: 'ledger-69-TRY', version: 1, event: tx('a', 'Credit', '100.00', '1100.00') },
    { stream: 'ledger-69-TRY', version: 2, event: tx('b', 'Credit', '10.00', '1060.00') },
  ]
  const a = summarizeLedgers(events, { filter: 'NEW_CREDIT' }).get('ledger-69-TRY')!
  assert.equal([a.openGaps.length, a.unobserved.map((g) => g.missing.minor), a.balance?.minor], [0, [-5000n], 106000n])
  const all = summarizeLedgers(events).get('ledger-69-TRY')!
  assert.equal([all.openGaps.length, all.unobserved.length], [1, 0])
})

test.run()
