/**
 * The inbox on a store shared by several receivers: two inboxes (two "processes") on one shared
 * store, every notification delivered to both at once, in a scrambled order. The store decides:
 * one `accepted` and one `duplicate` per notification, each movement stored once, chains without
 * gaps and balances at the chains' last balances; version conflicts are read again and decided
 * again; a store failure answers `store_failed` and records nothing.
 */
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Recorded } from '../src/inbox.ts'
import { createInbox, createInMemoryEventStore, encodeForm, formatMoney, type Outcome } from '../src/index.ts'
import { isShared } from '../src/shared-store.ts'
import { signed } from './support/fields.ts'
import { createMemorySharedStore } from './support/shared-store.ts'

const FORM = 'application/x-www-form-urlencoded'

/**
 * `n` movements per account, chain-consistent: each balance follows from the one before, and no
 * balance repeats (credits of 10.00 or more, debits under 9.00), so that every order has one answer.
 */
const chains = (accounts: number, n: number) => {
  const all: Array<{ account: string; description: string; dc: 'Credit' | 'Debit'; amount: bigint; balance: bigint }> = []
  const last = new Map<string, bigint>()
  for (let a = 1; a <= accounts; a++) {
    let balance = 100_000n
    for (let i = 0; i < n; i++) {
      const dc = i % 3 === 2 ? 'Debit' : 'Credit'
      const amount = BigInt((dc === 'Credit' ? 1000 : 100) + ((a * 37 + i * 11) % 800))
      balance = dc === 'Credit' ? balance + amount : balance - amount
      all.push({ account: String(a), description: `m-${a}-${i}`, dc, amount, balance })
    }
    last.set(String(a), balance)
  }
  return { all, last }
}

const shuffle = <A>(xs: A[]): A[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[xs[i], xs[j]] = [xs[j] as A, xs[i] as A]
  }
  return xs
}

const bodyOf = async (m: ReturnType<typeof chains>['all'][number]) =>
  encodeForm(
    await signed({
      account_id: m.account,
      description: m.description,
      dc: m.dc,
      amount: formatMoney({ minor: m.amount, currency: 'TRY' }),
      balance: formatMoney({ minor: m.balance, currency: 'TRY' }),
    }),
  )

test('isShared tells a shared store from a plain one', () => {
  assert.ok(isShared(createMemorySharedStore()))
  assert.not.ok(isShared(createInMemoryEventStore()))
})

test('a store is shared because it says so, not because of its methods: without `shared: true` the inbox keeps its ledgers in memory', async () => {
  const { shared: _declared, ...undeclared } = createMemorySharedStore(0)
  assert.not.ok(isShared(undeclared))
  const inbox = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store: undeclared })
  const body = await bodyOf({ account: '69', description: 'm-1', dc: 'Credit', amount: 1000n, balance: 101_000n })
  assert.is((await inbox.deliver({ body, contentType: FORM }, () => {}))._tag, 'accepted')
  // the in-process inbox appends with appendToStream and never records a key or a state in the store
  const states = await undeclared.readStates('ledger-')()
  assert.equal(E.isRight(states) && [...states.right.values()].map((s) => [s.version, s.state]), [[1, undefined]])
})

