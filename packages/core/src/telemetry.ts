/**
 * Metrics through the shape of the OpenTelemetry Metrics API, without depending on it: a
 * {@link MeterLike} is the part of `@opentelemetry/api`'s `Meter` the packages use, written out
 * structurally, so that core stays on Web APIs only (Node, Deno, Workers, Bun) and an application
 * without `@opentelemetry/api` compiles and runs unchanged. Any `Meter` is a `MeterLike`: pass
 * `metrics.getMeter('banksocket-webhooks')` where an option says `meter`. Without a meter (or with
 * the API's no-op meter, when no SDK is registered) nothing is measured.
 *
 * The instruments the packages make, with their names, units and attributes, are listed where they
 * are made: the inbox's and receiver's in `inbox-metrics.ts`, the consumers' in
 * `@banksocket-webhooks/consumers`.
 *
 * @module
 */

/**
 * The attributes of a measurement: a flat record of strings, numbers and booleans (OpenTelemetry's
 * `Attributes`, without arrays).
 *
 * @example
 * import type { MetricAttributes } from '@banksocket-webhooks/core'
 * const attributes: MetricAttributes = { outcome: 'rejected', reason: 'invalid_hash' }
 */
export type MetricAttributes = Readonly<Record<string, string | number | boolean>>

/**
 * The options an instrument is made with: a description, a unit (UCUM, such as `s` or
 * `{notification}`) and, for a histogram, the bucket boundaries advised to the SDK.
 *
 * @example
 * import type { InstrumentOptions } from '@banksocket-webhooks/core/runtime-kit'
 * const options: InstrumentOptions = { description: 'Time to append', unit: 's', advice: { explicitBucketBoundaries: [0.001, 0.01, 0.1, 1] } }
 */
export type InstrumentOptions = Readonly<{
  description?: string
  unit?: string
  advice?: Readonly<{ explicitBucketBoundaries?: number[] }>
}>

/**
 * A counter (or an up-down counter): `add` a value, with attributes.
 *
 * @example
 * import type { CounterLike } from '@banksocket-webhooks/core/runtime-kit'
 * const count = (counter: CounterLike) => counter.add(1, { outcome: 'ok' })
 */
export interface CounterLike {
  /** Adds `value` (a counter's is never negative) to the sum for these attributes. */
  add(value: number, attributes?: MetricAttributes): void
}

/**
 * A histogram: `record` a value, with attributes.
 *
 * @example
 * import type { HistogramLike } from '@banksocket-webhooks/core/runtime-kit'
 * const took = (histogram: HistogramLike, seconds: number) => histogram.record(seconds, { result: 'ok' })
 */
export interface HistogramLike {
  /** Records one measurement (a duration in seconds, say) with these attributes. */
  record(value: number, attributes?: MetricAttributes): void
}

/**
 * What an observable instrument's callback is handed at each collection: `observe` a value, with
 * attributes (OpenTelemetry's `ObservableResult`).
 *
 * @example
 * import type { ObservationLike } from '@banksocket-webhooks/core/runtime-kit'
 * const report = (result: ObservationLike) => result.observe(3, { consumer: 'audit' })
 */
export interface ObservationLike {
  /** Reports the instrument's value now for these attributes. */
  observe(value: number, attributes?: MetricAttributes): void
}

/**
 * An observable instrument's callback: called at each collection, it observes values (and may
 * return a Promise, which the SDK waits for).
 *
 * @example
 * import type { ObservationCallback } from '@banksocket-webhooks/core/runtime-kit'
 * const callback: ObservationCallback = (result) => result.observe(0)
 */
export type ObservationCallback = (observation: ObservationLike) => void | Promise<void>

/**
 * An observable gauge: its value is read at collection time by the callbacks added to it.
 *
 * @example
 * import type { ObservableGaugeLike } from '@banksocket-webhooks/core/runtime-kit'
 * const watch = (gauge: ObservableGaugeLike, depth: () => number) => {
 *   const callback = (result: { observe(value: number): void }) => result.observe(depth())
 *   gauge.addCallback(callback)
 *   return () => gauge.removeCallback(callback)
 * }
 */
export interface ObservableGaugeLike {
  /** Calls `callback` at every collection from now on. */
  addCallback(callback: ObservationCallback): void
  /** Stops calling `callback` (the same function that was added). */
  removeCallback(callback: ObservationCallback): void
}

/**
 * The part of OpenTelemetry's `Meter` (`@opentelemetry/api`) the packages use, written out so that
 * nothing depends on the package: counters, up-down counters, histograms and observable gauges. A
 * `Meter` of `@opentelemetry/api` 1.x is one as it is; so is anything else with these methods.
 *
 * @example
 * import type { MeterLike } from '@banksocket-webhooks/core'
 * import { metrics } from '@opentelemetry/api'
 * const meter: MeterLike = metrics.getMeter('banksocket-webhooks')
 */
export interface MeterLike {
  /** Makes a counter: a sum that only grows (`banksocket.notifications`). */
  createCounter(name: string, options?: InstrumentOptions): CounterLike
  /** Makes an up-down counter: a sum that may also shrink. */
  createUpDownCounter(name: string, options?: InstrumentOptions): CounterLike
  /** Makes a histogram: a distribution of measurements (`http.server.request.duration`). */
  createHistogram(name: string, options?: InstrumentOptions): HistogramLike
  /** Makes an observable gauge: a value read by callbacks at collection time (`banksocket.gaps.open`). */
  createObservableGauge(name: string, options?: InstrumentOptions): ObservableGaugeLike
}

/**
 * Makes something from a meter once per meter: the first call for a meter makes it, every later
 * call for the same meter answers the same one (kept as long as the meter is, in a `WeakMap`). So
 * that every receiver, inbox or consumer on one meter shares one set of instruments, made once.
 *
 * @example
 * import { perMeter } from '@banksocket-webhooks/core/runtime-kit'
 * const instrumentsOf = perMeter((meter) => ({ appended: meter.createCounter('app.appended', { unit: '{event}' }) }))
 * instrumentsOf(meter) === instrumentsOf(meter) // true
 */
export const perMeter = <T>(make: (meter: MeterLike) => T): ((meter: MeterLike) => T) => {
  const made = new WeakMap<MeterLike, T>()
  return (meter) => {
    const known = made.get(meter)
    if (known !== undefined) return known
    const fresh = make(meter)
    made.set(meter, fresh)
    return fresh
  }
}

/**
 * A monotonic clock in milliseconds (`performance.now()`), the start of a measured duration.
 *
 * @example
 * import { elapsedSeconds, monotonicNow } from '@banksocket-webhooks/core/runtime-kit'
 * const start = monotonicNow()
 * elapsedSeconds(start) // 0.000…
 */
export const monotonicNow = (): number => performance.now()

/**
 * Seconds since `start` (a {@link monotonicNow}): what a duration histogram records.
 *
 * @example
 * import { elapsedSeconds, monotonicNow } from '@banksocket-webhooks/core/runtime-kit'
 * const start = monotonicNow()
 * await work()
 * histogram.record(elapsedSeconds(start))
 */
export const elapsedSeconds = (start: number): number => (performance.now() - start) / 1000
