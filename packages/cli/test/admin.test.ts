/**
 * The admin port of `listen` and `forward` (`--admin-port`), with real processes and sockets:
 * `/healthz`, `/readyz` (ready when the store answered its last check; 503 with the reason while a
 * PostgreSQL store is down, and while `--wait-for-store` waits) and `/metrics`, scraped after known
 * deliveries and read with a Prometheus text-format parser (`parse-prometheus-text-format`), never
 * with a regular expression. And the flags' usage errors, and a port in use.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDatabase, type TestDatabase } from '@banksocket-webhooks/test-support/postgres'
import { encodeNotification, signNotification } from '@banksocket-webhooks/testing'
import * as E from 'fp-ts/lib/Either.js'
import parsePrometheusTextFormat, { type MetricFamily, type Sample } from 'parse-prometheus-text-format'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createReadiness } from '../src/readiness.ts'
import { ensureBuilt, json, run, start, startListen } from './support/cli.ts'
import {
  BANKSOCKET_SECRET,
  chains,
  createCleanup,
  FORWARD_SECRET,
  forwardableIds,
  logEvents,
  type Movement,
  sendAll,
  startApp,
  until,
} from './support/forwarding.ts'

let db: TestDatabase | undefined
const dir = mkdtempSync(join(tmpdir(), 'bsw-admin-'))

test.before(() => {
  ensureBuilt()
})

test.after(async () => {
  await db?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** One notification signed with `secret` (the receiver's, or another one for a forgery), posted as a form. */
const post = async (url: string, m: Movement, secret = BANKSOCKET_SECRET): Promise<number> => {
  const signed = await signNotification(
    { dc: m.dc, code: 'EFT', amount: m.amount, balance: m.balance, currency: 'TRY', description: m.description, account_id: m.account },
    secret,
  )()
  const { body, contentType } = encodeNotification(signed, 'form')
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } })
  await response.text()
  return response.status
}

type Answer = Readonly<{ status: number; type: string | null; body: string; allow: string | null }>

const get = async (url: string, method = 'GET'): Promise<Answer> => {
  const response = await fetch(url, { method })
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text(), allow: response.headers.get('allow') }
}

const readyz = async (admin: string): Promise<Readonly<{ status: number; body: Record<string, unknown> }>> => {
  const answer = await get(`${admin}/readyz`)
  return { status: answer.status, body: json(answer.body) }
}

/** A scrape of `/metrics`, parsed. */
type Scrape = Readonly<{ text: string; families: ReadonlyArray<MetricFamily> }>

const scrape = async (admin: string): Promise<Scrape> => {
  const answer = await get(`${admin}/metrics`)
  assert.is(answer.status, 200)
  assert.is(answer.type, 'text/plain; version=0.0.4; charset=utf-8')
  return { text: answer.body, families: parsePrometheusTextFormat(answer.body) }
}

const family = (s: Scrape, name: string): MetricFamily | undefined => s.families.find((f) => f.name === name)

const matching = (samples: ReadonlyArray<Sample>, labels: Readonly<Record<string, string>>): ReadonlyArray<Sample> =>
  samples.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))

/** The sum of a counter's or gauge's samples that carry `labels` (0 when there is none). */
const sampleSum = (s: Scrape, name: string, labels: Readonly<Record<string, string>> = {}): number =>
  matching(family(s, name)?.metrics ?? [], labels).reduce((sum, m) => sum + Number(m.value), 0)

/**
 * The `_count` of each label set of a histogram. The parser folds the series of a labelled
 * histogram into one set of buckets and drops their counts (yunyu/parse-prometheus-text-format
 * issue #13, pull request #8), so the text is parsed again without the family's `# TYPE` line:
 * its `_count` samples are then plain samples, each with its labels and value.
 */
const histogramCount = (s: Scrape, name: string, labels: Readonly<Record<string, string>>): number => {
  const untyped = parsePrometheusTextFormat(
    s.text
      .split('\n')
      .filter((line) => line !== `# TYPE ${name} histogram`)
      .join('\n'),
  )
  const counts = untyped.filter((f) => f.name === `${name}_count`).flatMap((f) => f.metrics)
  return matching(counts, labels).reduce((sum, m) => sum + Number(m.value), 0)
}

