import type { LedgerEvent } from '@banksocket-webhooks/core'

/** A `TransactionReceived` event for account 69 in TRY, numbered `n` (its key and description). */
export const transaction = (n: number, amount = '1.00'): LedgerEvent => ({
  type: 'TransactionReceived',
  data: {
    idempotencyKey: `key-${n}`,
    receivedAt: '2026-11-23T10:00:00.000Z',
    hash: `hash-${n}`,
    verified: { dc: 'Credit', code: 'EFT', amount, balance: `${n}.00`, currency: 'TRY', description: `SN:${n} AÇIKLAMA İŞ` },
    unverified: { account_id: '69', account: 'Kadıköy İşbank TL Hesabı', bank: 'Türkiye İş Bankası A.Ş.', opponent_id: '', opponent_iban: '' },
  },
})

/** A `BalanceGapDetected` event for account 69. */
export const gap = (n: number): LedgerEvent => ({
  type: 'BalanceGapDetected',
  data: {
    accountId: '69',
    currency: 'TRY',
    gapId: n,
    from: '10.00',
    to: '12.50',
    previousKey: `key-${n - 1}`,
    idempotencyKey: `key-${n}`,
    expectedBalance: '10.00',
    actualBalance: '12.50',
    missing: '2.50',
  },
})
