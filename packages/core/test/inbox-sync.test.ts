/**
 * The inbox when nothing needs waiting for (a synchronous hasher, synchronous listeners, no store):
 * the outcome is known at once, and the guarantees pinned for the asynchronous path still hold:
 * one key space, one acceptance per notification, a failed attempt leaving the key free, store
 * failures never acknowledged, `onRecorded` before the answer. The fast path is the in-process
 * inbox's own (`deliverNow`, reached here through `createLocalInbox`); every inbox's `deliver`
 * answers with a Promise.
 */
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { settingsOf } from '../src/inbox-settings.ts'
import {
  createInbox,
  createInMemoryEventStore,
  type EventStore,
  encodeForm,
  type InboxOptions,
  type LedgerEvent,
  type Outcome,
} from '../src/index.ts'
import { createLocalInbox } from '../src/local-inbox.ts'
import { SECRET, signed } from './support/fields.ts'

const FORM = 'application/x-www-form-urlencoded'
const now = () => new Date('2026-11-23T10:00:00.000Z')
const sha256 = (message: string): string => createHash('sha256').update(message, 'utf8').digest('hex')
const noop = () => {}
const input = (fields: Record<string, string>) => ({ body: encodeForm(fields), contentType: FORM })
const tags = (outcomes: ReadonlyArray<Outcome>) => outcomes.map((o) => o._tag)
/** The in-process inbox with its fast path: `process` is its `deliverNow`, `deliver` the inbox's own. */
const localInbox = (options: InboxOptions) => {
  const local = createLocalInbox(settingsOf(options), options.store as EventStore<LedgerEvent> | undefined)
  return { process: local.deliverNow, deliver: local.inbox.deliver, drain: local.inbox.drain }
}

test('process answers with the outcome itself when nothing waits; deliver with a Promise of the same', async () => {
  const inbox = localInbox({ secrets: [SECRET], sha256, now })
  const first = await signed({ description: 'SN:1', amount: '100.00', balance: '18100.00' })
  const outcome = inbox.process(input(first), noop)
  assert.not.instance(outcome, Promise)
  assert.is((outcome as Outcome)._tag, 'accepted')
  const again = inbox.process(input(first), noop)
  assert.is((again as Outcome)._tag, 'duplicate')
  const delivered = inbox.deliver(input(await signed({ description: 'SN:2', amount: '1.00', balance: '18101.00' })), noop)
  assert.instance(delivered, Promise)
  assert.is((await delivered)._tag, 'accepted')
  await inbox.drain()
})

test('process answers with a Promise when a listener returns one, or a store appends', async () => {
  const fields = await signed({ description: 'SN:1', amount: '100.00', balance: '18100.00' })
  const asyncListener = localInbox({ secrets: [SECRET], sha256, now }).process(input(fields), async () => {})
  assert.instance(asyncListener, Promise)
  assert.is((await asyncListener)._tag, 'accepted')
  const stored = localInbox({ secrets: [SECRET], sha256, now, store: createInMemoryEventStore() }).process(input(fields), noop)
  assert.instance(stored, Promise)
  assert.is((await stored)._tag, 'accepted')
})

test('one key space, synchronously: the same notification for several account_ids at once is accepted once', async () => {
  for (const store of [undefined, createInMemoryEventStore<LedgerEvent>()]) {
    const inbox = createInbox({ secrets: [SECRET], sha256, now, ...(store === undefined ? {} : { store }) })
    const original = await signed({ amount: '100.00', balance: '18100.00', description: 'SN:race' })
    const outcomes = await Promise.all(['69', '70', '71', '69'].map((account_id) => inbox.deliver(input({ ...original, account_id }), noop)))
    assert.equal(tags(outcomes).sort(), ['accepted', 'duplicate', 'duplicate', 'duplicate'], store === undefined ? 'no store' : 'store')
    const ledgers = await inbox.ledgers()
    assert.equal(E.isRight(ledgers) && [...ledgers.right.keys()], ['ledger-69-TRY'])
  }
})

test('a store failure is answered store_failed, releases the key, and the delivery that waited for it is accepted', async () => {
  const inner = createInMemoryEventStore<LedgerEvent>()
  let appends = 0
  const store: EventStore<LedgerEvent> = {
    ...inner,
    appendToStream: (s, events, v) => {
      appends++
      return appends === 1 ? async () => E.left({ _tag: 'StoreFailure', message: 'disk full' }) : inner.appendToStream(s, events, v)
    },
  }
  const inbox = createInbox({ secrets: [SECRET], sha256, now, store })
  const original = await signed({ amount: '100.00', balance: '18100.00', description: 'SN:retry' })
  const outcomes = await Promise.all(['69', '70'].map((account_id) => inbox.deliver(input({ ...original, account_id }), noop)))
  assert.equal(tags(outcomes), ['store_failed', 'accepted'])
  assert.is((await inbox.deliver(input(original), noop))._tag, 'duplicate')
})

test('a listener that throws fails the attempt synchronously and leaves the key free for the retry', async () => {
  const inbox = localInbox({ secrets: [SECRET], sha256, now })
  const fields = await signed({ amount: '100.00', balance: '18100.00', description: 'SN:1' })
  const failed = inbox.process(input(fields), () => {
    throw new Error('handler down')
  })
  assert.is((failed as Outcome)._tag, 'handler_failed')
  assert.is((inbox.process(input(fields), noop) as Outcome)._tag, 'accepted')
})

test('onRecorded is told before process answers, with the versions counted in memory', async () => {
  const told: string[] = []
  const inbox = localInbox({ secrets: [SECRET], sha256, now, onRecorded: (r) => told.push(`${r.stream}@${r.events.at(-1)?.version}`) })
  const outcome = inbox.process(input(await signed({ description: 'SN:1', amount: '100.00', balance: '18100.00' })), () => {
    assert.equal(told, [])
  })
  assert.equal(told, ['ledger-69-TRY@1'])
  assert.is((outcome as Outcome)._tag, 'accepted')
})

test('deliveries to one ledger keep their order when some listeners are asynchronous and others are not', async () => {
  const inbox = createInbox({ secrets: [SECRET], sha256, now })
  const order: string[] = []
  const dispatch = (events: ReadonlyArray<LedgerEvent>) => {
    const tx = events.find((e) => e.type === 'TransactionReceived')
    if (tx?.type !== 'TransactionReceived') return
    const description = tx.data.verified.description
    if (description === '1') return new Promise<void>((resolve) => setTimeout(() => resolve(void order.push(description)), 10))
    order.push(description)
  }
  const inputs = await Promise.all(
    [1, 2, 3].map(async (i) => input(await signed({ description: String(i), amount: '1.00', balance: `${18000 + i}.00` }))),
  )
  const outcomes = await Promise.all(inputs.map((i) => inbox.deliver(i, dispatch)))
  assert.equal(tags(outcomes), ['accepted', 'accepted', 'accepted'])
  assert.equal(order, ['1', '2', '3'])
  const ledgers = await inbox.ledgers()
  assert.equal(E.isRight(ledgers) && ledgers.right.get('ledger-69-TRY')?.openGaps.length, 0)
})

test.run()
