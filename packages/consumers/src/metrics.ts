/**
 * The metrics of consumers and forwarders, on a meter shaped like OpenTelemetry's (core's
 * `MeterLike`), made once per meter and shared by every consumer on it. OpenTelemetry names:
 *
 * | name | kind | unit | attributes |
 * |---|---|---|---|
 * | `banksocket.consumer.lag` | observable gauge | `{event}` | `consumer` |
 * | `banksocket.consumer.handler.duration` | histogram | `s` | `consumer`, `result` (`ok`, `failed`) |
 * | `banksocket.consumer.failures` | counter | `{event}` | `consumer`, `kind` (`retry`, `given_up`) |
 * | `banksocket.forward.attempts` | counter | `{attempt}` | `consumer`, `result` (`delivered`, `rejected`, `timeout`, `network_error`), `http.response.status_code` (when answered) |
 *
 * The lag is the store's head (`head()`, a global position) less the consumer's checkpoint, read at
 * each collection while the consumer holds its name; a store without `head` reports none, and a
 * store that fails is skipped for that collection. Without a meter, or with one that does nothing
 * (the API's while no SDK is registered), every method is a no-op and nothing is allocated per
 * event; with one, the attribute sets are made once per consumer (and per status code answered),
 * and a meter that throws is ignored.
 *
 * @module
 */
import type { MeterLike, MetricAttributes } from '@banksocket-webhooks/core'
import {
  type CounterLike,
  elapsedSeconds,
  type HistogramLike,
  monotonicNow,
  type ObservableGaugeLike,
  type ObservationLike,
  perMeter,
} from '@banksocket-webhooks/core/runtime-kit'