const OUTCOMES = ['ok', 'duplicate', 'rejected', 'suspected_replay', 'failed'] as const

const notifications = (s: Scrape): Record<(typeof OUTCOMES)[number], number> =>
  Object.fromEntries(OUTCOMES.map((outcome) => [outcome, sampleSum(s, 'banksocket_notifications_total', { outcome })])) as Record<
    (typeof OUTCOMES)[number],
    number
  >

test('readiness: answers and failures decide, a check that fails or throws is not ready, close freezes it', async () => {
  const readiness = createReadiness('opening the store', (text) => text.replace('pw-123456', '[redacted]'))
  assert.equal(readiness.state(), { ready: false, reason: 'opening the store' })
  readiness.answered()
  assert.equal(readiness.state(), { ready: true })
  readiness.notReady('connect ECONNREFUSED as pw-123456')
  assert.equal(readiness.state(), { ready: false, reason: 'connect ECONNREFUSED as [redacted]' })
  let answers: ReadonlyArray<E.Either<string, unknown> | 'throw'> = [E.right(1), E.left('down'), 'throw']
  let asked = 0
  readiness.watch(async () => {
    const next = answers[asked++ % answers.length]
    if (next === 'throw' || next === undefined) throw new Error('boom')
    return next
  }, 20)
  await until('a good check', () => readiness.state().ready)
  await until('a failed check', () => !readiness.state().ready && readiness.state().ready === false)
  await until('a thrown check', () => {
    const state = readiness.state()
    return !state.ready && state.reason === 'boom'
  })
  answers = [E.right(1)]
  await until('ready again', () => readiness.state().ready)
  readiness.close('stopping')
  readiness.answered()
  assert.equal(readiness.state(), { ready: false, reason: 'stopping' })
  const before = asked
  await new Promise((resolve) => setTimeout(resolve, 100))
  assert.is(asked, before, 'no check after close')
})

test('readiness: a check that does not answer within 2 s is not ready until it does', async () => {
  const readiness = createReadiness('opening the store', (text) => text)
  readiness.answered()
  let release = () => {}
  readiness.watch(() => new Promise((resolve) => (release = () => resolve(E.right(1)))), 10)
  await until('the check to time out', () => !readiness.state().ready, 5_000)
  assert.equal(readiness.state(), { ready: false, reason: 'the store has not answered a check within 2000 ms' })
  release()
  await until('the late answer', () => readiness.state().ready)
  readiness.close('stopping')
})

