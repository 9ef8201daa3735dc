/**
 * The inbox's metrics on the real OpenTelemetry SDK: any `Meter` of `@opentelemetry/api` is a
 * `MeterLike` (checked by the compiler here: `tsc -p tsconfig.json` compiles this file, and the
 * `@ts-expect-error` below must be an error), notifications counted by outcome and reason, gaps
 * opened, closed and open (from the ledgers in memory, or from the shared store's states), and every
 * store write timed by result. A store that fails skips the gauge's observation; a meter that
 * throws fails nothing; the API's meter without an SDK measures nothing and costs nothing.
 */
import { metrics } from '@opentelemetry/api'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { measuring } from '../../test-support/src/metrics.ts'
import { createInbox, createInMemoryEventStore, encodeForm, type LedgerEvent, type MeterLike, type StoreError } from '../src/index.ts'
import { inboxMetrics } from '../src/runtime-kit.ts'
import type { RecordError } from '../src/store-kit.ts'
import { signed } from './support/fields.ts'
import { createMemorySharedStore } from './support/shared-store.ts'

// Any Meter of the API, with or without an SDK behind it, is a MeterLike as it is.
const apiMeter: MeterLike = metrics.getMeter('banksocket-webhooks')
const sdkMeter: MeterLike = new MeterProvider().getMeter('banksocket-webhooks')
// @ts-expect-error a MeterLike makes histograms and observable gauges too
const partial: MeterLike = { createCounter: () => ({ add: () => {} }), createUpDownCounter: () => ({ add: () => {} }) }

const FORM = 'application/x-www-form-urlencoded'

/** A signed Credit of `amount` leaving `balance` on account `account`, as a form body. */
const credit = async (amount: string, balance: string, account = '69') =>
  encodeForm(await signed({ dc: 'Credit', amount, balance, currency: 'TRY', description: `credit ${balance}`, account_id: account }))

const deliver = (inbox: ReturnType<typeof createInbox>, body: string, contentType = FORM) => inbox.deliver({ body, contentType }, () => {})

test('any Meter of @opentelemetry/api is a MeterLike; a MeterLike must make every instrument', () => {
  assert.type(apiMeter.createHistogram, 'function')
  assert.type(sdkMeter.createObservableGauge, 'function')
  assert.type(partial.createCounter, 'function')
})

test('notifications by outcome and reason, gaps opened and closed, the open gauge 1 then 0, appends timed', async () => {
  const { meter, collect } = measuring()
  const inbox = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store: createInMemoryEventStore(), meter })
  const first = await credit('100.00', '1100.00')
  assert.is((await deliver(inbox, first))._tag, 'accepted')
  assert.is((await deliver(inbox, first))._tag, 'duplicate')
  assert.is((await deliver(inbox, first.replace(/hash=[^&]+/, 'hash=AAAA')))._tag, 'rejected')
  assert.is((await deliver(inbox, first, 'text/plain'))._tag, 'rejected')
  // 1100.00 -> (missing: 150.00 to 1250.00) -> 1350.00: a gap, then the late one closes it.
  assert.is((await deliver(inbox, await credit('100.00', '1350.00')))._tag, 'accepted')
  let seen = await collect()
  assert.is(seen.value('banksocket.gaps.open'), 1)
  assert.is(seen.value('banksocket.gaps.opened'), 1)
  assert.is(seen.value('banksocket.gaps.closed'), undefined, 'nothing closed yet')
  assert.is((await deliver(inbox, await credit('150.00', '1250.00')))._tag, 'accepted')
  seen = await collect()
  assert.equal(seen.errors, [])
  assert.is(seen.value('banksocket.gaps.open'), 0)
  assert.is(seen.value('banksocket.gaps.opened'), 1)
  assert.is(seen.value('banksocket.gaps.closed'), 1)
  assert.is(seen.value('banksocket.notifications', { outcome: 'ok' }), 3)
  assert.is(seen.value('banksocket.notifications', { outcome: 'duplicate' }), 1)
  assert.is(seen.value('banksocket.notifications', { outcome: 'rejected', reason: 'invalid_hash' }), 1)
  assert.is(seen.value('banksocket.notifications', { outcome: 'rejected', reason: 'unsupported_media_type' }), 1)
  assert.is(seen.attributesOf('banksocket.notifications').length, 4, 'no other outcome')
  assert.is(seen.count('banksocket.store.append.duration', { result: 'ok' }), 3, 'one append per accepted notification, none for a duplicate')
  assert.equal(seen.attributesOf('banksocket.store.append.duration'), [{ result: 'ok' }])
  assert.is(seen.metric('banksocket.store.append.duration')?.descriptor.unit, 's')
  assert.is(seen.metric('banksocket.gaps.open')?.descriptor.unit, '{gap}')
  assert.is(seen.metric('banksocket.notifications')?.descriptor.unit, '{notification}')
})

