/**
 * The middleware in Express 5: before any body parser (reads the raw stream), after
 * `express.urlencoded()` / `express.json()` (already-parsed fields), after `express.raw()` and
 * `express.text()` (raw bytes or text with the request's content type).
 */
import type { AddressInfo } from 'node:net'
import { type Encoding, encodings, SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import { send, type WireRequest } from '@banksocket-webhooks/test-support/http'
import express, { type RequestHandler } from 'express'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createNodeReceiver } from '../src/index.ts'

type BodySeen = 'none' | 'object' | 'buffer' | 'string'

const serve = async (parsers: RequestHandler[], path?: string) => {
  const receiver = createNodeReceiver({ secrets: [SECRET], ...(path === undefined ? {} : { path }) })
  const events: string[] = []
  for (const name of ['transaction', 'credit', 'debit', 'duplicate', 'rejected', 'error'] as const) {
    receiver.on(name, () => void events.push(name))
  }
  const seen: BodySeen[] = []
  const app = express()
  app.get('/health', (_req, res) => void res.json({ ok: true }))
  for (const parser of parsers) app.use(parser)
  app.use((req, _res, next) => {
    const body: unknown = req.body
    seen.push(body === undefined ? 'none' : Buffer.isBuffer(body) ? 'buffer' : typeof body === 'string' ? 'string' : 'object')
    next()
  })
  if (path === undefined) app.use('/banksocket', receiver.middleware)
  else app.use(receiver.middleware)
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    events,
    seen,
    post: (wire: WireRequest, at = '/banksocket') => send(url, { ...wire, path: at }),
    get: (at: string) => send(url, { method: 'GET', path: at }),
    close: async () => {
      await receiver.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const description = 'FATURA ÖDEMESİ 2026/11 #A&B=C+D %20 çğıöşü'

const acceptsAll = async (parsers: RequestHandler[], expected: Record<Encoding, BodySeen>) => {
  const app = await serve(parsers)
  try {
    for (const encoding of ['form', 'json', 'multipart'] as const) {
      const n = await signed({ description: `${description} ${encoding}` })
      const first = await app.post(encodings[encoding](n))
      assert.is(first.status, 200, `${encoding}: ${first.text}`)
      assert.equal(first.json, { status: 'ok' })
      const again = await app.post(encodings[encoding](n))
      assert.equal(again.json, { status: 'duplicate' }, `${encoding} again`)
      const tampered = await app.post(encodings[encoding]({ ...n, amount: '1000.00' }))
      assert.is(tampered.status, 401, `${encoding} tampered`)
    }
    assert.equal(
      app.seen,
      ['form', 'form', 'form', 'json', 'json', 'json', 'multipart', 'multipart', 'multipart'].map((e) => expected[e as Encoding]),
    )
    assert.equal(app.events, [
      'transaction',
      'credit',
      'duplicate',
      'rejected',
      'transaction',
      'credit',
      'duplicate',
      'rejected',
      'transaction',
      'credit',
      'duplicate',
      'rejected',
    ])
  } finally {
    await app.close()
  }
}

test('mounted before any body parser, it reads the raw stream', async () => {
  await acceptsAll([], { form: 'none', json: 'none', multipart: 'none' })
})

test('after express.urlencoded(): delivers the parsed form fields; other encodings are read raw', async () => {
  await acceptsAll([express.urlencoded()], { form: 'object', json: 'none', multipart: 'none' })
})

test('after express.urlencoded() and express.json(): both arrive as parsed fields', async () => {
  await acceptsAll([express.urlencoded(), express.json()], { form: 'object', json: 'object', multipart: 'none' })
})

test('after express.raw(): delivers the raw bytes with the request content type', async () => {
  await acceptsAll([express.raw({ type: '*/*' })], { form: 'buffer', json: 'buffer', multipart: 'buffer' })
})

test('after express.raw() with its default type: bodies it skips are read from the stream', async () => {
  await acceptsAll([express.raw()], { form: 'none', json: 'none', multipart: 'none' })
})

test('after express.text(): delivers the text with the request content type', async () => {
  await acceptsAll([express.text({ type: '*/*' })], { form: 'string', json: 'string', multipart: 'string' })
})

test('parsed fields get the same answers: a field sent twice is 400, wrong types are 400', async () => {
  const app = await serve([express.urlencoded(), express.json()])
  try {
    const n = await signed()
    const twice = await app.post({ contentType: 'application/x-www-form-urlencoded', body: `${encodings.form(n).body as string}&dc=Debit` })
    assert.is(twice.status, 400)
    assert.is((twice.json as { error: string }).error, 'invalid_payload')
    const numeric = await app.post({ contentType: 'application/json', body: JSON.stringify({ ...n, amount: 100 }) })
    assert.is(numeric.status, 400)
    assert.equal(app.events, ['rejected', 'rejected'])
  } finally {
    await app.close()
  }
})

test('a parser that leaves an empty object without reading the stream (Express 4 style): the stream is read', async () => {
  const express4Style: RequestHandler = (req, _res, next) => {
    ;(req as { body?: unknown }).body = {}
    next()
  }
  await acceptsAll([express4Style], { form: 'object', json: 'object', multipart: 'object' })
})

test('other routes keep working; a wrong method on the receiver is 405', async () => {
  const app = await serve([express.json()])
  try {
    assert.equal((await app.get('/health')).json, { ok: true })
    const get = await app.get('/banksocket')
    assert.is(get.status, 405)
    assert.is(get.headers.allow, 'POST')
  } finally {
    await app.close()
  }
})

test('with a path option, requests for other paths go to next() (Express answers them)', async () => {
  const app = await serve([], '/banksocket')
  try {
    const elsewhere = await app.post(encodings.form(await signed()), '/elsewhere')
    assert.is(elsewhere.status, 404)
    assert.match(elsewhere.text, /Cannot POST \/elsewhere/)
    assert.is((await app.post(encodings.form(await signed()))).status, 200)
    assert.equal((await app.get('/health')).json, { ok: true })
  } finally {
    await app.close()
  }
})

test('the body limit applies to raw reads in Express too', async () => {
  const app = await serve([])
  try {
    const big = await app.post({ contentType: 'application/json', body: 'x'.repeat(70_000) })
    assert.is(big.status, 413)
    assert.equal(big.json, { error: 'too_large' })
  } finally {
    await app.close()
  }
})

test.run()
