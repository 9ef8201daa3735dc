/**
 * What `banksocket inspect` makes of a store's events, without I/O: each event decoded by its type
 * with the codec of its family (a ledger's, a consumer's record, payments', a subscription's), the
 * ledgers, the consumers' failures and the payments folded from them, and short descriptions of
 * events for `--events` and `--follow`. The store is opened without a codec, so that an event no
 * codec knows (written by a newer version, or by an application into the same store) is counted and
 * described by its `type`, never a reason to fail (docs/architecture.md, "Consumers").
 *
 * The fold holds bounded memory whatever the store's size: each ledger is folded event by event
 * with core's ledger decider (the fold `summarizeLedgers` makes, without keeping the history),
 * consumers' failures are counts, and only the payment and credit events are kept, for payments'
 * `summarizePayments`.
 *
 * @module
 */
import { type ConsumerEvent, ConsumerEvent as ConsumerEventCodec } from '@banksocket-webhooks/consumers'
import {
  formatMoney,
  type LedgerEvent,
  LedgerEvent as LedgerEventCodec,
  type LedgerState,
  ledgerDecider,
  type StoredEvent,
  type StreamEvent,
  type SubscriptionEvent,
  SubscriptionEvent as SubscriptionEventCodec,
} from '@banksocket-webhooks/core'
import { gapsOf, headOf } from '@banksocket-webhooks/core/chain'
import {
  type ExpectationStatus,
  type PaymentsEvent,
  PaymentsEvent as PaymentsEventCodec,
  summarizePayments,
  type UnmatchedReason,
} from '@banksocket-webhooks/payments'
import * as E from 'fp-ts/lib/Either.js'

/**
 * An event decoded by the codec of its family, or, when no codec knows its `type` (or its data does
 * not fit the codec of its type), the `type` it claims.
 *
 * @example
 * import { decodeEvent } from './commands/inspect-read.ts'
 * decodeEvent({ type: 'WebhookDeleted', data: { id: 7 } }) // { family: 'subscription', event: { type: 'WebhookDeleted', data: { id: 7 } } }
 * decodeEvent({ type: 'OrderShipped', data: {} }) // { family: undefined, type: 'OrderShipped' }
 */
export type Decoded =
  | Readonly<{ family: 'ledger'; event: LedgerEvent }>
  | Readonly<{ family: 'consumer'; event: ConsumerEvent }>
  | Readonly<{ family: 'payments'; event: PaymentsEvent }>
  | Readonly<{ family: 'subscription'; event: SubscriptionEvent }>
  | Readonly<{ family: undefined; type: string | undefined }>

type Family = Exclude<Decoded['family'], undefined>

/** The names of a union's members: every event codec is named after the `type` it holds (`t.readonly(…, type)`). */
const typeNames = (codec: Readonly<{ types: ReadonlyArray<Readonly<{ name: string }>> }>): ReadonlyArray<string> =>
  codec.types.map((member) => member.name)

/** Each known event type, and the family whose codec decodes it. */
const FAMILY_OF: ReadonlyMap<string, Family> = new Map<string, Family>([
  ...typeNames(LedgerEventCodec).map((type) => [type, 'ledger'] as const),
  ...typeNames(ConsumerEventCodec).map((type) => [type, 'consumer'] as const),
  ...typeNames(PaymentsEventCodec).map((type) => [type, 'payments'] as const),
  ...typeNames(SubscriptionEventCodec).map((type) => [type, 'subscription'] as const),
])

const claimedType = (raw: unknown): string | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined
  const type = (raw as { type?: unknown }).type
  return typeof type === 'string' ? type : undefined
}

/**
 * Decodes one stored event (as `JSON.parse` gave it) with the codec of the family its `type`
 * belongs to.
 *
 * @example
 * import { decodeEvent } from './commands/inspect-read.ts'
 * decodeEvent(stored.event).family // 'ledger', 'consumer', 'payments', 'subscription' or undefined
 */
