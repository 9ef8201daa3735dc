import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ApiRequestError, createPromiseClient, formatApiError } from '../src/index.ts'
import { DOCUMENTED_CREATE_ANSWER, DOCUMENTED_DELETE_ANSWER, type FakeBanksocket, startBanksocket, status, TOKEN } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => api.reset())
test.after(() => api.close())

const input = { title: 'TR işbank api test', endpoint: 'http://test', event: 'NEW_TRANSACTION', account: 'all' } as const

const rejection = async (promise: Promise<unknown>): Promise<ApiRequestError> => {
  try {
    await promise
  } catch (error) {
    assert.instance(error, ApiRequestError)
    return error as ApiRequestError
  }
  throw new Error('expected a rejection')
}

test('createWebhook and deleteWebhook resolve with the decoded answers', async () => {
  api.reply({ status: 200, body: DOCUMENTED_CREATE_ANSWER }, { status: 200, body: DOCUMENTED_DELETE_ANSWER })
  const client = createPromiseClient({ token: TOKEN, baseUrl: api.url })
  assert.equal(await client.createWebhook(input), { id: 1233, endpoint: 'http://test', title: 'TR işbank api test' })
  assert.equal(await client.deleteWebhook(1233), { status: 'success' })
  assert.equal(
    api.requests.map((r) => `${r.method} ${r.path} ${String(r.headers['authentication'])}`),
    [`POST /v1/webhooks ${TOKEN}`, `DELETE /v1/webhooks/1233 ${TOKEN}`],
  )
})

test('failures reject with an ApiRequestError carrying the typed ApiError', async () => {
  const client = createPromiseClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 0 } })
  api.reply(status(403, { error: 'forbidden' }))
  const error = await rejection(client.createWebhook(input))
  assert.instance(error, Error)
  assert.is(error.name, 'ApiRequestError')
  assert.equal(error.error, {
    _tag: 'HttpError',
    method: 'POST',
    url: `${api.url}/webhooks`,
    status: 403,
    body: '{"error":"forbidden"}',
    attempts: 1,
  })
  assert.is(error.message, formatApiError(error.error))

  api.reply({ drop: true })
  assert.is((await rejection(client.deleteWebhook(3))).error._tag, 'NetworkError')
})

test('bad input rejects with InvalidInput, and nothing is sent', async () => {
  const client = createPromiseClient({ token: TOKEN, baseUrl: api.url })
  const error = await rejection(client.deleteWebhook(0))
  assert.equal(error.error, { _tag: 'InvalidInput', problems: [{ path: 'id', message: 'expected a positive integer webhook id' }] })
  assert.match(error.message, /^invalid input, nothing was sent: id: expected a positive integer webhook id$/)
  assert.is(api.requests.length, 0)
})

test('bad options throw at once, as with createClient', () => {
  assert.throws(() => createPromiseClient({ token: '' }), /the token is empty/)
})

test.run()
