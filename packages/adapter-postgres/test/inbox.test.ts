/**
 * Core's inbox on this store: the shared-store path (the ledger's state kept between deliveries,
 * one `record` with the key's claim, a duplicate counted by that same call). Two inboxes on two
 * pools stand for two receivers on one database; every notification goes to both at once,
 * scrambled. What a delivery sends is counted statement by statement.
 */
import { createInbox, encodeForm, formatMoney, LedgerEvent, type LedgerState, type SignedFields, sign } from '@banksocket-webhooks/core'
import type { Dispatch } from '@banksocket-webhooks/core/runtime-kit'
import { LedgerStateCodec, type SharedLedgerStore } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore, type PoolLike, type PostgresEventStore } from '../src/index.ts'
import { right, startDatabase, type TestDatabase } from './support/database.ts'

const SECRET = 'inbox-secret'
const FORM = 'application/x-www-form-urlencoded'
let db: TestDatabase

test.before(async () => {
  db = await startDatabase()
})

test.after(async () => {
  await db.stop()
})

/** `n` movements per account; no balance repeats, so every order has one answer. */
const movements = (accounts: number, n: number) => {
  const all: Array<Readonly<{ account: string; description: string; dc: 'Credit' | 'Debit'; amount: bigint; balance: bigint }>> = []
  const last = new Map<string, bigint>()
  for (let a = 1; a <= accounts; a++) {
    let balance = 500_000n
    for (let i = 0; i < n; i++) {
      const dc = i % 3 === 2 ? 'Debit' : 'Credit'
      const amount = BigInt((dc === 'Credit' ? 1000 : 100) + ((a * 37 + i * 11) % 800))
      balance = dc === 'Credit' ? balance + amount : balance - amount
      all.push({ account: String(a), description: `m-${a}-${i}`, dc, amount, balance })
    }
    last.set(`ledger-${a}-TRY`, balance)
  }
  return { all, last }
}

type Movement = ReturnType<typeof movements>['all'][number]

const bodyOf = async (m: Movement): Promise<string> => {
  const fields = {
    dc: m.dc,
    code: 'EFT',
    amount: formatMoney({ minor: m.amount, currency: 'TRY' }),
    balance: formatMoney({ minor: m.balance, currency: 'TRY' }),
    currency: 'TRY',
    description: m.description,
    account_id: m.account,
    account: 'Kadıköy',
    bank: 'İşbank',
    opponent_id: '1',
    opponent_iban: 'TR5600000111000022200023456',
  }
  return encodeForm({ ...fields, hash: await sign(fields as unknown as SignedFields, SECRET)() })
}

const ledgerStore = (schema: string): PostgresEventStore<LedgerEvent, LedgerState> =>
  createPostgresEventStore<LedgerEvent, LedgerState>({ pool: db.pool({ max: 8 }), schema, codec: LedgerEvent, stateCodec: LedgerStateCodec })

test('the store is a shared store for the inbox', async () => {
  const store = ledgerStore(await db.schema()) satisfies SharedLedgerStore<LedgerEvent, LedgerState>
  assert.ok(store.shared === true)
})

test('two inboxes on one database, every notification to both at once: one accepted per notification, chains whole, states listed', async () => {
  const schema = await db.schema()
  const a = createInbox({ secrets: [SECRET], store: ledgerStore(schema) })
  const b = createInbox({ secrets: [SECRET], store: ledgerStore(schema) })
  const { all, last } = movements(3, 30)
  const order = all.map((m) => ({ m, r: Math.random() })).sort((x, y) => x.r - y.r)
  const bodies = await Promise.all(order.map(({ m }) => bodyOf(m)))
  const pairs = await Promise.all(bodies.map((body) => Promise.all([a, b].map((inbox) => inbox.deliver({ body, contentType: FORM }, () => {})))))
  for (const pair of pairs) assert.equal(pair.map((o) => o._tag).sort(), ['accepted', 'duplicate'])
  const summaries = right(await a.ledgers())
  assert.equal([...summaries.keys()], [...last.keys()])
  for (const [stream, balance] of last) {
    const s = summaries.get(stream)
    assert.equal([s?.count, s?.openGaps.length, s?.balance?.minor, s?.duplicates], [30, 0, balance, 30])
  }
  assert.equal(right(await b.ledgers()), summaries)
  const stored = right(await ledgerStore(schema).readAll()())
  assert.is(stored.filter((e) => e.event.type === 'TransactionReceived').length, all.length)
})

test('a replay with another account_id is a duplicate and opens no ledger', async () => {
  const schema = await db.schema()
  const inbox = createInbox({ secrets: [SECRET], store: ledgerStore(schema) })
  const m = movements(1, 1).all[0]!
  assert.is((await inbox.deliver({ body: await bodyOf(m), contentType: FORM }, () => {}))._tag, 'accepted')
  assert.is((await inbox.deliver({ body: await bodyOf({ ...m, account: '999' }), contentType: FORM }, () => {}))._tag, 'duplicate')
  const states = right(await ledgerStore(schema).readStates('ledger-')())
  assert.equal([...states.keys()], ['ledger-1-TRY'])
  assert.is(states.get('ledger-1-TRY')?.duplicates, 1)
  assert.ok(E.isRight(await inbox.ledgers()))
})

