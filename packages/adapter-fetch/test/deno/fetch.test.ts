/**
 * Smoke test of the fetch receiver on Deno with Deno's own Web APIs at both ends: the receiver is
 * `Deno.serve`'s handler on 127.0.0.1 (port 0) and every request is a real `fetch` from Deno,
 * multipart bodies built by Deno's `FormData`, the oversized body a `ReadableStream` sent chunked.
 */

import { Deno, serveOnLoopback } from '@banksocket-webhooks/test-support/deno'
import { encodings, type NotificationFields, SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import * as assert from 'uvu/assert'
import { createFetchReceiver, type ReceivedTransaction } from '../../src/index.ts'

type Answer = Readonly<{ status: number; allow: string | null; body: unknown }>

const answer = async (response: Response): Promise<Answer> => ({
  status: response.status,
  allow: response.headers.get('allow'),
  body: await response.json(),
})

const post = async (url: string, fields: NotificationFields, encoding: 'form' | 'json'): Promise<Answer> => {
  const { contentType, body } = encodings[encoding](fields)
  return answer(await fetch(url, { method: 'POST', headers: { 'content-type': contentType ?? '' }, body: String(body) }))
}

const formData = (fields: NotificationFields): FormData => {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  return form
}

/** Starts a receiver on Deno.serve, runs `body` against its URL, and always stops the server. */
const withReceiver = async (
  body: (url: string, seen: { credits: ReceivedTransaction<'Credit'>[]; events: string[] }) => Promise<void>,
): Promise<void> => {
  const receiver = createFetchReceiver({ secrets: [SECRET], path: '/banksocket' })
  const seen = { credits: [] as ReceivedTransaction<'Credit'>[], events: [] as string[] }
  receiver.on('credit', (tx) => void seen.credits.push(tx))
  for (const name of ['transaction', 'credit', 'debit', 'duplicate', 'gap', 'rejected', 'error'] as const) {
    receiver.on(name, () => void seen.events.push(name))
  }
  const server = await serveOnLoopback(receiver.fetch)
  try {
    await body(`${server.url}/banksocket`, seen)
  } finally {
    await server.close()
  }
}

Deno.test({
  name: 'Deno.serve + fetch: a signed credit is accepted once, with exact money; the re-delivery is a duplicate',
  fn: () =>
    withReceiver(async (url, seen) => {
      const n = await signed({ amount: '1234.56', balance: '9234.56' })
      assert.equal(await post(url, n, 'form'), { status: 200, allow: null, body: { status: 'ok' } })
      assert.is(seen.credits.length, 1)
      const tx = seen.credits[0]!
      assert.equal(tx.amount, { minor: 123456n, currency: 'TRY' })
      assert.is(tx.verified.amount, '1234.56')
      assert.is(tx.unverified.account, 'Kadıköy İşbank TL Hesabı')
      assert.equal(seen.events, ['transaction', 'credit'])

      assert.equal(await post(url, n, 'json'), { status: 200, allow: null, body: { status: 'duplicate' } })
      assert.equal(seen.events, ['transaction', 'credit', 'duplicate'])
      assert.is(seen.credits.length, 1)
    }),
})

Deno.test({
  name: "Deno.serve + fetch: a multipart body from Deno's FormData is accepted; a missed movement is a gap",
  fn: () =>
    withReceiver(async (url, seen) => {
      const first = await signed({ amount: '100.00', balance: '1100.00', description: 'first' })
      const second = await signed({ amount: '50.00', balance: '1400.00', description: 'second' })
      assert.equal(await answer(await fetch(url, { method: 'POST', body: formData(first) })), { status: 200, allow: null, body: { status: 'ok' } })
      assert.equal(await answer(await fetch(url, { method: 'POST', body: formData(second) })), { status: 200, allow: null, body: { status: 'ok' } })
      assert.equal(seen.events, ['transaction', 'credit', 'gap', 'transaction', 'credit'])
    }),
})

Deno.test({
  name: 'Deno.serve + fetch: 401 for another secret or a tampered amount, and no secret in any answer',
  fn: () =>
    withReceiver(async (url, seen) => {
      const wrong = await post(url, await signed({}, 'not-the-secret'), 'form')
      const tampered = await post(url, { ...(await signed()), amount: '1000000.00' }, 'json')
      for (const a of [wrong, tampered]) {
        assert.equal(a, { status: 401, allow: null, body: { error: 'invalid_hash' } })
        assert.not.ok(JSON.stringify(a).includes(SECRET))
      }
      assert.equal(seen.events, ['rejected', 'rejected'])
    }),
})

Deno.test({
  name: 'Deno.serve + fetch: 405 with Allow: POST, 404 for another path, 415 for another content type',
  fn: () =>
    withReceiver(async (url, seen) => {
      assert.equal(await answer(await fetch(url)), { status: 405, allow: 'POST', body: { error: 'method_not_allowed' } })
      assert.equal(await answer(await fetch(url, { method: 'PUT', body: 'x' })), {
        status: 405,
        allow: 'POST',
        body: { error: 'method_not_allowed' },
      })
      assert.is((await answer(await fetch(url.replace('/banksocket', '/elsewhere'), { method: 'POST' }))).status, 404)
      const text = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'dc=Credit' })
      assert.equal(await answer(text), { status: 415, allow: null, body: { error: 'unsupported_media_type' } })
      assert.equal(seen.events, ['rejected'])
    }),
})

Deno.test({
  name: 'Deno.serve + fetch: 413 for a body over 64 KiB, declared or streamed without a length',
  fn: () =>
    withReceiver(async (url, seen) => {
      const big = `{"padding":"${'x'.repeat(70 * 1024)}"}`
      const declared = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })
      assert.equal(await answer(declared), { status: 413, allow: null, body: { error: 'too_large' } })
      const bytes = new TextEncoder().encode(big)
      const chunks = Array.from({ length: Math.ceil(bytes.byteLength / 4096) }, (_, i) => bytes.subarray(i * 4096, (i + 1) * 4096))
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          const chunk = chunks.shift()
          if (chunk === undefined) controller.close()
          else controller.enqueue(chunk)
        },
      })
      const streamed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream })
      assert.equal(await answer(streamed), { status: 413, allow: null, body: { error: 'too_large' } })
      assert.equal(seen.events, ['rejected', 'rejected'])
    }),
})
