import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMovementGenerator } from '../src/index.ts'
import { type DeliveryAttempt, type MockBanksocket, type MockBanksocketOptions, startMockBanksocket } from '../src/node.ts'
import { deadUrl, type Receiver, startReceiver } from './receiver.ts'

const TOKEN = 'tok-delivery-5c1d'
const SECRET = 'sec-ÇĞİÖŞÜ-delivery'

const start = async (options: Partial<MockBanksocketOptions> = {}): Promise<MockBanksocket> => {
  const started = await startMockBanksocket({ token: TOKEN, secret: SECRET, retry: { attempts: 3, baseDelay: 20 }, ...options })()
  if (E.isLeft(started)) throw new Error(started.left.message)
  return started.right
}

const register = async (mock: MockBanksocket, endpoint: string, event: string, account: string | number) => {
  const response = await fetch(`${mock.apiUrl}/webhooks`, {
    method: 'POST',
    headers: { authentication: TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ title: `${event} ${account}`, endpoint, event, account }),
  })
  assert.is(response.status, 200)
  return ((await response.json()) as { webhook: { id: number } }).webhook.id
}

const verifiedOf = (receiver: Receiver) =>
  receiver.received.map((r) => {
    if (E.isLeft(r.result)) throw new Error(`rejected: ${JSON.stringify(r.result.left)}`)
    return r.result.right
  })

const accounts = [
  { account_id: 69, openingBalance: '18000.00' },
  { account_id: 70, openingBalance: '5000.00' },
]

test('filters: NEW_CREDIT on 69 gets only credits of 69; NEW_DEBIT all gets every debit; NEW_TRANSACTION all gets everything', async () => {
  const credits69 = await startReceiver([SECRET])
  const debits = await startReceiver([SECRET])
  const everything = await startReceiver([SECRET])
  const mock = await start()
  try {
    await register(mock, credits69.url, 'NEW_CREDIT', 69)
    await register(mock, debits.url, 'NEW_DEBIT', 'all')
    await register(mock, everything.url, 'NEW_TRANSACTION', 'all')
    const movements = createMovementGenerator({ seed: 'filters', accounts }).take(30)
    for (const m of movements) await mock.emit(m)
    const expected = (keep: (m: (typeof movements)[number]) => boolean) => movements.filter(keep).map((m) => m.description)
    assert.equal(
      verifiedOf(credits69).map((t) => t.verified.description),
      expected((m) => m.dc === 'Credit' && m.account_id === '69'),
    )
    assert.equal(
      verifiedOf(debits).map((t) => t.verified.description),
      expected((m) => m.dc === 'Debit'),
    )
    assert.equal(
      verifiedOf(everything).map((t) => t.verified.description),
      expected(() => true),
    )
    assert.ok(verifiedOf(credits69).length > 3 && verifiedOf(debits).length > 3)
    assert.ok(verifiedOf(everything).every((t) => t.secretIndex === 0))
    assert.is(mock.deliveries.length, credits69.received.length + debits.received.length + everything.received.length)
  } finally {
    await mock.close()
    await Promise.all([credits69.close(), debits.close(), everything.close()])
  }
})

test('retries with exponential backoff: a receiver that fails twice then succeeds gets it on attempt 3', async () => {
  const receiver = await startReceiver([SECRET], (n) => (n <= 2 ? 503 : undefined))
  const seen: DeliveryAttempt[] = []
  const mock = await start({ retry: { attempts: 5, baseDelay: 40, factor: 2 }, onAttempt: (a) => seen.push(a) })
  try {
    const id = await register(mock, receiver.url, 'NEW_TRANSACTION', 'all')
    const emitted = await mock.emit({ dc: 'Credit', amount: '250.00', balance: '18250.00', description: 'HAVALE - AHMET YILMAZ' })
    const [delivery] = emitted.deliveries
    assert.is(delivery?.status, 'delivered')
    assert.is(delivery?.webhookId, id)
    assert.is(delivery?.encoding, 'form')
    assert.equal(delivery?.fields, emitted.fields)
    const attempts = delivery?.attempts ?? []
    assert.equal(
      attempts.map((a) => [a.attempt, a.delay, a.final, a.outcome._tag === 'answered' && a.outcome.status]),
      [
        [1, 0, false, 503],
        [2, 40, false, 503],
        [3, 80, true, 200],
      ],
    )
    const gap = (a: DeliveryAttempt | undefined, b: DeliveryAttempt | undefined) => Date.parse(b?.startedAt ?? '') - Date.parse(a?.finishedAt ?? '')
    assert.ok(gap(attempts[0], attempts[1]) >= 39, `waited ${gap(attempts[0], attempts[1])} ms`)
    assert.ok(gap(attempts[1], attempts[2]) >= 79, `waited ${gap(attempts[1], attempts[2])} ms`)
    assert.equal(seen, attempts)
    assert.equal(mock.attempts, attempts)
    assert.equal(mock.deliveries, [delivery])
    assert.is(receiver.received.length, 3)
    // every attempt carried the same, valid signature
    assert.ok(receiver.received.every((r) => E.isRight(r.result)))
  } finally {
    await mock.close()
    await receiver.close()
  }
})