export const decodeEvent = (raw: unknown): Decoded => {
  const type = claimedType(raw)
  const unknown: Decoded = { family: undefined, type }
  switch (type === undefined ? undefined : FAMILY_OF.get(type)) {
    case 'ledger': {
      const decoded = LedgerEventCodec.decode(raw)
      return E.isRight(decoded) ? { family: 'ledger', event: decoded.right } : unknown
    }
    case 'consumer': {
      const decoded = ConsumerEventCodec.decode(raw)
      return E.isRight(decoded) ? { family: 'consumer', event: decoded.right } : unknown
    }
    case 'payments': {
      const decoded = PaymentsEventCodec.decode(raw)
      return E.isRight(decoded) ? { family: 'payments', event: decoded.right } : unknown
    }
    case 'subscription': {
      const decoded = SubscriptionEventCodec.decode(raw)
      return E.isRight(decoded) ? { family: 'subscription', event: decoded.right } : unknown
    }
    case undefined:
      return unknown
  }
}

/**
 * A gap as `inspect` shows it: exact decimal strings; `missing` is `to - from` (negative: money out
 * never notified). An unobserved stretch (a filtered webhook's unseen direction) has the same
 * fields, `missing` named `net` in its JSON as in listen's `stopped` line.
 *
 * @example
 * const gap: GapView = { gapId: 1, from: '18100.00', to: '18000.00', missing: '-100.00' }
 */
type GapView = Readonly<{ gapId: number; from: string; to: string; missing: string }>

/**
 * One ledger as `inspect` shows it: the balance at the head of its chain (`null` before any
 * movement), movements recorded, credit and debit totals, suspected replays held back, and its
 * open gaps and unobserved stretches, in exact decimal strings.
 *
 * @example
 * import type { LedgerView } from './commands/inspect-read.ts'
 * const missing = (l: LedgerView) => l.openGaps.map((g) => g.missing) // ['-100.00']
 */
export type LedgerView = Readonly<{
  accountId: string
  currency: string
  balance: string | null
  movements: number
  credits: string
  debits: string
  suspectedReplays: number
  openGaps: ReadonlyArray<GapView>
  unobserved: ReadonlyArray<GapView>
}>

/**
 * A consumer as `inspect` shows it: its saved checkpoint (`null`: none saved, a consumer known only
 * by its failures), its lag (the events of the store after its checkpoint) and the events it gave
 * up on (dead letters: its `ConsumerFailed`/`ForwardFailed` records in the store and, for a file
 * log, the lines of its `.failed.jsonl` file).
 *
 * @example
 * import type { ConsumerView } from './commands/inspect-read.ts'
 * const behind = (c: ConsumerView) => (c.lag ?? 0) > 0
 */
export type ConsumerView = Readonly<{ name: string; checkpoint: number | null; lag: number | null; failed: number }>

/**
 * An expected payment still waiting for (the rest of) its money: `due` is what remains.
 *
 * @example
 * const open: OpenPaymentView = { id: 'order-1002', reference: 'SİP1002', status: 'partially_paid', amount: '750.00', paid: '500.00', due: '250.00', currency: 'TRY', accountId: null, expiresAt: null }
 */
type OpenPaymentView = Readonly<{
  id: string
  reference: string
  status: 'expected' | 'partially_paid'
  amount: string
  paid: string
  due: string
  currency: string
  accountId: string | null
  expiresAt: string | null
}>

/**
 * A credit waiting for review: unmatched (with why) or ambiguous (with the payments it names).
 *
 * @example
 * const review: ReviewCreditView = { credit: '3f…', amount: '320.00', currency: 'TRY', description: 'kira ödemesi', accountId: '69', reason: 'no_reference', candidates: [] }
 */
type ReviewCreditView = Readonly<{
  credit: string
  amount: string
  currency: string
  description: string
  accountId: string
  reason: UnmatchedReason | 'ambiguous'
  candidates: ReadonlyArray<string>
}>

/**
 * Payments as `inspect` shows them: how many expected payments stand in each status, those still
 * expecting money (expected, partially paid), and the credits waiting for review.
 *
 * @example
 * import type { PaymentsView } from './commands/inspect-read.ts'
 * const due = (p: PaymentsView) => p.partiallyPaid.map((e) => `${e.id}: ${e.due} ${e.currency}`)
 */
