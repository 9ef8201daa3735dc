/**
 * Payments following the receiver's store (`followCredits`) instead of its `credit` event: the
 * same outcomes as `handleCredit` on the same signed movements, a rebuild from the history, a crash
 * between the receiver's store and the payments store (nothing applied twice, nothing missed),
 * store failures retried, and everything that is not a recorded credit left alone. Web APIs only,
 * so this file runs on Node and Deno.
 */
import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
import { type Consumer, type ConsumerEvent, createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
import { createInMemoryEventStore, type EventStore, type LedgerEvent, type StoredEvent, TransactionReceived } from '@banksocket-webhooks/core'
import type { CheckpointStore } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createPayments,
  creditTotals,
  creditTransactionOf,
  type FollowCreditsOptions,
  followCredits,
  type Payments,
  type PaymentsEvent,
  type PaymentsEvents,
  summarizePayments,
} from '../src/index.ts'
import { money, right } from './support/credits.ts'
import { type Fields, type Movement, onChains, record, requestOf, SECRET } from './support/ledger.ts'

type ReceiverEvent = LedgerEvent | ConsumerEvent
type ReceiverStore = EventStore<ReceiverEvent>

/** What the shop expects: every kind of outcome, on two accounts and two currencies. */
const EXPECTATIONS = [
  { id: 'order-1001', reference: 'SİP1001', amount: money('1499.90') }, // settled by one credit
  { id: 'order-1002', reference: 'SİP1002', amount: money('750.00') }, // partially paid
  { id: 'order-1003', reference: 'SİP1003', amount: money('100.00') }, // overpaid by a genuine repeat
  { id: 'order-1004', reference: 'AB-77', amount: money('0.30'), accountId: '70' }, // 0.10 + 0.20, exactly
  { id: 'order-1005', reference: 'SİP1005', amount: money('250.00', 'USD') }, // a TRY credit naming it is unmatched
  { id: 'order-1006', reference: 'SİP1006', amount: money('12345678901234567.89') }, // beyond a float's 2^53
  { id: 'order-1007', reference: 'SİP1007', amount: money('100.00'), accountId: '71' }, // two credits delivered out of order
] as const

/** The movements, in chain order per ledger. */
const MOVES: ReadonlyArray<Movement> = [
  { dc: 'Credit', amount: '1499.90', description: 'SN:1 sip-1001 ödemesi' },
  { dc: 'Credit', amount: '500.00', description: 'SN:2 SİP 1002' },
  { dc: 'Debit', amount: '300.00', description: 'SN:3 SİP1001 iade' }, // a debit naming an order: never applied
  { dc: 'Credit', amount: '100.00', description: 'SN:7 SIP1003 taksit' },
  { dc: 'Debit', amount: '100.00', description: 'SN:8 kart' },
  { dc: 'Credit', amount: '100.00', description: 'SN:7 SIP1003 taksit' }, // a genuine repeat: the same fields again
  { dc: 'Credit', amount: '0.10', description: 'SN:4 ab77', accountId: '70' },
  { dc: 'Credit', amount: '0.20', description: 'SN:5 AB 77', accountId: '70' },
  { dc: 'Credit', amount: '42.00', description: 'SN:9 kira' }, // no reference
  { dc: 'Credit', amount: '250.00', description: 'SN:10 SİP1005' }, // TRY, the order is in USD: currency_mismatch
  { dc: 'Credit', amount: '250.00', description: 'SN:11 SİP1005', currency: 'USD' }, // the USD ledger of account 69
  { dc: 'Credit', amount: '10.00', description: 'SN:12 SIP1001 SIP1002' }, // names two: ambiguous
  { dc: 'Credit', amount: '12345678901234567.89', description: 'SN:13 SİP1006' },
  { dc: 'Credit', amount: '60.00', description: 'SN:20 SİP1007', accountId: '71' },
  { dc: 'Credit', amount: '40.00', description: 'SN:21 SİP1007 kalan', accountId: '71' },
  { dc: 'Debit', amount: '10.00', description: 'SN:22 masraf', accountId: '71' },
]

/** The deliveries: chain order, except account 71's last two swapped (a gap, then its closing), and SN:1 delivered again (a duplicate). */
const deliveries = (): Fields[] => {
  const chain = onChains(MOVES)
  const first = chain[0] as Fields
  const [a, b, c] = chain.slice(-3) as [Fields, Fields, Fields]
  return [...chain.slice(0, -3), first, a, c, b]
}

