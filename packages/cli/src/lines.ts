/**
 * The JSON lines `banksocket listen` writes: one record per accepted transaction (stdout), per
 * duplicate, rejection or failure (stderr). Money stays in exact decimal strings.
 *
 * @module
 */
import { formatMoney, rejectionAnswer, type BalanceGapDetected, type Rejection, type StoreError } from '@banksocket-webhooks/core'
import type { DuplicateDelivery, ReceivedTransaction, ReceiverError } from '@banksocket-webhooks/adapter-node-server'

/**
 * The gap part of a transaction line: the balance the previous notification implied, the one
 * received, and the signed missing amount (`actual - expected`).
 *
 * @example
 * import type { GapLine } from '@banksocket-webhooks/cli'
 * const g: GapLine = { expectedBalance: '18100.00', actualBalance: '18350.00', missing: '250.00', previousKey: 'aa..' }
 */
export type GapLine = Readonly<{ expectedBalance: string; actualBalance: string; missing: string; previousKey: string }>

/**
 * The stdout record of an accepted transaction.
 *
 * @example
 * import { transactionLine } from '@banksocket-webhooks/cli'
 * JSON.stringify(transactionLine(tx, undefined)) // '{"type":"transaction","idempotencyKey":"…","dc":"Credit","amount":"100.00",…}'
 */
export const transactionLine = (tx: ReceivedTransaction, gap: BalanceGapDetected['data'] | undefined) => ({
  type: 'transaction' as const,
  idempotencyKey: tx.idempotencyKey,
  receivedAt: tx.receivedAt,
  accountId: tx.unverified.account_id,
  dc: tx.verified.dc,
  amount: formatMoney(tx.amount),
  balance: formatMoney(tx.balance),
  currency: tx.amount.currency,
  verified: tx.verified,
  unverified: tx.unverified,
  opponentIban: tx.opponentIban.valid
    ? { valid: true, country: tx.opponentIban.country }
    : { valid: false, problem: tx.opponentIban.problem },
  ...(Object.keys(tx.extra).length === 0 ? {} : { extra: tx.extra }),
  gap:
    gap === undefined
      ? null
      : ({
          expectedBalance: gap.expectedBalance,
          actualBalance: gap.actualBalance,
          missing: gap.missing,
          previousKey: gap.previousKey,
        } satisfies GapLine),
})

/**
 * The stderr record of a duplicate delivery (answered 200 `{"status":"duplicate"}`, not processed again).
 *
 * @example
 * import { duplicateLine } from '@banksocket-webhooks/cli'
 * duplicateLine(duplicate).type // 'duplicate'
 */
export const duplicateLine = (duplicate: DuplicateDelivery) => ({
  type: 'duplicate' as const,
  idempotencyKey: duplicate.idempotencyKey,
  receivedAt: duplicate.receivedAt,
  accountId: duplicate.unverified.account_id,
  dc: duplicate.verified.dc,
  amount: formatMoney(duplicate.amount),
  balance: formatMoney(duplicate.balance),
  currency: duplicate.amount.currency,
  description: duplicate.verified.description,
})

/**
 * The stderr record of a refused notification, with the HTTP status it was answered.
 *
 * @example
 * import { rejectionLine } from '@banksocket-webhooks/cli'
 * rejectionLine({ _tag: 'invalid_hash' }) // { type: 'rejected', status: 401, error: 'invalid_hash' }
 */
export const rejectionLine = (rejection: Rejection) => ({
  type: 'rejected' as const,
  status: rejectionAnswer(rejection).status,
  error: rejection._tag,
  ...(rejection._tag === 'invalid_payload' ? { details: rejection.details } : {}),
})

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const storeMessage = (error: StoreError): string =>
  error._tag === 'StoreFailure' ? error.message : `version conflict on ${error.stream} (expected ${String(error.expected)}, found ${error.actual})`

/**
 * The stderr record of a delivery answered 500 (so that the sender retries).
 *
 * @example
 * import { errorLine } from '@banksocket-webhooks/cli'
 * errorLine({ _tag: 'internal_error', error: new Error('boom') }) // { type: 'error', error: 'internal_error', message: 'boom' }
 */
export const errorLine = (error: ReceiverError) => {
  switch (error._tag) {
    case 'store_failed':
      return { type: 'error' as const, error: error._tag, message: storeMessage(error.error), idempotencyKey: error.transaction.idempotencyKey }
    case 'handler_failed':
      return { type: 'error' as const, error: error._tag, message: messageOf(error.error), idempotencyKey: error.transaction.idempotencyKey }
    case 'internal_error':
    case 'listener_failed':
      return { type: 'error' as const, error: error._tag, message: messageOf(error.error) }
  }
}
