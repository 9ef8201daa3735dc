/**
 * Duplicates counted in the process and written in batches (`duplicateCountInterval`, for a shared
 * store): a duplicate is answered at once and costs the store one call that writes nothing; the
 * counts are written one call per ledger after the interval, shown by this inbox's `ledgers()`
 * before that, written by `drain()`, and kept for the next write when one fails. A genuine repeat
 * is still told from a duplicate.
 */
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Dispatch } from '../src/inbox.ts'
import { createInbox, encodeForm, formatMoney } from '../src/index.ts'
import { signed } from './support/fields.ts'
import { createMemorySharedStore, type MemorySharedStore } from './support/shared-store.ts'

const FORM = 'application/x-www-form-urlencoded'
const SECRETS = ['s3cr3t-ÇĞİÖŞÜ-key']
const quiet: Dispatch = Object.assign(() => {}, { listensTo: () => false })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const credit = (account: string, i: number, description = `m-${account}-${i}`) =>
  signed({
    account_id: account,
    description,
    dc: 'Credit',
    amount: formatMoney({ minor: 1000n, currency: 'TRY' }),
    balance: formatMoney({ minor: 100_000n + 1000n * BigInt(i + 1), currency: 'TRY' }),
  }).then(encodeForm)

/** The store's counted duplicates of `stream`, and the `countDuplicate` calls made so far. */
const watched = (store: MemorySharedStore) => {
  const calls: Array<[string, number | undefined]> = []
  const count = store.countDuplicate
  store.countDuplicate = (stream, n) => {
    calls.push([stream, n])
    return count(stream, n)
  }
  const stored = async (stream: string) => {
    const state = await store.readState(stream)()
    if (E.isLeft(state)) throw new Error(JSON.stringify(state.left))
    return state.right.duplicates
  }
  return { calls, stored }
}

const duplicatesIn = async (inbox: ReturnType<typeof createInbox>, stream: string) => {
  const ledgers = await inbox.ledgers()
  if (E.isLeft(ledgers)) throw new Error(JSON.stringify(ledgers.left))
  return ledgers.right.get(stream)?.duplicates
}

test('a duplicate is answered at once with one store call that writes nothing; drain() writes one count per ledger', async () => {
  const store = createMemorySharedStore(0)
  const { calls, stored } = watched(store)
  // An interval no test run reaches: what is written comes from drain().
  const inbox = createInbox({ secrets: SECRETS, store, duplicateCountInterval: 600_000 })
  const a = await credit('69', 0)
  const b = await credit('70', 0)
  assert.is((await inbox.deliver({ body: a, contentType: FORM }, quiet))._tag, 'accepted')
  assert.is((await inbox.deliver({ body: b, contentType: FORM }, quiet))._tag, 'accepted')
  for (let i = 0; i < 3; i++) {
    const before = store.stats.operations
    assert.is((await inbox.deliver({ body: a, contentType: FORM }, quiet))._tag, 'duplicate')
    assert.is(store.stats.operations - before, 1, 'one call: the write that met the key')
  }
  assert.is((await inbox.deliver({ body: b, contentType: FORM }, quiet))._tag, 'duplicate')
  // Not written yet, but this inbox reports them.
  assert.is(await stored('ledger-69-TRY'), 0)
  assert.is(await duplicatesIn(inbox, 'ledger-69-TRY'), 3)
  assert.is(await duplicatesIn(inbox, 'ledger-70-TRY'), 1)
  await inbox.drain()
  assert.equal(calls.sort(), [
    ['ledger-69-TRY', 3],
    ['ledger-70-TRY', 1],
  ])
  assert.is(await stored('ledger-69-TRY'), 3)
  assert.is(await stored('ledger-70-TRY'), 1)
  assert.is(await duplicatesIn(inbox, 'ledger-69-TRY'), 3, 'counted once, not also as pending')
})

test('without drain(), the timer writes the counts after the interval', async () => {
  const store = createMemorySharedStore(0)
  const { calls, stored } = watched(store)
  const inbox = createInbox({ secrets: SECRETS, store, duplicateCountInterval: 20 })
  const a = await credit('69', 0)
  assert.is((await inbox.deliver({ body: a, contentType: FORM }, quiet))._tag, 'accepted')
  for (let i = 0; i < 3; i++) assert.is((await inbox.deliver({ body: a, contentType: FORM }, quiet))._tag, 'duplicate')
  // However late the timer runs on a busy machine, the counts arrive (within a generous guard).
  const deadline = Date.now() + 10_000
  while ((await stored('ledger-69-TRY')) < 3 && Date.now() < deadline) await sleep(20)
  assert.is(await stored('ledger-69-TRY'), 3)
  assert.ok(calls.length >= 1 && calls.length <= 3, `${calls.length} writes`)
  assert.is(
    calls.reduce((n, [, count]) => n + (count ?? 1), 0),
    3,
  )
})

test('drain() writes what is pending; a failed write keeps its counts for the next one', async () => {
  const store = createMemorySharedStore(0)
  const { stored } = watched(store)
  const inbox = createInbox({ secrets: SECRETS, store, duplicateCountInterval: 60_000 })
  const a = await credit('69', 0)
  assert.is((await inbox.deliver({ body: a, contentType: FORM }, quiet))._tag, 'accepted')
  assert.is((await inbox.deliver({ body: a, contentType: FORM }, quiet))._tag, 'duplicate')
  assert.is((await inbox.deliver({ body: a, contentType: FORM }, quiet))._tag, 'duplicate')
  store.failNext(1)
  await inbox.drain()
  assert.is(await stored('ledger-69-TRY'), 0, 'the write failed')
  assert.is(await duplicatesIn(inbox, 'ledger-69-TRY'), 2, 'still reported by this inbox')
  await inbox.drain()
  assert.is(await stored('ledger-69-TRY'), 2)
  assert.is(await duplicatesIn(inbox, 'ledger-69-TRY'), 2)
})

test('a genuine repeat (continuing the head exactly) is still recorded, not counted', async () => {
  const store = createMemorySharedStore(0)
  const { calls } = watched(store)
  const inbox = createInbox({ secrets: SECRETS, store, duplicateCountInterval: 20 })
  // Credit 10.00 → 1,010.00; Debit 10.00 → 1,000.00; the same credit again → 1,010.00: same key, continues the head.
  const up = await signed({ account_id: '71', description: 'same', dc: 'Credit', amount: '10.00', balance: '1010.00' }).then(encodeForm)
  const down = await signed({ account_id: '71', description: 'back', dc: 'Debit', amount: '10.00', balance: '1000.00' }).then(encodeForm)
  assert.is((await inbox.deliver({ body: up, contentType: FORM }, quiet))._tag, 'accepted')
  assert.is((await inbox.deliver({ body: down, contentType: FORM }, quiet))._tag, 'accepted')
  assert.is((await inbox.deliver({ body: up, contentType: FORM }, quiet))._tag, 'accepted')
  await sleep(60)
  assert.equal(calls, [])
})

test('duplicateCountInterval must be a positive number of milliseconds', () => {
  const store = createMemorySharedStore(0)
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => createInbox({ secrets: SECRETS, store, duplicateCountInterval: bad }), /duplicateCountInterval must be a positive number/)
  }
})

test.run()