const expectAll = async (payments: Payments, only: ReadonlyArray<string> = EXPECTATIONS.map((e) => e.id)) => {
  for (const e of EXPECTATIONS) if (only.includes(e.id)) right(await payments.expect(e)())
}

const openPayments = async (store: EventStore<PaymentsEvent> = createInMemoryEventStore()) => right(await createPayments({ store })())

const NOTICES = ['payment_settled', 'payment_partial', 'payment_overpaid', 'credit_unmatched', 'credit_ambiguous'] as const
/** What `payments` emits, as `name credit-key`. */
const notices = (payments: Payments): string[] => {
  const seen: string[] = []
  for (const name of NOTICES) payments.on(name, ({ credit }: Parameters<PaymentsEvents[typeof name]>[0]) => void seen.push(`${name} ${credit.key}`))
  return seen
}

const readAll = async <Ev>(store: EventStore<Ev>): Promise<ReadonlyArray<StoredEvent<Ev>>> => right(await store.readAll()())
const summaryOf = async (store: EventStore<PaymentsEvent>) => summarizePayments(await readAll(store))
/** The payments store's events as `stream type`, in order: two runs that applied the same credits once each hold the same list. */
const shapeOf = async (store: EventStore<PaymentsEvent>) => (await readAll(store)).map((e) => `${e.stream} ${e.event.type}`)

const followers: Consumer<unknown>[] = []
const follow = <Tx>(payments: Payments, options: FollowCreditsOptions<ReceiverEvent, Tx>) => {
  const follower = followCredits(payments, { pollInterval: 10, ...options })
  followers.push(follower as Consumer<unknown>)
  return follower
}
test.after.each(async () => {
  await Promise.all(followers.splice(0).map((f) => f.stop()))
})

/** The live run: a fetch receiver on `store` feeding `payments` with `handleCredit`, as before followCredits. */
const liveRun = async (store: ReceiverStore, fields: ReadonlyArray<Fields> = deliveries()) => {
  const paymentsStore = createInMemoryEventStore<PaymentsEvent>()
  const payments = await openPayments(paymentsStore)
  await expectAll(payments)
  const seen = notices(payments)
  const receiver = createFetchReceiver({ secrets: [SECRET], path: '/banksocket', store })
  receiver.on('credit', payments.handleCredit)
  const statuses: string[] = []
  for (const f of fields) statuses.push(((await (await receiver.fetch(await requestOf(f))).json()) as { status: string }).status)
  return { payments, paymentsStore, seen, statuses }
}

/** A payments store of its own following `store` from the beginning until caught up. */
const followedRun = async (store: ReceiverStore, options: Partial<FollowCreditsOptions<ReceiverEvent, undefined>> = {}) => {
  const paymentsStore = createInMemoryEventStore<PaymentsEvent>()
  const payments = await openPayments(paymentsStore)
  await expectAll(payments)
  const seen = notices(payments)
  const follower = follow(payments, { store, checkpoints: createInMemoryCheckpoints(), ...options })
  await follower.start()
  await follower.whenCaughtUp()
  return { payments, paymentsStore, seen, follower }
}

const EXPECTED_STATUSES = {
  'order-1001': 'settled',
  'order-1002': 'partially_paid',
  'order-1003': 'overpaid',
  'order-1004': 'settled',
  'order-1005': 'settled',
  'order-1006': 'settled',
  'order-1007': 'settled',
}
const statusesOf = (payments: Payments) => Object.fromEntries(payments.expectations().map((e) => [e.id, e.status]))