/** A dispatch nobody listens to (as `banksocket listen`'s, whose lines follow what was recorded). */
const quiet: Dispatch = Object.assign(() => {}, { listensTo: () => false })

/** A pool that writes down every statement sent through it (one round trip each), and every transaction opened on a client. */
const counting = () => {
  const pool = db.pool({ max: 4 })
  const sent: string[] = []
  const counted: PoolLike = {
    query: (text, values) => {
      sent.push(text.trim().split(/\s+/).slice(0, 4).join(' '))
      return pool.query(text, values)
    },
    connect: async () => {
      sent.push('connect')
      return pool.connect()
    },
  }
  return { pool: counted, sent }
}

test('one statement per new movement once its ledger is known, one per duplicate (counted by it); a movement of a new ledger reads once', async () => {
  const schema = await db.schema()
  const { pool, sent } = counting()
  const store = createPostgresEventStore<LedgerEvent, LedgerState>({ pool, schema, codec: LedgerEvent, stateCodec: LedgerStateCodec })
  const inbox = createInbox({ secrets: [SECRET], store })
  const { all, last } = movements(1, 12)
  const bodies = await Promise.all(all.map(bodyOf))
  const per: number[] = []
  for (const body of bodies) {
    const before = sent.length
    assert.is((await inbox.deliver({ body, contentType: FORM }, quiet))._tag, 'accepted')
    per.push(sent.length - before)
  }
  assert.equal(per, [2, ...Array(11).fill(1)], JSON.stringify(sent))
  const before = sent.length
  assert.is((await inbox.deliver({ body: bodies[3] as string, contentType: FORM }, quiet))._tag, 'duplicate')
  assert.is((await inbox.deliver({ body: await bodyOf({ ...(all[5] as Movement), account: '999' }), contentType: FORM }, quiet))._tag, 'duplicate')
  // Two duplicates, one of them sent as another account's (a new ledger for this process: read first).
  assert.equal(sent.slice(before), [
    'SELECT outcome, stream_version, positions,',
    'SELECT version, state::text AS',
    'SELECT outcome, stream_version, positions,',
  ])
  const summary = right(await inbox.ledgers()).get('ledger-1-TRY')
  assert.equal([summary?.count, summary?.openGaps.length, summary?.balance?.minor, summary?.duplicates], [12, 0, last.get('ledger-1-TRY'), 2])
  const states = right(await store.readStates('ledger-')())
  assert.equal([...states.keys()], ['ledger-1-TRY'])
})

test('a genuine repeat is recorded again, not counted: the stored head tells it from a duplicate in the write', async () => {
  const schema = await db.schema()
  const store = ledgerStore(schema)
  const inbox = createInbox({ secrets: [SECRET], store })
  const credit = { account: '7', description: 'fee reversal', dc: 'Credit', amount: 1000n, balance: 501_000n } as const
  const debit = { account: '7', description: 'fee', dc: 'Debit', amount: 1000n, balance: 500_000n } as const
  const outcomes = []
  for (const m of [credit, debit, credit, credit]) outcomes.push(await inbox.deliver({ body: await bodyOf(m), contentType: FORM }, quiet))
  assert.equal(
    outcomes.map((o) => o._tag),
    ['accepted', 'accepted', 'accepted', 'duplicate'],
  )
  const repeat = outcomes[2]
  assert.ok(repeat?._tag === 'accepted' && repeat.events[0]?.type === 'TransactionReceived' && repeat.events[0].data.repeat === true)
  const state = right(await store.readState('ledger-7-TRY')())
  assert.equal([state.version, state.duplicates], [3, 1])
})

test('a head left behind by a write without one (a receiver of the previous version, a plain append) is unknown: the duplicate is counted by the inbox, once', async () => {
  const schema = await db.schema()
  const store = ledgerStore(schema)
  const inbox = createInbox({ secrets: [SECRET], store })
  const [m1, m2] = movements(1, 2).all as [Movement, Movement]
  const body = await bodyOf(m1)
  assert.is((await inbox.deliver({ body, contentType: FORM }, quiet))._tag, 'accepted')
  const admin = db.pool({ max: 1 })
  const row = await admin.query(`SELECT head, head_version, version FROM "${schema}".streams WHERE stream = 'ledger-1-TRY'`)
  assert.equal(row.rows[0], { head: String(m1.balance), head_version: '1', version: '1' })
  // The next movement, written as a receiver of the previous version writes: append_to_stream, no head.
  const elsewhere = ledgerStore(await db.schema())
  assert.is(
    (await createInbox({ secrets: [SECRET], store: elsewhere }).deliver({ body: await bodyOf(m2), contentType: FORM }, quiet))._tag,
    'accepted',
  )
  const next = right(await elsewhere.readAll()()).map((e) => e.event)
  right(await store.appendToStream('ledger-1-TRY', next, 1)())
  // The duplicate of the first: the write cannot tell it from a repeat (head unknown) and counts nothing; the inbox decides and counts.
  assert.is((await inbox.deliver({ body, contentType: FORM }, quiet))._tag, 'duplicate')
  const state = right(await store.readState('ledger-1-TRY')())
  assert.equal([state.version, state.duplicates], [2, 1])
  await admin.end()
})

