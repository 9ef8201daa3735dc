/**
 * Reading bodies on node:http: past the limit the receiver answers 413 and stops reading (even
 * when the client sends slowly and never declared a length), a client that disconnects mid-body
 * crashes nothing and emits no transaction, and the server's timeouts cut stuck clients off.
 */

import { request } from 'node:http'
import { connect } from 'node:net'
import { encodings, SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import { send } from '@banksocket-webhooks/test-support/http'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createNodeReceiver, DEFAULT_HEADERS_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, type NodeReceiverOptions } from '../src/index.ts'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const start = async (options: Partial<NodeReceiverOptions> = {}) => {
  const receiver = createNodeReceiver({ secrets: [SECRET], ...options })
  const events: string[] = []
  for (const name of ['transaction', 'rejected', 'error'] as const)
    receiver.on(name, (p) => void events.push(`${name}${name === 'rejected' ? ` ${(p as { _tag: string })._tag}` : ''}`))
  const { port } = await receiver.listen(0, '127.0.0.1')
  return { receiver, port, events, url: `http://127.0.0.1:${port}` }
}

const stillServes = async (url: string) => {
  const ok = await send(url, encodings.form(await signed({ description: `after ${Math.random()}` })))
  assert.is(ok.status, 200, 'the next request is served normally')
}

/** Sends `total` bytes in `chunk`-byte pieces every `every` ms; stops at the answer. */
const slowPost = (port: number, total: number, chunk: number, every: number, headers: Record<string, string | number> = {}) =>
  new Promise<{ status: number; body: string; written: number; ms: number }>((resolve, reject) => {
    const started = Date.now()
    let written = 0
    let timer: NodeJS.Timeout | undefined
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        clearInterval(timer)
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        const done = () => {
          resolve({ status: res.statusCode ?? 0, body, written, ms: Date.now() - started })
          req.destroy()
        }
        res.on('end', done)
        res.on('error', done)
      },
    )
    req.on('error', (error) => (written >= total ? undefined : reject(error)))
    req.flushHeaders()
    timer = setInterval(() => {
      if (written >= total) return void (clearInterval(timer), req.end())
      req.write(Buffer.alloc(chunk, 0x20))
      written += chunk
    }, every)
  })

test('an oversized body sent slowly without Content-Length: 413 as soon as it passes the limit', async () => {
  const { receiver, port, events, url } = await start()
  try {
    const result = await slowPost(port, 1024 * 1024, 8 * 1024, 10)
    assert.is(result.status, 413)
    assert.equal(JSON.parse(result.body), { error: 'too_large' })
    assert.ok(result.written < 200 * 1024, `answered after ${result.written} of ${1024 * 1024} bytes`)
    assert.equal(events, ['rejected too_large'])
    await stillServes(url)
  } finally {
    await receiver.close()
  }
})

test('a declared Content-Length over the limit is answered 413 before any body byte is read', async () => {
  const { receiver, port, events } = await start()
  try {
    const result = await slowPost(port, 1024 * 1024, 8 * 1024, 50, { 'content-length': 1024 * 1024 })
    assert.is(result.status, 413)
    assert.ok(result.written <= 16 * 1024, `answered after ${result.written} bytes`)
    assert.equal(events, ['rejected too_large'])
  } finally {
    await receiver.close()
  }
})

test('a client that disconnects mid-body: nothing crashes, no transaction, the server goes on', async () => {
  const { receiver, port, events, url } = await start()
  try {
    const body = encodings.form(await signed()).body as string
    for (const headers of [`content-length: ${Buffer.byteLength(body)}`, 'transfer-encoding: chunked']) {
      const socket = connect(port, '127.0.0.1')
      socket.on('error', () => {})
      await new Promise<void>((resolve) => socket.once('connect', resolve))
      const half = body.slice(0, 100)
      const payload = headers.startsWith('transfer') ? `${Buffer.byteLength(half).toString(16)}\r\n${half}\r\n` : half
      socket.write(`POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\n${headers}\r\n\r\n${payload}`)
      await sleep(50)
      socket.destroy()
      await sleep(50)
    }
    assert.equal(events, ['rejected invalid_payload', 'rejected invalid_payload'])
    await stillServes(url)
    assert.equal(events.filter((e) => e === 'transaction').length, 1)
  } finally {
    await receiver.close()
  }
})

test('a client stuck sending headers is cut off by headersTimeout', async () => {
  const { receiver, port, events } = await start({ headersTimeout: 300, requestTimeout: 600 })
  try {
    const started = Date.now()
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.on('data', (c) => (answer += c.toString()))
    socket.on('error', () => {})
    socket.write('POST / HTTP/1.1\r\nhost: 127.0.0.1\r\n')
    await new Promise<void>((resolve) => socket.once('close', () => resolve()))
    const ms = Date.now() - started
    assert.match(answer, /^HTTP\/1\.1 408/)
    assert.ok(ms >= 250 && ms < 2_500, `closed after ${ms} ms`)
    assert.equal(events, [])
  } finally {
    await receiver.close()
  }
})

test('listeners may take longer than requestTimeout: it only bounds receiving the request', async () => {
  const { receiver, url } = await start({ headersTimeout: 200, requestTimeout: 300, handlerTimeout: 5_000 })
  try {
    receiver.once('credit', () => sleep(1_500))
    const response = await send(url, encodings.form(await signed()))
    assert.is(response.status, 200)
  } finally {
    await receiver.close()
  }
})

test('the server listen starts has the documented timeouts', async () => {
  const { receiver } = await start()
  try {
    assert.is(receiver.server?.headersTimeout, DEFAULT_HEADERS_TIMEOUT)
    assert.is(receiver.server?.requestTimeout, DEFAULT_REQUEST_TIMEOUT)
    assert.throws(
      () => createNodeReceiver({ secrets: ['s'], headersTimeout: 5_000, requestTimeout: 1_000 }),
      /`requestTimeout` must be at least `headersTimeout`/,
    )
    assert.throws(() => createNodeReceiver({ secrets: ['s'], requestTimeout: 0 }), /`requestTimeout` must be a positive integer/)
  } finally {
    await receiver.close()
  }
})

test.run()