export type PaymentsView = Readonly<{
  statuses: Readonly<Record<ExpectationStatus, number>>
  expected: ReadonlyArray<OpenPaymentView>
  partiallyPaid: ReadonlyArray<OpenPaymentView>
  toReview: ReadonlyArray<ReviewCreditView>
}>

/**
 * One event as `--events` and `--follow` show it: where it is, its type, a few exact fields
 * (`summary`: amount and balance of a movement, from, to and missing of a gap, …) and one line of
 * text saying the same for a person.
 *
 * @example
 * import type { EventView } from './commands/inspect-read.ts'
 * const line = (e: EventView) => `${e.position} ${e.stream} ${e.type} ${e.text}`
 */
export type EventView = Readonly<{
  position: number
  stream: string
  version: number
  type: string
  summary: Readonly<Record<string, string | number | boolean | null | ReadonlyArray<string>>>
  text: string
}>

const signed = (dc: string, amount: string): string => `${dc === 'Debit' ? '-' : '+'}${amount}`

/** A missing amount with its sign always written (`+250.00`, `-100.00`): which way the money went. */
const withSign = (amount: string): string => (amount.startsWith('-') ? amount : `+${amount}`)

const describeLedger = (event: LedgerEvent): Pick<EventView, 'summary' | 'text'> => {
  switch (event.type) {
    case 'TransactionReceived':
    case 'SuspectedReplay': {
      const { verified, unverified } = event.data
      const repeat = event.type === 'TransactionReceived' && event.data.repeat === true
      const movement = `${verified.dc} ${signed(verified.dc, verified.amount)} ${verified.currency}, balance ${verified.balance}`
      return {
        summary: {
          accountId: unverified.account_id,
          dc: verified.dc,
          amount: verified.amount,
          balance: verified.balance,
          currency: verified.currency,
          ...(repeat ? { repeat: true } : {}),
        },
        text: event.type === 'SuspectedReplay' ? `suspected replay, held back: ${movement}` : `${movement}${repeat ? ' (a genuine repeat)' : ''}`,
      }
    }
    case 'BalanceGapDetected':
    case 'BalanceGapNarrowed':
    case 'BalanceGapClosed': {
      const { gapId, from, to, missing, currency } = event.data
      const what = event.type === 'BalanceGapDetected' ? 'opened' : event.type === 'BalanceGapNarrowed' ? 'narrowed' : 'closed'
      const rest = event.type === 'BalanceGapClosed' ? `${withSign(missing)} ${currency} filled` : `missing ${withSign(missing)} ${currency}`
      return { summary: { gapId, from, to, missing, currency }, text: `gap ${gapId} ${what}: ${from} -> ${to}, ${rest}` }
    }
    case 'UnobservedMovements': {
      const { gapId, from, to, net, currency, filter } = event.data
      return {
        summary: { gapId, from, to, net, currency, filter },
        text: `unobserved by a ${filter} webhook: ${from} -> ${to}, net ${withSign(net)} ${currency}`,
      }
    }
    case 'DuplicateIgnored':
      return { summary: { idempotencyKey: event.data.idempotencyKey }, text: `duplicate of ${event.data.idempotencyKey.slice(0, 12)}…` }
  }
}

const describeConsumer = (event: ConsumerEvent): Pick<EventView, 'summary' | 'text'> => {
  const { consumer, position, stream, eventType, attempts, error } = event.data
  return {
    summary: { consumer, position, stream, eventType, attempts, error },
    text: `${consumer} gave up on position ${position} (${stream}, ${eventType}) after ${attempts} attempts: ${error}`,
  }
}

