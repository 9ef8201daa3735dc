/**
 * The receiver's metrics on the real OpenTelemetry SDK, read after known requests: every answer's
 * duration by method and status (404, 405, 413 and 415 included), notifications by outcome and
 * reason (routing answers are no notifications), gaps opened, closed and open, appends timed. And
 * the same receiver without a meter, or with the API's meter and no SDK registered: it answers the
 * same and measures nothing.
 */

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createInMemoryEventStore, encodeForm, type MeterLike } from '@banksocket-webhooks/core'
import type { ObservationCallback } from '@banksocket-webhooks/core/runtime-kit'
import { metrics } from '@opentelemetry/api'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SECRET, signed } from '../../test-support/src/encodings.ts'
import { measuring } from '../../test-support/src/metrics.ts'
import { type BodyReader, createReceiver, type Receiver, type ReceiverOptions } from '../src/index.ts'

const PATH = '/banksocket'
const DURATION = 'http.server.request.duration'
const FORM = 'application/x-www-form-urlencoded'

/** A signed Credit of `amount` leaving `balance`, form-encoded. */
const credit = async (amount: string, balance: string) =>
  encodeForm(await signed({ dc: 'Credit', amount, balance, description: `credit ${balance}` }))

const post = (receiver: Receiver, body: string, method = 'POST', url = PATH, contentType = FORM) =>
  receiver.handle({ method, url, contentType, body })

const httpAttributes = (method: string, status: number) => ({ 'http.request.method': method, 'http.response.status_code': status })

