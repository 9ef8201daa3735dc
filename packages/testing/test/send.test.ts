import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ENCODINGS, type SendOptions, sendNotification, signNotification } from '../src/index.ts'
import { deadUrl, startReceiver } from './receiver.ts'

const SECRET = 'send-secret-ÇĞİ'

for (const encoding of ENCODINGS) {
  test(`a signed notification sent as ${encoding} is accepted by a real receiver`, async () => {
    const receiver = await startReceiver([SECRET])
    try {
      const signed = await signNotification({ description: 'FAST ÖDEME - AYŞE KAYA & ORTAKLARI %20' }, SECRET)()
      const result = await sendNotification(receiver.url, signed, { encoding })()
      assert.equal(result, {
        _tag: 'Right',
        right: { status: 200, ok: true, contentType: 'application/json', body: '{"status":"ok"}', json: { status: 'ok' } },
      })
      const received = receiver.received[0]
      assert.is(received?.method, 'POST')
      assert.is(received?.result._tag, 'Right')
      if (received?.result._tag === 'Right') assert.is(received.result.right.verified.description, signed.description)
    } finally {
      await receiver.close()
    }
  })
}

test('form is the default encoding', async () => {
  const receiver = await startReceiver([SECRET])
  try {
    await sendNotification(receiver.url, await signNotification({}, SECRET)())()
    assert.is(receiver.received[0]?.contentType, 'application/x-www-form-urlencoded')
  } finally {
    await receiver.close()
  }
})

test('a rejection is an answer, not an error: status and parsed body', async () => {
  const receiver = await startReceiver([SECRET])
  try {
    const signed = await signNotification({}, SECRET)()
    const result = await sendNotification(receiver.url, { ...signed, amount: '1000.00' })()
    assert.is(result._tag, 'Right')
    if (result._tag === 'Right') {
      assert.is(result.right.status, 401)
      assert.is(result.right.ok, false)
      assert.equal(result.right.json, { error: 'invalid_hash' })
    }
  } finally {
    await receiver.close()
  }
})

test('a non-JSON answer keeps its text and has no json', async () => {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('fine'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const result = await sendNotification(url, { a: 'b' })()
    assert.equal(result, { _tag: 'Right', right: { status: 200, ok: true, contentType: 'text/plain', body: 'fine', json: undefined } })
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('extra headers are sent; a caller content-type never overrides the encoding', async () => {
  let seen: Record<string, string | string[] | undefined> = {}
  const server = createServer((req, res) => {
    seen = req.headers
    req.resume()
    req.on('end', () => res.writeHead(204).end())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const result = await sendNotification(url, { a: 'b' }, { encoding: 'json', headers: { 'x-test': '1', 'Content-Type': 'text/plain' } })()
    assert.is(result._tag === 'Right' && result.right.status, 204)
    assert.is(seen['x-test'], '1')
    assert.is(seen['content-type'], 'application/json')
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('nobody listening is a network_error with its cause', async () => {
  const result = await sendNotification(await deadUrl(), { a: 'b' })()
  assert.is(result._tag, 'Left')
  if (result._tag === 'Left') {
    assert.is(result.left._tag, 'network_error')
    assert.match(result.left._tag === 'network_error' ? result.left.message : '', /ECONNREFUSED/)
  }
})

test('no answer in time is a timeout', async () => {
  const server = createServer(() => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const started = Date.now()
    const result = await sendNotification(url, { a: 'b' }, { timeout: 100 })()
    assert.equal(result, { _tag: 'Left', left: { _tag: 'timeout', timeout: 100 } })
    assert.ok(Date.now() - started < 2000)
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('the caller signal aborts', async () => {
  const server = createServer(() => undefined)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 20)
    assert.equal(await sendNotification(url, { a: 'b' }, { signal: controller.signal })(), { _tag: 'Left', left: { _tag: 'aborted' } })
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('a URL that is not absolute http(s) is invalid_url, without a request', async () => {
  for (const url of ['not a url', 'ftp://127.0.0.1/', '/relative']) {
    assert.equal(await sendNotification(url, {})(), { _tag: 'Left', left: { _tag: 'invalid_url', url } })
  }
})

test('an injected fetch is used', async () => {
  const calls: string[] = []
  const fakeFetch: typeof fetch = async (input) => {
    calls.push(String(input))
    return new Response('{"status":"ok"}', { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } })
  }
  const result = await sendNotification('http://127.0.0.1:1/x', { a: 'b' }, { fetch: fakeFetch })()
  assert.equal(calls, ['http://127.0.0.1:1/x'])
  assert.equal(result._tag === 'Right' && result.right.json, { status: 'ok' })
})

test('bad options throw a TypeError before anything is sent', () => {
  const bad: ReadonlyArray<SendOptions> = [{ timeout: 0 }, { timeout: -5 }, { timeout: 1.5 }, { encoding: 'xml' as 'form' }]
  for (const options of bad) assert.throws(() => sendNotification('http://127.0.0.1:1/', {}, options), TypeError)
})

test.run()
