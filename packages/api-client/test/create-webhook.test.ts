import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createClient } from '../src/index.ts'
import { DOCUMENTED_CREATE_ANSWER, type FakeBanksocket, left, startBanksocket, status, TOKEN } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => api.reset())
test.after(() => api.close())

const input = { title: 'TR işbank api test', endpoint: 'http://test', event: 'NEW_TRANSACTION', account: 'all' } as const

test('POSTs the input as JSON to /webhooks with the Authentication header and resolves with the documented webhook', async () => {
  api.reply({ status: 200, headers: { 'content-type': 'application/json' }, body: DOCUMENTED_CREATE_ANSWER })
  const client = createClient({ token: TOKEN, baseUrl: api.url })

  const result = await client.createWebhook(input)()

  assert.equal(result, E.right({ id: 1233, endpoint: 'http://test', title: 'TR işbank api test' }))
  assert.is(api.requests.length, 1)
  const [request] = api.requests
  assert.is(request?.method, 'POST')
  assert.is(request?.path, '/v1/webhooks')
  assert.is(request?.headers['authentication'], TOKEN)
  assert.is(request?.headers['authorization'], undefined, 'the token goes in Authentication, not Authorization')
  assert.is(request?.headers['content-type'], 'application/json')
  assert.is(request?.headers['accept'], 'application/json')
  assert.equal(JSON.parse(request?.body ?? ''), { title: 'TR işbank api test', endpoint: 'http://test', event: 'NEW_TRANSACTION', account: 'all' })
})

test('sends an account id as a JSON string, as the API table says, also when given as a number', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  const result = await client.createWebhook({ ...input, event: 'NEW_CREDIT', account: 69 })()
  assert.ok(E.isRight(result))
  assert.equal(JSON.parse(api.requests[0]?.body ?? ''), { ...input, event: 'NEW_CREDIT', account: '69' })
})

test('sends only the four documented fields', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  await client.createWebhook({ ...input, secret: 'do-not-send' } as typeof input)()
  assert.equal(Object.keys(JSON.parse(api.requests[0]?.body ?? '')).sort(), ['account', 'endpoint', 'event', 'title'])
})

test("bodyEncoding 'form' sends application/x-www-form-urlencoded UTF-8", async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url, bodyEncoding: 'form' })

  const result = await client.createWebhook({ title: 'Kadıköy & Şişli', endpoint: 'https://shop.example/bs?x=1', event: 'NEW_DEBIT', account: 69 })()

  assert.ok(E.isRight(result))
  const [request] = api.requests
  assert.is(request?.headers['content-type'], 'application/x-www-form-urlencoded')
  assert.is(request?.body, 'title=Kad%C4%B1k%C3%B6y+%26+%C5%9Ei%C5%9Fli&endpoint=https%3A%2F%2Fshop.example%2Fbs%3Fx%3D1&event=NEW_DEBIT&account=69')
  assert.equal(Object.fromEntries(new URLSearchParams(request?.body)), {
    title: 'Kadıköy & Şişli',
    endpoint: 'https://shop.example/bs?x=1',
    event: 'NEW_DEBIT',
    account: '69',
  })
  assert.equal(
    E.map((w: { endpoint: string; title: string }) => [w.endpoint, w.title])(result),
    E.right(['https://shop.example/bs?x=1', 'Kadıköy & Şişli']),
  )
})

test('bad input is an InvalidInput naming every bad field, and nothing is sent', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })

  const error = left(await client.createWebhook({ title: ' ', endpoint: 'ftp://x', event: 'NEW_REFUND', account: -3 } as never)())

  assert.is(error._tag, 'InvalidInput')
  assert.equal(error._tag === 'InvalidInput' ? error.problems.map((p) => p.path) : [], ['title', 'endpoint', 'event', 'account'])
  assert.is(api.requests.length, 0)
})

test('a missing field is reported as required; a non-object input too', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  const missing = left(await client.createWebhook({ title: 'x', event: 'NEW_CREDIT', account: 'all' } as never)())
  assert.equal(missing, { _tag: 'InvalidInput', problems: [{ path: 'endpoint', message: 'is required' }] })
  const notObject = left(await client.createWebhook(null as never)())
  assert.is(notObject._tag, 'InvalidInput')
  assert.is(api.requests.length, 0)
})

test('a webhook id answered as a string of digits is the same webhook, as a number', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  api.reply(status(200, { webhook: { id: '1233', endpoint: 'http://test', title: 'x' } }))
  const created = await client.createWebhook(input)()
  assert.equal(created, E.right({ id: 1233, endpoint: 'http://test', title: 'x' }))
})

test('an answer of the wrong shape is a DecodeError naming the path', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  api.reply(status(200, { webhook: { id: 'abc', endpoint: 'http://test', title: 'x' } }))
  const wrongId = left(await client.createWebhook(input)())
  assert.is(wrongId._tag, 'DecodeError')
  if (wrongId._tag !== 'DecodeError') return
  assert.equal(
    wrongId.problems.map((p) => p.path),
    ['webhook.id'],
  )
  assert.is(wrongId.status, 200)
  assert.is(wrongId.method, 'POST')
  assert.is(wrongId.url, `${api.url}/webhooks`)
  assert.is(wrongId.body, '{"webhook":{"id":"abc","endpoint":"http://test","title":"x"}}')

  api.reply(status(200, { id: 1233, endpoint: 'http://test', title: 'x' }))
  const unwrapped = left(await client.createWebhook(input)())
  assert.equal(unwrapped._tag === 'DecodeError' ? unwrapped.problems : [], [{ path: 'webhook', message: 'is required' }])
})

test('malformed JSON is a DecodeError at the root path', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  api.reply({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"webhook":' })
  const error = left(await client.createWebhook(input)())
  assert.equal(error, {
    _tag: 'DecodeError',
    method: 'POST',
    url: `${api.url}/webhooks`,
    status: 200,
    problems: [{ path: '', message: 'expected a JSON body' }],
    body: '{"webhook":',
  })
})

test('an empty 200 answer is a DecodeError', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  api.reply({ status: 200 })
  const error = left(await client.createWebhook(input)())
  assert.is(error._tag, 'DecodeError')
})

test.run()
