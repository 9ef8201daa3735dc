/**
 * The JSON lines `banksocket listen` writes: one record per accepted transaction (stdout), per
 * duplicate, rejection or failure (stderr). Money stays in exact decimal strings.
 *
 * @module
 */

import type { DuplicateDelivery, ReceiverError } from '@banksocket-webhooks/adapter-node-server'
import {
  type BalanceGapClosed,
  type BalanceGapDetected,
  type BalanceGapNarrowed,
  formatMoney,
  type Rejection,
  type StoreError,
  type SuspectedReplay,
  type UnobservedMovements,
  type VerifiedTransaction,
} from '@banksocket-webhooks/core'
import { rejectionAnswer } from '@banksocket-webhooks/core/runtime-kit'

/**
 * The gap part of a transaction line: the gap's id, the head balance (`from`) and where this
 * movement starts (`to`), the balance the head implied and the one received, the signed missing
 * amount (`to - from`), and which way the unnotified money went (`in` for credits never notified,
 * `out` for debits).
 *
 * @example
 * const g: GapLine = { gapId: 1, from: '18100.00', to: '18350.00', expectedBalance: '18100.00', actualBalance: '18350.00',
 *   missing: '250.00', direction: 'in', previousKey: 'aa..' }
 */
type GapLine = Readonly<{
  gapId: number
  from: string
  to: string
  expectedBalance: string
  actualBalance: string
  missing: string
  direction: 'in' | 'out'
  previousKey: string
}>

/**
 * Which way money that was never notified went: a positive missing amount came in, a negative one
 * went out.
 *
 * @example
 * directionOf('-244.92') // 'out'
 */
