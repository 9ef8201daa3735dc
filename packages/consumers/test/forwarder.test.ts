/**
 * The forwarder against a real application on a loopback port that verifies every request with
 * the `standardwebhooks` package: acknowledgements, retries through failures and an outage, the
 * same id and body on every redelivery, one account's events in order, other accounts not held up,
 * and the dead letter.
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInMemoryEventStore, LedgerEvent, type StoredEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { Webhook } from 'standardwebhooks'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ConsumerEvent, createForwarder, createInMemoryCheckpoints, type Forwarder, withConsumerEvents } from '../src/index.ts'
import { movementsOf, record } from './support/ledger.ts'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const verifier = new Webhook(SECRET)

type Delivery = Readonly<{ id: string; body: string; status: number; stream: string; position: number; type: string }>

/** An application: verifies each request, answers what `decide` says (a status, or `'hang'`). */
const startApp = async (decide: (message: { stream: string; accountId: string; position: number }) => number | 'hang') => {
  const deliveries: Delivery[] = []
  const hanging: ServerResponse[] = []
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    let message: { stream: string; accountId: string; position: number; type: string }
    try {
      message = verifier.verify(body, req.headers as Record<string, string>) as typeof message
    } catch {
      res.writeHead(401).end()
      deliveries.push({ id: String(req.headers['webhook-id']), body, status: 401, stream: '', position: -1, type: '' })
      return
    }
    const answer = decide(message)
    if (answer === 'hang') {
      hanging.push(res)
      return
    }
    deliveries.push({
      id: String(req.headers['webhook-id']),
      body,
      status: answer,
      stream: message.stream,
      position: message.position,
      type: message.type,
    })
    res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/banksocket`
  return {
    url,
    deliveries,
    close: async () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      server.close()
    },
  }
}

const newStore = () => createInMemoryEventStore<LedgerEvent | ConsumerEvent>()

const forwarders: Forwarder[] = []
const forward = (
  options: Omit<Parameters<typeof createForwarder>[0], 'secret' | 'checkpoints'> & { checkpoints?: ReturnType<typeof createInMemoryCheckpoints> },
) => {
  const forwarder = createForwarder({
    secret: SECRET,
    checkpoints: createInMemoryCheckpoints(),
    initialDelay: 1,
    maxDelay: 20,
    pollInterval: 10,
    ...options,
  })
  forwarders.push(forwarder)
  return forwarder
}
test.after.each(async () => {
  await Promise.all(forwarders.splice(0).map((f) => f.stop()))
})

/** The events of `store` that are forwarded (those with a message). */
const forwardable = async (store: ReturnType<typeof newStore>) => {
  const all = await store.readAll()()
  if (E.isLeft(all)) throw new Error('read failed')
  return all.right.filter((e: StoredEvent<LedgerEvent | ConsumerEvent>) => e.event.type !== 'DuplicateIgnored' && !e.stream.startsWith('consumer-'))
}

test('every recorded event reaches the app through 30 % failures, in order per account, with one id and one body per event', async () => {
  const store = newStore()
  // Delivered out of order, so the store holds gaps, their closings, and transactions carrying a gap.
  const movements = movementsOf(60)
  const shuffled = [...movements.slice(30), ...movements.slice(0, 30)]
  await record(store, shuffled)
  let n = 0
  const app = await startApp(() => (n++ % 10 < 3 ? 500 : 200))
  const forwarder = forward({ store, url: app.url })
  await forwarder.start()
  await forwarder.whenCaughtUp()
  const expected = await forwardable(store)
  const acked = app.deliveries.filter((d) => d.status === 200)
  assert.is(acked.length, expected.length, 'each event acknowledged exactly once')
  assert.equal(new Set(acked.map((d) => d.position)), new Set(expected.map((e) => e.position)))
  assert.ok(
    app.deliveries.some((d) => d.status === 500),
    'the app did refuse some',
  )
  // Per account (stream): acknowledged in feed order, and never a later event before an earlier one was acknowledged.
  for (const stream of new Set(expected.map((e) => e.stream))) {
    const order = app.deliveries.filter((d) => d.stream === stream).map((d) => d.position)
    const positions = expected.filter((e) => e.stream === stream).map((e) => e.position)
    const firstTimes = [...new Set(order)]
    assert.equal(firstTimes, positions, `stream ${stream} in order`)
  }
  // One id per event, the same body on every redelivery, different ids for different events.
  const bodies = new Map<string, string>()
  for (const d of app.deliveries) {
    const before = bodies.get(d.id)
    if (before !== undefined) assert.is(d.body, before, `the same body for ${d.id}`)
    bodies.set(d.id, d.body)
  }
  assert.is(bodies.size, expected.length)
  const types = new Set(acked.map((d) => d.type))
  assert.ok(types.has('transaction') && types.has('gap_opened') && types.has('gap_closed'), [...types].join(','))
  assert.equal(forwarder.counts(), { forwarded: expected.length, failed: 0, pending: 0 })
  await app.close()
})

test('an app that is down for a while gets everything once it is back; a restart resumes from the checkpoint', async () => {
  const store = newStore()
  await record(store, movementsOf(20))
  let down = true
  const app = await startApp(() => (down ? 503 : 200))
  const checkpoints = createInMemoryCheckpoints()
  const first = forward({ store, url: app.url, checkpoints, maxAttempts: 1000 })
  await first.start()
  await new Promise((r) => setTimeout(r, 100))
  assert.is(app.deliveries.filter((d) => d.status === 200).length, 0)
  await first.stop()
  down = false
  await record(store, movementsOf(30).slice(20))
  const second = forward({ store, url: app.url, checkpoints })
  await second.start()
  await second.whenCaughtUp()
  const expected = await forwardable(store)
  assert.equal(
    [...new Set(app.deliveries.filter((d) => d.status === 200).map((d) => d.position))].sort((a, b) => a - b),
    expected.map((e) => e.position),
  )
  await app.close()
})

test('a dead letter: an app that always refuses one account; that account gives up and moves on, the others are not held up', async () => {
  const store = newStore()
  await record(store, movementsOf(30))
  const app = await startApp((m) => (m.accountId === '70' ? 422 : 200))
  const forwarder = forward({ store, url: app.url, maxAttempts: 3 })
  const failures: number[] = []
  forwarder.on('failed', (f) => failures.push(f.event.position))
  await forwarder.start()
  await forwarder.whenCaughtUp()
  const expected = await forwardable(store)
  const refused = expected.filter((e) => e.stream.startsWith('ledger-70-'))
  assert.ok(refused.length > 0)
  assert.equal(
    failures.sort((a, b) => a - b),
    refused.map((e) => e.position),
  )
  for (const e of refused) assert.is(app.deliveries.filter((d) => d.position === e.position).length, 3, 'three attempts each')
  const records = await store.readStream('consumer-forward')()
  if (E.isLeft(records)) throw new Error('read failed')
  assert.is(records.right.events.length, refused.length)
  const first = records.right.events[0] as ConsumerEvent
  assert.is(first.type, 'ForwardFailed')
  if (first.type === 'ForwardFailed') {
    assert.is(first.data.status, 422)
    assert.is(first.data.attempts, 3)
    assert.is(first.data.url, app.url)
    assert.ok(first.data.webhookId.startsWith('msg_'))
  }
  assert.equal(forwarder.counts(), { forwarded: expected.length - refused.length, failed: refused.length, pending: 0 })
  await app.close()
})

test('no answer within the timeout is a failed attempt, retried', async () => {
  const store = newStore()
  await record(store, movementsOf(2, ['69']))
  let calls = 0
  const app = await startApp(() => (calls++ === 0 ? 'hang' : 200))
  const forwarder = forward({ store, url: app.url, timeout: 200 })
  const retries: string[] = []
  forwarder.on('retrying', (r) => retries.push(r.message))
  await forwarder.start()
  await forwarder.whenCaughtUp()
  assert.equal(retries, ['no answer within 200 ms'])
  assert.is(forwarder.counts().forwarded, (await forwardable(store)).length)
  await app.close()
})

test('a bad secret or URL is refused when the forwarder is created, without echoing the secret', () => {
  const store = newStore()
  const checkpoints = createInMemoryCheckpoints()
  try {
    createForwarder({ store, checkpoints, url: 'http://127.0.0.1:1/', secret: 'not-a-whsec-secret-value' })
    assert.unreachable()
  } catch (error) {
    assert.instance(error, TypeError)
    assert.not.match((error as Error).message, 'not-a-whsec-secret-value')
  }
  assert.throws(() => createForwarder({ store, checkpoints, url: 'ftp://example.com/', secret: SECRET }), /http or https/)
})

test('the stored record of a store opened with withConsumerEvents decodes', () => {
  const codec = withConsumerEvents(LedgerEvent)
  assert.ok(
    codec.is({
      type: 'ForwardFailed',
      data: {
        consumer: 'forward',
        position: 1,
        stream: 's',
        version: 1,
        eventType: 'TransactionReceived',
        attempts: 1,
        error: 'x',
        failedAt: 'now',
        url: 'u',
        webhookId: 'msg_s_1',
      },
    }),
  )
})

test.run()
