/**
 * Forwarding driven by the inbox object's alarm, in workerd, to a real Node HTTP application on a
 * loopback port started here. The application answers 500 to the first requests, then recovers:
 * every recorded event arrives, acknowledged in feed order, each verified with the
 * `standardwebhooks` package (the one the guides install), with the same `webhook-id` on every
 * retry. An event the application always refuses is given up on after `maxAttempts`, and the
 * events after it still arrive. No secret appears in any log line.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signed } from '@banksocket-webhooks/test-support/encodings'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Harness, OK, SECRET, start } from './inbox-harness.ts'

type WebhookVerifier = { verify(payload: string, headers: Record<string, string>): unknown }
// `standardwebhooks` is a dependency of docs/guides (the guides' applications verify with it).
const { Webhook } = createRequire(new URL('../../../../docs/guides/package.json', import.meta.url))('standardwebhooks') as {
  Webhook: new (secret: string) => WebhookVerifier
}

const FORWARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const verifier = new Webhook(FORWARD_SECRET)

type Message = Readonly<{ type: string; position: number; stream: string; description?: string; verified?: { description: string } }>
type Received = Readonly<{ id: string; status: number; message: Message }>

/** The application: refuses the first `failFirst` requests and anything whose description has `refuse`; verifies the rest. */
const app = async (failFirst: number, refuse?: string) => {
  const received: Received[] = []
  let requests = 0
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      requests++
      let message: Message
      try {
        message = verifier.verify(body, req.headers as Record<string, string>) as Message
      } catch {
        res.writeHead(401).end()
        received.push({ id: String(req.headers['webhook-id']), status: 401, message: JSON.parse(body) as Message })
        return
      }
      const status = requests <= failFirst || (refuse !== undefined && body.includes(refuse)) ? 500 : 204
      received.push({ id: String(req.headers['webhook-id']), status, message })
      res.writeHead(status).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

const until = async (done: () => boolean, ms = 20_000): Promise<boolean> => {
  const end = Date.now() + ms
  while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 25))
  return done()
}

const bindings = (url: string, extra: Record<string, string> = {}) => ({ FORWARD_URL: url, FORWARD_SECRET, FORWARD_INITIAL_DELAY: '50', ...extra })

test('the application fails, then recovers: every event arrives, acknowledged in feed order, verified', async () => {
  const target = await app(4)
  let worker: Harness | undefined
  try {
    worker = await start(bindings(target.url))
    // Account 7: 1 → 2 → (4 before 3: a gap, then closed); account 8: one movement.
    const m = await Promise.all([
      signed({ account_id: '7', amount: '10.00', balance: '110.00', description: 'SN:fwd 1' }),
      signed({ account_id: '7', amount: '20.00', balance: '130.00', description: 'SN:fwd 2' }),
      signed({ account_id: '7', amount: '30.00', balance: '160.00', description: 'SN:fwd 3' }),
      signed({ account_id: '7', amount: '40.00', balance: '200.00', description: 'SN:fwd 4' }),
      signed({ account_id: '8', amount: '50.00', balance: '550.00', description: 'SN:fwd 5' }),
    ])
    for (const i of [0, 1, 3, 4, 2]) assert.equal(await worker.post('acme', m[i]!), OK)
    const acked = () => target.received.filter((r) => r.status === 204)
    const arrived = await until(
      () => acked().some((r) => r.message.type === 'gap_closed') && acked().filter((r) => r.message.type === 'transaction').length === 5,
    )
    assert.ok(arrived, JSON.stringify(target.received.map((r) => [r.status, r.message.type, r.message.position])))
    await new Promise((resolve) => setTimeout(resolve, 300)) // nothing more should come
    const positions = acked().map((r) => r.message.position)
    assert.equal(
      positions,
      positions.map((_, i) => i + 1),
      'each position once, in feed order',
    )
    assert.equal(
      acked().map((r) => r.message.type),
      // 1, 2, the gap 4 opened and 4, account 8's movement, then 3 and the gap it closed.
      ['transaction', 'transaction', 'gap_opened', 'transaction', 'transaction', 'transaction', 'gap_closed'],
    )
    assert.is(target.received.filter((r) => r.status === 500).length, 4)
    assert.is(target.received.filter((r) => r.status === 401).length, 0)
    // A retried event kept its webhook-id.
    const first = target.received[0]!
    assert.ok(acked().some((r) => r.id === first.id && r.message.position === first.message.position))
    assert.ok(worker.logs().includes('forwarding paused after'), worker.logs())
    for (const secret of [SECRET, FORWARD_SECRET, FORWARD_SECRET.slice('whsec_'.length)]) assert.not.ok(worker.logs().includes(secret))
  } finally {
    await worker?.dispose()
    await target.close()
  }
})

test('an event the application always refuses is given up on after maxAttempts; the next ones still arrive', async () => {
  const target = await app(0, 'SN:poison')
  let worker: Harness | undefined
  try {
    worker = await start(bindings(target.url, { FORWARD_MAX_ATTEMPTS: '3' }))
    assert.equal(await worker.post('globex', await signed({ account_id: '9', amount: '1.00', balance: '101.00', description: 'SN:poison' })), OK)
    assert.equal(await worker.post('globex', await signed({ account_id: '9', amount: '2.00', balance: '103.00', description: 'SN:after' })), OK)
    const arrived = await until(() => target.received.some((r) => r.status === 204 && JSON.stringify(r.message).includes('SN:after')))
    assert.ok(arrived, JSON.stringify(target.received.map((r) => [r.status, r.message.position])))
    assert.is(target.received.filter((r) => r.status === 500).length, 3)
  } finally {
    await worker?.dispose()
    await target.close()
  }
})

test('evicted while the application is down: the object made again resumes from the stored checkpoint and alarm', async () => {
  const persist = mkdtempSync(join(tmpdir(), 'banksocket-do-forward-'))
  const target = await app(1_000_000)
  let worker: Harness | undefined
  try {
    worker = await start(bindings(target.url), persist)
    assert.equal(await worker.post('acme', await signed({ account_id: '11', amount: '1.00', balance: '11.00', description: 'SN:down 1' })), OK)
    assert.equal(await worker.post('acme', await signed({ account_id: '11', amount: '2.00', balance: '13.00', description: 'SN:down 2' })), OK)
    assert.ok(await until(() => target.received.length >= 2))
    await worker.dispose()
    worker = undefined
    const refused = target.received.length
    const recovered = await app(0)
    // The URL comes from the configuration (the bindings), never from storage: the recovered application's.
    worker = await start(bindings(recovered.url), persist)
    try {
      // No delivery: the alarm set before the eviction (the backoff's) is in storage and fires.
      const arrived = await until(() => recovered.received.filter((r) => r.status === 204).length === 2)
      assert.ok(arrived, JSON.stringify(recovered.received.map((r) => [r.status, r.message.position])))
      assert.equal(
        recovered.received.map((r) => r.message.position),
        [1, 2],
      )
      assert.ok(refused >= 2)
    } finally {
      await recovered.close()
    }
  } finally {
    await worker?.dispose()
    await target.close()
    rmSync(persist, { recursive: true, force: true })
  }
})

test.run()