test("record asked to count: a recorded key is counted on its owner in the same call (counted: true), unless the owner's head is the one given", async () => {
  const schema = await db.schema()
  const store = createPostgresEventStore<{ type: string }, { n: number }>({ pool: db.pool({ max: 2 }), schema })
  right(await store.record('ledger-a', { expectedVersion: 0, events: [{ type: 'A' }], state: { n: 1 }, claim: 'k1', head: '1500' })())
  const counted = await store.record('ledger-b', { expectedVersion: 0, events: [{ type: 'B' }], claim: 'k1', duplicate: { unlessHead: '900' } })()
  assert.equal(counted, E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-a', counted: true }))
  const repeat = await store.record('ledger-b', { expectedVersion: 0, events: [{ type: 'B' }], claim: 'k1', duplicate: { unlessHead: '1500' } })()
  assert.equal(repeat, E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-a' }))
  const plain = await store.record('ledger-b', { expectedVersion: 0, events: [{ type: 'B' }], claim: 'k1' })()
  assert.equal(plain, E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-a' }))
  assert.equal(right(await store.readState('ledger-a')()), { version: 1, state: { n: 1 }, stateVersion: 1, duplicates: 1 })
  assert.equal(right(await store.readState('ledger-b')()).version, 0)
})

test('record asked to count later (schema version 4): a duplicate to count is answered countable and nothing is written; a possible repeat is a plain KeyConflict', async () => {
  const schema = await db.schema()
  const store = createPostgresEventStore<{ type: string }, { n: number }>({ pool: db.pool({ max: 2 }), schema })
  right(await store.record('ledger-a', { expectedVersion: 0, events: [{ type: 'A' }], state: { n: 1 }, claim: 'k1', head: '1500' })())
  const countable = await store.record('ledger-b', {
    expectedVersion: 0,
    events: [{ type: 'B' }],
    claim: 'k1',
    duplicate: { unlessHead: '900', later: true },
  })()
  assert.equal(countable, E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-a', countable: true }))
  const repeat = await store.record('ledger-b', {
    expectedVersion: 0,
    events: [{ type: 'B' }],
    claim: 'k1',
    duplicate: { unlessHead: '1500', later: true },
  })()
  assert.equal(repeat, E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-a' }))
  assert.equal(right(await store.readState('ledger-a')()).duplicates, 0)
})

test('with duplicateCountInterval, a duplicate is one statement that writes nothing; the counts come in one write per ledger', async () => {
  const schema = await db.schema()
  const { pool, sent } = counting()
  const store = createPostgresEventStore<LedgerEvent, LedgerState>({ pool, schema, codec: LedgerEvent, stateCodec: LedgerStateCodec })
  const inbox = createInbox({ secrets: [SECRET], store, duplicateCountInterval: 60_000 })
  const bodies = await Promise.all(movements(1, 3).all.map(bodyOf))
  for (const body of bodies) assert.is((await inbox.deliver({ body, contentType: FORM }, quiet))._tag, 'accepted')
  const admin = db.pool({ max: 1 })
  // What was written to the schema: the ledger row's version (xmin changes with every update) and the rows of every table.
  const written = async () =>
    (
      await admin.query(
        `SELECT (SELECT xmin::text FROM "${schema}".streams WHERE stream = 'ledger-1-TRY') AS row_version,
                (SELECT count(*)::int FROM "${schema}".events) AS events, (SELECT count(*)::int FROM "${schema}".idempotency_keys) AS keys`,
      )
    ).rows[0]
  const before = sent.length
  const was = await written()
  for (const body of [...bodies, ...bodies]) assert.is((await inbox.deliver({ body, contentType: FORM }, quiet))._tag, 'duplicate')
  assert.equal(sent.slice(before), Array(6).fill('SELECT outcome, stream_version, positions,'))
  assert.equal(await written(), was, 'nothing written')
  assert.is(right(await store.readState('ledger-1-TRY')()).duplicates, 0)
  assert.is(right(await inbox.ledgers()).get('ledger-1-TRY')?.duplicates, 6)
  const flushFrom = sent.length
  await inbox.drain()
  assert.is(sent.length - flushFrom, 1, 'one write for the ledger')
  assert.is(right(await store.readState('ledger-1-TRY')()).duplicates, 6)
  await admin.end()
})

test.run()