const describePayments = (event: PaymentsEvent): Pick<EventView, 'summary' | 'text'> => {
  switch (event.type) {
    case 'PaymentExpected': {
      const { id, reference, amount, currency } = event.data
      return { summary: { id, reference, amount, currency }, text: `${id} expects ${amount} ${currency}, reference ${reference}` }
    }
    case 'PaymentPartiallyPaid': {
      const { id, amount, paid, remaining, currency } = event.data
      return { summary: { id, amount, paid, remaining, currency }, text: `${id}: +${amount} ${currency}, paid ${paid}, ${remaining} still due` }
    }
    case 'PaymentSettled': {
      const { id, amount, paid, currency } = event.data
      return { summary: { id, amount, paid, currency }, text: `${id}: +${amount} ${currency}, settled (paid ${paid})` }
    }
    case 'PaymentOverpaid': {
      const { id, amount, paid, excess, currency } = event.data
      return { summary: { id, amount, paid, excess, currency }, text: `${id}: +${amount} ${currency}, overpaid by ${excess} (paid ${paid})` }
    }
    case 'PaymentExpired':
    case 'PaymentCancelled': {
      const { id, paid, currency } = event.data
      const what = event.type === 'PaymentExpired' ? 'expired' : 'cancelled'
      return { summary: { id, paid, currency }, text: `${id} ${what} (paid ${paid} ${currency})` }
    }
    case 'CreditMatched': {
      const { credit, amount, currency, expectation } = event.data
      return { summary: { credit, amount, currency, expectation }, text: `credit ${amount} ${currency} goes to ${expectation}` }
    }
    case 'CreditUnmatched': {
      const { credit, amount, currency, reason, description } = event.data
      return {
        summary: { credit, amount, currency, reason },
        text: `credit ${amount} ${currency} unmatched (${reason}), kept for review: ${description}`,
      }
    }
    case 'CreditAmbiguous': {
      const { credit, amount, currency, candidates } = event.data
      return {
        summary: { credit, amount, currency, candidates },
        text: `credit ${amount} ${currency} ambiguous, kept for review: ${candidates.join(', ')}`,
      }
    }
    case 'CreditAssigned': {
      const { credit, expectation } = event.data
      return { summary: { credit, expectation }, text: `credit ${credit.slice(0, 12)}… assigned to ${expectation}` }
    }
  }
}

const describeSubscription = (event: SubscriptionEvent): Pick<EventView, 'summary' | 'text'> =>
  event.type === 'WebhookCreated'
    ? {
        summary: { webhookId: event.data.webhook.id, event: event.data.spec.event, endpoint: event.data.webhook.endpoint },
        text: `webhook ${event.data.webhook.id} created: ${event.data.spec.event} -> ${event.data.webhook.endpoint}`,
      }
    : { summary: { webhookId: event.data.id }, text: `webhook ${event.data.id} deleted` }

/**
 * The view of one stored event, decoded or not.
 *
 * @example
 * import { decodeEvent, describeEvent } from './commands/inspect-read.ts'
 * describeEvent(stored, decodeEvent(stored.event)).text // 'Credit +100.00 TRY, balance 18100.00'
 */
export const describeEvent = (stored: StoredEvent<unknown>, decoded: Decoded): EventView => {
  const where = { position: stored.position, stream: stored.stream, version: stored.version }
  switch (decoded.family) {
    case 'ledger':
      return { ...where, type: decoded.event.type, ...describeLedger(decoded.event) }
    case 'consumer':
      return { ...where, type: decoded.event.type, ...describeConsumer(decoded.event) }
    case 'payments':
      return { ...where, type: decoded.event.type, ...describePayments(decoded.event) }
    case 'subscription':
      return { ...where, type: decoded.event.type, ...describeSubscription(decoded.event) }
    case undefined:
      return { ...where, type: decoded.type ?? '(no type)', summary: {}, text: 'not decoded: no codec of this version knows it' }
  }
}

const LEDGER_PREFIX = 'ledger-'
const CONSUMER_PREFIX = 'consumer-'

/** A ledger stream's account and currency (`ledger-<account_id>-<currency>`: the currency has no `-`). */
const ledgerOwner = (stream: string): Readonly<{ accountId: string; currency: string }> => {
  const dash = stream.lastIndexOf('-')
  return dash < LEDGER_PREFIX.length
    ? { accountId: stream.slice(LEDGER_PREFIX.length), currency: '' }
    : { accountId: stream.slice(LEDGER_PREFIX.length, dash), currency: stream.slice(dash + 1) }
}

