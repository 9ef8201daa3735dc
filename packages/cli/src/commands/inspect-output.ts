/**
 * How `banksocket inspect` shows what it read: aligned tables for a person (a header line, then
 * "Ledgers", "Consumers", "Payments" and, with `--events`, the last events), or one JSON document
 * for scripts; and each followed event as a row of the events table or a JSON line. Money is the
 * exact decimal strings the fold made, never a float.
 *
 * @module
 */
import type { Style } from '../style.ts'
import type { ConsumerView, EventView, LedgerView, PaymentsView } from './inspect-read.ts'
import { type Column, columnWidths, renderTable, tableRow } from './inspect-table.ts'

/**
 * Everything `inspect` found, ready to print: the store as named, its head position, how many
 * events it holds and how many no codec knew, the ledgers, consumers and payments (`undefined`:
 * no payment recorded), and the last events when `--events` asked for them.
 *
 * @example
 * import type { Inspection } from './commands/inspect-output.ts'
 * const empty = (i: Inspection) => i.eventCount === 0
 */
export type Inspection = Readonly<{
  store: string
  head: number
  eventCount: number
  undecoded: number
  ledgers: ReadonlyArray<LedgerView>
  consumers: ReadonlyArray<ConsumerView>
  payments: PaymentsView | undefined
  events: ReadonlyArray<EventView> | undefined
}>

const INDENT = '  '

/** A missing amount with its sign always written (`+250.00`, `-100.00`): which way the money went. */
const signed = (amount: string): string => (amount.startsWith('-') ? amount : `+${amount}`)

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

const LEDGER_COLUMNS: ReadonlyArray<Column> = [
  { title: 'ACCOUNT', align: 'left' },
  { title: 'CURRENCY', align: 'left' },
  { title: 'BALANCE', align: 'right' },
  { title: 'MOVEMENTS', align: 'right' },
  { title: 'OPEN GAPS', align: 'right' },
  { title: 'MISSING', align: 'left' },
]

const ledgersSection = (ledgers: ReadonlyArray<LedgerView>): string => {
  if (ledgers.length === 0) return `${INDENT}no ledgers recorded\n`
  const rows = ledgers.map((l) => [
    l.accountId,
    l.currency,
    l.balance ?? '-',
    String(l.movements),
    String(l.openGaps.length),
    l.openGaps.length === 0 ? '-' : l.openGaps.map((g) => signed(g.missing)).join(', '),
  ])
  const notes = ledgers.flatMap((l) =>
    l.unobserved.map(
      (g) =>
        `${INDENT}account ${l.accountId} ${l.currency}: ${g.from} -> ${g.to} (net ${signed(g.missing)}) is what the webhook's filter does not send\n`,
    ),
  )
  return renderTable(LEDGER_COLUMNS, rows, INDENT) + notes.join('')
}

const CONSUMER_COLUMNS: ReadonlyArray<Column> = [
  { title: 'NAME', align: 'left' },
  { title: 'CHECKPOINT', align: 'right' },
  { title: 'LAG', align: 'right' },
  { title: 'FAILED', align: 'right' },
]

const consumersSection = (consumers: ReadonlyArray<ConsumerView>): string => {
  if (consumers.length === 0) return `${INDENT}no consumers (no checkpoint saved, no failure recorded)\n`
  const rows = consumers.map((c) => [
    c.name,
    c.checkpoint === null ? '-' : String(c.checkpoint),
    c.lag === null ? '-' : String(c.lag),
    String(c.failed),
  ])
  return renderTable(CONSUMER_COLUMNS, rows, INDENT)
}

const STATUS_WORDS = [
  ['expected', 'expected'],
  ['partially_paid', 'partially paid'],
  ['settled', 'settled'],
  ['overpaid', 'overpaid'],
  ['cancelled', 'cancelled'],
  ['expired', 'expired'],
] as const

const OPEN_COLUMNS: ReadonlyArray<Column> = [
  { title: 'ID', align: 'left' },
  { title: 'REFERENCE', align: 'left' },
  { title: 'STATUS', align: 'left' },
  { title: 'AMOUNT', align: 'right' },
  { title: 'PAID', align: 'right' },
  { title: 'DUE', align: 'right' },
  { title: 'CURRENCY', align: 'left' },
]

const REVIEW_COLUMNS: ReadonlyArray<Column> = [
  { title: 'CREDIT', align: 'left' },
  { title: 'AMOUNT', align: 'right' },
  { title: 'CURRENCY', align: 'left' },
  { title: 'ACCOUNT', align: 'left' },
  { title: 'REASON', align: 'left' },
  { title: 'DESCRIPTION', align: 'left' },
]

/** The first 12 characters of an idempotency key: enough to find it, short enough for a table. */
const shortKey = (key: string): string => (key.length > 13 ? `${key.slice(0, 12)}…` : key)

const paymentsSection = (payments: PaymentsView | undefined): string => {
  if (payments === undefined) return `${INDENT}no payments recorded\n`
  const total = Object.values(payments.statuses).reduce((a, b) => a + b, 0)
  const counts = STATUS_WORDS.filter(([status]) => payments.statuses[status] > 0).map(([status, word]) => `${payments.statuses[status]} ${word}`)
  const lines = [`${INDENT}${plural(total, 'expected payment')}${counts.length === 0 ? '' : `: ${counts.join(', ')}`}\n`]
  const open = [...payments.expected, ...payments.partiallyPaid]
  if (open.length > 0) {
    const rows = open.map((e) => [e.id, e.reference, e.status === 'expected' ? 'expected' : 'partially paid', e.amount, e.paid, e.due, e.currency])
    lines.push(renderTable(OPEN_COLUMNS, rows, INDENT))
  }
  if (payments.toReview.length === 0) {
    lines.push(`${INDENT}no credits waiting for review\n`)
  } else {
    lines.push(`${INDENT}${plural(payments.toReview.length, 'credit')} waiting for review:\n`)
    const rows = payments.toReview.map((c) => [
      shortKey(c.credit),
      c.amount,
      c.currency,
      c.accountId,
      c.candidates.length === 0 ? c.reason : `${c.reason}: ${c.candidates.join(', ')}`,
      c.description,
    ])
    lines.push(renderTable(REVIEW_COLUMNS, rows, INDENT))
  }
  return lines.join('')
}

