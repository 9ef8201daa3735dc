/**
 * What a delivery costs the shared store, and what it keeps: a movement nobody listens to before it
 * is stored is one store call once its ledger is known, and so is a duplicate (the write counts
 * it); a listener that would see a movement makes the inbox look its key up first, so a duplicate
 * never reaches it as a transaction; a genuine repeat is still told from a duplicate; a ledger
 * moved on by another inbox is read again; a write whose answer was lost is recognised when its
 * notification comes again.
 */
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Dispatch } from '../src/inbox.ts'
import { createInbox, encodeForm, formatMoney, type LedgerEvent, type Outcome } from '../src/index.ts'
import { signed } from './support/fields.ts'
import { createMemorySharedStore } from './support/shared-store.ts'

const FORM = 'application/x-www-form-urlencoded'
const SECRETS = ['s3cr3t-ÇĞİÖŞÜ-key']

type Movement = Readonly<{ account: string; description: string; dc: 'Credit' | 'Debit'; amount: bigint; balance: bigint }>

/** `n` chain-consistent credits of account `account`, from 1,000.00. */
const credits = (account: string, n: number): Movement[] =>
  Array.from({ length: n }, (_, i) => ({
    account,
    description: `m-${account}-${i}`,
    dc: 'Credit',
    amount: 1000n,
    balance: 100_000n + 1000n * BigInt(i + 1),
  }))

const bodyOf = async (m: Movement) =>
  encodeForm(
    await signed({
      account_id: m.account,
      description: m.description,
      dc: m.dc,
      amount: formatMoney({ minor: m.amount, currency: 'TRY' }),
      balance: formatMoney({ minor: m.balance, currency: 'TRY' }),
    }),
  )

/** A dispatch with no listener at all, as `banksocket listen` has before a write. */
const quiet: Dispatch = Object.assign(() => {}, { listensTo: () => false })

/** A dispatch whose listener sees every event, and says so. */
const listening = (seen: string[]): Dispatch =>
  Object.assign((events: ReadonlyArray<LedgerEvent>) => void seen.push(events.map((e) => e.type).join('+')), { listensTo: () => true })

test('a movement nobody listens to costs one store call once its ledger is known; so does a duplicate, counted by the write', async () => {
  const store = createMemorySharedStore(0)
  const inbox = createInbox({ secrets: SECRETS, store })
  const bodies = await Promise.all(credits('69', 10).map(bodyOf))
  const calls: number[] = []
  for (const body of bodies) {
    const before = store.stats.operations
    assert.is((await inbox.deliver({ body, contentType: FORM }, quiet))._tag, 'accepted')
    calls.push(store.stats.operations - before)
  }
  // The first reads the ledger's state, then writes; every later one only writes.
  assert.equal(calls, [2, 1, 1, 1, 1, 1, 1, 1, 1, 1])
  const before = store.stats.operations
  assert.is((await inbox.deliver({ body: bodies[4] as string, contentType: FORM }, quiet))._tag, 'duplicate')
  assert.is(store.stats.operations - before, 1)
  const ledgers = await inbox.ledgers()
  assert.ok(E.isRight(ledgers))
  assert.equal([ledgers.right.get('ledger-69-TRY')?.count, ledgers.right.get('ledger-69-TRY')?.duplicates], [10, 1])
})

test('a listener that would see the movement: the key is looked up first, and a duplicate (or a replay on another account) never reaches it as a transaction', async () => {
  const store = createMemorySharedStore(0)
  const inbox = createInbox({ secrets: SECRETS, store })
  const seen: string[] = []
  const [m] = credits('69', 1) as [Movement]
  const body = await bodyOf(m)
  assert.is((await inbox.deliver({ body, contentType: FORM }, listening(seen)))._tag, 'accepted')
  assert.is((await inbox.deliver({ body, contentType: FORM }, listening(seen)))._tag, 'duplicate')
  assert.is((await inbox.deliver({ body: await bodyOf({ ...m, account: '999' }), contentType: FORM }, listening(seen)))._tag, 'duplicate')
  assert.equal(seen, ['TransactionReceived', 'DuplicateIgnored', 'DuplicateIgnored'])
  assert.equal(E.map((all: ReadonlyArray<unknown>) => all.length)(await store.readAll()()), E.right(1))
  const ledgers = await inbox.ledgers()
  assert.ok(E.isRight(ledgers))
  assert.equal([...ledgers.right.keys()], ['ledger-69-TRY'])
  assert.is(ledgers.right.get('ledger-69-TRY')?.duplicates, 2)
})

test('a genuine repeat on the one-trip path: the write does not count it (the head allows a repeat) and the inbox records it again', async () => {
  const store = createMemorySharedStore(0)
  const inbox = createInbox({ secrets: SECRETS, store })
  // Credit 10.00, Debit 10.00, then the same Credit 10.00 again: the same six signed fields, the same key.
  const credit: Movement = { account: '69', description: 'fee reversal', dc: 'Credit', amount: 1000n, balance: 101_000n }
  const debit: Movement = { account: '69', description: 'fee', dc: 'Debit', amount: 1000n, balance: 100_000n }
  const outcomes: Outcome[] = []
  for (const m of [credit, debit, credit]) outcomes.push(await inbox.deliver({ body: await bodyOf(m), contentType: FORM }, quiet))
  assert.equal(
    outcomes.map((o) => o._tag),
    ['accepted', 'accepted', 'accepted'],
  )
  const last = outcomes[2]
  assert.ok(last?._tag === 'accepted' && last.events[0]?.type === 'TransactionReceived' && last.events[0].data.repeat === true)
  // The credit once more does not continue the head (1,010.00 is not 1,000.00 + 10.00): a duplicate.
  assert.is((await inbox.deliver({ body: await bodyOf(credit), contentType: FORM }, quiet))._tag, 'duplicate')
  const ledgers = await inbox.ledgers()
  assert.ok(E.isRight(ledgers))
  const ledger = ledgers.right.get('ledger-69-TRY')
  assert.equal([ledger?.count, ledger?.openGaps.length, ledger?.balance?.minor, ledger?.duplicates], [3, 0, 101_000n, 1])
})

