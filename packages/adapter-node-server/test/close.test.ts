/** close(): stops accepting, lets in-flight requests finish (listeners, store append, answer), resolves. */
import { Agent, request } from 'node:http'
import { createInMemoryEventStore, type LedgerEvent } from '@banksocket-webhooks/core'
import { encodings, SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import { send } from '@banksocket-webhooks/test-support/http'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createNodeReceiver } from '../src/index.ts'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

test('close() waits for an in-flight slow handler, which is answered 200 and stored', async () => {
  const store = createInMemoryEventStore<LedgerEvent>()
  const receiver = createNodeReceiver({ secrets: [SECRET], store })
  const order: string[] = []
  let started!: () => void
  const handling = new Promise<void>((resolve) => (started = resolve))
  receiver.on('credit', async () => {
    started()
    await sleep(300)
    order.push('handler done')
  })
  const { port } = await receiver.listen(0, '127.0.0.1')
  const url = `http://127.0.0.1:${port}`
  const response = send(url, encodings.form(await signed())).then((r) => {
    order.push(`answered ${r.status} ${r.headers.connection}`)
    return r
  })
  await handling
  const closed = receiver.close().then(() => order.push('closed'))
  assert.is(receiver.close(), receiver.close(), 'close() is idempotent')
  await sleep(20)
  const refused = await send(url, encodings.form(await signed({ description: 'late' }))).then(
    () => 'served',
    (error: NodeJS.ErrnoException) => error.code,
  )
  assert.is(refused, 'ECONNREFUSED', 'no new connections while closing')
  await Promise.all([response, closed])
  assert.is(order[0], 'handler done', 'close() resolved only after the handler finished')
  assert.equal([...order].sort(), ['answered 200 close', 'closed', 'handler done'])
  const stored = await store.readAll()()
  assert.is(E.isRight(stored) && stored.right.length, 1)
})

test('close() does not wait for idle keep-alive connections', async () => {
  const receiver = createNodeReceiver({ secrets: [SECRET] })
  const { port } = await receiver.listen(0, '127.0.0.1')
  const agent = new Agent({ keepAlive: true })
  const body = encodings.form(await signed()).body as string
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
  assert.is(status, 200)
  const started = Date.now()
  await receiver.close()
  assert.ok(Date.now() - started < 1_000, `closed in ${Date.now() - started} ms`)
  agent.destroy()
})

test('close() without listen() drains the deliveries of a middleware-only receiver', async () => {
  const receiver = createNodeReceiver({ secrets: [SECRET] })
  await receiver.close()
  assert.is(receiver.server, undefined)
})

test('listen() twice is refused with a clear error; a busy port rejects', async () => {
  const receiver = createNodeReceiver({ secrets: [SECRET] })
  const { port } = await receiver.listen(0, '127.0.0.1')
  try {
    await receiver.listen(0).then(
      () => assert.unreachable('listened twice'),
      (error: Error) => assert.match(error.message, /already called/),
    )
    const other = createNodeReceiver({ secrets: [SECRET] })
    await other.listen(port, '127.0.0.1').then(
      () => assert.unreachable('port was busy'),
      (error: NodeJS.ErrnoException) => assert.is(error.code, 'EADDRINUSE'),
    )
    assert.is(other.server, undefined)
  } finally {
    await receiver.close()
  }
})

test.run()