/**
 * The columns of the events table and of followed events: position, stream, type and a one-line
 * summary. Their least widths keep followed events in columns when no table came before them.
 *
 * @example
 * EVENT_COLUMNS.map((c) => c.title) // ['POSITION', 'STREAM', 'TYPE', 'SUMMARY']
 */
const EVENT_COLUMNS: ReadonlyArray<Column> = [
  { title: 'POSITION', align: 'right' },
  { title: 'STREAM', align: 'left', minWidth: 16 },
  { title: 'TYPE', align: 'left', minWidth: 19 },
  { title: 'SUMMARY', align: 'left' },
]

/** The longest stream name a row shows whole: a credit's stream (`credit-` and a 64-digit key) is cut, with `…`. */
const STREAM_WIDTH = 28

const shortStream = (stream: string): string => {
  const points = [...stream]
  return points.length > STREAM_WIDTH ? `${points.slice(0, STREAM_WIDTH - 1).join('')}…` : stream
}

const eventCells = (e: EventView): ReadonlyArray<string> => [String(e.position), shortStream(e.stream), e.type, e.text]

/**
 * Lays out followed events in the columns of the events table printed before them (`shown`), so
 * that every row lines up with it: `header` is the titles' line, `row` one event's line.
 *
 * @example
 * import { eventRows } from './commands/inspect-output.ts'
 * const rows = eventRows(inspection.events ?? [])
 * io.stdout.write(`${rows.header}\n`)
 * io.stdout.write(`${rows.row(view)}\n`)
 */
export const eventRows = (shown: ReadonlyArray<EventView>): Readonly<{ header: string; row: (event: EventView) => string }> => {
  const widths = columnWidths(EVENT_COLUMNS, shown.map(eventCells))
  return {
    header: tableRow(
      EVENT_COLUMNS,
      widths,
      EVENT_COLUMNS.map((c) => c.title),
      INDENT,
    ),
    row: (event) => tableRow(EVENT_COLUMNS, widths, eventCells(event), INDENT),
  }
}

/**
 * The tables of an inspection, for a person: the header line, then each section under its bold
 * title (bold only on a terminal).
 *
 * @example
 * import { renderTables } from './commands/inspect-output.ts'
 * io.stdout.write(renderTables(inspection, style))
 */
export const renderTables = (inspection: Inspection, style: Style): string => {
  const undecoded = inspection.undecoded === 0 ? '' : `, ${inspection.undecoded} not decoded (no codec of this version knows their type)`
  const parts = [
    `Store ${inspection.store}: head position ${inspection.head}, ${plural(inspection.eventCount, 'event')}${undecoded}\n`,
    `\n${style.bold('Ledgers')}\n${ledgersSection(inspection.ledgers)}`,
    `\n${style.bold('Consumers')}\n${consumersSection(inspection.consumers)}`,
    `\n${style.bold('Payments')}\n${paymentsSection(inspection.payments)}`,
  ]
  const { events } = inspection
  if (events !== undefined) {
    const title = `Last ${plural(events.length, 'event')}`
    if (events.length === 0) parts.push(`\n${style.bold(title)}\n${INDENT}none\n`)
    else {
      const rows = eventRows(events)
      parts.push(`\n${style.bold(title)}\n${rows.header}\n${events.map((e) => `${rows.row(e)}\n`).join('')}`)
    }
  }
  return parts.join('')
}

/**
 * One event as JSON: where it is, its type and its summary (exact decimal strings).
 *
 * @example
 * import { eventJson } from './commands/inspect-output.ts'
 * writeJsonLine(io.stdout, eventJson(view)) // {"position":9,"stream":"ledger-69-TRY","version":4,"type":"TransactionReceived","summary":{…}}
 */
export const eventJson = (event: EventView) => ({
  position: event.position,
  stream: event.stream,
  version: event.version,
  type: event.type,
  summary: event.summary,
})

const ledgerJson = (l: LedgerView) => ({
  accountId: l.accountId,
  currency: l.currency,
  balance: l.balance,
  movements: l.movements,
  credits: l.credits,
  debits: l.debits,
  suspectedReplays: l.suspectedReplays,
  openGaps: l.openGaps,
  ...(l.unobserved.length === 0 ? {} : { unobserved: l.unobserved.map((g) => ({ gapId: g.gapId, from: g.from, to: g.to, net: g.missing })) }),
})

/**
 * The inspection as one JSON document (`--json`): `store`, `head`, `eventCount`, `undecoded`,
 * `ledgers`, `consumers`, `payments` (`null` when none is recorded) and, with `--events`, `events`.
 * Amounts are exact decimal strings.
 *
 * @example
 * import { inspectionJson } from './commands/inspect-output.ts'
 * writeJsonLine(io.stdout, inspectionJson(inspection))
 */
export const inspectionJson = (inspection: Inspection) => ({
  store: inspection.store,
  head: inspection.head,
  eventCount: inspection.eventCount,
  undecoded: inspection.undecoded,
  ledgers: inspection.ledgers.map(ledgerJson),
  consumers: inspection.consumers,
  payments: inspection.payments ?? null,
  ...(inspection.events === undefined ? {} : { events: inspection.events.map(eventJson) }),
})