test('a failed append is store_failed and a failed write; a meter that throws fails nothing', async () => {
  const { meter, collect } = measuring()
  const store = createInMemoryEventStore<LedgerEvent>()
  const failing = { ...store, appendToStream: () => async () => E.left<StoreError>({ _tag: 'StoreFailure', message: 'disk full' }) }
  const inbox = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store: failing, meter })
  assert.is((await deliver(inbox, await credit('100.00', '1100.00')))._tag, 'store_failed')
  const seen = await collect()
  assert.is(seen.value('banksocket.notifications', { outcome: 'failed', reason: 'store_failed' }), 1)
  assert.is(seen.count('banksocket.store.append.duration', { result: 'failed' }), 1)

  const throwing: MeterLike = {
    createCounter: () => ({
      add: () => {
        throw new Error('broken meter')
      },
    }),
    createUpDownCounter: () => ({ add: () => {} }),
    createHistogram: () => ({
      record: () => {
        throw new Error('broken meter')
      },
    }),
    createObservableGauge: () => ({ addCallback: () => {}, removeCallback: () => {} }),
  }
  const sturdy = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store: createInMemoryEventStore(), meter: throwing })
  assert.is((await deliver(sturdy, await credit('100.00', '1100.00')))._tag, 'accepted')
  assert.is((await deliver(sturdy, 'x=1', 'text/plain'))._tag, 'rejected')
})

test('the gauge sums the inboxes on one meter; a store that cannot be read skips the observation, never throws', async () => {
  const { meter, collect } = measuring()
  const one = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], meter })
  const two = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], meter })
  for (const inbox of [one, two]) {
    await deliver(inbox, await credit('100.00', '1100.00'))
    await deliver(inbox, await credit('100.00', '1350.00'))
  }
  assert.is((await collect()).value('banksocket.gaps.open'), 2)

  const broken = measuring()
  const store = createInMemoryEventStore<LedgerEvent>()
  const unreadable = { ...store, readAll: () => async () => E.left<StoreError>({ _tag: 'StoreFailure', message: 'store down' }) }
  createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store: unreadable, meter: broken.meter })
  const seen = await broken.collect()
  assert.equal(seen.errors, [])
  assert.is(seen.value('banksocket.gaps.open'), undefined, 'no observation rather than a wrong 0')
})

test('a shared store: the gauge reads the stored states (every receiver sees the same), writes timed by result', async () => {
  const store = createMemorySharedStore()
  // The first write loses a race (another receiver moved the ledger on), one write fails.
  const forced: Array<E.Either<RecordError, { nextVersion: number }>> = []
  const racing = {
    ...store,
    record: (stream: string, recording: Parameters<typeof store.record>[1]) => {
      const next = forced.shift()
      return next === undefined ? store.record(stream, recording) : async () => next
    },
  }
  const a = measuring()
  const b = measuring()
  const inboxA = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store: racing, meter: a.meter })
  const inboxB = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store: racing, meter: b.meter })
  forced.push(E.left({ _tag: 'VersionConflict', stream: 'ledger-69-TRY', expected: 0, actual: 1 }))
  assert.is((await deliver(inboxA, await credit('100.00', '1100.00')))._tag, 'accepted')
  assert.is((await deliver(inboxB, await credit('100.00', '1350.00')))._tag, 'accepted')
  assert.is((await a.collect()).value('banksocket.gaps.open'), 1, "A sees the gap B's delivery opened")
  assert.is((await b.collect()).value('banksocket.gaps.open'), 1)
  forced.push(E.left({ _tag: 'StoreFailure', message: 'connection lost' }))
  assert.is((await deliver(inboxA, await credit('150.00', '1250.00')))._tag, 'store_failed')
  assert.is((await deliver(inboxA, await credit('150.00', '1250.00')))._tag, 'accepted')
  const seenA = await a.collect()
  const seenB = await b.collect()
  assert.is(seenA.value('banksocket.gaps.open'), 0)
  assert.is(seenB.value('banksocket.gaps.open'), 0, "B sees A's closing")
  assert.is(seenA.count('banksocket.store.append.duration', { result: 'conflict' }), 1)
  assert.is(seenA.count('banksocket.store.append.duration', { result: 'failed' }), 1)
  assert.is(seenA.count('banksocket.store.append.duration', { result: 'ok' }), 2)
  assert.is(seenA.value('banksocket.gaps.closed'), 1)
  assert.is(seenB.value('banksocket.gaps.opened'), 1, 'each receiver counts the gaps it opened')
  assert.is(seenA.value('banksocket.gaps.opened'), undefined)

  const down = measuring()
  createInbox({
    secrets: ['s3cr3t-ÇĞİÖŞÜ-key'],
    store: { ...store, readStates: () => () => Promise.reject(new Error('connection refused')) },
    meter: down.meter,
  })
  const seen = await down.collect()
  assert.equal(seen.errors, [])
  assert.is(seen.value('banksocket.gaps.open'), undefined)
})

test('without a meter, or with the API meter and no SDK registered, the inbox works and measures nothing', async () => {
  assert.is(inboxMetrics(undefined).enabled, false)
  assert.is(inboxMetrics(undefined), inboxMetrics(undefined), 'one no-op set for all')
  const plain = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store: createInMemoryEventStore() })
  const noSdk = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store: createInMemoryEventStore(), meter: apiMeter })
  for (const inbox of [plain, noSdk]) {
    assert.is((await deliver(inbox, await credit('100.00', '1100.00')))._tag, 'accepted')
    assert.is((await deliver(inbox, await credit('100.00', '1350.00')))._tag, 'accepted')
    const ledgers = await inbox.ledgers()
    assert.ok(E.isRight(ledgers) && ledgers.right.get('ledger-69-TRY')?.openGaps.length === 1)
  }
  assert.is(inboxMetrics(apiMeter).enabled, false, "the API's meter without an SDK is taken for what it is: no clock read")
  assert.is(inboxMetrics(sdkMeter).enabled, true)
  assert.is(inboxMetrics(sdkMeter), inboxMetrics(sdkMeter), 'instruments made once per meter')
  assert.throws(() => createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], meter: {} as MeterLike }), /`meter` must be an OpenTelemetry Meter/)
})

test.run()
