/**
 * Core's inbox on this store: the shared-store path (key owner and stored state per delivery, one
 * `record` with the key's claim, a `KeyConflict` answered as a duplicate). Two inboxes on two pools
 * stand for two receivers on one database; every notification goes to both at once, scrambled.
 */
import { createInbox, encodeForm, formatMoney, LedgerEvent, type LedgerState, type SignedFields, sign } from '@banksocket-webhooks/core'
import { LedgerStateCodec, type SharedLedgerStore } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore, type PostgresEventStore } from '../src/index.ts'
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

const bodyOf = async (m: ReturnType<typeof movements>['all'][number]): Promise<string> => {
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

test.run()
