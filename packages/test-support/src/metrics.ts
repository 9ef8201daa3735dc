/**
 * A meter of the real OpenTelemetry SDK (`@opentelemetry/sdk-metrics`) whose measurements a test
 * reads when it chooses: a `MetricReader` collected on demand (cumulative), and lookups of one data
 * point by metric name and exact attributes.
 * Shared by the telemetry tests of core, receiver and consumers (core and receiver import it by
 * path: test-support depends on them).
 */
import type { Meter } from '@opentelemetry/api'
import type { MetricData } from '@opentelemetry/sdk-metrics'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'

/** A reader that collects only when asked. */
class OnDemandReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

type Attributes = Readonly<Record<string, string | number | boolean>>

const sameAttributes = (a: Readonly<Record<string, unknown>>, b: Attributes): boolean => {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}

/** One collection: the metrics as the SDK exported them. */
export type Collected = Readonly<{
  /** The metric named `name`, if anything was recorded or observed for it. */
  metric: (name: string) => MetricData | undefined
  /** A counter's or gauge's value for exactly these attributes (`undefined`: no such data point). */
  value: (name: string, attributes?: Attributes) => number | undefined
  /** A histogram's count of measurements for exactly these attributes (0: none). */
  count: (name: string, attributes?: Attributes) => number
  /** Every data point's attributes of a metric. */
  attributesOf: (name: string) => ReadonlyArray<Readonly<Record<string, unknown>>>
  /** Errors the SDK met while collecting (a callback that threw, say). */
  errors: ReadonlyArray<unknown>
}>

/** A provider with an on-demand reader: its meter, the provider, and `collect()`. */
export type Measuring = Readonly<{ meter: Meter; provider: MeterProvider; collect: () => Promise<Collected> }>

/** A fresh provider with an on-demand reader: its meter, and `collect()`. */
export const measuring = (): Measuring => {
  const reader = new OnDemandReader()
  const provider = new MeterProvider({ readers: [reader] })
  const meter = provider.getMeter('banksocket-webhooks-test')
  const collect = async (): Promise<Collected> => {
    const { resourceMetrics, errors } = await reader.collect()
    const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)
    const metric = (name: string) => all.find((m) => m.descriptor.name === name)
    const point = (name: string, attributes: Attributes) => metric(name)?.dataPoints.find((p) => sameAttributes(p.attributes, attributes))
    return {
      metric,
      value: (name, attributes = {}) => {
        const value = point(name, attributes)?.value
        return typeof value === 'number' ? value : undefined
      },
      count: (name, attributes = {}) => {
        const value = point(name, attributes)?.value
        return typeof value === 'object' && value !== null && 'count' in value ? value.count : 0
      },
      attributesOf: (name) => (metric(name)?.dataPoints ?? []).map((p) => p.attributes),
      errors,
    }
  }
  return { meter, provider, collect }
}
