import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ClientHooks, createClient } from '../src/index.ts'
import { type FakeBanksocket, sleep, startBanksocket, status, TOKEN } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => api.reset())
test.after(() => api.close())

const input = { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' } as const

const recorder = () => {
  const events: Array<[string, Record<string, unknown>]> = []
  const hooks: ClientHooks = {
    onRequest: (e) => events.push(['request', e]),
    onResponse: (e) => events.push(['response', e]),
    onAttemptError: (e) => events.push(['attemptError', e]),
    onRetry: (e) => events.push(['retry', e]),
  }
  return { events, hooks }
}

const withoutTimings = (events: Array<[string, Record<string, unknown>]>) =>
  events.map(([name, { durationMs: _d, waitedMs: _w, ...rest }]) => [name, rest])

test('onRequest and onResponse see method, URL, attempt, status and duration', async () => {
  const { events, hooks } = recorder()
  const client = createClient({ token: TOKEN, baseUrl: api.url, hooks })
  api.reply({ ...status(200, { webhook: { id: 5, endpoint: 'https://shop.example/bs', title: 'orders' } }), delayMs: 30 })
  assert.ok(E.isRight(await client.createWebhook(input)()))
  assert.equal(withoutTimings(events), [
    ['request', { method: 'POST', url: `${api.url}/webhooks`, attempt: 1 }],
    ['response', { method: 'POST', url: `${api.url}/webhooks`, attempt: 1, status: 200 }],
  ])
  const duration = events[1]?.[1]['durationMs'] as number
  assert.ok(duration >= 25 && duration < 1000, `duration ${duration}`)
})

test('each attempt of a retried DELETE is reported, in order', async () => {
  const { events, hooks } = recorder()
  const client = createClient({ token: TOKEN, baseUrl: api.url, hooks, retry: { backoff: 5 } })
  api.reply(status(503), { drop: true }, status(200, { status: 'success' }))
  assert.ok(E.isRight(await client.deleteWebhook(4)()))
  const url = `${api.url}/webhooks/4`
  assert.equal(withoutTimings(events), [
    ['request', { method: 'DELETE', url, attempt: 1 }],
    ['response', { method: 'DELETE', url, attempt: 1, status: 503 }],
    ['retry', { method: 'DELETE', url, attempt: 2, status: 503 }],
    ['request', { method: 'DELETE', url, attempt: 2 }],
    ['attemptError', { method: 'DELETE', url, attempt: 2, reason: 'network' }],
    ['retry', { method: 'DELETE', url, attempt: 3, status: null }],
    ['request', { method: 'DELETE', url, attempt: 3 }],
    ['response', { method: 'DELETE', url, attempt: 3, status: 200 }],
  ])
})

test("a timed-out attempt is reported with reason 'timeout'", async () => {
  const { events, hooks } = recorder()
  const client = createClient({ token: TOKEN, baseUrl: api.url, hooks, timeout: 50 })
  api.reply({ ...status(200, {}), delayMs: 500 })
  const result = await client.createWebhook(input)()
  assert.ok(E.isLeft(result) && result.left._tag === 'Timeout')
  // The aborted fetch settles just after ky reports the timeout.
  for (let waited = 0; events.length < 2 && waited < 1_000; waited += 10) await sleep(10)
  assert.equal(withoutTimings(events), [
    ['request', { method: 'POST', url: `${api.url}/webhooks`, attempt: 1 }],
    ['attemptError', { method: 'POST', url: `${api.url}/webhooks`, attempt: 1, reason: 'timeout' }],
  ])
})

test('hooks never see the token', async () => {
  const token = 'sk_live_hooks_Z9x8'
  const { events, hooks } = recorder()
  const client = createClient({ token: () => Promise.resolve(token), baseUrl: api.url, hooks, retry: { backoff: 1 } })
  api.reply(status(503), status(200, { status: 'success' }))
  await client.deleteWebhook(1)()
  await client.createWebhook(input)()
  assert.ok(events.length >= 5)
  assert.not.ok(JSON.stringify(events).includes(token))
  for (const [, event] of events)
    assert.equal(
      Object.keys(event).filter((k) => /token|header|body/i.test(k)),
      [],
    )
})

test('a hook that throws does not break the request', async () => {
  const boom = () => {
    throw new Error('logger down')
  }
  const client = createClient({
    token: TOKEN,
    baseUrl: api.url,
    retry: { backoff: 1 },
    hooks: { onRequest: boom, onResponse: boom, onRetry: boom, onAttemptError: boom },
  })
  api.reply(status(503), { drop: true }, status(200, { status: 'success' }))
  assert.equal(await client.deleteWebhook(2)(), E.right({ status: 'success' }))
})

test.run()
