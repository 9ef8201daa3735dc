import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ClientOptions, createClient, DEFAULT_BASE_URL, DEFAULT_RETRY, DEFAULT_TIMEOUT, type FetchLike } from '../src/index.ts'
import { type FakeBanksocket, startBanksocket, TOKEN } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => api.reset())
test.after(() => api.close())

const throws = (options: unknown, message: RegExp): void => {
  try {
    createClient(options as ClientOptions)
  } catch (error) {
    assert.instance(error, TypeError)
    assert.match((error as Error).message, message)
    return
  }
  assert.unreachable(`expected createClient to throw ${message}`)
}

test('documented defaults', () => {
  assert.is(DEFAULT_BASE_URL, 'https://api.banksocket.com/v1')
  assert.is(DEFAULT_TIMEOUT, 10_000)
  assert.equal(DEFAULT_RETRY, { limit: 2, backoff: 300, maxDelay: 10_000 })
})

test('bad options fail at once, naming the option and what to pass', () => {
  throws(undefined, /pass an options object such as \{ token: process\.env\.BANKSOCKET_TOKEN \}/)
  throws({}, /`token` is required/)
  throws({ token: '' }, /the token is empty; pass the Banksocket API token/)
  throws({ token: 'a b\n' }, /printable ASCII/)
  throws({ token: 42 }, /must be a string, got number/)
  throws({ token: 't', prefixUrl: 'https://x' }, /unknown option `prefixUrl`; the known ones are `token`, `baseUrl`/)
  throws({ token: 't', headers: {} }, /unknown option `headers`/)
  throws({ token: 't', baseUrl: '/v1' }, /`baseUrl` is not an absolute URL; pass an absolute URL such as 'https:\/\/api\.banksocket\.com\/v1'/)
  throws({ token: 't', baseUrl: 'ftp://api.example' }, /must use http or https/)
  throws({ token: 't', baseUrl: 'https://user:pw@api.example' }, /must not contain credentials; pass the API token as the `token` option/)
  throws({ token: 't', baseUrl: 'https://api.example/v1?x=1' }, /must not have a query or a fragment/)
  throws({ token: 't', baseUrl: 5 }, /`baseUrl` must be a string/)
  throws({ token: 't', timeout: 0 }, /`timeout` must be a number of milliseconds between 1 and 2147483647, got 0; for example 10000/)
  throws({ token: 't', timeout: '5s' }, /`timeout` must be a number/)
  throws({ token: 't', timeout: Infinity }, /`timeout`/)
  throws({ token: 't', retry: 3 }, /`retry` must be an object such as \{ limit: 2/)
  throws({ token: 't', retry: { limit: 1.5 } }, /`retry.limit` must be a whole number from 0 to 100, got 1.5; use 0 to disable retries/)
  throws({ token: 't', retry: { limit: -1 } }, /`retry.limit`/)
  throws({ token: 't', retry: { retries: 3 } }, /unknown option `retry.retries`; the known ones are `limit`, `backoff`, `maxDelay`/)
  throws({ token: 't', retry: { backoff: -5 } }, /`retry.backoff` must be a number of milliseconds/)
  throws({ token: 't', retry: { maxDelay: Number.NaN } }, /`retry.maxDelay`/)
  throws({ token: 't', bodyEncoding: 'xml' }, /`bodyEncoding` must be 'json' or 'form', got "xml"/)
  throws({ token: 't', fetch: 'fetch' }, /`fetch` must be a function/)
  throws({ token: 't', hooks: { onRequest: 'log' } }, /`hooks.onRequest` must be a function/)
  throws({ token: 't', hooks: { onError: () => undefined } }, /unknown option `hooks.onError`/)
})

test('baseUrl: undefined means the default, and the default is https://api.banksocket.com/v1', async () => {
  const seen: string[] = []
  // Forward every request to the local server, keeping the URL the client asked for.
  const forward: FetchLike = (input, init) => {
    const request = new Request(input, init)
    seen.push(request.url)
    return fetch(request.url.replace(DEFAULT_BASE_URL, api.url), { method: request.method, headers: request.headers })
  }
  const client = createClient({ token: TOKEN, baseUrl: undefined, fetch: forward })
  assert.equal(
    await client.deleteWebhook(77)(),
    E.left({
      _tag: 'HttpError',
      method: 'DELETE',
      url: 'https://api.banksocket.com/v1/webhooks/77',
      status: 404,
      body: '{"error":"webhook not found"}',
      attempts: 1,
    }),
  )
  assert.equal(seen, ['https://api.banksocket.com/v1/webhooks/77'])
  assert.is(api.requests[0]?.path, '/v1/webhooks/77')
})

test('a trailing slash on baseUrl does not double the slash', async () => {
  const client = createClient({ token: TOKEN, baseUrl: `${api.url}/` })
  await client.deleteWebhook(1)()
  assert.is(api.requests[0]?.path, '/v1/webhooks/1')
})

test('an injected fetch is used for every request', async () => {
  let calls = 0
  const counting: FetchLike = (input, init) => {
    calls += 1
    return fetch(input, init)
  }
  const client = createClient({ token: TOKEN, baseUrl: api.url, fetch: counting })
  await client.createWebhook({ title: 't', endpoint: 'https://e.example', event: 'NEW_CREDIT', account: 'all' })()
  assert.is(calls, 1)
  assert.is(api.requests.length, 1)
})

test('a synchronous token function is called once per call', async () => {
  let calls = 0
  const client = createClient({ token: () => (calls++, TOKEN), baseUrl: api.url })
  const created = await client.createWebhook({ title: 't', endpoint: 'https://e.example', event: 'NEW_CREDIT', account: 'all' })()
  assert.ok(E.isRight(created))
  assert.is(calls, 1)
  assert.is(api.requests[0]?.headers['authentication'], TOKEN)
})

test('an async token function works, and a rotated token is picked up on the next call', async () => {
  const tokens = ['rotated-1', 'rotated-2']
  let i = 0
  const client = createClient({ token: async () => tokens[i++] ?? '', baseUrl: api.url })
  await client.deleteWebhook(1)()
  await client.deleteWebhook(2)()
  assert.equal(
    api.requests.map((r) => r.headers['authentication']),
    ['rotated-1', 'rotated-2'],
  )
})

test('the same token is sent on every retry of a call', async () => {
  let calls = 0
  const client = createClient({ token: () => `t${++calls}`, baseUrl: api.url, retry: { backoff: 1 } })
  api.reply({ status: 503 }, { status: 503 }, { status: 200, body: '{"status":"success"}' })
  await client.deleteWebhook(1)()
  assert.equal(
    api.requests.map((r) => r.headers['authentication']),
    ['t1', 't1', 't1'],
  )
})

test.run()
