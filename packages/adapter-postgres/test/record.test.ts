/**
 * `record`, the ledger write: version check, events, state and the idempotency key in one
 * transaction; one key space across all ledgers, enforced by the database even when two receivers
 * (two pools) race; the state beside the stream; duplicates counted, not appended.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type pg from 'pg'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore, type PostgresEventStore } from '../src/index.ts'
import { left, right, startDatabase, type TestDatabase } from './support/database.ts'
import { raceGate } from './support/race-gate.ts'

type Ev = Readonly<{ type: string; data: Readonly<{ key?: string; amount?: string }> }>
type State = Readonly<{ head: string; movements: number }>

let db: TestDatabase
let pool: pg.Pool

test.before(async () => {
  db = await startDatabase()
  pool = db.pool({ max: 10 })
})

test.after(async () => {
  await db.stop()
})

const fresh = async (): Promise<PostgresEventStore<Ev, State>> => createPostgresEventStore<Ev, State>({ pool, schema: await db.schema() })

const received = (key: string, amount = '100.00'): Ev => ({ type: 'TransactionReceived', data: { key, amount } })

test('record appends, stores the state beside the stream and claims the key, in one write', async () => {
  const store = await fresh()
  const written = right(
    await store.record('ledger-69-TRY', { expectedVersion: 0, events: [received('k1')], state: { head: '100.00', movements: 1 }, claim: 'k1' })(),
  )
  assert.is(written.nextVersion, 1)
  assert.is(written.positions.length, 1)
  assert.equal(right(await store.readState('ledger-69-TRY')()), {
    version: 1,
    state: { head: '100.00', movements: 1 },
    stateVersion: 1,
    duplicates: 0,
  })
  assert.is(right(await store.keyOwner('k1')()), 'ledger-69-TRY')
  assert.is(right(await store.keyOwner('k-unknown')()), undefined)
  assert.equal(right(await store.readStream('ledger-69-TRY')()), { version: 1, events: [received('k1')] })
  const second = right(
    await store.record('ledger-69-TRY', {
      expectedVersion: 1,
      events: [received('k2'), { type: 'GapClosed', data: {} }],
      state: { head: '200.00', movements: 2 },
      claim: 'k2',
    })(),
  )
  assert.is(second.nextVersion, 3)
  assert.is(second.positions.length, 2)
  assert.ok((second.positions[0] ?? 0) > (written.positions[0] ?? 0) && (second.positions[1] ?? 0) > (second.positions[0] ?? 0))
  assert.equal(right(await store.readState('ledger-69-TRY')()), {
    version: 3,
    state: { head: '200.00', movements: 2 },
    stateVersion: 3,
    duplicates: 0,
  })
  // The key points at the first event written with it.
  const { rows } = await pool.query(`SELECT position::int AS position FROM "${store.schema}".idempotency_keys WHERE key = 'k2'`)
  assert.is(rows[0]?.position, second.positions[0])
})

test('a key recorded in ANY stream is a KeyConflict naming that stream, and nothing is written', async () => {
  const store = await fresh()
  right(await store.record('ledger-69-TRY', { expectedVersion: 0, events: [received('k1')], state: { head: '100.00', movements: 1 }, claim: 'k1' })())
  // A replay with an altered account_id lands in another ledger: same key.
  assert.equal(
    await store.record('ledger-70-TRY', { expectedVersion: 0, events: [received('k1')], state: { head: 'x', movements: 9 }, claim: 'k1' })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-69-TRY' }),
  )
  // Same ledger, right version: still the key.
  assert.equal(
    await store.record('ledger-69-TRY', { expectedVersion: 1, events: [received('k1')], claim: 'k1' })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-69-TRY' }),
  )
  // Same ledger, stale version: the key is the answer (a retry at a fresh version would only meet it).
  assert.equal(
    await store.record('ledger-69-TRY', { expectedVersion: 0, events: [received('k1')], claim: 'k1' })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-69-TRY' }),
  )
  assert.equal(right(await store.readState('ledger-70-TRY')()), { version: 0, state: undefined, stateVersion: 0, duplicates: 0 })
  assert.equal(right(await store.readState('ledger-69-TRY')()), {
    version: 1,
    state: { head: '100.00', movements: 1 },
    stateVersion: 1,
    duplicates: 0,
  })
  assert.is(right(await store.readAll()()).length, 1)
})

test('a stale version is a VersionConflict and claims nothing: the key stays free for the retry', async () => {
  const store = await fresh()
  right(await store.record('L', { expectedVersion: 0, events: [received('k1')], claim: 'k1' })())
  assert.equal(
    await store.record('L', { expectedVersion: 0, events: [received('k2')], state: { head: 'x', movements: 9 }, claim: 'k2' })(),
    E.left({ _tag: 'VersionConflict', stream: 'L', expected: 0, actual: 1 }),
  )
  assert.is(right(await store.keyOwner('k2')()), undefined)
  assert.equal(right(await store.readState('L')()), { version: 1, state: undefined, stateVersion: 0, duplicates: 0 })
  assert.is(right(await store.record('L', { expectedVersion: 1, events: [received('k2')], claim: 'k2' })()).nextVersion, 2)
})

test('record without a claim (a genuine repeat) appends; without a state it keeps the stored one', async () => {
  const store = await fresh()
  right(await store.record('L', { expectedVersion: 0, events: [received('k1')], state: { head: '100.00', movements: 1 }, claim: 'k1' })())
  const repeat: Ev = { type: 'TransactionReceived', data: { key: 'k1', amount: '100.00' } }
  right(await store.record('L', { expectedVersion: 1, events: [repeat], state: { head: '200.00', movements: 2 } })())
  right(await store.record('L', { expectedVersion: 2, events: [repeat] })())
  assert.equal(right(await store.readState('L')()), { version: 3, state: { head: '200.00', movements: 2 }, stateVersion: 2, duplicates: 0 })
  assert.is(right(await store.keyOwner('k1')()), 'L')
  // A state-only record moves the state to the current version and appends nothing.
  assert.equal(right(await store.record('L', { expectedVersion: 3, events: [], state: { head: '200.00', movements: 3 } })()), {
    nextVersion: 3,
    positions: [],
  })
  assert.equal(right(await store.readState('L')()), { version: 3, state: { head: '200.00', movements: 3 }, stateVersion: 3, duplicates: 0 })
  // Plain appends (the EventStore port) leave the state where it was: stateVersion tells.
  right(await store.appendToStream('L', [received('k9')], 3)())
  assert.equal(right(await store.readState('L')()), { version: 4, state: { head: '200.00', movements: 3 }, stateVersion: 3, duplicates: 0 })
  assert.equal(right(await store.readStream('L', { after: 3 })()), { version: 4, events: [received('k9')] })
})

test('countDuplicate adds to the stream row and appends nothing', async () => {
  const store = await fresh()
  right(await store.record('L', { expectedVersion: 0, events: [received('k1')], claim: 'k1' })())
  const before = right(await store.readAll()()).length
  assert.is(right(await store.countDuplicate('L')()), 1)
  assert.is(right(await store.countDuplicate('L')()), 2)
  assert.is(right(await store.countDuplicate('L', 40)()), 42)
  const counts = await Promise.all(Array.from({ length: 50 }, () => store.countDuplicate('L')()))
  assert.ok(counts.every(E.isRight))
  assert.equal(right(await store.readState('L')()), { version: 1, state: undefined, stateVersion: 0, duplicates: 92 })
  assert.is(right(await store.readAll()()).length, before)
  // On a stream never written it starts the row at version 0.
  assert.is(right(await store.countDuplicate('elsewhere')()), 1)
  assert.equal(right(await store.readState('elsewhere')()), { version: 0, state: undefined, stateVersion: 0, duplicates: 1 })
  assert.equal(right(await store.readStream('elsewhere')()), { version: 0, events: [] })
  assert.throws(() => store.countDuplicate('L', 0), TypeError)
})

test('state goes through stateCodec both ways; a stored state the codec refuses is a StoreFailure', async () => {
  const schema = await db.schema()
  const Cents = new t.Type<bigint, string, unknown>(
    'Cents',
    (u): u is bigint => typeof u === 'bigint',
    (u, c) => (typeof u === 'string' && /^-?\d+$/.test(u) ? t.success(BigInt(u)) : t.failure(u, c)),
    (b) => b.toString(),
  )
  const LedgerHead = t.type({ head: Cents })
  const store = createPostgresEventStore<Ev, t.TypeOf<typeof LedgerHead>>({ pool, schema, stateCodec: LedgerHead })
  right(await store.record('L', { expectedVersion: 0, events: [received('k1')], state: { head: 1810000n }, claim: 'k1' })())
  assert.equal(right(await store.readState('L')()), { version: 1, state: { head: 1810000n }, stateVersion: 1, duplicates: 0 })
  await pool.query(`UPDATE "${schema}".streams SET state = '{"head":"not cents"}' WHERE stream = 'L'`)
  const failure = left(await store.readState('L')())
  assert.is(failure._tag, 'StoreFailure')
  assert.match(failure._tag === 'StoreFailure' ? failure.message : '', /the state of L does not decode: head/)
  // Without a codec, a state that is not JSON (a bigint) is refused before anything is sent.
  const plain = createPostgresEventStore<Ev, unknown>({ pool, schema })
  const refused = left(await plain.record('M', { expectedVersion: 0, events: [received('k2')], state: { head: 1n }, claim: 'k2' })())
  assert.is(refused._tag, 'StoreFailure')
  assert.is(right(await plain.keyOwner('k2')()), undefined)
})

test('two receivers (two pools) racing one key into two ledgers: exactly one success, one KeyConflict, every round', async () => {
  const schema = await db.schema()
  const a = createPostgresEventStore<Ev, State>({ pool: db.pool({ max: 4 }), schema })
  const b = createPostgresEventStore<Ev, State>({ pool: db.pool({ max: 4 }), schema })
  // Every round is a race: both writes have checked that the key is free and written their stream
  // row before either may go on (support/race-gate.ts).
  const gate = await raceGate(pool, `"${schema}".events`)
  const rounds = 200
  try {
    for (let round = 0; round < rounds; round++) {
      const key = `race-${round}`
      const [ra, rb] = await gate.race(2, () =>
        Promise.all([
          a.record(`ledger-a-${round}`, { expectedVersion: 0, events: [received(key)], state: { head: 'a', movements: 1 }, claim: key })(),
          b.record(`ledger-b-${round}`, { expectedVersion: 0, events: [received(key)], state: { head: 'b', movements: 1 }, claim: key })(),
        ]),
      )
      const rights = [ra, rb].filter(E.isRight)
      const lefts = [ra, rb].filter(E.isLeft).map((r) => r.left)
      assert.is(rights.length, 1, `round ${round}: ${JSON.stringify([ra, rb])}`)
      const winner = E.isRight(ra) ? `ledger-a-${round}` : `ledger-b-${round}`
      assert.equal(lefts, [{ _tag: 'KeyConflict', key, stream: winner }])
    }
  } finally {
    gate.release()
  }
  const { rows } = await pool.query(`SELECT count(*)::int AS events, count(DISTINCT stream)::int AS streams FROM "${schema}".events`)
  assert.equal(rows[0], { events: rounds, streams: rounds })
  const keys = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".idempotency_keys`)
  assert.is(keys.rows[0]?.n, rounds)
  // The loser wrote nothing anywhere: no stream row with a version for it.
  const written = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".streams WHERE version > 0`)
  assert.is(written.rows[0]?.n, rounds)
})

test('two receivers racing one notification into the SAME ledger: one success, one KeyConflict (never a second record)', async () => {
  const schema = await db.schema()
  const a = createPostgresEventStore<Ev, State>({ pool: db.pool({ max: 4 }), schema })
  const b = createPostgresEventStore<Ev, State>({ pool: db.pool({ max: 4 }), schema })
  let version = 0
  for (let round = 0; round < 200; round++) {
    const key = `same-${round}`
    const [ra, rb] = await Promise.all([
      a.record('ledger-69-TRY', { expectedVersion: version, events: [received(key)], state: { head: 'a', movements: round }, claim: key })(),
      b.record('ledger-69-TRY', { expectedVersion: version, events: [received(key)], state: { head: 'b', movements: round }, claim: key })(),
    ])
    assert.is([ra, rb].filter(E.isRight).length, 1, `round ${round}: ${JSON.stringify([ra, rb])}`)
    assert.equal(
      [ra, rb].filter(E.isLeft).map((r) => r.left),
      [{ _tag: 'KeyConflict', key, stream: 'ledger-69-TRY' }],
    )
    version += 1
  }
  assert.is(right(await a.readState('ledger-69-TRY')()).version, 200)
})

test('record refuses bad arguments at once', async () => {
  const store = await fresh()
  assert.throws(() => store.record('L', { expectedVersion: -1, events: [] }), TypeError)
  assert.throws(() => store.record('L', { expectedVersion: 1.5, events: [] }), TypeError)
  assert.throws(() => store.record('L', { expectedVersion: 0, events: [], claim: '' }), TypeError)
})

test.run()
