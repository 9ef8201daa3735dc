import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { metrics } from '@opentelemetry/api'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'

// The SDK, registered once by the application: here a Prometheus exporter serving /metrics.
const metricsPort = Number(process.env['METRICS_PORT'] ?? 9464)
const exporter = new PrometheusExporter({ host: '127.0.0.1', port: metricsPort })
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }))

// The receiver records through the OpenTelemetry API: notifications by outcome, open gaps, store
// writes and every request's duration.
const receiver = createNodeReceiver({
  secrets: [process.env['BANKSOCKET_SECRET'] ?? ''],
  meter: metrics.getMeter('banksocket-webhooks'),
})
receiver.on('credit', (tx) => console.log(`credit ${tx.verified.amount} ${tx.verified.currency}`))

const { port } = await receiver.listen(Number(process.env['PORT'] ?? 3000), '127.0.0.1')
console.log(`listening on http://127.0.0.1:${port}, metrics on http://127.0.0.1:${metricsPort}/metrics`)