type Ledger = { state: LedgerState; unobserved: Set<number> }

const ledgerView = (stream: string, { state, unobserved }: Ledger): LedgerView => {
  const owner = ledgerOwner(stream)
  const currency = state.currency ?? owner.currency
  const money = (minor: bigint): string => formatMoney({ minor, currency })
  const gaps = gapsOf(state.chain).map((g) => ({ gapId: g.id, from: money(g.from), to: money(g.to), missing: money(g.to - g.from) }))
  const head = headOf(state.chain)
  return {
    accountId: state.accountId ?? owner.accountId,
    currency,
    balance: head === undefined ? null : money(head),
    movements: state.count,
    credits: money(state.credits),
    debits: money(state.debits),
    suspectedReplays: state.suspectedReplays,
    openGaps: gaps.filter((g) => !unobserved.has(g.gapId)),
    unobserved: gaps.filter((g) => unobserved.has(g.gapId)),
  }
}

const byAccount = (a: LedgerView, b: LedgerView): number =>
  a.accountId.localeCompare(b.accountId, 'en', { numeric: true }) || a.currency.localeCompare(b.currency, 'en')

const paymentsView = (events: ReadonlyArray<StreamEvent<PaymentsEvent>>): PaymentsView => {
  const summary = summarizePayments(events)
  const statuses: Record<ExpectationStatus, number> = { expected: 0, partially_paid: 0, settled: 0, overpaid: 0, cancelled: 0, expired: 0 }
  const open: OpenPaymentView[] = []
  for (const e of summary.expectations.values()) {
    statuses[e.status]++
    if (e.status !== 'expected' && e.status !== 'partially_paid') continue
    open.push({
      id: e.id,
      reference: e.reference,
      status: e.status,
      amount: formatMoney(e.amount),
      paid: formatMoney(e.paid),
      due: formatMoney(e.remaining),
      currency: e.amount.currency,
      accountId: e.accountId,
      expiresAt: e.expiresAt,
    })
  }
  const toReview: ReviewCreditView[] = []
  for (const { credit, route } of summary.credits.values()) {
    if (route._tag === 'Matched') continue
    toReview.push({
      credit: credit.key,
      amount: formatMoney(credit.amount),
      currency: credit.amount.currency,
      description: credit.description,
      accountId: credit.accountId,
      reason: route._tag === 'Ambiguous' ? 'ambiguous' : route.reason,
      candidates: route.candidates,
    })
  }
  return {
    statuses,
    expected: open.filter((e) => e.status === 'expected'),
    partiallyPaid: open.filter((e) => e.status === 'partially_paid'),
    toReview,
  }
}

/** The ring of the last events (slot `(n - 1) % size` holds the n-th of `count`), oldest first. */
const oldestFirst = <A>(ring: ReadonlyArray<A>, count: number): ReadonlyArray<A> => {
  const start = count > ring.length ? count % ring.length : 0
  return [...ring.slice(start), ...ring.slice(0, start)]
}

/**
 * What a fold of a store's events found: how many events, the last one's position, how many no
 * codec knew, each ledger (by account, then currency), each consumer's records of failure in the
 * store, payments (`undefined`: the store holds no payment or credit stream), the last events
 * asked for, and how many events the feed held up to each position asked about (for lags).
 *
 * @example
 * import type { Folded } from './commands/inspect-read.ts'
 * const header = (f: Folded) => `head ${f.last}, ${f.count} events`
 */
export type Folded = Readonly<{
  count: number
  last: number
  undecoded: number
  ledgers: ReadonlyArray<LedgerView>
  failures: ReadonlyMap<string, number>
  payments: PaymentsView | undefined
  recent: ReadonlyArray<EventView>
  /** For each position of `positions` met, the number of events up to and including it. */
  ordinals: ReadonlyMap<number, number>
}>

/**
 * A fold of a store's events in feed order: `add` each event read, `result` at the end. `recent`
 * is how many of the last events to keep for `--events` (0: none); `positions` are the positions
 * whose ordinal in the feed is wanted (the consumers' checkpoints).
 *
 * @example
 * import { createFold } from './commands/inspect-read.ts'
 * const fold = createFold({ recent: 3, positions: new Set([7]) })
 * for (const stored of page) fold.add(stored)
 * fold.result().ledgers // [{ accountId: '69', currency: 'TRY', balance: '18060.00', ... }]
 */
