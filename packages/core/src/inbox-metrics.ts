/**
 * The metrics of an inbox and of the receiver around it, made once per meter (see `telemetry.ts`
 * for the {@link MeterLike} they are made with). OpenTelemetry names; where a semantic convention
 * exists it is followed:
 *
 * | name | kind | unit | attributes |
 * |---|---|---|---|
 * | `http.server.request.duration` | histogram | `s` | `http.request.method`, `http.response.status_code` |
 * | `banksocket.notifications` | counter | `{notification}` | `outcome` (`ok`, `duplicate`, `rejected`, `suspected_replay`, `failed`), `reason` (rejected, failed) |
 * | `banksocket.gaps.open` | observable gauge | `{gap}` | none |
 * | `banksocket.gaps.opened`, `banksocket.gaps.closed` | counter | `{gap}` | none |
 * | `banksocket.store.append.duration` | histogram | `s` | `result` (`ok`, `conflict`, `failed`) |
 *
 * Without a meter, or with one that does nothing (the API's while no SDK is registered), every
 * method is a no-op, no clock is read and nothing is allocated per delivery. With one, every
 * attribute set is made once (per outcome, reason, result, method and status), never per delivery,
 * and a meter that throws is ignored: measuring never fails a delivery.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { WebhookEvent } from './codecs.ts'
import type { LedgerEvent } from './events.ts'
import type { Outcome } from './inbox.ts'
import { isUnobserved } from './ledger.ts'
import type { Rejection } from './rejection.ts'
import {
  type CounterLike,
  elapsedSeconds,
  type HistogramLike,
  type MeterLike,
  type MetricAttributes,
  monotonicNow,
  type ObservationLike,
  perMeter,
} from './telemetry.ts'

/**
 * What an inbox's store write came to: written, refused because another writer was first (a
 * version or key conflict), or failed.
 *
 * @example
 * import type { StoreWriteResult } from '@banksocket-webhooks/core/runtime-kit'
 * const result: StoreWriteResult = 'conflict'
 */
export type StoreWriteResult = 'ok' | 'conflict' | 'failed'

/**
 * The number of open gaps an inbox has now, as the `banksocket.gaps.open` gauge asks it at each
 * collection; `undefined` when it cannot tell (its store failed): nothing is observed then.
 */
type GapCount = () => Promise<number | undefined>

/**
 * The metrics of the inboxes and receivers on one meter (see the module's table), or the no-op ones
 * without a meter ({@link inboxMetrics}).
 *
 * @example
 * import { inboxMetrics, type InboxMetrics } from '@banksocket-webhooks/core/runtime-kit'
 * const metrics: InboxMetrics = inboxMetrics(undefined) // no meter: every method does nothing
 * metrics.enabled // false
 */
export type InboxMetrics = Readonly<{
  /** Whether anything is measured: `false` without a meter or with one that does nothing (then no clock is read either). */
  enabled: boolean
  /** The start of a duration: the monotonic clock, or `0` without a meter. */
  now: () => number
  /**
   * Counts what a delivery came to (`banksocket.notifications`) and, for an accepted one, the gaps
   * its stored events opened and closed (a closing the webhook's `filter` explains is no gap's).
   */
  delivered: (outcome: Outcome, filter: WebhookEvent) => void
  /** Counts a notification refused before the inbox had it (a body the receiver could not read whole). */
  refused: (rejection: Rejection) => void
  /** Counts a notification the receiver failed on before the inbox had it (`failed`, `internal_error`). */
  failed: () => void
  /**
   * Times a store write started at `start` (`banksocket.store.append.duration`) and answers it
   * unchanged: a `Left` whose `_tag` is `VersionConflict` or `KeyConflict` is a `conflict`, any
   * other `Left` or a rejection `failed`.
   */
  timeWrite: <L extends Readonly<{ _tag: string }>, A>(start: number, writing: Promise<E.Either<L, A>>) => Promise<E.Either<L, A>>
  /** Records an HTTP request answered with `status`, started at `start` (`http.server.request.duration`). */
  answered: (method: string | undefined, status: number, start: number) => void
  /**
   * Adds `count`, the open gaps of one inbox, to the `banksocket.gaps.open` gauge for as long as
   * `owner` (the inbox) is alive: the gauge holds it weakly and forgets it once it is collected.
   * The gauge observes the sum over the inboxes on the meter, or nothing when one cannot tell.
   */
  watchGaps: (owner: object, count: () => Promise<number | undefined>) => void
}>

const attributes = (record: Record<string, string>): MetricAttributes => Object.freeze(record)

