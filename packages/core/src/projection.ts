/**
 * The ledger projection: what an account ledger adds up to, in exact money.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { BalanceGapDetected, LedgerEvent } from './events.ts'
import { addMoney, parseAmount, parseBalance, zero, type Money } from './money.ts'
import type { StoredEvent } from './store.ts'

/**
 * One account ledger in one currency: the latest balance, credit and debit totals, how many
 * transactions (credits and debits apart), duplicates ignored, and the balance gaps found.
 *
 * @example
 * import type { LedgerSummary } from '@banksocket-webhooks/core'
 * const show = (s: LedgerSummary) => `${s.accountId}: ${s.count} movements, ${s.gaps.length} gaps`
 */
export type LedgerSummary = Readonly<{
  accountId: string
  currency: string
  balance: Money | undefined
  credits: Money
  debits: Money
  count: number
  creditCount: number
  debitCount: number
  duplicates: number
  gaps: ReadonlyArray<BalanceGapDetected['data']>
}>

/**
 * An empty summary for an account and currency.
 *
 * @example
 * import { emptyLedgerSummary } from '@banksocket-webhooks/core'
 * emptyLedgerSummary('69', 'TRY').count // 0
 */
export const emptyLedgerSummary = (accountId: string, currency: string): LedgerSummary => ({
  accountId,
  currency,
  balance: undefined,
  credits: zero(currency),
  debits: zero(currency),
  count: 0,
  creditCount: 0,
  debitCount: 0,
  duplicates: 0,
  gaps: [],
})

/**
 * Folds one ledger event into a summary. Amounts that are not exact money (impossible for events
 * produced by `receive`) leave the totals unchanged.
 *
 * @example
 * import { emptyLedgerSummary, projectLedger } from '@banksocket-webhooks/core'
 * const next = projectLedger(emptyLedgerSummary('69', 'TRY'), event)
 */
export const projectLedger = (summary: LedgerSummary, event: LedgerEvent): LedgerSummary => {
  switch (event.type) {
    case 'TransactionReceived': {
      const { dc, amount, balance, currency } = event.data.verified
      const a = parseAmount(amount, currency)
      const b = parseBalance(balance, currency)
      if (E.isLeft(a) || E.isLeft(b) || currency !== summary.currency) return summary
      return {
        ...summary,
        balance: b.right,
        credits: dc === 'Credit' ? addMoney(summary.credits, a.right) : summary.credits,
        debits: dc === 'Debit' ? addMoney(summary.debits, a.right) : summary.debits,
        count: summary.count + 1,
        creditCount: summary.creditCount + (dc === 'Credit' ? 1 : 0),
        debitCount: summary.debitCount + (dc === 'Debit' ? 1 : 0),
      }
    }
    case 'DuplicateIgnored':
      return { ...summary, duplicates: summary.duplicates + 1 }
    case 'BalanceGapDetected':
      return { ...summary, gaps: [...summary.gaps, event.data] }
  }
}

const ledgerOf = (event: LedgerEvent): Readonly<{ accountId: string; currency: string }> | undefined => {
  switch (event.type) {
    case 'TransactionReceived':
      return { accountId: event.data.unverified.account_id, currency: event.data.verified.currency }
    case 'BalanceGapDetected':
      return { accountId: event.data.accountId, currency: event.data.currency }
    case 'DuplicateIgnored':
      return undefined
  }
}

/**
 * Summaries of every ledger found in stored events, keyed by stream name. Streams whose events are
 * not ledger events are ignored.
 *
 * @example
 * import { summarizeLedgers } from '@banksocket-webhooks/core'
 * const all = await store.readAll()()
 * if (all._tag === 'Right') for (const s of summarizeLedgers(all.right).values()) console.log(s.accountId, s.count)
 */
export const summarizeLedgers = (
  events: ReadonlyArray<StoredEvent<LedgerEvent>>,
): ReadonlyMap<string, LedgerSummary> => {
  const summaries = new Map<string, LedgerSummary>()
  for (const { stream, event } of events) {
    if (!stream.startsWith('ledger-')) continue
    let summary = summaries.get(stream)
    if (summary === undefined) {
      const owner = ledgerOf(event)
      if (owner === undefined) continue
      summary = emptyLedgerSummary(owner.accountId, owner.currency)
    }
    summaries.set(stream, projectLedger(summary, event))
  }
  return summaries
}
