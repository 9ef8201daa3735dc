import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createClient } from '../src/index.ts'
import { DOCUMENTED_DELETE_ANSWER, type FakeBanksocket, startBanksocket, status, TOKEN } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => api.reset())
test.after(() => api.close())

test('DELETEs /webhooks/:id with the Authentication header and resolves with the documented answer', async () => {
  api.reply({ status: 200, headers: { 'content-type': 'application/json' }, body: DOCUMENTED_DELETE_ANSWER })
  const client = createClient({ token: TOKEN, baseUrl: api.url })

  const result = await client.deleteWebhook(1233)()

  assert.equal(result, E.right({ status: 'success' }))
  const [request] = api.requests
  assert.is(api.requests.length, 1)
  assert.is(request?.method, 'DELETE')
  assert.is(request?.path, '/v1/webhooks/1233')
  assert.is(request?.headers['authentication'], TOKEN)
  assert.is(request?.headers['authorization'], undefined)
  assert.is(request?.body, '')
})

test('creating then deleting against the default behaviour round-trips', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  const created = await client.createWebhook({ title: 't', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' })()
  assert.ok(E.isRight(created))
  if (E.isLeft(created)) return
  assert.equal(await client.deleteWebhook(created.right.id)(), E.right({ status: 'success' }))
  assert.equal(
    api.requests.map((r) => `${r.method} ${r.path}`),
    ['POST /v1/webhooks', `DELETE /v1/webhooks/${created.right.id}`],
  )
})

test('an id that is not a positive integer is an InvalidInput at path id, and nothing is sent', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  for (const id of [0, -1, 1.5, Number.NaN, '12a', '../1', null]) {
    const result = await client.deleteWebhook(id as number)()
    assert.equal(result, E.left({ _tag: 'InvalidInput', problems: [{ path: 'id', message: 'expected a positive integer webhook id' }] }), String(id))
  }
  assert.is(api.requests.length, 0)
})

test('an answer other than {"status":"success"} is a DecodeError at path status', async () => {
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  api.reply(status(200, { status: 'failed' }))
  const result = await client.deleteWebhook(7)()
  assert.ok(E.isLeft(result))
  if (E.isRight(result) || result.left._tag !== 'DecodeError') return assert.unreachable('expected a DecodeError')
  assert.equal(
    result.left.problems.map((p) => p.path),
    ['status'],
  )
  assert.is(result.left.method, 'DELETE')
  assert.is(result.left.url, `${api.url}/webhooks/7`)
})

test.run()
