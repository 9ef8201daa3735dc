/**
 * docs/guides/production.md, "Metrics in your own receiver", run as the guide says: the sample
 * (examples/metrics.ts) registers the OpenTelemetry SDK with a Prometheus exporter and hands the
 * receiver `metrics.getMeter(...)`; after known deliveries its /metrics is scraped and parsed with
 * a Prometheus-format parser.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { freePort } from '../../packages/test-support/src/postgres.ts'
import { notification, post } from '../frameworks/support/cases.ts'
import { startSample } from '../frameworks/support/process.ts'

test('the metrics sample: a receiver instrumented through the OpenTelemetry API, scraped by Prometheus', async () => {
  const metricsPort = await freePort()
  process.env['METRICS_PORT'] = String(metricsPort)
  const served = await startSample('metrics.ts', process.execPath, ['--import', 'tsx'])
  try {
    const first = await notification({ account_id: '69', amount: '100.00', balance: '1100.00', description: 'SN:1 metrics' })
    const second = await notification({ account_id: '69', amount: '50.00', balance: '1150.00', description: 'SN:2 metrics' })
    const forged = await notification(
      { account_id: '69', amount: '50.00', balance: '1150.00', description: 'SN:2 metrics' },
      'form',
      'another-secret',
    )
    assert.is((await post(served.url, first)).status, 200)
    assert.is((await post(served.url, second)).status, 200)
    assert.equal((await post(served.url, second)).body, { status: 'duplicate' })
    assert.is((await post(served.url, forged)).status, 401)

    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
    const families = parsePrometheusTextFormat(text)
    const notifications = families.find((f) => f.name === 'banksocket_notifications_total')
    assert.is(notifications?.type, 'COUNTER')
    const count = (outcome: string) => Number(notifications?.metrics.find((m) => m.labels?.['outcome'] === outcome)?.value ?? 0)
    assert.equal([count('ok'), count('duplicate'), count('rejected')], [2, 1, 1])
    const requests = families.find((f) => f.name === 'http_server_request_duration')
    assert.is(requests?.type, 'HISTOGRAM')
    assert.match(served.output(), /credit 100\.00 TRY/)
  } finally {
    await served.stop()
  }
})

test.run()