/** Bucket boundaries of a handler's duration, in seconds: the HTTP semantic conventions' (a forwarder's handler is an HTTP request). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

type ConsumerInstruments = Readonly<{ lag: ObservableGaugeLike; handlerDuration: HistogramLike; failures: CounterLike; attempts: CounterLike }>

/** The instruments on a meter, made once per meter; `undefined` for a meter that does nothing. */
const instrumentsOf = perMeter((meter: MeterLike): ConsumerInstruments | undefined => {
  const failures = meter.createCounter('banksocket.consumer.failures', {
    description: 'Events whose handling failed: retried (retry) or given up on and recorded (given_up).',
    unit: '{event}',
  })
  // Only a forwarder counts on it: an instrument nothing was recorded on is not exported.
  const attempts = meter.createCounter('banksocket.forward.attempts', {
    description: 'Attempts to deliver an event to the application, by result.',
    unit: '{attempt}',
  })
  // Two instruments of different names are one object only on a meter that does nothing (the
  // API's own while no SDK is registered): measure nothing then, as without a meter.
  if (failures === attempts) return undefined
  return {
    failures,
    attempts,
    lag: meter.createObservableGauge('banksocket.consumer.lag', {
      description: "Events between the consumer's checkpoint and the end of the store's feed.",
      unit: '{event}',
    }),
    handlerDuration: meter.createHistogram('banksocket.consumer.handler.duration', {
      description: "Duration of each call of a consumer's handler, by result.",
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
  }
})

/**
 * The lag of a consumer now, in events; `undefined` when there is nothing to report (the consumer
 * does not hold its name, or the store could not tell its head).
 */
type Lag = () => Promise<number | undefined>

/**
 * One consumer's metrics (see the module's table), or no-ops without a meter.
 *
 * @example
 * const metrics = consumerMetrics(options.meter, 'audit')
 * const start = metrics.now()
 * metrics.handled(start, true)
 */
export type ConsumerMetrics = Readonly<{
  /** The start of a handler call: the monotonic clock, or `0` without a meter. */
  now: () => number
  /** Records a handler call started at `start` that succeeded (`ok`) or threw. */
  handled: (start: number, ok: boolean) => void
  /** Counts `events` whose attempt failed and which will be tried again. */
  retrying: (events: number) => void
  /** Counts an event given up on (recorded as failed). */
  givenUp: () => void
  /** Reports `lag` at each collection until the function answered is called. */
  watchLag: (lag: Lag) => () => void
}>

const NOOP_CONSUMER: ConsumerMetrics = Object.freeze({
  now: () => 0,
  handled: () => {},
  retrying: () => {},
  givenUp: () => {},
  watchLag: () => () => {},
})

/**
 * The metrics of the consumer `name` on `meter`; no-ops without a meter.
 *
 * @example
 * const metrics = consumerMetrics(undefined, 'audit') // nothing measured
 */
export const consumerMetrics = (meter: MeterLike | undefined, name: string): ConsumerMetrics => {
  const instruments = meter === undefined ? undefined : instrumentsOf(meter)
  if (instruments === undefined) return NOOP_CONSUMER
  const { lag, handlerDuration, failures } = instruments
  const consumer: MetricAttributes = Object.freeze({ consumer: name })
  const ok: MetricAttributes = Object.freeze({ consumer: name, result: 'ok' })
  const failed: MetricAttributes = Object.freeze({ consumer: name, result: 'failed' })
  const retry: MetricAttributes = Object.freeze({ consumer: name, kind: 'retry' })
  const givenUp: MetricAttributes = Object.freeze({ consumer: name, kind: 'given_up' })
  return Object.freeze({
    now: monotonicNow,
    handled: (start: number, succeeded: boolean): void => {
      try {
        handlerDuration.record(elapsedSeconds(start), succeeded ? ok : failed)
      } catch {
        // a meter that throws must not fail a handler
      }
    },
    retrying: (events: number): void => {
      try {
        failures.add(events, retry)
      } catch {
        // as above
      }
    },
    givenUp: (): void => {
      try {
        failures.add(1, givenUp)
      } catch {
        // as above
      }
    },
    watchLag: (current: Lag): (() => void) => {
      const callback = async (result: ObservationLike): Promise<void> => {
        try {
          const events = await current()
          if (events !== undefined) result.observe(events, consumer)
        } catch {
          // a store that fails is skipped for this collection
        }
      }
      lag.addCallback(callback)
      return () => lag.removeCallback(callback)
    },
  })
}

/**
 * Counts one forwarder's attempts (`banksocket.forward.attempts`): an answer (`delivered` for an
 * acknowledging 2xx, `rejected` otherwise, with its status), or none (`timeout`, `network_error`).
 *
 * @example
 * const attempts = forwardMetrics(options.meter, 'forward')
 * attempts.answered(503, false) // result rejected, http.response.status_code 503
 */
export type ForwardMetrics = Readonly<{
  answered: (status: number, acknowledged: boolean) => void
  unanswered: (result: 'timeout' | 'network_error') => void
}>

const NOOP_FORWARD: ForwardMetrics = Object.freeze({ answered: () => {}, unanswered: () => {} })

/**
 * The forwarder `name`'s attempt counts on `meter`; no-ops without a meter.
 *
 * @example
 * forwardMetrics(undefined, 'forward').unanswered('timeout') // nothing measured
 */
export const forwardMetrics = (meter: MeterLike | undefined, name: string): ForwardMetrics => {
  const instruments = meter === undefined ? undefined : instrumentsOf(meter)
  if (instruments === undefined) return NOOP_FORWARD
  const { attempts } = instruments
  const timeout: MetricAttributes = Object.freeze({ consumer: name, result: 'timeout' })
  const networkError: MetricAttributes = Object.freeze({ consumer: name, result: 'network_error' })
  // Per result and status answered: a handful of sets, made on first use.
  const delivered = new Map<number, MetricAttributes>()
  const rejected = new Map<number, MetricAttributes>()
  const add = (attributes: MetricAttributes): void => {
    try {
      attempts.add(1, attributes)
    } catch {
      // a meter that throws must not fail a delivery
    }
  }
  return Object.freeze({
    answered: (status: number, acknowledged: boolean): void => {
      const byStatus = acknowledged ? delivered : rejected
      let made = byStatus.get(status)
      if (made === undefined) {
        made = Object.freeze({ consumer: name, result: acknowledged ? 'delivered' : 'rejected', 'http.response.status_code': status })
        byStatus.set(status, made)
      }
      add(made)
    },
    unanswered: (result: 'timeout' | 'network_error'): void => add(result === 'timeout' ? timeout : networkError),
  })
}