test('two inboxes on one shared store, each notification sent to both at once: one ok per notification, chains whole', async () => {
  const store = createMemorySharedStore()
  // Each inbox is told only what it recorded itself: together, every version of every stream once.
  const told = new Map<string, number[]>()
  const onRecorded = (r: Recorded) => void told.set(r.stream, [...(told.get(r.stream) ?? []), ...r.events.map((e) => e.version)])
  const a = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store, onRecorded })
  const b = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store, onRecorded })
  const { all, last } = chains(4, 40)
  const bodies = await Promise.all(shuffle([...all]).map(bodyOf))
  const outcomes: Outcome[][] = await Promise.all(
    bodies.map((body) => Promise.all([a.deliver({ body, contentType: FORM }, () => {}), b.deliver({ body, contentType: FORM }, () => {})])),
  )
  for (const pair of outcomes) assert.equal(pair.map((o) => o._tag).sort(), ['accepted', 'duplicate'])
  const summaries = await a.ledgers()
  assert.ok(E.isRight(summaries))
  for (const [account, balance] of last) {
    const s = summaries.right.get(`ledger-${account}-TRY`)
    assert.equal([s?.count, s?.openGaps.length, s?.balance?.minor, s?.duplicates], [40, 0, balance, 40])
  }
  const stored = await store.readAll()()
  assert.ok(E.isRight(stored))
  assert.is(stored.right.filter((e) => e.event.type === 'TransactionReceived').length, all.length)
  assert.equal(await b.ledgers(), summaries)
  for (const [stream, versions] of told) {
    const count = stored.right.filter((e) => e.stream === stream).length
    assert.equal(
      [...versions].sort((x, y) => x - y),
      Array.from({ length: count }, (_, i) => i + 1),
      stream,
    )
  }
  assert.is(told.size, last.size)
})

test('distinct notifications of one account spread over two inboxes: version conflicts are decided again, the chain stays whole', async () => {
  const store = createMemorySharedStore(2)
  const inboxes = [createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store }), createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store })]
  const { all, last } = chains(1, 60)
  const bodies = await Promise.all(shuffle([...all]).map(bodyOf))
  const outcomes = await Promise.all(
    bodies.map((body, i) => (inboxes[i % 2] as (typeof inboxes)[number]).deliver({ body, contentType: FORM }, () => {})),
  )
  assert.ok(
    outcomes.every((o) => o._tag === 'accepted'),
    JSON.stringify(outcomes.filter((o) => o._tag !== 'accepted').map((o) => (o._tag === 'store_failed' ? o.error : o._tag))),
  )
  assert.ok(store.stats.versionConflicts > 0)
  const summaries = await inboxes[0]!.ledgers()
  assert.ok(E.isRight(summaries))
  const s = summaries.right.get('ledger-1-TRY')
  assert.equal([s?.count, s?.openGaps.length, s?.balance?.minor], [60, 0, last.get('1')])
})

test('a store failure answers store_failed, records nothing, and the retry is accepted', async () => {
  const store = createMemorySharedStore(0)
  const inbox = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store })
  const body = await bodyOf(chains(1, 1).all[0]!)
  store.failNext(1)
  assert.is((await inbox.deliver({ body, contentType: FORM }, () => {}))._tag, 'store_failed')
  assert.equal(await store.readAll()(), E.right([]))
  assert.is((await inbox.deliver({ body, contentType: FORM }, () => {}))._tag, 'accepted')
  assert.is((await inbox.deliver({ body, contentType: FORM }, () => {}))._tag, 'duplicate')
})

test('a replay with another account_id is a duplicate of the original, decided on its ledger; a failing handler stores nothing', async () => {
  const store = createMemorySharedStore(0)
  const inbox = createInbox({ secrets: ['s3cr3t-ÇĞİÖŞÜ-key'], store })
  const m = chains(1, 1).all[0]!
  assert.is((await inbox.deliver({ body: await bodyOf(m), contentType: FORM }, () => Promise.reject(new Error('down'))))._tag, 'handler_failed')
  assert.equal(await store.readAll()(), E.right([]))
  assert.is((await inbox.deliver({ body: await bodyOf(m), contentType: FORM }, () => {}))._tag, 'accepted')
  const replay = await bodyOf({ ...m, account: '999' })
  assert.is((await inbox.deliver({ body: replay, contentType: FORM }, () => {}))._tag, 'duplicate')
  const ledgers = await inbox.ledgers()
  assert.ok(E.isRight(ledgers))
  assert.equal([...ledgers.right.keys()], ['ledger-1-TRY'])
  assert.is(ledgers.right.get('ledger-1-TRY')?.duplicates, 1)
})

test.run()