test('a delivery that never succeeds is failed after the configured attempts; network errors are retried too', async () => {
  const always500 = await startReceiver([SECRET], () => 500)
  const dead = await deadUrl()
  const mock = await start({ retry: { attempts: 3, baseDelay: 5 } })
  try {
    await register(mock, always500.url, 'NEW_TRANSACTION', 'all')
    await register(mock, dead, 'NEW_TRANSACTION', 'all')
    const { deliveries } = await mock.emit({})
    assert.equal(
      deliveries.map((d) => [d.status, d.attempts.length]),
      [
        ['failed', 3],
        ['failed', 3],
      ],
    )
    assert.is(always500.received.length, 3)
    const network = deliveries[1]?.attempts[0]?.outcome
    assert.is(network?._tag, 'network_error')
    assert.match(network?._tag === 'network_error' ? network.message : '', /ECONNREFUSED/)
  } finally {
    await mock.close()
    await always500.close()
  }
})

test('order per webhook: a failing delivery is retried before the next notification is sent', async () => {
  const receiver = await startReceiver([SECRET], (n) => (n <= 2 ? 500 : undefined))
  const mock = await start({ retry: { attempts: 4, baseDelay: 30 } })
  try {
    await register(mock, receiver.url, 'NEW_TRANSACTION', 'all')
    const movements = createMovementGenerator({ seed: 'order' }).take(4)
    const emitted = await Promise.all(movements.map((m) => mock.emit(m)))
    const order = verifiedOf(receiver).map((t) => t.verified.balance)
    assert.equal(order, [movements[0]?.balance, movements[0]?.balance, ...movements.map((m) => m.balance)])
    assert.equal(
      emitted.map((e) => e.deliveries[0]?.attempts.length),
      [3, 1, 1, 1],
    )
    assert.equal(
      mock.deliveries.map((d) => d.notificationId),
      [1, 2, 3, 4],
    )
  } finally {
    await mock.close()
    await receiver.close()
  }
})

test('json and multipart deliveries verify with the secret', async () => {
  for (const encoding of ['json', 'multipart'] as const) {
    const receiver = await startReceiver([SECRET])
    const mock = await start({ encoding })
    try {
      await register(mock, receiver.url, 'NEW_TRANSACTION', 'all')
      const emitted = await mock.emit(createMovementGenerator({ seed: encoding }).next())
      assert.is(emitted.deliveries[0]?.status, 'delivered')
      assert.match(receiver.received[0]?.contentType ?? '', encoding === 'json' ? /^application\/json/ : /^multipart\/form-data; boundary=/)
      assert.is(verifiedOf(receiver)[0]?.hash, emitted.fields['hash'])
    } finally {
      await mock.close()
      await receiver.close()
    }
  }
})

test('demos: copies 2 delivers the same notification twice, copies 0 skips it (a gap), deliver() re-sends as is', async () => {
  const receiver = await startReceiver([SECRET])
  const mock = await start()
  try {
    await register(mock, receiver.url, 'NEW_TRANSACTION', 'all')
    const [a, b, c] = createMovementGenerator({ seed: 'demo' }).take(3)
    const first = await mock.emit(a ?? {}, { copies: 2 })
    assert.is(first.deliveries.length, 2)
    const skipped = await mock.emit(b ?? {}, { copies: 0 })
    assert.equal(skipped.deliveries, [])
    assert.is(typeof skipped.fields['hash'], 'string')
    await mock.emit(c ?? {})
    const again = await mock.deliver(first.fields)
    assert.is(again.deliveries[0]?.status, 'delivered')
    const hashes = verifiedOf(receiver).map((t) => t.hash)
    assert.equal(hashes, [first.fields['hash'], first.fields['hash'], hashes[2], first.fields['hash']])
    assert.not.ok(hashes.includes(skipped.fields['hash'] ?? ''))
    assert.equal(
      mock.deliveries.map((d) => d.notificationId),
      [1, 1, 3, 4],
    )
  } finally {
    await mock.close()
    await receiver.close()
  }
})

test('deliver() sends tampered fields unchanged: the receiver rejects them and the mock retries, then fails', async () => {
  const receiver = await startReceiver([SECRET])
  const mock = await start({ retry: { attempts: 2, baseDelay: 5 } })
  try {
    await register(mock, receiver.url, 'NEW_TRANSACTION', 'all')
    const signed = await mock.emit({})
    const tampered = await mock.deliver({ ...signed.fields, amount: '1000.00' })
    const [delivery] = tampered.deliveries
    assert.is(delivery?.status, 'failed')
    assert.equal(
      delivery?.attempts.map((a) => a.outcome._tag === 'answered' && a.outcome.body),
      ['{"error":"invalid_hash"}', '{"error":"invalid_hash"}'],
    )
  } finally {
    await mock.close()
    await receiver.close()
  }
})