/** `banksocket.notifications` attributes per outcome (rejections apart: by their reason). */
const OUTCOMES: Readonly<Record<Exclude<Outcome['_tag'], 'rejected'>, MetricAttributes>> = {
  accepted: attributes({ outcome: 'ok' }),
  duplicate: attributes({ outcome: 'duplicate' }),
  suspected_replay: attributes({ outcome: 'suspected_replay' }),
  handler_failed: attributes({ outcome: 'failed', reason: 'handler_failed' }),
  store_failed: attributes({ outcome: 'failed', reason: 'store_failed' }),
  internal_error: attributes({ outcome: 'failed', reason: 'internal_error' }),
}

/** `banksocket.notifications` attributes per rejection: the error code the receiver answers. */
const REJECTIONS: Readonly<Record<Rejection['_tag'], MetricAttributes>> = {
  unsupported_media_type: attributes({ outcome: 'rejected', reason: 'unsupported_media_type' }),
  invalid_payload: attributes({ outcome: 'rejected', reason: 'invalid_payload' }),
  invalid_hash: attributes({ outcome: 'rejected', reason: 'invalid_hash' }),
  too_large: attributes({ outcome: 'rejected', reason: 'too_large' }),
}

const WRITES: Readonly<Record<StoreWriteResult, MetricAttributes>> = {
  ok: attributes({ result: 'ok' }),
  conflict: attributes({ result: 'conflict' }),
  failed: attributes({ result: 'failed' }),
}

/** The request methods of the HTTP semantic conventions; any other is `_OTHER`, so that a client cannot grow the label set. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'])

/** `http.server.request.duration` attributes per method and status, made on first use (a few dozen at most). */
const requestAttributes = new Map<string, Map<number, MetricAttributes>>()

const requestAttributesOf = (method: string | undefined, status: number): MetricAttributes => {
  const known = typeof method === 'string' && KNOWN_METHODS.has(method) ? method : '_OTHER'
  let byStatus = requestAttributes.get(known)
  if (byStatus === undefined) {
    byStatus = new Map()
    requestAttributes.set(known, byStatus)
  }
  let made = byStatus.get(status)
  if (made === undefined) {
    made = Object.freeze({ 'http.request.method': known, 'http.response.status_code': status })
    byStatus.set(status, made)
  }
  return made
}

/** The bucket boundaries the HTTP semantic conventions advise for `http.server.request.duration`, in seconds. */
const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

/** The same boundaries for a store write, which is mostly shorter (an fsync, a transaction). */
const APPEND_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

const NOOP: InboxMetrics = Object.freeze({
  enabled: false,
  now: () => 0,
  delivered: () => {},
  refused: () => {},
  failed: () => {},
  timeWrite: (_start, writing) => writing,
  answered: () => {},
  watchGaps: () => {},
})

/** A weak reference where the runtime has `WeakRef`; a strong one where it has not (the gauge then keeps the inbox). */
const weakly = (owner: object): Readonly<{ deref: () => object | undefined }> =>
  typeof WeakRef === 'function' ? new WeakRef(owner) : { deref: () => owner }

/** One inbox's count, never a rejection: a throw or a rejection is `undefined`, "cannot tell". */
const settle = (count: GapCount): Promise<number | undefined> => {
  try {
    return count().catch(() => undefined)
  } catch {
    return Promise.resolve(undefined)
  }
}

/** The sign of a decimal amount as stored in an event (`-250.00`, `0.00`, `250.00`), as minor units' sign. */
const signOf = (amount: string): bigint => (amount.startsWith('-') ? -1n : /[1-9]/.test(amount) ? 1n : 0n)

/**
 * The gaps an accepted delivery's events opened and closed. A closing of a break the webhook's
 * filter explains (never reported as a gap, but as unobserved movements) closes no gap.
 */
const countGaps = (events: ReadonlyArray<LedgerEvent>, filter: WebhookEvent, opened: CounterLike, closed: CounterLike): void => {
  for (const event of events) {
    if (event.type === 'BalanceGapDetected') opened.add(1)
    else if (event.type === 'BalanceGapClosed' && (filter === 'NEW_TRANSACTION' || !isUnobserved(filter, signOf(event.data.missing)))) closed.add(1)
  }
}