test('following the receiver’s store reaches the same outcomes as handleCredit on the same movements', async () => {
  const store: ReceiverStore = createInMemoryEventStore()
  const live = await liveRun(store)
  assert.equal(live.statuses.filter((s) => s === 'duplicate').length, 1, 'SN:1 delivered twice is one duplicate')
  const stored = await readAll(store)
  assert.ok(
    stored.some((e) => e.event.type === 'BalanceGapDetected') && stored.some((e) => e.event.type === 'BalanceGapClosed'),
    'a gap and its closing',
  )
  assert.ok(
    stored.some((e) => e.event.type === 'TransactionReceived' && e.event.data.repeat === true),
    'a genuine repeat',
  )

  const followed = await followedRun(store)
  assert.equal(statusesOf(followed.payments), EXPECTED_STATUSES)
  assert.equal(statusesOf(live.payments), EXPECTED_STATUSES)
  assert.equal(await summaryOf(followed.paymentsStore), await summaryOf(live.paymentsStore))
  assert.equal(await shapeOf(followed.paymentsStore), await shapeOf(live.paymentsStore))
  assert.equal(followed.seen, live.seen, 'the same notices, in the same order')

  // Each kind of outcome, exactly.
  const summary = await summaryOf(followed.paymentsStore)
  const routes = [...summary.credits.values()].map((c) => (c.route._tag === 'Unmatched' ? `Unmatched ${c.route.reason}` : c.route._tag))
  assert.equal(routes.filter((r) => r === 'Matched').length, 10)
  assert.equal(
    routes.filter((r) => r !== 'Matched'),
    ['Unmatched no_reference', 'Unmatched currency_mismatch', 'Ambiguous'],
  )
  const p = followed.payments
  assert.equal(p.get('order-1002')?.remaining, money('250.00'))
  assert.equal(p.get('order-1003')?.paid, money('200.00'), 'the repeat is a second credit')
  assert.equal(p.get('order-1003')?.excess, money('100.00'))
  assert.is(p.get('order-1003')?.credits.filter((k) => k.endsWith(':repeat')).length, 1)
  assert.equal(p.get('order-1004')?.paid, { minor: 30n, currency: 'TRY' }, '0.10 + 0.20 is 0.30 exactly')
  assert.equal(p.get('order-1006')?.paid, { minor: 1234567890123456789n, currency: 'TRY' })
  assert.equal(followed.follower.stats().handled, stored.length)
})

test('a rebuild: a fresh payments store following from the beginning gives the same summary, and new expectations take old credits', async () => {
  const store: ReceiverStore = createInMemoryEventStore()
  // Live, order-1003 was expected only after its credits arrived: they went unmatched.
  const paymentsStore = createInMemoryEventStore<PaymentsEvent>()
  const payments = await openPayments(paymentsStore)
  await expectAll(
    payments,
    EXPECTATIONS.map((e) => e.id).filter((id) => id !== 'order-1003'),
  )
  const receiver = createFetchReceiver({ secrets: [SECRET], path: '/banksocket', store })
  const follower = follow(payments, { store, checkpoints: createInMemoryCheckpoints() })
  receiver.on('recorded', () => follower.wake())
  await follower.start()
  for (const f of deliveries()) await receiver.fetch(await requestOf(f))
  await follower.whenCaughtUp()
  right(await payments.expect(EXPECTATIONS[2])())
  assert.is(payments.get('order-1003')?.status, 'expected')
  assert.equal(
    [...(await summaryOf(paymentsStore)).credits.values()].filter((c) => c.credit.description === 'SN:7 SIP1003 taksit').map((c) => c.route._tag),
    ['Unmatched', 'Unmatched'],
  )

  // A rebuild with the same expectations in the same order as they now stand gives the same outcomes...
  const again = createInMemoryEventStore<PaymentsEvent>()
  const rebuilt = await openPayments(again)
  await expectAll(
    rebuilt,
    EXPECTATIONS.map((e) => e.id).filter((id) => id !== 'order-1003'),
  )
  const seen = notices(rebuilt)
  const second = follow(rebuilt, { store, checkpoints: createInMemoryCheckpoints(), name: 'payments-rebuild' })
  await second.start()
  await second.whenCaughtUp()
  right(await rebuilt.expect(EXPECTATIONS[2])())
  assert.equal(await summaryOf(again), await summaryOf(paymentsStore))
  assert.equal(creditTotals(await summaryOf(again)), creditTotals(await summaryOf(paymentsStore)))
  assert.is(seen.length, 13, 'each credit emitted once by the rebuild')

  // ...and one with every expectation known from the start applies the credits that were unmatched.
  const fresh = await followedRun(store)
  assert.equal(statusesOf(fresh.payments), EXPECTED_STATUSES)
  const before = creditTotals(await summaryOf(paymentsStore)).get('TRY')
  const after = creditTotals(await summaryOf(fresh.paymentsStore)).get('TRY')
  assert.equal(after?.credited, before?.credited, 'the same money credited')
  assert.is((after?.unmatched.minor ?? 0n) + 20000n, before?.unmatched.minor, 'the 2 × 100.00 unmatched before are applied now')
})

