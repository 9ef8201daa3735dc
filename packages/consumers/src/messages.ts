/**
 * What a recorded ledger event says to an application: the records `banksocket listen` prints (one
 * per accepted transaction on stdout; gaps, unobserved movements and suspected replays on stderr),
 * and the JSON body a forwarder POSTs for each recorded event: the same record plus its place in
 * the store (`position`, `stream`), with a message id stable across retries and restarts. Money
 * stays in exact decimal strings.
 *
 * @module
 */
import {
  type BalanceGapClosed,
  type BalanceGapDetected,
  type BalanceGapNarrowed,
  formatMoney,
  ibanView,
  type LedgerEvent,
  type Money,
  parseAmount,
  parseBalance,
  type StoredEvent,
  type SuspectedReplay,
  type TransactionReceived,
  type UnobservedMovements,
  type VerifiedTransaction,
} from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'

/**
 * The gap part of a transaction line: the gap's id, the head balance (`from`) and where this
 * movement starts (`to`), the balance the head implied and the one received, the signed missing
 * amount (`to - from`), and which way the unnotified money went (`in` for credits never notified,
 * `out` for debits).
 *
 * @example
 * import type { GapLine } from '@banksocket-webhooks/consumers'
 * const g: GapLine = { gapId: 1, from: '18100.00', to: '18350.00', expectedBalance: '18100.00', actualBalance: '18350.00',
 *   missing: '250.00', direction: 'in', previousKey: 'aa..' }
 */
