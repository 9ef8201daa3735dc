import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createClient, type RetryEvent } from '../src/index.ts'
import { type FakeBanksocket, startBanksocket, status, TOKEN } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => api.reset())
test.after(() => api.close())

const input = { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' } as const
const ok = status(200, { status: 'success' })
const gaps = (): number[] => api.requests.slice(1).map((r, i) => r.at - (api.requests[i]?.at ?? 0))

test('DELETE is retried after 503 and succeeds on the third attempt', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { backoff: 10 } })
  api.reply(status(503), status(503), ok)
  assert.equal(await client.deleteWebhook(7)(), E.right({ status: 'success' }))
  assert.is(api.requests.length, 3)
  assert.ok(api.requests.every((r) => r.method === 'DELETE' && r.path === '/v1/webhooks/7' && r.headers['authentication'] === TOKEN))
})

test('DELETE is retried after 429, 500, 502 and 504', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 4, backoff: 5 } })
  api.reply(status(429), status(500), status(502), status(504), ok)
  assert.equal(await client.deleteWebhook(7)(), E.right({ status: 'success' }))
  assert.is(api.requests.length, 5)
})

test('DELETE is retried after a dropped connection', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { backoff: 10 } })
  api.reply({ drop: true }, ok)
  assert.equal(await client.deleteWebhook(7)(), E.right({ status: 'success' }))
  assert.is(api.requests.length, 2)
})

test('DELETE gives up after retry.limit retries with the last HttpError', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 2, backoff: 5 } })
  api.reply(status(500), status(500), status(503, { error: 'down' }), ok)
  const result = await client.deleteWebhook(7)()
  assert.equal(
    result,
    E.left({ _tag: 'HttpError', method: 'DELETE', url: `${api.url}/webhooks/7`, status: 503, body: '{"error":"down"}', attempts: 3 }),
  )
  assert.is(api.requests.length, 3)
  api.requests.length = 0
  await client.deleteWebhook(7)() // drain the queued ok
})

test('DELETE gives up after retry.limit dropped connections with a NetworkError', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 1, backoff: 5 } })
  api.reply({ drop: true }, { drop: true })
  const result = await client.deleteWebhook(7)()
  assert.ok(E.isLeft(result) && result.left._tag === 'NetworkError' && result.left.attempts === 2)
  assert.is(api.requests.length, 2)
})

test('retry.limit 0 disables retries', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 0 } })
  api.reply(status(503))
  const result = await client.deleteWebhook(7)()
  assert.ok(E.isLeft(result) && result.left._tag === 'HttpError' && result.left.attempts === 1)
  assert.is(api.requests.length, 1)
})

test('DELETE is not retried after 4xx other than 429, nor after a timeout', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, timeout: 100, retry: { backoff: 5 } })
  for (const code of [400, 401, 403, 404, 422]) {
    api.requests.length = 0
    api.reply(status(code))
    await client.deleteWebhook(7)()
    assert.is(api.requests.length, 1, `status ${code}`)
  }
  api.requests.length = 0
  api.reply({ ...ok, delayMs: 600 })
  const result = await client.deleteWebhook(7)()
  assert.ok(E.isLeft(result) && result.left._tag === 'Timeout')
  assert.is(api.requests.length, 1)
})

test('backoff doubles: the second wait is about twice the first', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 2, backoff: 80 } })
  api.reply(status(500), status(500), ok)
  assert.ok(E.isRight(await client.deleteWebhook(7)()))
  const [first = 0, second = 0] = gaps()
  assert.ok(first >= 75 && first < 1_000, `first wait ${first}`)
  assert.ok(second >= 155 && second < 1_500, `second wait ${second}`)
  assert.ok(second > first, `${second} > ${first}`)
})

test('maxDelay caps the backoff', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 2, backoff: 5_000, maxDelay: 50 } })
  api.reply(status(500), status(500), ok)
  assert.ok(E.isRight(await client.deleteWebhook(7)()))
  for (const gap of gaps()) assert.ok(gap >= 45 && gap < 1_000, `wait ${gap}`)
})

test('Retry-After in seconds is honoured on 429', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { backoff: 1 } })
  api.reply(status(429, { error: 'slow down' }, { 'retry-after': '1' }), ok)
  assert.ok(E.isRight(await client.deleteWebhook(7)()))
  const [gap = 0] = gaps()
  assert.ok(gap >= 950 && gap < 2_500, `waited ${gap} ms`)
})

test('Retry-After as an HTTP date is honoured on 503', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { backoff: 1 } })
  api.reply(() => status(503, {}, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() }), ok)
  assert.ok(E.isRight(await client.deleteWebhook(7)()))
  const [gap = 0] = gaps()
  // An HTTP date has whole seconds, so the wait is between 1 and 2 s.
  assert.ok(gap >= 950 && gap < 3_000, `waited ${gap} ms`)
})

test('Retry-After is capped by maxDelay', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { backoff: 1, maxDelay: 100 } })
  api.reply(status(429, {}, { 'retry-after': '3600' }), ok)
  assert.ok(E.isRight(await client.deleteWebhook(7)()))
  const [gap = 0] = gaps()
  assert.ok(gap >= 95 && gap < 1_000, `waited ${gap} ms`)
})

test('POST is never retried: not after 503, 429, 500, nor a dropped connection', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 5, backoff: 1 } })
  for (const reply of [status(503), status(429, {}, { 'retry-after': '0' }), status(500), { drop: true } as const]) {
    api.requests.length = 0
    api.reply(reply, status(200, { webhook: { id: 1, endpoint: 'x', title: 'y' } }))
    const result = await client.createWebhook(input)()
    assert.ok(E.isLeft(result), JSON.stringify(result))
    assert.is(api.requests.length, 1, JSON.stringify(reply))
    await client.createWebhook(input)() // consume the 200
  }
})

test('onRetry reports each retry with the status that caused it', async () => {
  const retries: RetryEvent[] = []
  const client = createClient({ token: TOKEN, baseUrl: api.url, retry: { backoff: 20 }, hooks: { onRetry: (e) => retries.push(e) } })
  api.reply(status(503), { drop: true }, ok)
  assert.ok(E.isRight(await client.deleteWebhook(9)()))
  assert.equal(
    retries.map(({ method, url, attempt, status }) => ({ method, url, attempt, status })),
    [
      { method: 'DELETE', url: `${api.url}/webhooks/9`, attempt: 2, status: 503 },
      { method: 'DELETE', url: `${api.url}/webhooks/9`, attempt: 3, status: null },
    ],
  )
  assert.ok(retries[0] !== undefined && retries[0].waitedMs >= 15, `waited ${retries[0]?.waitedMs}`)
  assert.ok(retries[1] !== undefined && retries[1].waitedMs >= 35, `waited ${retries[1]?.waitedMs}`)
})

test.run()
