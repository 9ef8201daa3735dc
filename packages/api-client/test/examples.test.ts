// The root README's webhook samples (test/examples/*.ts), run against a local server playing Banksocket.
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createThenDelete as withPromises } from './examples/async-await.ts'
import { createThenDelete as withFpTs } from './examples/fp-ts.ts'
import { type FakeBanksocket, startBanksocket, TOKEN } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => api.reset())
test.after(async () => {
  await api.close()
})

test('fp-ts sample: creates then deletes with the Authentication header', async () => {
  assert.equal(await withFpTs(TOKEN, api.url)(), E.right({ status: 'success' }))
  assert.equal(
    api.requests.map((r) => `${r.method} ${r.path} ${r.headers['authentication']}`),
    [`POST /v1/webhooks ${TOKEN}`, `DELETE /v1/webhooks/1233 ${TOKEN}`],
  )
})

test('fp-ts sample: a refused token is one log line naming the status, never the token', async () => {
  const result = await withFpTs('wrong-token-value', api.url)()
  assert.ok(E.isLeft(result) && result.left.includes('401'))
  assert.not.ok(JSON.stringify(result).includes('wrong-token-value'))
})

test('async/await sample: resolves with the webhook id; a refused token is a clear error', async () => {
  const id = await withPromises(TOKEN, api.url)
  assert.equal(
    api.requests.map((r) => `${r.method} ${r.path}`),
    ['POST /v1/webhooks', `DELETE /v1/webhooks/${id}`],
  )
  try {
    await withPromises('wrong-token-value', api.url)
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.is((error as Error).message, 'Banksocket refused the token')
  }
})

test.run()
