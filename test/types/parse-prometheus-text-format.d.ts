/**
 * Types of `parse-prometheus-text-format` (it ships none): one entry per metric family, in the
 * order of the text; numbers stay the strings the text holds. A histogram's or summary's samples
 * are folded into `buckets` / `quantiles`, `count` and `sum`.
 */
declare module 'parse-prometheus-text-format' {
  export type Sample = Readonly<{
    value?: string
    labels?: Readonly<Record<string, string>>
    buckets?: Readonly<Record<string, string>>
    quantiles?: Readonly<Record<string, string>>
    count?: string
    sum?: string
    timestamp_ms?: string
  }>
  export type MetricFamily = Readonly<{
    name: string
    help: string
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'
    metrics: ReadonlyArray<Sample>
  }>
  /** Parses the Prometheus text format; throws on a line it cannot read. */
  export default function parsePrometheusTextFormat(text: string): MetricFamily[]
}