export const createFold = (options: Readonly<{ recent: number; positions: ReadonlySet<number> }>) => {
  const decider = ledgerDecider()
  const ledgers = new Map<string, Ledger>()
  const failures = new Map<string, number>()
  const payments: StreamEvent<PaymentsEvent>[] = []
  const recent: Array<Readonly<{ stored: StoredEvent<unknown>; decoded: Decoded }>> = []
  const ordinals = new Map<number, number>()
  let count = 0
  let last = 0
  let undecoded = 0
  return {
    add: (stored: StoredEvent<unknown>): void => {
      count++
      last = stored.position
      if (options.positions.has(stored.position)) ordinals.set(stored.position, count)
      const decoded = decodeEvent(stored.event)
      // A ring of the last `recent` events: slot `count % recent`.
      if (options.recent > 0) recent[(count - 1) % options.recent] = { stored, decoded }
      const { stream } = stored
      switch (decoded.family) {
        case 'ledger': {
          if (!stream.startsWith(LEDGER_PREFIX)) break
          let ledger = ledgers.get(stream)
          if (ledger === undefined) {
            ledger = { state: decider.initialState, unobserved: new Set() }
            ledgers.set(stream, ledger)
          }
          ledger.state = decider.evolve(ledger.state, decoded.event)
          if (decoded.event.type === 'UnobservedMovements') ledger.unobserved.add(decoded.event.data.gapId)
          break
        }
        case 'consumer':
          if (stream.startsWith(CONSUMER_PREFIX)) {
            const name = stream.slice(CONSUMER_PREFIX.length)
            failures.set(name, (failures.get(name) ?? 0) + 1)
          }
          break
        case 'payments':
          payments.push({ stream, version: stored.version, event: decoded.event })
          break
        case 'subscription':
          break
        case undefined:
          undecoded++
          break
      }
    },
    result: (): Folded => ({
      count,
      last,
      undecoded,
      ledgers: [...ledgers].map(([stream, ledger]) => ledgerView(stream, ledger)).sort(byAccount),
      failures,
      payments: payments.length === 0 ? undefined : paymentsView(payments),
      recent: oldestFirst(recent, count).map(({ stored, decoded }) => describeEvent(stored, decoded)),
      ordinals,
    }),
  }
}

/**
 * Every consumer the store knows of: those with a saved checkpoint and those with failures only
 * (in the store, or in a failure file beside a file log), by name. A consumer's lag is the number
 * of events read after its checkpoint (for a file log, whose positions are the events' numbers,
 * that is the head's position minus the checkpoint's); a checkpoint the read did not meet (saved
 * after it began) lags `head - checkpoint`, never below 0.
 *
 * @example
 * import { consumerViews } from './commands/inspect-read.ts'
 * consumerViews(new Map([['forward', 7]]), new Map(), folded) // [{ name: 'forward', checkpoint: 7, lag: 0, failed: 0 }]
 */
export const consumerViews = (
  checkpoints: ReadonlyMap<string, number>,
  failureFiles: ReadonlyMap<string, number>,
  folded: Pick<Folded, 'count' | 'last' | 'failures' | 'ordinals'>,
): ReadonlyArray<ConsumerView> => {
  const names = [...new Set([...checkpoints.keys(), ...folded.failures.keys(), ...failureFiles.keys()])].sort()
  return names.map((name) => {
    const checkpoint = checkpoints.get(name)
    const failed = (folded.failures.get(name) ?? 0) + (failureFiles.get(name) ?? 0)
    if (checkpoint === undefined) return { name, checkpoint: null, lag: null, failed }
    const ordinal = checkpoint === 0 ? 0 : folded.ordinals.get(checkpoint)
    const lag = ordinal === undefined ? Math.max(0, folded.last - checkpoint) : folded.count - ordinal
    return { name, checkpoint, lag, failed }
  })
}
