/**
 * The management API client on Deno: `createClient` (ky on Deno's own `fetch`) against a loopback
 * server started inside Deno with `Deno.serve`, playing Banksocket: it checks the `Authentication`
 * header, answers `{"webhook":{...}}` to `POST /v1/webhooks` and `{"status":"success"}` to
 * `DELETE /v1/webhooks/:id`, and can fail on demand.
 */

import { Deno, serveOnLoopback } from '@banksocket-webhooks/test-support/deno'
import * as E from 'fp-ts/lib/Either.js'
import * as assert from 'uvu/assert'
import { type ApiError, ApiRequestError, type ClientOptions, createClient, createPromiseClient } from '../../src/index.ts'

const TOKEN = 'deno-token-9f3a5c71'

type Seen = Readonly<{
  method: string
  path: string
  authentication: string | null
  authorization: string | null
  contentType: string | null
  body: string
}>

/** A Banksocket stand-in. `failDeletes` answers that many DELETEs with 503 before succeeding. */
const startBanksocket = async (behaviour: { failDeletes?: number; badShape?: boolean } = {}) => {
  const seen: Seen[] = []
  let failDeletes = behaviour.failDeletes ?? 0
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
  const server = await serveOnLoopback(async (request) => {
    const path = new URL(request.url).pathname
    const body = await request.text()
    seen.push({
      method: request.method,
      path,
      authentication: request.headers.get('authentication'),
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      body,
    })
    if (request.headers.get('authentication') !== TOKEN) return json(401, { message: 'Unauthenticated.' })
    if (request.method === 'POST' && path === '/v1/webhooks') {
      const input = request.headers.get('content-type')?.startsWith('application/json')
        ? (JSON.parse(body) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(body))
      if (behaviour.badShape) return json(200, { webhook: { id: 'not-a-number' } })
      return json(200, { webhook: { id: 1233, endpoint: input['endpoint'], title: input['title'] } })
    }
    const remove = /^\/v1\/webhooks\/(\d+)$/.exec(path)
    if (request.method === 'DELETE' && remove !== null) {
      if (failDeletes > 0) {
        failDeletes -= 1
        return json(503, { message: 'try again' }, { 'retry-after': '0' })
      }
      return json(200, { status: 'success' })
    }
    return json(404, { message: 'Not Found' })
  })
  return { url: `${server.url}/v1`, seen, close: server.close }
}

const options = (baseUrl: string, extra: Partial<ClientOptions> = {}): ClientOptions => ({
  token: TOKEN,
  baseUrl,
  retry: { limit: 2, backoff: 5, maxDelay: 50 },
  ...extra,
})

const input = { title: 'TR işbank api test', endpoint: 'https://shop.example/hooks/banksocket', event: 'NEW_CREDIT', account: 'all' } as const

Deno.test({
  name: 'Deno: createWebhook sends Authentication (not Authorization) and decodes {"webhook":{...}}',
  fn: async () => {
    const api = await startBanksocket()
    try {
      const created = await createClient(options(api.url)).createWebhook(input)()
      assert.equal(created, E.right({ id: 1233, endpoint: input.endpoint, title: input.title }))
      const [request] = api.seen
      assert.is(request?.method, 'POST')
      assert.is(request?.path, '/v1/webhooks')
      assert.is(request?.authentication, TOKEN)
      assert.is(request?.authorization, null)
      assert.match(request?.contentType ?? '', /^application\/json/)
      assert.equal(JSON.parse(request?.body ?? ''), input)
    } finally {
      await api.close()
    }
  },
})

Deno.test({
  name: 'Deno: createWebhook as a form body keeps Turkish letters',
  fn: async () => {
    const api = await startBanksocket()
    try {
      const created = await createClient(options(api.url, { bodyEncoding: 'form' })).createWebhook({ ...input, account: 69 })()
      assert.ok(E.isRight(created))
      const request = api.seen[0]
      assert.match(request?.contentType ?? '', /^application\/x-www-form-urlencoded/)
      assert.equal(Object.fromEntries(new URLSearchParams(request?.body ?? '')), { ...input, account: '69' })
    } finally {
      await api.close()
    }
  },
})

Deno.test({
  name: 'Deno: deleteWebhook answers {"status":"success"}, retrying a 503 with Retry-After',
  fn: async () => {
    const api = await startBanksocket({ failDeletes: 1 })
    try {
      const deleted = await createClient(options(api.url)).deleteWebhook(1233)()
      assert.equal(deleted, E.right({ status: 'success' }))
      assert.equal(
        api.seen.map((s) => `${s.method} ${s.path}`),
        ['DELETE /v1/webhooks/1233', 'DELETE /v1/webhooks/1233'],
      )
    } finally {
      await api.close()
    }
  },
})

Deno.test({
  name: 'Deno: a refused token is an HttpError with status and raw body, and the token appears nowhere',
  fn: async () => {
    const api = await startBanksocket()
    try {
      const result = await createClient(options(api.url, { token: `${TOKEN}-revoked` })).createWebhook(input)()
      assert.ok(E.isLeft(result))
      const error = (result as E.Left<ApiError>).left
      assert.is(error._tag, 'HttpError')
      assert.is(error._tag === 'HttpError' && error.status, 401)
      assert.is(error._tag === 'HttpError' && error.body, '{"message":"Unauthenticated."}')
      assert.not.ok(JSON.stringify(error).includes(TOKEN))

      const rejected = await createPromiseClient(options(api.url, { token: `${TOKEN}-revoked` }))
        .deleteWebhook(7)
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      assert.ok(rejected instanceof ApiRequestError)
      assert.not.ok(String((rejected as Error).message).includes(TOKEN))
      assert.not.ok(String((rejected as Error).stack).includes(TOKEN))
    } finally {
      await api.close()
    }
  },
})

Deno.test({
  name: 'Deno: bad input is InvalidInput before any request; an unexpected answer is a DecodeError',
  fn: async () => {
    const api = await startBanksocket({ badShape: true })
    try {
      const client = createClient(options(api.url))
      const invalid = await client.createWebhook({ ...input, endpoint: 'not a url' })()
      assert.is(E.isLeft(invalid) && invalid.left._tag, 'InvalidInput')
      assert.is(api.seen.length, 0)
      const decoded = await client.createWebhook(input)()
      assert.is(E.isLeft(decoded) && decoded.left._tag, 'DecodeError')
      assert.is(api.seen.length, 1)
    } finally {
      await api.close()
    }
  },
})
