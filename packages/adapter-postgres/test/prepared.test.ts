/**
 * Prepared statements: a store made from a connection string prepares its hot statements (the
 * ledger write, the state read, the key lookup) once per connection; a pool you pass in does so only
 * with `prepare: true`; a connection that lost them (a pooler in transaction mode) fails with a
 * message that says what to do.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore } from '../src/index.ts'
import { left, right, startDatabase, type TestDatabase } from './support/database.ts'

let db: TestDatabase

test.before(async () => {
  db = await startDatabase()
})

test.after(async () => {
  await db.stop()
})

type Ev = Readonly<{ type: string }>

/** The names of the statements prepared on the one connection of a one-connection pool. */
const preparedOn = async (pool: ReturnType<TestDatabase['pool']>): Promise<string[]> =>
  (await pool.query('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map((r) => String(r.name).replace(/_[0-9a-f]{8}$/, ''))

test('with prepare: true the write, the state read and the key lookup are prepared once on the connection and reused', async () => {
  const schema = await db.schema()
  const pool = db.pool({ max: 1 })
  const store = createPostgresEventStore<Ev, { n: number }>({ pool, schema, prepare: true })
  for (let i = 1; i <= 3; i++) {
    right(await store.record('ledger-1', { expectedVersion: i - 1, events: [{ type: 'A' }], state: { n: i }, claim: `k${i}`, head: String(i) })())
    assert.is(right(await store.readState('ledger-1')()).version, i)
    assert.is(right(await store.keyOwner(`k${i}`)()), 'ledger-1')
  }
  assert.equal(await preparedOn(pool), ['bsw_key_owner', 'bsw_read_state', 'bsw_record'])
  await pool.end()
})

test('a pool passed in prepares nothing unless asked', async () => {
  const schema = await db.schema()
  const pool = db.pool({ max: 1 })
  const store = createPostgresEventStore<Ev, { n: number }>({ pool, schema })
  right(await store.record('ledger-1', { expectedVersion: 0, events: [{ type: 'A' }], state: { n: 1 }, claim: 'k1' })())
  right(await store.readState('ledger-1')())
  assert.equal(await preparedOn(pool), [])
  await pool.end()
})

test('a store made from a connection string prepares by default, and two schemas on one server do not share a name', async () => {
  const [a, b] = [await db.schema(), await db.schema()]
  for (const schema of [a, b]) {
    const store = createPostgresEventStore<Ev, { n: number }>({ connectionString: db.url, schema, max: 1 })
    right(await store.record('ledger-1', { expectedVersion: 0, events: [{ type: 'A' }], state: { n: 1 }, claim: `k-${schema}` })())
    assert.is(right(await store.readState('ledger-1')()).version, 1)
    right(await store.close()())
  }
})

test('a connection that lost its prepared statements (as behind a pooler in transaction mode) fails with what to do', async () => {
  const schema = await db.schema()
  const pool = db.pool({ max: 1 })
  const store = createPostgresEventStore<Ev, { n: number }>({ pool, schema, prepare: true })
  right(await store.record('ledger-1', { expectedVersion: 0, events: [{ type: 'A' }], state: { n: 1 }, claim: 'k1' })())
  await pool.query('DEALLOCATE ALL')
  const failed = left(await store.record('ledger-1', { expectedVersion: 1, events: [{ type: 'A' }], state: { n: 2 }, claim: 'k2' })())
  assert.is(failed._tag, 'StoreFailure')
  assert.match(failed._tag === 'StoreFailure' ? failed.message : '', /prepared statement .*gone.*pass prepare: false.*\[26000\]/)
  await pool.end()
})

test.run()