test('deleting a webhook cancels its pending retries at once', async () => {
  const receiver = await startReceiver([SECRET], () => 500)
  const mock = await start({ retry: { attempts: 5, baseDelay: 10_000 } })
  try {
    const id = await register(mock, receiver.url, 'NEW_TRANSACTION', 'all')
    const pending = mock.emit({})
    await new Promise((resolve) => setTimeout(resolve, 100))
    const started = Date.now()
    const response = await fetch(`${mock.apiUrl}/webhooks/${id}`, { method: 'DELETE', headers: { authentication: TOKEN } })
    assert.is(response.status, 200)
    const emitted = await pending
    assert.ok(Date.now() - started < 5000)
    assert.is(emitted.deliveries[0]?.status, 'cancelled')
    assert.is(emitted.deliveries[0]?.attempts.length, 1)
    assert.is((await mock.emit({})).deliveries.length, 0)
  } finally {
    await mock.close()
    await receiver.close()
  }
})

test('waitForDeliveries resolves at n settled deliveries and rejects on timeout', async () => {
  const receiver = await startReceiver([SECRET])
  const mock = await start()
  try {
    await register(mock, receiver.url, 'NEW_TRANSACTION', 'all')
    for (const m of createMovementGenerator({ seed: 'wait' }).take(5)) void mock.emit(m)
    const settled = await mock.waitForDeliveries(5)
    assert.is(settled.length, 5)
    assert.ok(settled.every((d) => d.status === 'delivered'))
    const started = Date.now()
    let message = ''
    await mock.waitForDeliveries(6, { timeout: 50 }).catch((e: Error) => (message = e.message))
    assert.is(message, '5 of 6 deliveries settled within 50 ms')
    assert.ok(Date.now() - started < 3000)
  } finally {
    await mock.close()
    await receiver.close()
  }
})

test('close() stops everything: in-flight and backoff deliveries are cancelled, waiters rejected, nothing is sent after', async () => {
  const hanging = await startReceiver([SECRET], () => 'hang')
  const failing = await startReceiver([SECRET], () => 500)
  const mock = await start({ retry: { attempts: 5, baseDelay: 60_000 }, timeout: 60_000 })
  await register(mock, hanging.url, 'NEW_TRANSACTION', 'all')
  await register(mock, failing.url, 'NEW_TRANSACTION', 'all')
  const pending = mock.emit({})
  const waiting = mock.waitForDeliveries(2, { timeout: 60_000 }).then(
    () => 'resolved',
    (e: Error) => e.message,
  )
  await new Promise((resolve) => setTimeout(resolve, 150))
  const started = Date.now()
  await mock.close()
  const emitted = await pending
  assert.ok(Date.now() - started < 5000, `close took ${Date.now() - started} ms`)
  assert.equal(
    emitted.deliveries.map((d) => d.status),
    ['cancelled', 'cancelled'],
  )
  assert.is(emitted.deliveries[0]?.attempts[0]?.outcome._tag, 'aborted')
  assert.match(await waiting, /closed/)
  const after = await mock.emit({})
  assert.equal(after.deliveries, [])
  const received = hanging.received.length + failing.received.length
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.is(hanging.received.length + failing.received.length, received)
  await mock.waitForDeliveries(99).then(
    () => assert.unreachable('should reject'),
    (e: Error) => assert.match(e.message, /closed/),
  )
  await Promise.all([hanging.close(), failing.close()])
})

test('the secret and token never appear in the logs, answers or hook payloads', async () => {
  const receiver = await startReceiver([SECRET], (n) => (n === 1 ? 500 : undefined))
  const logged: unknown[] = []
  const mock = await start({ onAttempt: (a) => logged.push(a), onDelivery: (d) => logged.push(d) })
  try {
    await register(mock, receiver.url, 'NEW_TRANSACTION', 'all')
    await mock.emit({ description: 'SN:1 ÖDEME' })
    const everything = JSON.stringify({ logged, deliveries: mock.deliveries, attempts: mock.attempts, webhooks: mock.webhooks() })
    assert.not.ok(everything.includes(SECRET))
    assert.not.ok(everything.includes(TOKEN))
    const bodies = receiver.received.map((r) => new TextDecoder().decode(r.body)).join('\n')
    assert.not.ok(bodies.includes(SECRET) || bodies.includes(encodeURIComponent(SECRET)) || bodies.includes(TOKEN))
  } finally {
    await mock.close()
    await receiver.close()
  }
})

test('a throwing listener does not stop deliveries', async () => {
  const receiver = await startReceiver([SECRET])
  const mock = await start({
    onAttempt: () => {
      throw new Error('listener bug')
    },
  })
  try {
    await register(mock, receiver.url, 'NEW_TRANSACTION', 'all')
    const { deliveries } = await mock.emit({})
    assert.is(deliveries[0]?.status, 'delivered')
  } finally {
    await mock.close()
    await receiver.close()
  }
})

test('emit with a bad copies count is a TypeError', async () => {
  const mock = await start()
  try {
    for (const copies of [-1, 1.5]) {
      assert.throws(() => mock.emit({}, { copies }), TypeError)
      assert.throws(() => mock.deliver({}, { copies }), TypeError)
    }
  } finally {
    await mock.close()
  }
})

test.run()
