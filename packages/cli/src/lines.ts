/**
 * The JSON lines `banksocket listen` writes of what the receiver tells it alone: duplicates,
 * rejections and failures (stderr), and the wording of a missing amount. The records of what was
 * recorded (the transaction line on stdout; gaps, unobserved movements, suspected replays on
 * stderr) are built by `@banksocket-webhooks/consumers` (`transactionLineJson`, `gapChangeLine`,
 * ...), which forwards the same records to applications. Money stays in exact decimal strings.
 *
 * @module
 */

import type { DuplicateDelivery, ReceiverError } from '@banksocket-webhooks/adapter-node-server'
import { directionOf } from '@banksocket-webhooks/consumers'
import { formatMoney, type Rejection, type StoreError } from '@banksocket-webhooks/core'
import { rejectionAnswer } from '@banksocket-webhooks/core/runtime-kit'

/**
 * A missing amount said in words, without a double negative.
 *
 * @example
 * import { describeMissing } from './lines.ts'
 * describeMissing('-244.92', 'USD') // '244.92 USD out never notified'
 * describeMissing('250.00', 'TRY')  // '250.00 TRY in never notified'
 */
export const describeMissing = (missing: string, currency: string): string =>
  `${missing.startsWith('-') ? missing.slice(1) : missing} ${currency} ${directionOf(missing)} never notified`

/**
 * The stderr record of a duplicate delivery (answered 200 `{"status":"duplicate"}`, not processed again).
 *
 * @example
 * duplicateLine(duplicate).type // 'duplicate'
 */
const duplicateLine = (duplicate: DuplicateDelivery) => ({
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
 * Reports duplicates without drowning the log: the first one in a quiet second as a full
 * `duplicate` line, the rest of that second as one `{"type":"duplicates","count":N,...}` line when
 * the second is over (or on `flush`). So a replay flood writes at most about one line a second.
 *
 * @example
 * import { createDuplicateReporter } from './lines.ts'
 * const reporter = createDuplicateReporter((line) => console.error(JSON.stringify(line)))
 * receiver.on('duplicate', reporter.report)
 */
export const createDuplicateReporter = (write: (line: object) => void, intervalMs = 1000, now: () => number = Date.now) => {
  let windowStart: number | undefined
  let count = 0
  let last: DuplicateDelivery | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const summarize = (): void => {
    if (count === 0 || last === undefined) return
    write({
      type: 'duplicates' as const,
      count,
      seconds: windowStart === undefined ? 0 : Math.round((now() - windowStart) / 100) / 10,
      lastIdempotencyKey: last.idempotencyKey,
      lastAccountId: last.unverified.account_id,
    })
  }
  /** End of a second: sum it up; a busy second opens the next one silently, a quiet one closes. */
  const tick = (): void => {
    const busy = count > 0
    summarize()
    count = 0
    last = undefined
    if (busy) {
      windowStart = now()
      timer = setTimeout(tick, intervalMs)
      timer.unref?.()
    } else {
      windowStart = undefined
      timer = undefined
    }
  }
  const report = (duplicate: DuplicateDelivery): void => {
    if (windowStart === undefined) {
      windowStart = now()
      write(duplicateLine(duplicate))
      timer = setTimeout(tick, intervalMs)
      timer.unref?.()
      return
    }
    count++
    last = duplicate
  }
  /** Writes what is counted and stops the timer (on shutdown). */
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    summarize()
    windowStart = undefined
    count = 0
    last = undefined
  }
  return { report, flush }
}

/**
 * The stderr record of a refused notification, with the HTTP status it was answered.
 *
 * @example
 * import { rejectionLine } from './lines.ts'
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
 * import { errorLine } from './lines.ts'
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