const directionOf = (missing: string): 'in' | 'out' => (missing.startsWith('-') ? 'out' : 'in')

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
 * The stdout record of an accepted transaction: the verified transaction with when it was received
 * (its `TransactionReceived` event's `receivedAt`), whether it is a genuine repeat, and the gap found
 * before it. Built once, of JSON values only (money as exact decimal strings), in the order the line
 * prints: `type`, `idempotencyKey`, `receivedAt`, `accountId`, `dc`, `amount`, `balance`,
 * `currency`, `verified`, `unverified`, `opponentIban`, `extra` (only when the notification had
 * extra fields), `gap`, `repeat` (only when true).
 *
 * @example
 * import { transactionLine } from './lines.ts'
 * JSON.stringify(transactionLine(tx, receivedAt, false, undefined)) // '{"type":"transaction","idempotencyKey":"…","dc":"Credit","amount":"100.00",…}'
 */
export const transactionLine = (tx: VerifiedTransaction, receivedAt: string, repeat: boolean, gap: BalanceGapDetected['data'] | undefined) => {
  const iban = tx.opponentIban
  const line: {
    type: 'transaction'
    idempotencyKey: string
    receivedAt: string
    accountId: string
    dc: VerifiedTransaction['verified']['dc']
    amount: string
    balance: string
    currency: string
    verified: VerifiedTransaction['verified']
    unverified: VerifiedTransaction['unverified']
    opponentIban: Readonly<{ valid: true; country: string } | { valid: false; problem: string }>
    extra?: VerifiedTransaction['extra']
    gap?: GapLine | null
    repeat?: true
  } = {
    type: 'transaction',
    idempotencyKey: tx.idempotencyKey,
    receivedAt,
    accountId: tx.unverified.account_id,
    dc: tx.verified.dc,
    amount: formatMoney(tx.amount),
    balance: formatMoney(tx.balance),
    currency: tx.amount.currency,
    verified: tx.verified,
    unverified: tx.unverified,
    opponentIban: iban.valid ? { valid: true, country: iban.country } : { valid: false, problem: iban.problem },
  }
  if (Object.keys(tx.extra).length > 0) line.extra = tx.extra
  line.gap = gap === undefined ? null : gapLine(gap)
  if (repeat) line.repeat = true
  return line
}

/** The gap part of a transaction line (see {@link GapLine}). */
const gapLine = (gap: BalanceGapDetected['data']): GapLine => ({
  gapId: gap.gapId,
  from: gap.from,
  to: gap.to,
  expectedBalance: gap.expectedBalance,
  actualBalance: gap.actualBalance,
  missing: gap.missing,
  direction: directionOf(gap.missing),
  previousKey: gap.previousKey,
})

/** What `JSON.stringify` escapes in a string (quote, backslash, controls) or may (any surrogate: lone ones are escaped). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes exactly these control characters
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** A string as JSON: quoted as is when nothing in it needs escaping (most text), else by `JSON.stringify`. */
const jsonString = (text: string): string => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`)

/**
 * `JSON.stringify(transactionLine(tx, receivedAt, repeat, gap))`, the same text, written out for
 * the line's fixed shape: the receiver prints one per accepted transaction, and Node 20's generic
 * `JSON.stringify` of the nested record was our largest single cost per request (3.3 µs under
 * load, 2.4 µs this way; in process, with the newline and the redactor's scan, 3.3 against 1.4 µs:
 * `docs/benchmarks.md`). The verified and unverified fields are written in their codecs' order,
 * the order core decodes them in; extra fields and the gap, which are rare, go through
 * `JSON.stringify`. A property test holds it to `JSON.stringify(transactionLine(...))`.
 *
 * @example
 * import { transactionLineJson } from './lines.ts'
 * io.stdout.write(`${transactionLineJson(tx, receivedAt, false, undefined)}\n`) // '{"type":"transaction","idempotencyKey":"…",…}\n'
 */
export const transactionLineJson = (
  tx: VerifiedTransaction,
  receivedAt: string,
  repeat: boolean,
  gap: BalanceGapDetected['data'] | undefined,
): string => {
  const v = tx.verified
  const u = tx.unverified
  const iban = tx.opponentIban
  return (
    `{"type":"transaction","idempotencyKey":${jsonString(tx.idempotencyKey)},"receivedAt":${jsonString(receivedAt)}` +
    `,"accountId":${jsonString(u.account_id)},"dc":${jsonString(v.dc)},"amount":${jsonString(formatMoney(tx.amount))}` +
    `,"balance":${jsonString(formatMoney(tx.balance))},"currency":${jsonString(tx.amount.currency)}` +
    `,"verified":{"dc":${jsonString(v.dc)},"code":${jsonString(v.code)},"amount":${jsonString(v.amount)},"balance":${jsonString(v.balance)}` +
    `,"currency":${jsonString(v.currency)},"description":${jsonString(v.description)}}` +
    `,"unverified":{"account_id":${jsonString(u.account_id)},"account":${jsonString(u.account)},"bank":${jsonString(u.bank)}` +
    `,"opponent_id":${jsonString(u.opponent_id)},"opponent_iban":${jsonString(u.opponent_iban)}}` +
    `,"opponentIban":${iban.valid ? `{"valid":true,"country":${jsonString(iban.country)}}` : `{"valid":false,"problem":${jsonString(iban.problem)}}`}` +
    `${Object.keys(tx.extra).length > 0 ? `,"extra":${JSON.stringify(tx.extra)}` : ''}` +
    `,"gap":${gap === undefined ? 'null' : JSON.stringify(gapLine(gap))}${repeat ? ',"repeat":true' : ''}}`
  )
}

/**
 * The stderr record of a gap that a late notification filled: `gap_closed` (`from`, `to`,
 * `missing` as the gap was) or `gap_narrowed` (what is still open).
 *
 * @example
 * import { gapChangeLine } from './lines.ts'
 * gapChangeLine(event) // { type: 'gap_closed', accountId: '69', currency: 'TRY', gapId: 1, from: '1100.00', to: '1150.00', missing: '50.00', idempotencyKey: '…' }
 */
export const gapChangeLine = (event: BalanceGapNarrowed | BalanceGapClosed) => ({
  type: event.type === 'BalanceGapClosed' ? ('gap_closed' as const) : ('gap_narrowed' as const),
  accountId: event.data.accountId,
  currency: event.data.currency,
  gapId: event.data.gapId,
  from: event.data.from,
  to: event.data.to,
  missing: event.data.missing,
  idempotencyKey: event.data.idempotencyKey,
})

/**
 * The stderr record of a break a filtered webhook explains by the direction it does not see.
 *
 * @example
 * import { unobservedLine } from './lines.ts'
 * unobservedLine(event.data).type // 'unobserved'
 */
export const unobservedLine = (data: UnobservedMovements['data']) => ({
  type: 'unobserved' as const,
  accountId: data.accountId,
  currency: data.currency,
  gapId: data.gapId,
  filter: data.filter,
  from: data.from,
  to: data.to,
  net: data.net,
  idempotencyKey: data.idempotencyKey,
})

/**
 * The stderr record of a suspected replay (held back, stored for review, answered 200).
 *
 * @example
 * import { suspectedReplayLine } from './lines.ts'
 * suspectedReplayLine(event.data).type // 'suspected_replay'
 */
export const suspectedReplayLine = (data: SuspectedReplay['data']) => ({
  type: 'suspected_replay' as const,
  idempotencyKey: data.idempotencyKey,
  receivedAt: data.receivedAt,
  accountId: data.unverified.account_id,
  dc: data.verified.dc,
  amount: data.verified.amount,
  balance: data.verified.balance,
  currency: data.verified.currency,
  description: data.verified.description,
})

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
