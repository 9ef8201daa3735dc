import {
  type CreateWebhookInput,
  createInMemoryEventStore,
  type EventStore,
  type StoreError,
  type SubscriptionEvent,
} from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createClient,
  createSubscriptionService,
  MAX_RECORD_ATTEMPTS,
  type SubscriptionService,
  type SubscriptionServiceError,
} from '../src/index.ts'
import { type FakeBanksocket, startBanksocket, status, TOKEN } from './support/banksocket.ts'

let api: FakeBanksocket
test.before(async () => {
  api = await startBanksocket()
})
test.before.each(() => api.reset())
test.after(() => api.close())

const STREAM = 'subscriptions'
const orders: CreateWebhookInput = { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' }
const refunds: CreateWebhookInput = { title: 'refunds', endpoint: 'https://shop.example/bs', event: 'NEW_DEBIT', account: 69 }

const created = (id: number, spec: CreateWebhookInput): SubscriptionEvent => ({
  type: 'WebhookCreated',
  data: { webhook: { id, endpoint: spec.endpoint, title: spec.title }, spec },
})
const deleted = (id: number): SubscriptionEvent => ({ type: 'WebhookDeleted', data: { id } })

const calls = () => api.requests.map((r) => `${r.method} ${r.path}`)

const eventsOf = async (store: EventStore<SubscriptionEvent>): Promise<ReadonlyArray<SubscriptionEvent>> => {
  const read = await store.readStream(STREAM)()
  if (E.isLeft(read)) throw new Error('read failed')
  return read.right.events
}

/** given(events).when(operation) -> { result, newEvents, store } */
const given = (events: ReadonlyArray<SubscriptionEvent>, wrap: (s: EventStore<SubscriptionEvent>) => EventStore<SubscriptionEvent> = (s) => s) => ({
  when: async <A>(operation: (service: SubscriptionService) => TE.TaskEither<SubscriptionServiceError, A>) => {
    const store = createInMemoryEventStore<SubscriptionEvent>()
    if (events.length > 0) await store.appendToStream(STREAM, events, 'no_stream')()
    const service = createSubscriptionService({ client: createClient({ token: TOKEN, baseUrl: api.url, retry: { limit: 0 } }), store: wrap(store) })
    const result = await operation(service)()
    return { result, newEvents: (await eventsOf(store)).slice(events.length), store, service }
  },
})

/** A store where another writer appends `intruder` just before our first append. */
const racedBy =
  (intruder: SubscriptionEvent) =>
  (inner: EventStore<SubscriptionEvent>): EventStore<SubscriptionEvent> => {
    let raced = false
    return {
      ...inner,
      appendToStream: (stream, events, expected) => async () => {
        if (!raced) {
          raced = true
          await inner.appendToStream(stream, [intruder], 'any')()
        }
        return inner.appendToStream(stream, events, expected)()
      },
    }
  }

const failingAppends = (inner: EventStore<SubscriptionEvent>): EventStore<SubscriptionEvent> => ({
  ...inner,
  appendToStream: () => TE.left({ _tag: 'StoreFailure', message: 'disk full' }),
})

test('subscribe: given no subscriptions, it creates the webhook and records WebhookCreated', async () => {
  const { result, newEvents } = await given([]).when((s) => s.subscribe(orders))
  assert.ok(E.isRight(result))
  if (E.isLeft(result)) return
  assert.equal(calls(), ['POST /v1/webhooks'])
  assert.equal(newEvents, [created(result.right.id, orders)])
})

test('subscribe: given the same endpoint, event and account held, it fails with DuplicateSubscription and calls nothing', async () => {
  const { result, newEvents } = await given([created(40, orders)]).when((s) => s.subscribe({ ...orders, title: 'another title' }))
  assert.equal(result, E.left({ _tag: 'DuplicateSubscription', existing: created(40, orders).data }))
  assert.equal(calls(), [])
  assert.equal(newEvents, [])
})

test('subscribe: given a different event for the same endpoint, it creates a second webhook', async () => {
  const { result, newEvents } = await given([created(40, orders)]).when((s) => s.subscribe(refunds))
  assert.ok(E.isRight(result))
  assert.is(newEvents.length, 1)
  assert.equal(calls(), ['POST /v1/webhooks'])
})

test('subscribe: bad input is InvalidInput before anything is read or sent', async () => {
  const { result, newEvents } = await given([]).when((s) => s.subscribe({ ...orders, endpoint: 'not a url' }))
  assert.equal(result, E.left({ _tag: 'InvalidInput', problems: [{ path: 'endpoint', message: 'expected an absolute http(s) URL' }] }))
  assert.equal(calls(), [])
  assert.equal(newEvents, [])
})

test('subscribe: when Banksocket refuses, nothing is recorded', async () => {
  api.reply(status(422, { error: 'bad endpoint' }))
  const { result, newEvents } = await given([]).when((s) => s.subscribe(orders))
  assert.ok(E.isLeft(result) && result.left._tag === 'HttpError' && result.left.status === 422)
  assert.equal(newEvents, [])
})

test('ensureSubscribed: the second call answers the held webhook and makes no HTTP request', async () => {
  const { result, service, store } = await given([]).when((s) => s.ensureSubscribed(orders))
  assert.ok(E.isRight(result))
  assert.equal(calls(), ['POST /v1/webhooks'])
  api.requests.length = 0

  const again = await service.ensureSubscribed({ ...orders, title: 'renamed' })()

  assert.equal(again, result)
  assert.equal(calls(), [], 'no request the second time')
  assert.is((await eventsOf(store)).length, 1)
})

test("ensureSubscribed: an account given as '69' matches one held as 69", async () => {
  const { result } = await given([created(41, refunds)]).when((s) => s.ensureSubscribed({ ...refunds, account: '69' as unknown as number }))
  assert.equal(result, E.right({ id: 41, endpoint: refunds.endpoint, title: refunds.title }))
  assert.equal(calls(), [])
})

test('ensureSubscribed: given the webhook was deleted, it creates a new one', async () => {
  const { result, newEvents } = await given([created(42, orders), deleted(42)]).when((s) => s.ensureSubscribed(orders))
  assert.ok(E.isRight(result) && result.right.id !== 42)
  assert.equal(calls(), ['POST /v1/webhooks'])
  assert.is(newEvents.length, 1)
})

test('ensureSubscribed: concurrent calls on one service make one request', async () => {
  const { service, store } = await given([]).when(() => TE.right(undefined))
  const results = await Promise.all([service.ensureSubscribed(orders)(), service.ensureSubscribed(orders)(), service.ensureSubscribed(orders)()])
  assert.equal(calls(), ['POST /v1/webhooks'])
  assert.equal(results[1], results[0])
  assert.equal(results[2], results[0])
  assert.is((await eventsOf(store)).length, 1)
})

test('unsubscribe: given a held webhook, it deletes it and records WebhookDeleted', async () => {
  api.reply(status(200, { status: 'success' }))
  const { result, newEvents } = await given([created(43, orders)]).when((s) => s.unsubscribe(43))
  assert.equal(result, E.right(created(43, orders).data))
  assert.equal(calls(), ['DELETE /v1/webhooks/43'])
  assert.equal(newEvents, [deleted(43)])
})

test('unsubscribe: an unknown webhook is UnknownWebhook, an already deleted one WebhookAlreadyDeleted; no request', async () => {
  const unknown = await given([]).when((s) => s.unsubscribe(44))
  assert.equal(unknown.result, E.left({ _tag: 'UnknownWebhook', id: 44 }))
  const twice = await given([created(45, orders), deleted(45)]).when((s) => s.unsubscribe(45))
  assert.equal(twice.result, E.left({ _tag: 'WebhookAlreadyDeleted', id: 45 }))
  assert.equal(calls(), [])
})

test('unsubscribe: a 404 from Banksocket means already gone, and is recorded as deleted', async () => {
  api.reply(status(404, { error: 'webhook not found' }))
  const { result, newEvents } = await given([created(46, orders)]).when((s) => s.unsubscribe(46))
  assert.ok(E.isRight(result))
  assert.equal(newEvents, [deleted(46)])
})

test('unsubscribe: when the DELETE fails, nothing is recorded', async () => {
  api.reply(status(500))
  const { result, newEvents } = await given([created(47, orders)]).when((s) => s.unsubscribe(47))
  assert.ok(E.isLeft(result) && result.left._tag === 'HttpError' && result.left.status === 500)
  assert.equal(newEvents, [])
})

test('unsubscribe: a bad id is InvalidInput', async () => {
  const { result } = await given([]).when((s) => s.unsubscribe(-1))
  assert.ok(E.isLeft(result) && result.left._tag === 'InvalidInput')
})

test('version conflict, other writer recorded a different webhook: re-read, re-decide, append at the new version', async () => {
  const { result, store } = await given([], racedBy(created(900, refunds))).when((s) => s.subscribe(orders))
  assert.ok(E.isRight(result))
  if (E.isLeft(result)) return
  assert.equal(await eventsOf(store), [created(900, refunds), created(result.right.id, orders)])
  assert.equal(calls(), ['POST /v1/webhooks'], 'the API is not called again')
})

test('version conflict, other writer recorded the same spec: ours is deleted again and subscribe reports the duplicate', async () => {
  const { result, store } = await given([], racedBy(created(901, orders))).when((s) => s.subscribe(orders))
  assert.equal(result, E.left({ _tag: 'DuplicateSubscription', existing: created(901, orders).data }))
  assert.is(calls()[0], 'POST /v1/webhooks')
  assert.match(calls()[1] ?? '', /^DELETE \/v1\/webhooks\/\d+$/)
  assert.not.equal(calls()[1], 'DELETE /v1/webhooks/901')
  assert.equal(await eventsOf(store), [created(901, orders)])
})

test('version conflict, other writer recorded the same spec: ensureSubscribed answers the recorded webhook', async () => {
  const { result } = await given([], racedBy(created(902, orders))).when((s) => s.ensureSubscribed(orders))
  assert.equal(result, E.right({ id: 902, endpoint: orders.endpoint, title: orders.title }))
  assert.equal(
    calls().map((c) => c.split(' ')[0]),
    ['POST', 'DELETE'],
  )
})

test('version conflict, and the compensating DELETE fails: CreatedNotRecorded carries the webhook and the API error', async () => {
  api.reply((r) => status(200, { webhook: { id: 555, endpoint: orders.endpoint, title: JSON.parse(r.body).title } }), status(500))
  const { result } = await given([], racedBy(created(903, orders))).when((s) => s.subscribe(orders))
  assert.ok(E.isLeft(result) && result.left._tag === 'CreatedNotRecorded')
  if (E.isRight(result) || result.left._tag !== 'CreatedNotRecorded') return
  assert.equal(result.left.webhook, { id: 555, endpoint: orders.endpoint, title: 'orders' })
  assert.is(result.left.cause._tag, 'HttpError')
})

test('version conflict, other writer already recorded this very webhook: success', async () => {
  api.reply(status(200, { webhook: { id: 777, endpoint: orders.endpoint, title: 'orders' } }))
  const { result, store } = await given([], racedBy(created(777, orders))).when((s) => s.subscribe(orders))
  assert.equal(result, E.right({ id: 777, endpoint: orders.endpoint, title: 'orders' }))
  assert.equal(await eventsOf(store), [created(777, orders)])
})

test('version conflict on unsubscribe, other writer recorded the deletion: success', async () => {
  api.reply(status(200, { status: 'success' }))
  const { result, newEvents } = await given([created(48, orders)], racedBy(deleted(48))).when((s) => s.unsubscribe(48))
  assert.ok(E.isRight(result))
  assert.equal(newEvents, [deleted(48)])
})

test(`conflicts on every one of ${MAX_RECORD_ATTEMPTS} appends: CreatedNotRecorded with the VersionConflict`, async () => {
  let intruders = 0
  const alwaysRaced = (inner: EventStore<SubscriptionEvent>): EventStore<SubscriptionEvent> => ({
    ...inner,
    appendToStream: (stream, events, expected) => async () => {
      intruders += 1
      await inner.appendToStream(stream, [created(2000 + intruders, { ...refunds, account: intruders })], 'any')()
      return inner.appendToStream(stream, events, expected)()
    },
  })
  const { result } = await given([], alwaysRaced).when((s) => s.subscribe(orders))
  assert.ok(E.isLeft(result) && result.left._tag === 'CreatedNotRecorded')
  if (E.isRight(result) || result.left._tag !== 'CreatedNotRecorded') return
  assert.is(result.left.cause._tag, 'VersionConflict')
  assert.is(intruders, MAX_RECORD_ATTEMPTS)
})

test('two services sharing a store race to ensureSubscribed: one webhook is kept, the duplicate deleted', async () => {
  const store = createInMemoryEventStore<SubscriptionEvent>()
  const client = createClient({ token: TOKEN, baseUrl: api.url })
  const a = createSubscriptionService({ client, store })
  const b = createSubscriptionService({ client, store })

  const [ra, rb] = await Promise.all([a.ensureSubscribed(orders)(), b.ensureSubscribed(orders)()])

  if (E.isLeft(ra) || E.isLeft(rb)) return assert.unreachable(`both succeed: ${JSON.stringify([ra, rb])}`)
  assert.equal(ra.right, rb.right)
  assert.equal(
    calls()
      .map((c) => c.split(' ')[0])
      .sort(),
    ['DELETE', 'POST', 'POST'],
  )
  const removed = calls().find((c) => c.startsWith('DELETE'))
  assert.not.equal(removed, `DELETE /v1/webhooks/${ra.right.id}`, 'the kept webhook is not the deleted one')
  assert.equal(await eventsOf(store), [created(ra.right.id, orders)])
})

test('the append fails: CreatedNotRecorded / DeletedNotRecorded carry what happened remotely', async () => {
  const create = await given([], failingAppends).when((s) => s.subscribe(orders))
  if (E.isRight(create.result) || create.result.left._tag !== 'CreatedNotRecorded') return assert.unreachable(JSON.stringify(create.result))
  assert.equal(create.result.left.cause, { _tag: 'StoreFailure', message: 'disk full' })
  assert.equal(create.result.left.spec, orders)
  assert.equal(calls(), ['POST /v1/webhooks'])
  assert.match(JSON.stringify(create.result.left.webhook), /"endpoint":"https:\/\/shop.example\/bs"/)

  api.reply(status(200, { status: 'success' }))
  const remove = await given([created(49, orders)], failingAppends).when((s) => s.unsubscribe(49))
  const cause: StoreError = { _tag: 'StoreFailure', message: 'disk full' }
  assert.equal(remove.result, E.left({ _tag: 'DeletedNotRecorded', id: 49, cause }))
})

test('a store that cannot be read: StoreFailure, and no request', async () => {
  const unreadable = (inner: EventStore<SubscriptionEvent>): EventStore<SubscriptionEvent> => ({
    ...inner,
    readStream: () => TE.left({ _tag: 'StoreFailure', message: 'offline' }),
  })
  const { result } = await given([], unreadable).when((s) => s.ensureSubscribed(orders))
  assert.equal(result, E.left({ _tag: 'StoreFailure', message: 'offline' }))
  assert.equal(calls(), [])
})

test('state() folds the stream', async () => {
  const { service } = await given([created(50, orders), created(51, refunds), deleted(50)]).when(() => TE.right(undefined))
  const state = await service.state()()
  assert.ok(E.isRight(state))
  if (E.isLeft(state)) return
  assert.equal([...state.right.active.keys()], [51])
  assert.equal([...state.right.deleted], [50])
})

test('a custom stream name is used', async () => {
  const store = createInMemoryEventStore<SubscriptionEvent>()
  const service = createSubscriptionService({ client: createClient({ token: TOKEN, baseUrl: api.url }), store, stream: 'shop-1' })
  assert.ok(E.isRight(await service.subscribe(orders)()))
  const read = await store.readStream('shop-1')()
  assert.ok(E.isRight(read) && read.right.version === 1)
  assert.equal(await eventsOf(store), [])
})

test.run()