test('every answer timed by method and status; notifications by outcome and reason; gaps opened, closed, open; appends timed', async () => {
  const { meter, collect } = measuring()
  const receiver = createReceiver({ secrets: [SECRET], path: PATH, store: createInMemoryEventStore(), meter })
  const first = await credit('100.00', '1100.00')
  const statuses: number[] = []
  const answer = async (pending: Promise<{ status: number }>) => statuses.push((await pending).status)

  await answer(post(receiver, first))
  await answer(post(receiver, first)) // duplicate
  await answer(post(receiver, first.replace(/hash=[^&]+/, 'hash=AAAA'))) // forged
  await answer(post(receiver, first, 'POST', '/elsewhere'))
  await answer(post(receiver, first, 'GET'))
  await answer(post(receiver, first, 'BREW'))
  const tooLarge: BodyReader = async (limit) => E.left({ _tag: 'too_large', limit })
  await answer(receiver.handle({ method: 'POST', url: PATH, contentType: FORM, body: tooLarge }))
  await answer(post(receiver, 'hello', 'POST', PATH, 'text/plain'))
  // 1100.00, then 1350.00: 150.00 is missing (a gap), then the late 1250.00 closes it.
  await answer(post(receiver, await credit('100.00', '1350.00')))
  let seen = await collect()
  assert.is(seen.value('banksocket.gaps.open'), 1)
  await answer(post(receiver, await credit('150.00', '1250.00')))
  assert.equal(statuses, [200, 200, 401, 404, 405, 405, 413, 415, 200, 200])

  seen = await collect()
  assert.equal(seen.errors, [])
  assert.is(seen.value('banksocket.gaps.open'), 0)
  assert.is(seen.value('banksocket.gaps.opened'), 1)
  assert.is(seen.value('banksocket.gaps.closed'), 1)

  assert.is(seen.value('banksocket.notifications', { outcome: 'ok' }), 3)
  assert.is(seen.value('banksocket.notifications', { outcome: 'duplicate' }), 1)
  assert.is(seen.value('banksocket.notifications', { outcome: 'rejected', reason: 'invalid_hash' }), 1)
  assert.is(seen.value('banksocket.notifications', { outcome: 'rejected', reason: 'too_large' }), 1)
  assert.is(seen.value('banksocket.notifications', { outcome: 'rejected', reason: 'unsupported_media_type' }), 1)
  assert.is(seen.attributesOf('banksocket.notifications').length, 5, 'a 404 or a 405 is no notification')

  assert.is(seen.count(DURATION, httpAttributes('POST', 200)), 4)
  assert.is(seen.count(DURATION, httpAttributes('POST', 401)), 1)
  assert.is(seen.count(DURATION, httpAttributes('POST', 404)), 1)
  assert.is(seen.count(DURATION, httpAttributes('GET', 405)), 1)
  assert.is(seen.count(DURATION, httpAttributes('_OTHER', 405)), 1, 'an unknown method is _OTHER')
  assert.is(seen.count(DURATION, httpAttributes('POST', 413)), 1)
  assert.is(seen.count(DURATION, httpAttributes('POST', 415)), 1)
  assert.is(seen.attributesOf(DURATION).length, 7)
  const duration = seen.metric(DURATION)
  assert.is(duration?.descriptor.unit, 's')
  const histogram = duration?.dataPoints[0]?.value
  assert.equal(
    typeof histogram === 'object' && 'buckets' in histogram ? histogram.buckets.boundaries : undefined,
    [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    "the semantic conventions' buckets",
  )

  assert.is(seen.count('banksocket.store.append.duration', { result: 'ok' }), 3)
})

test('a body reader that fails is a failed notification (internal_error) and a 500', async () => {
  const { meter, collect } = measuring()
  const receiver = createReceiver({ secrets: [SECRET], meter })
  const answer = await receiver.handle({
    method: 'POST',
    url: '/',
    contentType: 'application/json',
    body: () => Promise.reject(new Error('socket gone')),
  })
  assert.is(answer.status, 500)
  const seen = await collect()
  assert.is(seen.value('banksocket.notifications', { outcome: 'failed', reason: 'internal_error' }), 1)
  assert.is(seen.count(DURATION, httpAttributes('POST', 500)), 1)
})

test('without a meter, and with the API meter and no SDK registered, the receiver answers the same', async () => {
  const options: ReceiverOptions = { secrets: [SECRET], path: PATH }
  for (const receiver of [createReceiver(options), createReceiver({ ...options, meter: metrics.getMeter('banksocket-webhooks') })]) {
    const first = await credit('100.00', '1100.00')
    const statuses = [
      (await post(receiver, first)).status,
      (await post(receiver, first)).status,
      (await post(receiver, await credit('100.00', '1350.00'))).status,
      (await post(receiver, first, 'GET')).status,
      (await post(receiver, first, 'POST', '/elsewhere')).status,
    ]
    assert.equal(statuses, [200, 200, 200, 405, 404])
    const ledgers = await receiver.inbox.ledgers()
    assert.ok(E.isRight(ledgers) && ledgers.right.get('ledger-69-TRY')?.openGaps.length === 1)
  }
})

test('receivers dropped without a close are forgotten by the meter: the gauge holds them weakly', async () => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  // A meter of the test's own that hands the gauge's callbacks back, to be called at will.
  const callbacks: ObservationCallback[] = []
  const meter: MeterLike = {
    createCounter: () => ({ add: () => {} }),
    createUpDownCounter: () => ({ add: () => {} }),
    createHistogram: () => ({ record: () => {} }),
    createObservableGauge: () => ({ addCallback: (callback) => void callbacks.push(callback), removeCallback: () => {} }),
  }
  const observe = async (): Promise<number[]> => {
    const values: number[] = []
    for (const callback of callbacks) await callback({ observe: (value) => void values.push(value) })
    return values
  }
  let receivers: Receiver[] | undefined = Array.from({ length: 1000 }, () => createReceiver({ secrets: [SECRET], meter }))
  assert.equal(await observe(), [0], 'one sum over every receiver on the meter')
  assert.is(callbacks.length, 1, 'one callback per meter, not one per receiver')
  receivers = undefined
  // A WeakRef is cleared by a garbage collection after the job that made it: a few rounds at most.
  let observed = [0]
  for (let round = 0; round < 10 && observed.length > 0; round++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    gc()
    await new Promise((resolve) => setTimeout(resolve, 5))
    observed = await observe()
  }
  assert.equal(observed, [], 'no receiver left: nothing observed, nothing kept')
  assert.is(receivers, undefined)
})

test('a meter that is not one is refused when the receiver is made', () => {
  assert.throws(() => createReceiver({ secrets: [SECRET], meter: {} as MeterLike }), /`meter` must be an OpenTelemetry Meter/)
})

test.run()
