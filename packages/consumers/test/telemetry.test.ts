/**
 * The consumers' metrics on the real OpenTelemetry SDK, read after known work: a consumer's lag
 * behind the store's head before and after it catches up (and no more once it stops), each handler
 * call timed by result, failures by kind (retried, given up on); a forwarder's attempts against a
 * real application on a loopback port, by result and status: refused then acknowledged, no answer
 * in time, nobody listening.
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInMemoryEventStore, type LedgerEvent, type MeterLike } from '@banksocket-webhooks/core'
import type { ObservationCallback } from '@banksocket-webhooks/core/runtime-kit'
import { measuring } from '@banksocket-webhooks/test-support/metrics'
import { metrics } from '@opentelemetry/api'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ConsumerEvent, createConsumer, createForwarder, createInMemoryCheckpoints } from '../src/index.ts'
import { movementsOf, record } from './support/ledger.ts'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const LAG = 'banksocket.consumer.lag'
const DURATION = 'banksocket.consumer.handler.duration'
const FAILURES = 'banksocket.consumer.failures'
const ATTEMPTS = 'banksocket.forward.attempts'

type Order = Readonly<{ type: 'OrderPlaced'; n: number }>

/** A store of orders, where a consumer records what it gives up on. */
const orderStore = () => createInMemoryEventStore<Order | ConsumerEvent>()

/** The order number of an event (0 for a consumer's record, which handlers are never given). */
const numberOf = (event: Order | ConsumerEvent): number => (event.type === 'OrderPlaced' ? event.n : 0)

/** The real meter, with the callbacks on its observable gauges counted (added less removed). */
const counting = (meter: MeterLike) => {
  let callbacks = 0
  const counted: MeterLike = {
    createCounter: (name, options) => meter.createCounter(name, options),
    createUpDownCounter: (name, options) => meter.createUpDownCounter(name, options),
    createHistogram: (name, options) => meter.createHistogram(name, options),
    createObservableGauge: (name, options) => {
      const gauge = meter.createObservableGauge(name, options)
      return {
        addCallback: (callback: ObservationCallback) => {
          callbacks++
          gauge.addCallback(callback)
        },
        removeCallback: (callback: ObservationCallback) => {
          callbacks--
          gauge.removeCallback(callback)
        },
      }
    },
  }
  return { meter: counted, callbacks: () => callbacks }
}

test('a consumer: lag (head less checkpoint) before and after catching up, handler calls by result, retries', async () => {
  const { meter, collect } = measuring()
  const counted = counting(meter)
  const store = orderStore()
  await store.appendToStream(
    'orders',
    [1, 2, 3, 4, 5].map((n): Order => ({ type: 'OrderPlaced', n })),
    'no_stream',
  )()
  let release = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  let failedOnce = false
  const consumer = createConsumer<Order | ConsumerEvent, undefined>({
    name: 'orders',
    store,
    checkpoints: createInMemoryCheckpoints(),
    retry: { initialDelay: 1, maxDelay: 2, maxAttempts: 3 },
    pollInterval: 10,
    meter: counted.meter,
    handle: async (event) => {
      await gate
      if (numberOf(event.event) === 3 && !failedOnce) {
        failedOnce = true
        throw new Error('order service down')
      }
    },
  })
  assert.is((await collect()).value(LAG, { consumer: 'orders' }), undefined, 'nothing before it starts')
  await consumer.start()
  assert.is((await collect()).value(LAG, { consumer: 'orders' }), 5, 'five events behind, nothing handled yet')
  release()
  await consumer.whenCaughtUp()
  let seen = await collect()
  assert.equal(seen.errors, [])
  assert.is(seen.value(LAG, { consumer: 'orders' }), 0)
  assert.is(seen.count(DURATION, { consumer: 'orders', result: 'ok' }), 5)
  assert.is(seen.count(DURATION, { consumer: 'orders', result: 'failed' }), 1)
  assert.is(seen.value(FAILURES, { consumer: 'orders', kind: 'retry' }), 1)
  assert.is(seen.value(FAILURES, { consumer: 'orders', kind: 'given_up' }), undefined)
  assert.is(seen.metric(LAG)?.descriptor.unit, '{event}')
  assert.is(seen.metric(DURATION)?.descriptor.unit, 's')
  assert.is(seen.metric(FAILURES)?.descriptor.unit, '{event}')

  await consumer.stop()
  assert.is(counted.callbacks(), 0, 'the lag callback is removed when the consumer stops')
  seen = await collect()
  assert.equal(seen.errors, [])
})