test('two inboxes, every notification sent to both, nobody listening: one accepted and one duplicate each, every duplicate counted once, chains whole', async () => {
  const store = createMemorySharedStore(1)
  const a = createInbox({ secrets: SECRETS, store })
  const b = createInbox({ secrets: SECRETS, store })
  const movements = [...credits('1', 30), ...credits('2', 30)]
  const bodies = await Promise.all(movements.map(bodyOf))
  const pairs = await Promise.all(
    bodies.map((body) => Promise.all([a.deliver({ body, contentType: FORM }, quiet), b.deliver({ body, contentType: FORM }, quiet)])),
  )
  for (const pair of pairs) assert.equal(pair.map((o) => o._tag).sort(), ['accepted', 'duplicate'])
  const ledgers = await a.ledgers()
  assert.ok(E.isRight(ledgers))
  for (const account of ['1', '2']) {
    const ledger = ledgers.right.get(`ledger-${account}-TRY`)
    assert.equal([ledger?.count, ledger?.openGaps.length, ledger?.balance?.minor, ledger?.duplicates], [30, 0, 130_000n, 30])
  }
})

test('a ledger another inbox moved on: the kept state is behind, the write meets the new version, the ledger is read again and the movement accepted', async () => {
  const store = createMemorySharedStore(0)
  const a = createInbox({ secrets: SECRETS, store })
  const b = createInbox({ secrets: SECRETS, store })
  const [m0, m1, m2, m3] = await Promise.all(credits('69', 4).map(bodyOf))
  assert.is((await a.deliver({ body: m0 as string, contentType: FORM }, quiet))._tag, 'accepted')
  assert.is((await b.deliver({ body: m1 as string, contentType: FORM }, quiet))._tag, 'accepted')
  assert.is((await b.deliver({ body: m2 as string, contentType: FORM }, quiet))._tag, 'accepted')
  const conflicts = store.stats.versionConflicts
  assert.is((await a.deliver({ body: m3 as string, contentType: FORM }, quiet))._tag, 'accepted')
  assert.is(store.stats.versionConflicts - conflicts, 1)
  const ledgers = await a.ledgers()
  assert.ok(E.isRight(ledgers))
  const ledger = ledgers.right.get('ledger-69-TRY')
  assert.equal([ledger?.count, ledger?.openGaps.length, ledger?.balance?.minor], [4, 0, 104_000n])
})

test('a write whose answer was lost but which committed: the retry is answered accepted and told to onRecorded once, not taken for a duplicate of itself', async () => {
  const store = createMemorySharedStore(0)
  const told: string[] = []
  const inbox = createInbox({ secrets: SECRETS, store, onRecorded: (r) => void told.push(`${r.stream}@${r.events.map((e) => e.version).join(',')}`) })
  const [m0, m1, m2] = await Promise.all(credits('69', 3).map(bodyOf))
  assert.is((await inbox.deliver({ body: m0 as string, contentType: FORM }, quiet))._tag, 'accepted')
  store.loseAnswerOfNext(1)
  assert.is((await inbox.deliver({ body: m1 as string, contentType: FORM }, quiet))._tag, 'store_failed')
  // Banksocket delivers it again: it is in the store already, written by this process.
  assert.is((await inbox.deliver({ body: m1 as string, contentType: FORM }, quiet))._tag, 'accepted')
  assert.is((await inbox.deliver({ body: m1 as string, contentType: FORM }, quiet))._tag, 'duplicate')
  assert.is((await inbox.deliver({ body: m2 as string, contentType: FORM }, quiet))._tag, 'accepted')
  assert.equal(told, ['ledger-69-TRY@1', 'ledger-69-TRY@2', 'ledger-69-TRY@3'])
  const ledgers = await inbox.ledgers()
  assert.ok(E.isRight(ledgers))
  const ledger = ledgers.right.get('ledger-69-TRY')
  assert.equal([ledger?.count, ledger?.openGaps.length, ledger?.duplicates], [3, 0, 1])
})

test('a write whose answer was lost and which did not commit: the retry is decided and written as usual', async () => {
  const store = createMemorySharedStore(0)
  const inbox = createInbox({ secrets: SECRETS, store })
  const [m0, m1] = await Promise.all(credits('69', 2).map(bodyOf))
  assert.is((await inbox.deliver({ body: m0 as string, contentType: FORM }, quiet))._tag, 'accepted')
  store.failNext(1)
  assert.is((await inbox.deliver({ body: m1 as string, contentType: FORM }, quiet))._tag, 'store_failed')
  assert.is((await inbox.deliver({ body: m1 as string, contentType: FORM }, quiet))._tag, 'accepted')
  const ledgers = await inbox.ledgers()
  assert.ok(E.isRight(ledgers))
  assert.equal([ledgers.right.get('ledger-69-TRY')?.count, ledgers.right.get('ledger-69-TRY')?.duplicates], [2, 0])
})

test.run()