/** Checkpoints whose `advance` runs the work and then "crashes" once, at the `crashAt`-th advance: the work stood, the checkpoint was not saved. */
const crashingCheckpoints = (inner: CheckpointStore<undefined>, crashAt: number): CheckpointStore<undefined> & { crashed: () => boolean } => {
  let advances = 0
  let crashed = false
  return {
    read: (name) => inner.read(name),
    acquire: (name, options) => inner.acquire(name, options),
    advance: (name, expected, next, work) => {
      advances++
      if (advances !== crashAt || work === undefined) return inner.advance(name, expected, next, work)
      return async () => {
        await work(undefined)
        crashed = true
        return E.left({ _tag: 'StoreFailure', message: 'the process died before the checkpoint was saved' })
      }
    },
    crashed: () => crashed,
  }
}

test('a crash between the payments store and the checkpoint: the restart applies nothing twice and misses nothing', async () => {
  const store: ReceiverStore = createInMemoryEventStore()
  await record(store, deliveries())
  const reference = await followedRun(store)

  const saved = createInMemoryCheckpoints()
  const paymentsStore = createInMemoryEventStore<PaymentsEvent>()
  const first = await openPayments(paymentsStore)
  await expectAll(first)
  const firstSeen = notices(first)
  const checkpoints = crashingCheckpoints(saved, 3)
  const crashing = follow(first, { store, checkpoints, batchSize: 4 })
  const stopped = new Promise<void>((resolve) => {
    crashing.on('problem', () => {
      if (checkpoints.crashed()) void crashing.stop().then(resolve) // the process is gone
    })
  })
  await crashing.start()
  await stopped
  const at = right(await saved.read('payments')())
  assert.is(at, 8, 'two pages of four saved, the third applied but not saved')
  const appliedBeforeCrash = firstSeen.length

  // A new process: payments reopened on its store, the follower resuming from the saved checkpoint.
  const second = await openPayments(paymentsStore)
  const secondSeen = notices(second)
  const resumed = follow(second, { store, checkpoints: saved })
  await resumed.start()
  await resumed.whenCaughtUp()

  assert.equal(await summaryOf(paymentsStore), await summaryOf(reference.paymentsStore), 'nothing missed')
  assert.equal(await shapeOf(paymentsStore), await shapeOf(reference.paymentsStore), 'nothing stored twice')
  assert.equal([...firstSeen, ...secondSeen], reference.seen, 'each outcome emitted once, by the process that stored it')
  assert.ok(appliedBeforeCrash > 0 && secondSeen.length > 0)
  for (const e of second.expectations()) assert.is(new Set(e.credits).size, e.credits.length, `${e.id} took each credit once`)
})

test('stopped mid-way and restarted while the receiver goes on recording: every credit applied once', async () => {
  const store: ReceiverStore = createInMemoryEventStore()
  const all = deliveries()
  await record(store, all.slice(0, 6))
  const checkpoints = createInMemoryCheckpoints()
  const paymentsStore = createInMemoryEventStore<PaymentsEvent>()
  const payments = await openPayments(paymentsStore)
  await expectAll(payments)
  const seen = notices(payments)
  const first = follow(payments, { store, checkpoints, batchSize: 2 })
  let pages = 0
  const twoPages = new Promise<void>((resolve) => {
    first.on('handled', () => {
      if (++pages === 2) void first.stop().then(resolve)
    })
  })
  await first.start()
  await twoPages
  assert.is(right(await checkpoints.read('payments')()), 4)
  await record(store, all.slice(6))

  const again = follow(payments, { store, checkpoints, batchSize: 2 })
  await again.start()
  await again.whenCaughtUp()
  const reference = await followedRun(store)
  assert.equal(await shapeOf(paymentsStore), await shapeOf(reference.paymentsStore))
  assert.equal(seen, reference.seen)
})

test('a credit delivered again (a second follower on the same payments) changes and emits nothing: exactly once in effect', async () => {
  const store: ReceiverStore = createInMemoryEventStore()
  await record(store, deliveries())
  const once = await followedRun(store)
  const shape = await shapeOf(once.paymentsStore)
  const seen = once.seen.length
  const twice = follow(once.payments, { store, checkpoints: createInMemoryCheckpoints(), name: 'payments-again' })
  await twice.start()
  await twice.whenCaughtUp()
  assert.equal(await shapeOf(once.paymentsStore), shape)
  assert.is(once.seen.length, seen)
  assert.is(twice.stats().handled, once.follower.stats().handled)
})