test('listen --store FILE --forward-to --admin-port 0: probes, and metrics after known deliveries', async () => {
  const cleanup = createCleanup()
  try {
    const app = cleanup.add(await startApp())
    const store = join(dir, 'listen.jsonl')
    const listen = cleanup.add(
      await startListen([
        '--port',
        '0',
        '--secret',
        BANKSOCKET_SECRET,
        '--store',
        store,
        '--forward-to',
        app.url,
        '--forward-secret',
        FORWARD_SECRET,
        '--admin-port',
        '0',
      ]),
    )
    const admin = String(listen.listening['admin'])
    assert.match(admin, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.is.not(new URL(admin).port, new URL(listen.url).port)

    const health = await get(`${admin}/healthz`)
    assert.is(health.status, 200)
    assert.is(health.type, 'application/json')
    assert.equal(json(health.body), { status: 'ok' })
    assert.equal(await readyz(admin), { status: 200, body: { status: 'ready' } })

    // 2 recorded (the second one after a movement never sent: a gap), 1 duplicate, 1 forgery.
    const [m0, m1, m2] = chains(['601'], 3, 'admin')[0] ?? []
    assert.ok(m0 !== undefined && m1 !== undefined && m2 !== undefined)
    assert.is(await post(listen.url, m0), 200)
    assert.is(await post(listen.url, m2), 200)
    assert.is(await post(listen.url, m0), 200)
    assert.is(await post(listen.url, m1, 'not-the-receivers-secret'), 401)
    await listen.line('stdout', (l) => l.includes(m2.description))

    const expected = { ok: 2, duplicate: 1, rejected: 1, suspected_replay: 0, failed: 0 }
    let metrics = await scrape(admin)
    await until('the four answers to be measured', async () => {
      metrics = await scrape(admin)
      return histogramCount(metrics, 'http_server_request_duration_seconds', {}) >= 4
    })
    assert.equal(notifications(metrics), expected)
    assert.is(sampleSum(metrics, 'banksocket_notifications_total', { outcome: 'rejected', reason: 'invalid_hash' }), 1)
    assert.is(family(metrics, 'banksocket_notifications_total')?.type, 'COUNTER')
    assert.is(family(metrics, 'banksocket_gaps_open')?.type, 'GAUGE')
    assert.is(sampleSum(metrics, 'banksocket_gaps_open'), 1)
    assert.is(family(metrics, 'http_server_request_duration_seconds')?.type, 'HISTOGRAM')
    const requests = 'http_server_request_duration_seconds'
    assert.is(histogramCount(metrics, requests, { http_request_method: 'POST', http_response_status_code: '200' }), 3)
    assert.is(histogramCount(metrics, requests, { http_request_method: 'POST', http_response_status_code: '401' }), 1)
    assert.is(histogramCount(metrics, requests, {}), 4)

    // The forwarder's lag: a series for the consumer `forward`, down to 0 once the app has it all.
    const forwardable = forwardableIds(await logEvents(store))
    await until('the app to acknowledge every event', () => new Set(app.acked().map((d) => d.id)).size === forwardable.length)
    await until('the lag to reach 0', async () => {
      metrics = await scrape(admin)
      return family(metrics, 'banksocket_consumer_lag_events')?.metrics.some((m) => m.labels?.['consumer'] === 'forward' && m.value === '0') === true
    })
    assert.is(family(metrics, 'banksocket_consumer_lag_events')?.type, 'GAUGE')

    // Other paths and methods.
    const missing = await get(`${admin}/nope`)
    assert.is(missing.status, 404)
    assert.is(json(missing.body)['error'], 'not_found')
    const posted = await get(`${admin}/healthz`, 'POST')
    assert.is(posted.status, 405)
    assert.is(posted.allow, 'GET, HEAD')
    assert.is(json(posted.body)['error'], 'method_not_allowed')
    const head = await get(`${admin}/readyz`, 'HEAD')
    assert.is(head.status, 200)
    assert.is(head.body, '')
    // The webhook port does not answer the admin paths.
    assert.is.not((await get(`${listen.url}healthz`)).status, 200)

    assert.is((await listen.stop()).code, 0)
    const after = await fetch(`${admin}/healthz`).then(
      () => 'answered',
      () => 'refused',
    )
    assert.is(after, 'refused', 'the admin port closes with the process')
  } finally {
    await cleanup.close()
  }
})

test('listen without a store: ready while it runs; no lag series without --forward-to', async () => {
  const listen = await startListen(['--port', '0', '--secret', BANKSOCKET_SECRET, '--admin-port', '0', '--admin-host', '127.0.0.1'])
  try {
    const admin = String(listen.listening['admin'])
    assert.equal(await readyz(admin), { status: 200, body: { status: 'ready' } })
    const [m0] = chains(['602'], 1, 'admin')[0] ?? []
    assert.ok(m0 !== undefined)
    assert.is(await post(listen.url, m0), 200)
    let metrics = await scrape(admin)
    await until('the answer to be measured', async () => {
      metrics = await scrape(admin)
      return histogramCount(metrics, 'http_server_request_duration_seconds', {}) === 1
    })
    assert.is(notifications(metrics).ok, 1)
    assert.is(family(metrics, 'banksocket_consumer_lag_events'), undefined)
  } finally {
    assert.is((await listen.stop()).code, 0)
  }
})

test('forward --admin-port 0: probes, and the lag of its consumer down to 0', async () => {
  const cleanup = createCleanup()
  try {
    const app = cleanup.add(await startApp())
    const store = join(dir, 'forward.jsonl')
    const listen = cleanup.add(await startListen(['--port', '0', '--secret', BANKSOCKET_SECRET, '--store', store]))
    await sendAll(listen.url, chains(['611', '612'], 3, 'admin-forward'))
    const forward = cleanup.add(
      start([
        'forward',
        '--store',
        store,
        '--to',
        app.url,
        '--secret',
        FORWARD_SECRET,
        '--name',
        'audit',
        '--admin-port',
        '0',
        '--ready-interval',
        '200ms',
      ]),
    )
    const line = json(await forward.line('stderr', (l) => l.includes('"type":"forwarding"')))
    const admin = String(line['admin'])
    assert.match(admin, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(json((await get(`${admin}/healthz`)).body), { status: 'ok' })
    assert.equal(await readyz(admin), { status: 200, body: { status: 'ready' } })

    const forwardable = forwardableIds(await logEvents(store))
    await until('the app to acknowledge every event', () => new Set(app.acked().map((d) => d.id)).size === forwardable.length)
    let metrics = await scrape(admin)
    await until('the lag of audit to reach 0', async () => {
      metrics = await scrape(admin)
      return matching(family(metrics, 'banksocket_consumer_lag_events')?.metrics ?? [], { consumer: 'audit' }).some((m) => m.value === '0')
    })
    // forward receives no webhook: nothing of the receiver's is measured.
    assert.is(family(metrics, 'banksocket_notifications_total'), undefined)
    // Still ready after several checks of the log.
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.equal(await readyz(admin), { status: 200, body: { status: 'ready' } })
    assert.is((await forward.stop()).code, 0)
    assert.is((await listen.stop()).code, 0)
  } finally {
    await cleanup.close()
  }
})

test('usage: the admin port is never the webhook port; a bad port, host or interval is a usage error', async () => {
  const base = ['listen', '--port', '4100', '--secret', 's']
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
    [
      [...base, '--admin-port', '4100'],
      /^banksocket listen: invalid value for --admin-port: 4100 is the webhook port \(--port\): the admin port is a port of its own/,
    ],
    [[...base, '--admin-port', '70000'], /^banksocket listen: invalid value for --admin-port: expected an integer from 0 to 65535, got '70000'/],
    [[...base, '--admin-port', 'abc'], /^banksocket listen: invalid value for --admin-port/],
    [[...base, '--admin-port', ''], /^banksocket listen: invalid value for --admin-port/],
    [[...base, '--admin-host', '0.0.0.0'], /^banksocket listen: --admin-host needs --admin-port PORT/],
    [[...base, '--ready-interval', '1s'], /^banksocket listen: --ready-interval needs --admin-port PORT/],
    [[...base, '--admin-port', '0', '--ready-interval', '5'], /^banksocket listen: invalid value for --ready-interval/],
    [
      ['forward', '--store', 'e.jsonl', '--to', 'http://127.0.0.1:9/', '--secret', FORWARD_SECRET, '--admin-port', '65536'],
      /^banksocket forward: invalid value for --admin-port: expected an integer from 0 to 65535/,
    ],
  ]
  const results = await Promise.all(cases.map(([args]) => run(args)))
  results.forEach((result, i) => {
    const [args, message] = cases[i] ?? [[], /^$/]
    assert.is(result.code, 2, args.join(' '))
    assert.is(result.stdout, '')
    assert.match(result.stderr, message)
    assert.is(result.stderr.trim().split('\n').length, 1)
  })
})

test('an admin port in use: one line saying so, exit 1, before anything is opened', async () => {
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  const address = taken.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  try {
    const store = join(dir, 'never.jsonl')
    const listen = await run(['listen', '--port', '0', '--secret', 's', '--store', store, '--admin-port', String(port)])
    assert.is(listen.code, 1)
    assert.is(listen.stderr, `banksocket listen: could not listen on 127.0.0.1:${port} (--admin-port): the port is in use\n`)
    const forward = await run(['forward', '--store', store, '--to', 'http://127.0.0.1:9/', '--secret', FORWARD_SECRET, '--admin-port', String(port)])
    assert.is(forward.code, 1)
    assert.is(forward.stderr, `banksocket forward: could not listen on 127.0.0.1:${port} (--admin-port): the port is in use\n`)
  } finally {
    await new Promise((resolve) => taken.close(resolve))
  }
})

test('listen --store postgres://… : /readyz is 503 with the reason while PostgreSQL is down, 200 once it is back', async () => {
  db = await startDatabase()
  if (!db.embedded) {
    console.log('admin: DATABASE_URL is set, so the server cannot be killed here: the outage is skipped')
    return
  }
  const database = db
  const migrated = await run(['migrate', '--store', database.url])
  assert.is(migrated.code, 0, migrated.stderr)
  const noPassword = (...texts: ReadonlyArray<string>): void => {
    for (const text of texts) assert.not.ok(database.password !== undefined && text.includes(database.password), 'the password is never shown')
  }
  const listen = await startListen([
    '--port',
    '0',
    '--secret',
    BANKSOCKET_SECRET,
    '--store',
    database.url,
    '--admin-port',
    '0',
    '--ready-interval',
    '200ms',
  ])
  try {
    const admin = String(listen.listening['admin'])
    assert.equal(await readyz(admin), { status: 200, body: { status: 'ready' } })
    await database.kill()
    let down = await readyz(admin)
    await until(
      'readyz 503',
      async () => {
        down = await readyz(admin)
        return down.status === 503
      },
      10_000,
    )
    assert.is(down.body['status'], 'not_ready')
    assert.match(String(down.body['reason']), /^PostgreSQL store: .+/)
    noPassword(JSON.stringify(down.body))
    // A delivery meanwhile is refused with 500 (so that Banksocket retries): still not ready.
    const [m0] = chains(['621'], 1, 'admin-pg')[0] ?? []
    assert.ok(m0 !== undefined)
    assert.is(await post(listen.url, m0), 500)
    assert.is((await readyz(admin)).status, 503)
    assert.equal(json((await get(`${admin}/healthz`)).body), { status: 'ok' })

    await database.restart()
    await until('readyz 200 again', async () => (await readyz(admin)).status === 200, 30_000)
    assert.is(await post(listen.url, m0), 200)
    const metrics = await scrape(admin)
    assert.ok(notifications(metrics).failed >= 1, 'the refused delivery is counted as failed')
    assert.is(notifications(metrics).ok, 1)
  } finally {
    assert.is((await listen.stop()).code, 0)
  }
  noPassword(listen.text('stdout'), listen.text('stderr'))
})

test('listen --wait-for-store: /readyz is 503 with the waiting reason until the database answers', async () => {
  const database = db
  if (database === undefined || !database.embedded) return
  await database.halt()
  const listen = start([
    'listen',
    '--port',
    '0',
    '--secret',
    BANKSOCKET_SECRET,
    '--store',
    database.url,
    '--wait-for-store',
    '1m',
    '--admin-port',
    '0',
  ])
  try {
    const waiting = json(await listen.line('stderr', (l) => l.includes('"type":"waiting_for_store"')))
    const admin = String(waiting['admin'])
    assert.match(admin, /^http:\/\/127\.0\.0\.1:\d+$/)
    const answer = await readyz(admin)
    assert.is(answer.status, 503)
    assert.is(answer.body['status'], 'not_ready')
    assert.match(String(answer.body['reason']), /^waiting for the store \(attempt \d+\): PostgreSQL store: /)
    assert.not.ok(database.password !== undefined && JSON.stringify(answer.body).includes(database.password))
    assert.equal(json((await get(`${admin}/healthz`)).body), { status: 'ok' })

    await database.restart()
    const listening = json(await listen.line('stderr', (l) => l.includes('"type":"listening"'), { timeout: 30_000 }))
    assert.is(listening['admin'], admin)
    assert.equal(await readyz(admin), { status: 200, body: { status: 'ready' } })
  } finally {
    assert.is((await listen.stop()).code, 0)
  }
})

test.run()
