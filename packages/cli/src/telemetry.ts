/**
 * The metrics of `listen` and `forward`. The libraries record OpenTelemetry instruments on the
 * `meter` they are given (`banksocket.notifications`, `http.server.request.duration`, ...). With
 * `--admin-port` that meter belongs to a `MeterProvider` of the OpenTelemetry SDK whose reader is
 * the Prometheus exporter (its own server never started: `/metrics` on the admin port serves what
 * it collects), with views that give the instruments their Prometheus names (the exporter of this
 * version adds `_total` to counters but no unit suffix). Without it the meter is the OpenTelemetry
 * API's own, a no-op while no SDK is registered: nothing is measured and nothing is kept.
 *
 * @module
 */
import { type Meter, metrics } from '@opentelemetry/api'
import type { ViewOptions } from '@opentelemetry/sdk-metrics'

/** The name of the meter the libraries record on. */
const METER_NAME = 'banksocket-webhooks'

/**
 * The views that name the instruments as Prometheus expects: a unit as a suffix (`_seconds`) and
 * `banksocket.consumer.lag` counted in events. They rename only: each histogram keeps the bucket
 * boundaries its library advises for it (in seconds). The other instruments keep their names, dots
 * becoming underscores (`banksocket.gaps.open` is `banksocket_gaps_open`) and counters ending in
 * `_total` (`banksocket.notifications` is `banksocket_notifications_total`).
 */
const VIEWS: ReadonlyArray<ViewOptions> = [
  { instrumentName: 'http.server.request.duration', name: 'http_server_request_duration_seconds' },
  { instrumentName: 'banksocket.store.append.duration', name: 'banksocket_store_append_duration_seconds' },
  { instrumentName: 'banksocket.consumer.handler.duration', name: 'banksocket_consumer_handler_duration_seconds' },
  { instrumentName: 'banksocket.consumer.lag', name: 'banksocket_consumer_lag_events' },
]

/**
 * The metrics of a command: the `meter` to give the libraries, `scrape` (the Prometheus text of
 * everything measured so far; `undefined` when nothing is measured) and `shutdown`.
 *
 * @example
 * import type { Telemetry } from './telemetry.ts'
 * const text = async (telemetry: Telemetry) => (telemetry.scrape === undefined ? '' : await telemetry.scrape())
 */
export type Telemetry = Readonly<{
  meter: Meter
  scrape: (() => Promise<string>) | undefined
  shutdown: () => Promise<void>
}>

/**
 * The OpenTelemetry API's meter, a no-op while no SDK is registered: the default of a command run
 * without `--admin-port`.
 *
 * @example
 * import { apiTelemetry } from './telemetry.ts'
 * createNodeReceiver({ secrets, meter: apiTelemetry().meter })
 */
export const apiTelemetry = (): Telemetry => ({ meter: metrics.getMeter(METER_NAME), scrape: undefined, shutdown: async () => {} })

/**
 * A `MeterProvider` (not registered globally) read by the Prometheus exporter, whose own server
 * is never started (both loaded now, so that a command without `--admin-port` never loads the SDK): `scrape` collects and serializes, without scope labels (one meter) and without
 * `target_info` (the SDK's default resource names no service). `shutdown` ends the provider.
 *
 * @example
 * import { prometheusTelemetry } from './telemetry.ts'
 * const telemetry = await prometheusTelemetry()
 * createNodeReceiver({ secrets, meter: telemetry.meter })
 * // GET /metrics:
 * response.end(await telemetry.scrape?.())
 */
export const prometheusTelemetry = async (): Promise<Telemetry> => {
  // Loaded only with --admin-port: a command without it never loads the SDK.
  const [{ PrometheusExporter, PrometheusSerializer }, { MeterProvider }] = await Promise.all([
    import('@opentelemetry/exporter-prometheus'),
    import('@opentelemetry/sdk-metrics'),
  ])
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true })
  const serializer = new PrometheusSerializer(undefined, false, undefined, true, true)
  const provider = new MeterProvider({ readers: [exporter], views: [...VIEWS] })
  let ended: Promise<void> | undefined
  return {
    meter: provider.getMeter(METER_NAME),
    scrape: async () => serializer.serialize((await exporter.collect()).resourceMetrics),
    shutdown: () => (ended ??= provider.shutdown()),
  }
}