test('a payments store failure is thrown so the consumer retries; the append that failed after writing is not applied twice', async () => {
  const store: ReceiverStore = createInMemoryEventStore()
  await record(store, deliveries())
  const reference = await followedRun(store)

  const inner = createInMemoryEventStore<PaymentsEvent>()
  let armed = false
  const failed = new Set<string>()
  const flaky: EventStore<PaymentsEvent> = {
    ...inner,
    appendToStream: (stream, events, expected) => async () => {
      const once = armed && !failed.has(stream.startsWith('credit-') ? 'credit' : stream)
      if (once && stream.startsWith('credit-')) {
        // The first credit route: refused before anything is written.
        failed.add('credit')
        return E.left({ _tag: 'StoreFailure', message: 'database restarting' })
      }
      const written = await inner.appendToStream(stream, events, expected)()
      if (once && stream === 'payment-order-1002') {
        // A lost acknowledgement: order-1002's credit is written, then reported as failed.
        failed.add(stream)
        return E.left({ _tag: 'StoreFailure', message: 'connection reset after commit' })
      }
      return written
    },
  }
  const payments = await openPayments(flaky)
  await expectAll(payments)
  armed = true
  const seen = notices(payments)
  const follower = follow(payments, { store, checkpoints: createInMemoryCheckpoints(), retry: { initialDelay: 1, maxDelay: 5 } })
  const retries: string[] = []
  follower.on('retrying', (r) => retries.push(r.message))
  await follower.start()
  await follower.whenCaughtUp()
  assert.equal(retries, ['payments could not apply the credit: StoreFailed', 'payments could not apply the credit: StoreFailed'])
  assert.equal(await shapeOf(inner), await shapeOf(reference.paymentsStore))
  assert.is(payments.get('order-1002')?.credits.length, 1)
  assert.is(follower.stats().failed, 0)
  // The credit's outcome was stored by the attempt whose answer was lost, so its notice is not emitted: the store is the truth.
  const lost = `payment_partial ${payments.get('order-1002')?.credits[0]}`
  assert.ok(reference.seen.includes(lost))
  assert.equal(
    seen,
    reference.seen.filter((s) => s !== lost),
  )
})

test('debits, gaps, suspected replays, consumer records and events of other streams are left alone', async () => {
  const store: ReceiverStore = createInMemoryEventStore()
  const debits = onChains([
    { dc: 'Debit', amount: '100.00', description: 'SN:1 SİP1001' },
    { dc: 'Debit', amount: '50.00', description: 'SN:2 SİP1002' },
    { dc: 'Debit', amount: '25.00', description: 'SN:3 SİP1003' },
  ])
  await record(store, [debits[0] as Fields, debits[2] as Fields, debits[1] as Fields]) // a gap, then its closing
  // A credit under another stream (an archive, another application's events) is not the receiver's record.
  const [credit] = onChains([{ dc: 'Credit', amount: '1499.90', description: 'SN:9 SİP1001' }])
  const other = createInMemoryEventStore<LedgerEvent>()
  await record(other, [credit as Fields])
  const recorded = (await readAll(other)).find((e) => e.event.type === 'TransactionReceived')?.event as LedgerEvent
  right(await store.appendToStream('archive-69-TRY', [recorded], 'any')())
  right(await store.appendToStream('ledger-69-TRY', [{ type: 'SuspectedReplay', data: (recorded as TransactionReceived).data }], 'any')())
  right(
    await store.appendToStream(
      'consumer-forward',
      [
        {
          type: 'ConsumerFailed',
          data: {
            consumer: 'forward',
            position: 1,
            stream: 'ledger-69-TRY',
            version: 1,
            eventType: 'TransactionReceived',
            attempts: 3,
            error: 'x',
            failedAt: '2026-12-07T10:00:00.000Z',
          },
        },
      ],
      'any',
    )(),
  )
  const types = new Set((await readAll(store)).map((e) => e.event.type))
  assert.equal(types, new Set(['BalanceGapDetected', 'TransactionReceived', 'BalanceGapClosed', 'SuspectedReplay', 'ConsumerFailed']))

  const followed = await followedRun(store)
  assert.equal(followed.seen, [])
  assert.equal(
    (await shapeOf(followed.paymentsStore)).filter((s) => !s.endsWith('PaymentExpected')),
    [],
  )
  assert.equal(statusesOf(followed.payments), Object.fromEntries(EXPECTATIONS.map((e) => [e.id, 'expected'])))
})

