// The token is kept out of errors by construction (it is only sent as the Authentication header),
// not by cutting it out of free text: with a one-character token such as `T`, `0` or `e`, cutting
// it out turned `getaddrinfo ENOTFOUND` into `getaddrinfo ENO[redacted]FOUND` and `127.0.0.1` into
// `127.[redacted]...`. Only a response body can hold the token (a server echoing it): a long token
// is replaced there, and a body holding a short one is withheld whole.
import { createServer } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ApiError, ApiRequestError, createClient, type FetchLike, formatApiError } from '../src/index.ts'
import { type FakeBanksocket, left, startBanksocket, status } from './support/banksocket.ts'

const SHORT_TOKENS = ['T', '0', 'e'] as const
const LONG_TOKEN = 'sk_live_9xQ2"T0ken\\e'
const input = { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' } as const

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer()
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })

/** Every text an error reaches a user through. */
const textsOf = (error: ApiError): ReadonlyArray<string> => {
  const thrown = new ApiRequestError(error)
  return [JSON.stringify(error), formatApiError(error), thrown.message, String(thrown.stack)]
}

const message = (error: ApiError): string => {
  if (error._tag !== 'NetworkError') throw new Error(`expected a NetworkError, got ${JSON.stringify(error)}`)
  return error.message
}

const withServer = async (token: string, run: (api: FakeBanksocket) => Promise<void>): Promise<void> => {
  const api = await startBanksocket({ token })
  try {
    await run(api)
  } finally {
    await api.close()
  }
}

for (const token of SHORT_TOKENS) {
  test(`token '${token}': a refused connection on loopback keeps its message intact`, async () => {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}/v1`
    const error = left(await createClient({ token, baseUrl: url, retry: { limit: 0 } }).deleteWebhook(7)())
    assert.match(message(error), new RegExp(`^fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`))
    for (const text of textsOf(error)) {
      assert.not.ok(text.includes('[redacted]'), text)
      assert.ok(text.includes(`${url}/webhooks/7`), text)
    }
  })

  test(`token '${token}': an unresolvable host keeps getaddrinfo's message intact`, async () => {
    const error = left(await createClient({ token, baseUrl: 'http://nonexistent.invalid/v1' }).createWebhook(input)())
    assert.match(message(error), /^fetch failed: getaddrinfo (ENOTFOUND|EAI_AGAIN) nonexistent\.invalid/)
    assert.match(formatApiError(error), /^POST http:\/\/nonexistent\.invalid\/v1\/webhooks failed: fetch failed: getaddrinfo /)
    for (const text of textsOf(error)) assert.not.ok(text.includes('[redacted]'), text)
  })

  test(`token '${token}': an answer from a real server keeps its URL intact; a body holding the token is withheld whole`, () =>
    withServer(token, async (api) => {
      const client = createClient({ token, baseUrl: api.url, retry: { limit: 0 } })
      for (const body of ['{"error":"queue full"}', '{"error":"busy at 127.0.0.1, retry in 10 s"}', '{"error":"Try later"}']) {
        api.reply(status(503, JSON.parse(body)))
        const error = left(await client.deleteWebhook(1233)())
        if (error._tag !== 'HttpError') throw new Error(`expected an HttpError, got ${JSON.stringify(error)}`)
        assert.is(error.status, 503)
        assert.is(error.url, `${api.url}/webhooks/1233`)
        if (body.includes(token)) {
          assert.match(error.body, /^\[body withheld: it contains the API token, which is too short to redact in place\]$/)
        } else {
          assert.is(error.body, body, 'a body without the token is kept as received')
        }
        assert.is(formatApiError(error), `DELETE ${api.url}/webhooks/1233 answered 503: ${error.body}`)
        assert.not.ok(formatApiError(error).replace(error.body, '').includes('[redacted]'))
      }
    }))
}

test('a long token never appears: echoed in a body (as is or JSON-escaped) it is replaced, the rest intact', () =>
  withServer(LONG_TOKEN, async (api) => {
    const client = createClient({ token: LONG_TOKEN, baseUrl: api.url, retry: { limit: 0 } })
    api.reply((r) => ({ status: 401, body: `token ${String(r.headers['authentication'])} rejected` }))
    const plain = left(await client.createWebhook(input)())
    api.reply((r) => status(403, { error: `token ${String(r.headers['authentication'])} may not do this` }))
    const json = left(await client.createWebhook(input)())
    assert.is(plain._tag === 'HttpError' ? plain.body : '', 'token [redacted] rejected')
    assert.is(json._tag === 'HttpError' ? json.body : '', '{"error":"token [redacted] may not do this"}')
    for (const error of [plain, json]) for (const text of textsOf(error)) assert.not.ok(text.includes(LONG_TOKEN), text)
    for (const error of [plain, json]) assert.not.ok(JSON.stringify(error).includes(JSON.stringify(LONG_TOKEN).slice(1, -1)))
  }))

test('a long token is not in a network message either, even from an injected fetch that quotes its headers', async () => {
  const quoting: FetchLike = (request) =>
    Promise.reject(new Error(`refused ${request instanceof Request ? String(request.headers.get('authentication')) : ''}`))
  const error = left(await createClient({ token: LONG_TOKEN, fetch: quoting, baseUrl: 'http://127.0.0.1:9999/v1' }).createWebhook(input)())
  assert.is(message(error), 'refused [redacted]')
  for (const text of textsOf(error)) assert.not.ok(text.includes(LONG_TOKEN), text)
})

test('a port fetch blocks says so and what to do, instead of "fetch failed: bad port"', async () => {
  const error = left(await createClient({ token: 'T', baseUrl: 'http://127.0.0.1:1/v1' }).createWebhook(input)())
  assert.is(
    message(error),
    'cannot connect to http://127.0.0.1:1: port 1 is refused by fetch (bad port: the Fetch standard blocks it); use another port',
  )
  assert.is(
    formatApiError(error),
    'POST http://127.0.0.1:1/v1/webhooks failed: cannot connect to http://127.0.0.1:1: port 1 is refused by fetch (bad port: the Fetch standard blocks it); use another port',
  )
})

test.run()
