/**
 * The fetch handler translates only: a `Request` in, the receiver's answer as a `Response` out.
 * `toFetchHandler` works on any receiver; `createFetchReceiver` binds it as `fetch`.
 */
import { createReceiver } from '@banksocket-webhooks/receiver'
import { encodings, SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createFetchReceiver, toFetchHandler } from '../src/index.ts'

test('fetch is bound, so it can be passed around as a plain function', async () => {
  const { fetch } = createFetchReceiver({ secrets: ['s'], path: '/hook' })
  assert.is((await fetch(new Request('http://x.test/elsewhere'))).status, 404)
  const response = await fetch(new Request('http://x.test/hook'))
  assert.is(response.status, 405)
  assert.is(response.headers.get('allow'), 'POST')
})

test('toFetchHandler serves a receiver made by createReceiver, events and all', async () => {
  const seen: string[] = []
  const receiver = createReceiver({ secrets: [SECRET], path: '/banksocket' }).on('credit', (tx) => void seen.push(tx.verified.amount))
  const handler = toFetchHandler(receiver)
  const { contentType, body } = encodings.form(await signed({ amount: '250.75' }))
  const response = await handler(
    new Request('https://shop.example/banksocket?attempt=1', { method: 'POST', body: String(body), headers: { 'content-type': contentType ?? '' } }),
  )
  assert.is(response.status, 200)
  assert.equal(await response.json(), { status: 'ok' })
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
  assert.equal(seen, ['250.75'])
})

test.run()
