/**
 * An inbox's options with their defaults, resolved once when the inbox is made: the one place a
 * default is given, for the in-process inbox and the shared-store inbox alike. Also the two small
 * services every inbox builds from its options: the `receivedAt` clock and the `onRecorded` hook.
 *
 * @module
 */
import { type BodyParser, createBodyParser } from './body.ts'
import type { WebhookEvent } from './codecs.ts'
import type { Decider } from './decider.ts'
import type { LedgerEvent } from './events.ts'
import type { InboxOptions, Recorded } from './inbox.ts'
import { type InboxMetrics, inboxMetrics } from './inbox-metrics.ts'
import { DEFAULT_DEDUPE_WINDOW, type LedgerCommand, type LedgerError, type LedgerState, ledgerDecider } from './ledger.ts'
import { DEFAULT_BODY_LIMIT, type ReceiveOptions, type VerifiedTransaction } from './receive.ts'

/**
 * The default time a handler may take: 10 seconds.
 *
 * @example
 * import { DEFAULT_HANDLER_TIMEOUT } from '@banksocket-webhooks/core/runtime-kit'
 * DEFAULT_HANDLER_TIMEOUT // 10000
 */
export const DEFAULT_HANDLER_TIMEOUT = 10_000

/**
 * Tells the `onRecorded` option what one delivery recorded: the ledger's stream, the events
 * recorded (the last one at `version`) and the transaction.
 */
type RecordedHook = (stream: string, events: ReadonlyArray<LedgerEvent>, version: number, transaction: VerifiedTransaction) => void

/**
 * What an inbox runs with: its options, every default applied.
 *
 * @internal
 * @example
 * const settings: InboxSettings = settingsOf({ secrets: ['s3cr3t'] })
 * settings.handlerTimeout // 10000
 */
export type InboxSettings = Readonly<{
  /** The secrets and the hasher, as verification takes them. */
  verifying: ReceiveOptions
  /** Largest accepted body in bytes. */
  limit: number
  /** Milliseconds a dispatch may take. */
  handlerTimeout: number
  /** Milliseconds between writes of the duplicates counted in this process; `undefined`: each counted by its own write. */
  duplicateCountInterval: number | undefined
  /** Idempotency keys remembered exactly (the in-process inbox's key space). */
  dedupeWindow: number
  /** The webhook's event filter. */
  filter: WebhookEvent
  /** `receivedAt` of the next event, as an ISO 8601 string. */
  receivedAt: () => string
  /** The ledger decider, for the filter. */
  decider: Decider<LedgerCommand, LedgerEvent, LedgerState, LedgerError>
  /** The `onRecorded` option as the inbox calls it; `undefined` without one. */
  recorded: RecordedHook | undefined
  /** The inbox's own body parser, with the memory it keeps from body to body. */
  parseBody: BodyParser
  /** The metrics, on the `meter` option; no-ops without one. */
  metrics: InboxMetrics
}>

/** `receivedAt`: from the `now` option, or the system clock, formatted once per millisecond. */
const clockOf = (now: (() => Date) | undefined): (() => string) => {
  let lastMs = Number.NaN
  let lastIso = ''
  return () => {
    if (now !== undefined) return now().toISOString()
    const ms = Date.now()
    if (ms !== lastMs) {
      lastMs = ms
      lastIso = new Date(ms).toISOString()
    }
    return lastIso
  }
}

/**
 * The `onRecorded` hook as the inbox calls it: each event with its version (the last one's is
 * `version`), a throw ignored; nothing at all when there is no hook.
 */
const recordedHook = (onRecorded: ((recorded: Recorded) => void) | undefined): RecordedHook | undefined =>
  onRecorded === undefined
    ? undefined
    : (stream, events, version, transaction) => {
        const first = version - events.length
        try {
          onRecorded({
            outcome: events[0]?.type === 'SuspectedReplay' ? 'suspected_replay' : 'accepted',
            stream,
            events: events.map((event, i) => ({ stream, version: first + i + 1, event })),
            transaction,
          })
        } catch {
          // the events are stored: a failing hook cannot undo that
        }
      }

/** The `duplicateCountInterval` option, checked: a positive number of milliseconds, or `undefined`. */
const intervalOf = (ms: number | undefined): number | undefined => {
  if (ms === undefined) return undefined
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new TypeError(`duplicateCountInterval must be a positive number of milliseconds, got ${String(ms)}`)
  }
  return ms
}

/**
 * An inbox's options with every default applied (see each option in `InboxOptions`).
 *
 * @internal
 * @example
 * settingsOf({ secrets: ['s3cr3t'], filter: 'NEW_CREDIT' }).limit // 65536
 */
export const settingsOf = (options: InboxOptions): InboxSettings => {
  const filter = options.filter ?? 'NEW_TRANSACTION'
  return {
    verifying: options,
    limit: options.limit ?? DEFAULT_BODY_LIMIT,
    handlerTimeout: options.handlerTimeout ?? DEFAULT_HANDLER_TIMEOUT,
    duplicateCountInterval: intervalOf(options.duplicateCountInterval),
    dedupeWindow: options.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW,
    filter,
    receivedAt: clockOf(options.now),
    decider: ledgerDecider({ filter }),
    recorded: recordedHook(options.onRecorded),
    parseBody: createBodyParser(),
    metrics: inboxMetrics(options.meter),
  }
}