export type GapLine = Readonly<{
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
 * import { directionOf } from '@banksocket-webhooks/consumers'
 * directionOf('-244.92') // 'out'
 * directionOf('250.00') // 'in'
 */
export const directionOf = (missing: string): 'in' | 'out' => (missing.startsWith('-') ? 'out' : 'in')

/**
 * The stdout record of an accepted transaction: the verified transaction with when it was received
 * (its `TransactionReceived` event's `receivedAt`), whether it is a genuine repeat, and the gap found
 * before it. Built once, of JSON values only (money as exact decimal strings), in the order the line
 * prints: `type`, `idempotencyKey`, `receivedAt`, `accountId`, `dc`, `amount`, `balance`,
 * `currency`, `verified`, `unverified`, `opponentIban`, `extra` (only when the notification had
 * extra fields), `gap`, `repeat` (only when true). Any {@link VerifiedTransaction} will do; its
 * `hash` and `secretIndex` are not read (so a transaction rebuilt from its stored event will too).
 *
 * @example
 * import { transactionLine } from '@banksocket-webhooks/consumers'
 * JSON.stringify(transactionLine(tx, receivedAt, false, undefined)) // '{"type":"transaction","idempotencyKey":"…","dc":"Credit","amount":"100.00",…}'
 */
export const transactionLine = (
  tx: Pick<VerifiedTransaction, 'idempotencyKey' | 'verified' | 'unverified' | 'amount' | 'balance' | 'opponentIban' | 'extra'>,
  receivedAt: string,
  repeat: boolean,
  gap: BalanceGapDetected['data'] | undefined,
) => {
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
 * import { transactionLineJson } from '@banksocket-webhooks/consumers'
 * console.log(transactionLineJson(tx, receivedAt, false, undefined)) // {"type":"transaction","idempotencyKey":"…",…}
 */
export const transactionLineJson = (
  tx: Pick<VerifiedTransaction, 'idempotencyKey' | 'verified' | 'unverified' | 'amount' | 'balance' | 'opponentIban' | 'extra'>,
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
 * import { gapChangeLine } from '@banksocket-webhooks/consumers'
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
 * import { unobservedLine } from '@banksocket-webhooks/consumers'
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
 * import { suspectedReplayLine } from '@banksocket-webhooks/consumers'
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
 * The `type` of a forwarded message: what the body's own `type` field says.
 *
 * @example
 * import type { ForwardMessageType } from '@banksocket-webhooks/consumers'
 * const money: ForwardMessageType[] = ['transaction']
 */
export type ForwardMessageType = 'transaction' | 'gap_opened' | 'gap_narrowed' | 'gap_closed' | 'unobserved' | 'suspected_replay'

/**
 * What a forwarder sends for one recorded event: its type and the exact JSON text of the body
 * (the text that is signed and sent, byte for byte).
 *
 * @example
 * import type { ForwardMessage } from '@banksocket-webhooks/consumers'
 * const m: ForwardMessage = { type: 'gap_closed', body: '{"type":"gap_closed","accountId":"69",…,"position":7,"stream":"ledger-69-TRY"}' }
 */
export type ForwardMessage = Readonly<{ type: ForwardMessageType; body: string }>

/** No extra fields: the store does not keep a notification's undocumented fields. */
const NO_EXTRA: VerifiedTransaction['extra'] = Object.freeze(Object.create(null) as Record<string, unknown>)

const moneyOf = (parsed: E.Either<{ reason: string }, Money>, field: string, event: StoredEvent<unknown>): Money => {
  if (E.isRight(parsed)) return parsed.right
  throw new Error(`the TransactionReceived at position ${event.position} (${event.stream}@${event.version}): its ${field} ${parsed.left.reason}`)
}

/** The transaction a stored `TransactionReceived` records, as `receive` verified it (without its extra fields). */
const transactionOf = (
  data: TransactionReceived['data'],
  event: StoredEvent<unknown>,
): Pick<VerifiedTransaction, 'idempotencyKey' | 'verified' | 'unverified' | 'amount' | 'balance' | 'opponentIban' | 'extra'> => ({
  idempotencyKey: data.idempotencyKey,
  verified: data.verified,
  unverified: data.unverified,
  amount: moneyOf(parseAmount(data.verified.amount, data.verified.currency), 'amount', event),
  balance: moneyOf(parseBalance(data.verified.balance, data.verified.currency), 'balance', event),
  opponentIban: ibanView(data.unverified.opponent_iban),
  extra: NO_EXTRA,
})

/** A record as JSON with the event's place in the store last: `position`, then `stream`. */
const placed = (record: object, event: StoredEvent<unknown>): string => JSON.stringify({ ...record, position: event.position, stream: event.stream })

/**
 * The message a forwarder sends for a recorded ledger event, or `undefined` for an event that is
 * not forwarded (`DuplicateIgnored`, which stores of version 0.1 may hold, and any other type).
 * The body is the record `banksocket listen` prints for the event, then the event's global
 * `position` in the store and its `stream`:
 *
 * - `TransactionReceived`: `transaction`, the stdout line of `listen` (see {@link transactionLine}),
 *   with `gap` the `BalanceGapDetected` the ledger recorded just before it in the same stream
 *   (the caller passes it: its data, or `undefined`; it must be the same movement's, else a
 *   `TypeError`) and `repeat: true` when the event is a genuine repeat. A forwarded transaction has
 *   no `extra`: the store does not keep a notification's undocumented fields. `amount` and
 *   `balance` are the verified strings parsed as exact money and written with the currency's ISO
 *   4217 decimals (`7` TRY is `"7.00"`), as `listen` writes them; a stored amount that does not
 *   parse throws (the event was not written by this toolkit).
 * - `BalanceGapDetected`: `gap_opened`: the gap as a transaction line gives it (`gapId`, `from`,
 *   `to`, `expectedBalance`, `actualBalance`, `missing`, `direction`, `previousKey`), then
 *   `accountId`, `currency` and the `idempotencyKey` of the movement that opened it.
 * - `BalanceGapNarrowed`, `BalanceGapClosed`: `gap_narrowed`, `gap_closed` (see {@link gapChangeLine}).
 * - `UnobservedMovements`: `unobserved` (see {@link unobservedLine}).
 * - `SuspectedReplay`: `suspected_replay` (see {@link suspectedReplayLine}).
 *
 * The body depends on the stored event (and the gap) only: the same bytes every time it is built.
 *
 * @example
 * import { forwardMessage } from '@banksocket-webhooks/consumers'
 * const message = forwardMessage({ stream: 'ledger-69-TRY', version: 3, position: 7, event: closed }, undefined)
 * // { type: 'gap_closed', body: '{"type":"gap_closed","accountId":"69","currency":"TRY","gapId":1,…,"position":7,"stream":"ledger-69-TRY"}' }
 */
export const forwardMessage = (event: StoredEvent<LedgerEvent>, gap: BalanceGapDetected['data'] | undefined): ForwardMessage | undefined => {
  const e = event.event
  switch (e.type) {
    case 'TransactionReceived': {
      const data = e.data
      if (gap !== undefined && gap.idempotencyKey !== data.idempotencyKey)
        throw new TypeError(`the gap passed for the TransactionReceived at position ${event.position} was opened by another movement`)
      const line = transactionLineJson(transactionOf(data, event), data.receivedAt, data.repeat === true, gap)
      return { type: 'transaction', body: `${line.slice(0, -1)},"position":${event.position},"stream":${jsonString(event.stream)}}` }
    }
    case 'BalanceGapDetected': {
      const d = e.data
      return {
        type: 'gap_opened',
        body: placed({ type: 'gap_opened', ...gapLine(d), accountId: d.accountId, currency: d.currency, idempotencyKey: d.idempotencyKey }, event),
      }
    }
    case 'BalanceGapNarrowed':
    case 'BalanceGapClosed': {
      const line = gapChangeLine(e)
      return { type: line.type, body: placed(line, event) }
    }
    case 'UnobservedMovements':
      return { type: 'unobserved', body: placed(unobservedLine(e.data), event) }
    case 'SuspectedReplay':
      return { type: 'suspected_replay', body: placed(suspectedReplayLine(e.data), event) }
    default:
      return undefined
  }
}

/** Characters a message id keeps as they are; anything else is escaped (the spec forbids `.` in an id). */
const ID_SAFE = /^[A-Za-z0-9_-]$/

/** `~` and the UTF-16 code unit in four hex digits: one spelling per character, so distinct streams keep distinct ids. */
const escapeIdChar = (c: string): string => (ID_SAFE.test(c) ? c : `~${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)

/**
 * The Standard Webhooks message id (`webhook-id`) of a recorded event: `msg_`, the stream, `_` and
 * the event's version in it (`msg_ledger-69-TRY_4`). It depends on the stream and version only
 * (not on the position, not on the time), so it is the same on every retry and after any restart,
 * and a genuine repeat, a new event at a new version, has an id of its own. Characters other than
 * `A-Z a-z 0-9 _ -` in the stream are written `~` and four hex digits (`.` is `~002E`), so an id is
 * header-safe, never holds a full stop, and two streams never share one. Throws a `TypeError` for a
 * version that is not a positive integer.
 *
 * @example
 * import { webhookIdOf } from '@banksocket-webhooks/consumers'
 * webhookIdOf({ stream: 'ledger-69-TRY', version: 4, position: 17, event: e }) // 'msg_ledger-69-TRY_4'
 * webhookIdOf({ stream: 'orders.v2', version: 1, position: 18, event: e }) // 'msg_orders~002Ev2_1'
 */
export const webhookIdOf = (event: StoredEvent<unknown>): string => {
  const { stream, version } = event
  if (!Number.isSafeInteger(version) || version < 1) throw new TypeError(`an event's version must be a positive integer, got ${String(version)}`)
  let escaped = ''
  for (let i = 0; i < stream.length; i++) escaped += escapeIdChar(stream.charAt(i))
  return `msg_${escaped}_${version}`
}
