/**
 * The account ledger decider: deduplicates deliveries and checks running-balance continuity, so a
 * missed, reordered or duplicated notification is reported with the amount that is missing.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Decider } from './decider.ts'
import type { BalanceGapDetected, DuplicateIgnored, LedgerEvent, TransactionReceived } from './events.ts'
import { KeyWindow } from './keywindow.ts'
import { addMoney, formatMoney, parseAmount, parseBalance, subtractMoney, type InvalidAmount, type Money } from './money.ts'

/**
 * The last movement a ledger has seen.
 *
 * @example
 * import type { LastMovement } from '@banksocket-webhooks/core'
 * const last: LastMovement = { idempotencyKey: 'aa..', balance: '18100.00', currency: 'TRY' }
 */
export type LastMovement = Readonly<{ idempotencyKey: string; balance: string; currency: string }>

/**
 * Ledger state: the last movement, how many transactions were recorded, and the recent keys.
 *
 * @example
 * import { ledgerDecider } from '@banksocket-webhooks/core'
 * ledgerDecider().initialState.count // 0
 */
export type LedgerState = Readonly<{ last: LastMovement | undefined; count: number; seen: KeyWindow }>

/**
 * Record a verified transaction (as its `TransactionReceived` data) in its account ledger.
 *
 * @example
 * import type { LedgerCommand } from '@banksocket-webhooks/core'
 * const c: LedgerCommand = { type: 'RecordTransaction', data: transactionReceived.data }
 */
export type LedgerCommand = Readonly<{ type: 'RecordTransaction'; data: TransactionReceived['data'] }>

/**
 * Why a ledger command is refused: an amount or balance that is not exact money (only possible
 * for commands built by hand, since `receive` checks both).
 *
 * @example
 * import type { LedgerError } from '@banksocket-webhooks/core'
 * const e: LedgerError = { _tag: 'InvalidAmount', input: '1e3', reason: 'is not an unsigned dot-decimal amount such as 100.00' }
 */
export type LedgerError = InvalidAmount

/**
 * Options of {@link ledgerDecider}.
 *
 * @example
 * import type { LedgerOptions } from '@banksocket-webhooks/core'
 * const o: LedgerOptions = { dedupeWindow: 10_000 }
 */
export type LedgerOptions = Readonly<{
  /** How many recent idempotency keys each ledger remembers for deduplication. @default 100000 */
  dedupeWindow?: number
}>

/**
 * The default number of idempotency keys a ledger remembers.
 *
 * @example
 * import { DEFAULT_DEDUPE_WINDOW } from '@banksocket-webhooks/core'
 * DEFAULT_DEDUPE_WINDOW // 100000
 */
export const DEFAULT_DEDUPE_WINDOW = 100_000

/**
 * The balance the ledger expects after a movement: previous balance plus a credit, minus a debit.
 *
 * @example
 * import { expectedBalance } from '@banksocket-webhooks/core'
 * expectedBalance({ minor: 1810000n, currency: 'TRY' }, 'Debit', { minor: 250050n, currency: 'TRY' })
 * // { minor: 1559950n, currency: 'TRY' }
 */
export const expectedBalance = (previous: Money, dc: 'Credit' | 'Debit', amount: Money): Money =>
  dc === 'Credit' ? addMoney(previous, amount) : subtractMoney(previous, amount)

/**
 * Builds the ledger decider. One ledger per account and currency (see {@link ledgerStream}).
 *
 * @example
 * import { ledgerDecider } from '@banksocket-webhooks/core'
 * const ledger = ledgerDecider({ dedupeWindow: 1000 })
 * const events = ledger.decide({ type: 'RecordTransaction', data }, ledger.initialState)
 * // Right([{ type: 'TransactionReceived', data }])
 */
export const ledgerDecider = (
  options: LedgerOptions = {},
): Decider<LedgerCommand, LedgerEvent, LedgerState, LedgerError> => ({
  initialState: { last: undefined, count: 0, seen: KeyWindow.empty(options.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW) },
  decide: (command, state) => {
    const tx = command.data
    const accountId = tx.unverified.account_id
    if (state.seen.has(tx.idempotencyKey)) {
      const duplicate: DuplicateIgnored = {
        type: 'DuplicateIgnored',
        data: { idempotencyKey: tx.idempotencyKey, accountId, receivedAt: tx.receivedAt },
      }
      return E.right([duplicate])
    }
    const { dc, currency } = tx.verified
    const amount = parseAmount(tx.verified.amount, currency)
    if (E.isLeft(amount)) return amount
    const balance = parseBalance(tx.verified.balance, currency)
    if (E.isLeft(balance)) return balance
    const received: TransactionReceived = { type: 'TransactionReceived', data: tx }
    const last = state.last
    if (last === undefined || last.currency !== currency) return E.right([received])
    const previous = parseBalance(last.balance, currency)
    if (E.isLeft(previous)) return previous
    const expected = expectedBalance(previous.right, dc, amount.right)
    if (expected.minor === balance.right.minor) return E.right([received])
    const gap: BalanceGapDetected = {
      type: 'BalanceGapDetected',
      data: {
        accountId,
        currency,
        previousKey: last.idempotencyKey,
        idempotencyKey: tx.idempotencyKey,
        expectedBalance: formatMoney(expected),
        actualBalance: formatMoney(balance.right),
        missing: formatMoney(subtractMoney(balance.right, expected)),
      },
    }
    return E.right([gap, received])
  },
  evolve: (state, event) =>
    event.type === 'TransactionReceived'
      ? {
          last: {
            idempotencyKey: event.data.idempotencyKey,
            balance: event.data.verified.balance,
            currency: event.data.verified.currency,
          },
          count: state.count + 1,
          seen: state.seen.add(event.data.idempotencyKey),
        }
      : state,
})

/**
 * The stream name of an account's ledger in one currency.
 *
 * @example
 * import { ledgerStream } from '@banksocket-webhooks/core'
 * ledgerStream('69', 'TRY') // 'ledger-69-TRY'
 */
export const ledgerStream = (accountId: string, currency: string): string => `ledger-${accountId}-${currency}`