test('an event given up on counts its retries and one given_up; a store that fails its head skips the lag', async () => {
  const { meter, collect } = measuring()
  const store = orderStore()
  await store.appendToStream('orders', [{ type: 'OrderPlaced', n: 1 }], 'no_stream')()
  let headFails = false
  const flaky = {
    ...store,
    head: () => async () =>
      headFails ? E.left({ _tag: 'StoreFailure' as const, message: 'store down' }) : (store.head?.() ?? (async () => E.right(0)))(),
  }
  const consumer = createConsumer<Order | ConsumerEvent, undefined>({
    name: 'doomed',
    store: flaky,
    checkpoints: createInMemoryCheckpoints(),
    retry: { initialDelay: 1, maxDelay: 2, maxAttempts: 3 },
    pollInterval: 10,
    meter,
    handle: () => {
      throw new Error('never works')
    },
  })
  await consumer.start()
  await consumer.whenCaughtUp()
  let seen = await collect()
  assert.is(seen.value(FAILURES, { consumer: 'doomed', kind: 'retry' }), 2)
  assert.is(seen.value(FAILURES, { consumer: 'doomed', kind: 'given_up' }), 1)
  assert.is(seen.count(DURATION, { consumer: 'doomed', result: 'failed' }), 3)
  assert.equal(await flaky.head()(), E.right(2), 'the order, then the record of its failure')
  assert.is(seen.value(LAG, { consumer: 'doomed' }), 0, 'the checkpoint passed the event given up on and its record')
  headFails = true
  const fresh = measuring()
  const watched = createConsumer<Order | ConsumerEvent, undefined>({
    name: 'watched',
    store: flaky,
    checkpoints: createInMemoryCheckpoints(),
    pollInterval: 10,
    meter: fresh.meter,
    handle: () => {},
  })
  await watched.start()
  seen = await fresh.collect()
  assert.equal(seen.errors, [])
  assert.is(seen.value(LAG, { consumer: 'watched' }), undefined, 'no observation when the head cannot be read')
  await Promise.all([consumer.stop(), watched.stop()])
})

/** An application on a loopback port answering each request with what `answer` says next (a status, or `'hang'`). */
const startApp = async (answers: Array<number | 'hang'>) => {
  const hanging: ServerResponse[] = []
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    for await (const _ of req) {
      // read the body to its end
    }
    const answer = answers.shift() ?? 200
    if (answer === 'hang') hanging.push(res)
    else res.writeHead(answer).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/banksocket`,
    close: async () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

const forwarderOn = (store: ReturnType<typeof createInMemoryEventStore<LedgerEvent | ConsumerEvent>>, url: string, name: string, meter: MeterLike) =>
  createForwarder({
    name,
    store,
    url,
    secret: SECRET,
    checkpoints: createInMemoryCheckpoints(),
    initialDelay: 1,
    maxDelay: 5,
    maxAttempts: 2,
    timeout: 200,
    pollInterval: 10,
    meter,
  })

test('a forwarder: attempts by result and status (500 then 200; no answer in time; nobody listening)', async () => {
  const { meter, collect } = measuring()
  const store = createInMemoryEventStore<LedgerEvent | ConsumerEvent>()
  assert.equal(await record(store, movementsOf(1)), ['accepted'])

  const refusing = await startApp([500, 200])
  const first = forwarderOn(store, refusing.url, 'forward', meter)
  await first.start()
  await first.whenCaughtUp()
  await first.stop()
  await refusing.close()

  const slow = await startApp(['hang', 200])
  const second = forwarderOn(store, slow.url, 'slow', meter)
  await second.start()
  await second.whenCaughtUp()
  await second.stop()
  await slow.close()

  const gone = await startApp([])
  await gone.close()
  const third = forwarderOn(store, gone.url, 'unreachable', meter)
  await third.start()
  await third.whenCaughtUp()
  await third.stop()

  const seen = await collect()
  assert.equal(seen.errors, [])
  assert.is(seen.value(ATTEMPTS, { consumer: 'forward', result: 'rejected', 'http.response.status_code': 500 }), 1)
  assert.is(seen.value(ATTEMPTS, { consumer: 'forward', result: 'delivered', 'http.response.status_code': 200 }), 1)
  assert.is(seen.value(ATTEMPTS, { consumer: 'slow', result: 'timeout' }), 1)
  assert.is(seen.value(ATTEMPTS, { consumer: 'slow', result: 'delivered', 'http.response.status_code': 200 }), 1)
  assert.is(seen.value(ATTEMPTS, { consumer: 'unreachable', result: 'network_error' }), 2)
  assert.is(seen.attributesOf(ATTEMPTS).length, 5)
  assert.is(seen.metric(ATTEMPTS)?.descriptor.unit, '{attempt}')
  // The forwarder is a consumer: its handler calls and failures are counted as every consumer's.
  assert.is(seen.count(DURATION, { consumer: 'forward', result: 'failed' }), 1)
  assert.is(seen.count(DURATION, { consumer: 'forward', result: 'ok' }), 1)
  assert.is(seen.value(FAILURES, { consumer: 'forward', kind: 'retry' }), 1)
  assert.is(seen.value(FAILURES, { consumer: 'unreachable', kind: 'given_up' }), 1)
})

test('without a meter, and with the API meter and no SDK registered, a consumer works the same', async () => {
  const noSdk = counting(metrics.getMeter('banksocket-webhooks'))
  for (const meter of [undefined, noSdk.meter]) {
    const store = orderStore()
    await store.appendToStream('orders', [{ type: 'OrderPlaced', n: 1 }], 'no_stream')()
    const seen: number[] = []
    const consumer = createConsumer<Order | ConsumerEvent, undefined>({
      name: 'plain',
      store,
      checkpoints: createInMemoryCheckpoints(),
      pollInterval: 10,
      ...(meter === undefined ? {} : { meter }),
      handle: (event) => void seen.push(numberOf(event.event)),
    })
    await consumer.start()
    await consumer.whenCaughtUp()
    assert.is(noSdk.callbacks(), 0, "the API's meter without an SDK is taken for what it is: no lag callback")
    await consumer.stop()
    assert.equal(seen, [1])
  }
  assert.throws(
    () =>
      createConsumer({
        name: 'x',
        store: createInMemoryEventStore(),
        checkpoints: createInMemoryCheckpoints(),
        handle: () => {},
        meter: {} as MeterLike,
      }),
    /`meter` must be an OpenTelemetry Meter/,
  )
})

test.run()