const stored = (stream: string, data: Partial<TransactionReceived['data']> & { verified: TransactionReceived['data']['verified'] }) => ({
  stream,
  event: {
    type: 'TransactionReceived',
    data: {
      idempotencyKey: 'k1',
      receivedAt: '2026-12-07T10:00:00.000Z',
      hash: 'h',
      unverified: { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' },
      ...data,
    },
  },
})
const verified = (dc: 'Credit' | 'Debit', amount: string, currency = 'TRY') => ({
  dc,
  code: 'EFT',
  amount,
  balance: '0.00',
  currency,
  description: 'SN:1 SİP1001',
})

test('creditTransactionOf: the CreditTransaction applyCredit takes, exact, with the repeat mark; nothing for the rest', () => {
  assert.equal(creditTransactionOf(stored('ledger-69-TRY', { verified: verified('Credit', '1499.90') })), {
    idempotencyKey: 'k1',
    amount: { minor: 149990n, currency: 'TRY' },
    verified: { dc: 'Credit', description: 'SN:1 SİP1001', currency: 'TRY' },
    unverified: { account_id: '69' },
    repeat: false,
  })
  assert.is(creditTransactionOf(stored('ledger-69-TRY', { verified: verified('Credit', '100.00'), repeat: true }))?.repeat, true)
  assert.equal(creditTransactionOf(stored('ledger-69-JPY', { verified: verified('Credit', '1500', 'JPY') }))?.amount, {
    minor: 1500n,
    currency: 'JPY',
  })
  assert.equal(creditTransactionOf(stored('ledger-69-KWD', { verified: verified('Credit', '0.125', 'KWD') }))?.amount, {
    minor: 125n,
    currency: 'KWD',
  })
  assert.is(creditTransactionOf(stored('ledger-69-TRY', { verified: verified('Debit', '100.00') })), undefined)
  assert.is(creditTransactionOf(stored('archive-69-TRY', { verified: verified('Credit', '100.00') })), undefined)
  assert.is(creditTransactionOf({ stream: 'ledger-69-TRY', event: { type: 'BalanceGapClosed' } }), undefined)
  assert.is(creditTransactionOf({ stream: 'ledger-69-TRY', event: null }), undefined)
  assert.throws(() => creditTransactionOf(stored('ledger-69-TRY', { verified: verified('Credit', '1e3') })), /not exact money/)
  assert.throws(() => creditTransactionOf({ stream: 'ledger-69-TRY', event: { type: 'TransactionReceived', data: {} } }), /fields core stores/)
  assert.ok(TransactionReceived.is(stored('ledger-69-TRY', { verified: verified('Credit', '1.00') }).event))
})

test('a damaged stored credit is retried, given up on after retry.maxAttempts and recorded; the credits after it are applied', async () => {
  const store: ReceiverStore = createInMemoryEventStore()
  right(
    await store.appendToStream('ledger-99-TRY', [stored('ledger-99-TRY', { verified: verified('Credit', '14,99') }).event as LedgerEvent], 'any')(),
  )
  await record(store, onChains([{ dc: 'Credit', amount: '1499.90', description: 'SN:1 SİP1001' }], '20000.00'))
  const followed = await followedRun(store, { retry: { maxAttempts: 2, initialDelay: 1 } })
  assert.is(followed.follower.stats().failed, 1)
  assert.is(followed.payments.get('order-1001')?.status, 'settled')
  const records = right(await store.readStream('consumer-payments')())
  assert.is(records.events.length, 1)
  const record0 = records.events[0] as ConsumerEvent
  assert.is(record0.type, 'ConsumerFailed')
  assert.match(record0.data.error, /not exact money/)
  assert.is(record0.data.attempts, 2)
})

test('options: the name defaults to payments, `from: end` starts after the history, a bad name throws', async () => {
  const store: ReceiverStore = createInMemoryEventStore()
  await record(store, deliveries())
  const followed = await followedRun(store, { from: 'end' })
  assert.is(followed.follower.name, 'payments')
  assert.equal(followed.seen, [])
  await record(store, onChains([{ dc: 'Credit', amount: '1.00', description: 'SN:99 SİP1002' }], '30000.00'))
  followed.follower.wake()
  await followed.follower.whenCaughtUp()
  assert.is(followed.seen.length, 1)
  assert.equal(followed.payments.get('order-1002')?.paid, money('1.00'))
  const payments = await openPayments()
  assert.throws(() => followCredits(payments, { store, checkpoints: createInMemoryCheckpoints(), name: '../etc' }), TypeError)
})

test.run()