const makeInboxMetrics = (meter: MeterLike): InboxMetrics => {
  const notifications = meter.createCounter('banksocket.notifications', {
    description: 'Notifications handled, by outcome (and reason, for rejected and failed ones).',
    unit: '{notification}',
  })
  const opened = meter.createCounter('banksocket.gaps.opened', { description: 'Balance gaps detected.', unit: '{gap}' })
  // Two instruments of different names are one object only on a meter that does nothing (the
  // API's own while no SDK is registered hands out one no-op counter): measure nothing then, as
  // without a meter, and read no clock.
  if (notifications === opened) return NOOP
  const requests: HistogramLike = meter.createHistogram('http.server.request.duration', {
    description: 'Duration of HTTP server requests, from the request handed to the receiver to its answer.',
    unit: 's',
    advice: { explicitBucketBoundaries: HTTP_DURATION_BUCKETS },
  })
  const closed = meter.createCounter('banksocket.gaps.closed', { description: 'Balance gaps closed by a late movement.', unit: '{gap}' })
  const appends = meter.createHistogram('banksocket.store.append.duration', {
    description: "Duration of the inbox's store writes (append or record), by result.",
    unit: 's',
    advice: { explicitBucketBoundaries: APPEND_DURATION_BUCKETS },
  })
  const open = meter.createObservableGauge('banksocket.gaps.open', {
    description: 'Balance gaps open now, over the ledgers of the inboxes on this meter.',
    unit: '{gap}',
  })

  // The inboxes whose gaps the gauge sums: held weakly, so that an inbox nobody holds any more
  // (a receiver dropped without a close) is forgotten, not kept alive by the meter.
  const owners = new Set<Readonly<{ deref: () => object | undefined }>>()
  const counts = new WeakMap<object, GapCount>()
  open.addCallback(async (result: ObservationLike) => {
    const pending: Promise<number | undefined>[] = []
    for (const ref of owners) {
      const owner = ref.deref()
      const count = owner === undefined ? undefined : counts.get(owner)
      if (count === undefined) owners.delete(ref)
      else pending.push(settle(count))
    }
    if (pending.length === 0) return
    let total = 0
    for (const n of await Promise.all(pending)) {
      if (n === undefined) return
      total += n
    }
    result.observe(total)
  })

  const written = (start: number, result: StoreWriteResult): void => {
    try {
      appends.record(elapsedSeconds(start), WRITES[result])
    } catch {
      // a meter that throws must not fail a write
    }
  }

  return Object.freeze({
    enabled: true,
    now: monotonicNow,
    delivered: (outcome: Outcome, filter: WebhookEvent): void => {
      try {
        if (outcome._tag === 'rejected') notifications.add(1, REJECTIONS[outcome.rejection._tag])
        else {
          notifications.add(1, OUTCOMES[outcome._tag])
          if (outcome._tag === 'accepted') countGaps(outcome.events, filter, opened, closed)
        }
      } catch {
        // a meter that throws must not fail a delivery
      }
    },
    refused: (rejection: Rejection): void => {
      try {
        notifications.add(1, REJECTIONS[rejection._tag])
      } catch {
        // as above
      }
    },
    failed: (): void => {
      try {
        notifications.add(1, OUTCOMES.internal_error)
      } catch {
        // as above
      }
    },
    timeWrite: <L extends Readonly<{ _tag: string }>, A>(start: number, writing: Promise<E.Either<L, A>>): Promise<E.Either<L, A>> =>
      writing.then(
        (result) => {
          const tag = result._tag === 'Right' ? undefined : result.left._tag
          written(start, tag === undefined ? 'ok' : tag === 'VersionConflict' || tag === 'KeyConflict' ? 'conflict' : 'failed')
          return result
        },
        (error: unknown) => {
          written(start, 'failed')
          throw error
        },
      ),
    answered: (method: string | undefined, status: number, start: number): void => {
      try {
        requests.record(elapsedSeconds(start), requestAttributesOf(method, status))
      } catch {
        // a meter that throws must not fail an answer
      }
    },
    watchGaps: (owner: object, count: GapCount): void => {
      for (const ref of owners) if (ref.deref() === undefined) owners.delete(ref)
      counts.set(owner, count)
      owners.add(weakly(owner))
    },
  })
}

const metricsOf = perMeter(makeInboxMetrics)

/**
 * The metrics of the inboxes and receivers on `meter` (see the module's table), made once per meter
 * and shared by every inbox and receiver on it; without a meter, or with one that does nothing
 * (`@opentelemetry/api`'s while no SDK is registered), metrics that do nothing. Throws a
 * `TypeError` for a `meter` that is not one.
 *
 * @example
 * import { inboxMetrics } from '@banksocket-webhooks/core/runtime-kit'
 * import { metrics } from '@opentelemetry/api'
 * const measured = inboxMetrics(metrics.getMeter('banksocket-webhooks'))
 * const start = measured.now()
 * measured.answered('POST', 200, start)
 */
export const inboxMetrics = (meter: MeterLike | undefined): InboxMetrics => {
  if (meter === undefined) return NOOP
  if (typeof (meter as Partial<MeterLike> | null)?.createHistogram !== 'function') {
    throw new TypeError("`meter` must be an OpenTelemetry Meter, for example metrics.getMeter('banksocket-webhooks') from @opentelemetry/api")
  }
  return metricsOf(meter)
}
