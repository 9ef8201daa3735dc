/**
 * `migrate`: creates the schema once, applies nothing the second time, survives several processes
 * migrating at once, and a store on a schema nobody migrated says what to do.
 */
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore, MIGRATIONS, migrate, SCHEMA_VERSION } from '../src/index.ts'
import { left, right, startDatabase, type TestDatabase } from './support/database.ts'

let db: TestDatabase

test.before(async () => {
  db = await startDatabase()
})

test.after(async () => {
  await db.stop()
})

const columns = async (schema: string, table: string): Promise<string[]> => {
  const { rows } = await db
    .pool({ max: 1 })
    .query<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [schema, table],
    )
  return rows.map((r) => r.column_name)
}

test('creates the schema, its tables and the write functions, and records the version', async () => {
  const schema = db.schemaName()
  const pool = db.pool({ max: 2 })
  assert.equal(right(await migrate(pool, { schema })()), { schema, applied: MIGRATIONS.map((m) => m.version), version: SCHEMA_VERSION })
  assert.equal(await columns(schema, 'streams'), [
    'stream',
    'version',
    'state',
    'state_version',
    'duplicates',
    'last_duplicate_at',
    'created_at',
    'updated_at',
    'head',
    'head_version',
  ])
  assert.equal(await columns(schema, 'events'), ['global_position', 'transaction_id', 'stream', 'version', 'type', 'data', 'created_at'])
  assert.equal(await columns(schema, 'idempotency_keys'), ['key', 'stream', 'position', 'recorded_at'])
  assert.equal(await columns(schema, 'checkpoints'), ['name', 'position', 'updated_at'])
  const { rows } = await pool.query(`SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`)
  assert.equal(
    rows,
    MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
  )
  const fn = await pool.query(
    `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY p.proname`,
    [schema],
  )
  assert.equal(
    fn.rows.map((r) => r.proname),
    ['append_to_stream', 'count_recorded_duplicate', 'duplicate_outcome', 'record_to_stream'],
  )
})

test('is idempotent: a second run applies nothing and keeps the data', async () => {
  const schema = await db.schema()
  const pool = db.pool({ max: 2 })
  const store = createPostgresEventStore<{ type: string }>({ pool, schema })
  right(await store.appendToStream('s', [{ type: 'A' }], 'no_stream')())
  assert.equal(right(await migrate(pool, { schema })()), { schema, applied: [], version: SCHEMA_VERSION })
  assert.equal(right(await migrate(pool, { schema })()), { schema, applied: [], version: SCHEMA_VERSION })
  assert.equal(right(await store.readStream('s')()), { version: 1, events: [{ type: 'A' }] })
})

test('a schema at version 1 is upgraded to the latest, its data kept; each version is listed in order', async () => {
  assert.equal(
    MIGRATIONS.map((m) => m.version),
    Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1),
  )
  assert.is(SCHEMA_VERSION, 4)
  const schema = db.schemaName()
  const pool = db.pool({ max: 2 })
  // What migrate did before version 2 existed.
  const [v1] = MIGRATIONS
  await pool.query(`CREATE SCHEMA "${schema}"`)
  await pool.query(
    `CREATE TABLE "${schema}".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  )
  await pool.query(v1?.sql(`"${schema}"`) ?? '')
  await pool.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (1, $1)`, [v1?.name])
  const store = createPostgresEventStore<{ type: string }>({ pool, schema })
  right(await store.appendToStream('s', [{ type: 'A' }], 'no_stream')())
  assert.is(left(await store.checkpoints.read('orders')())._tag, 'StoreFailure')
  assert.equal(right(await migrate(pool, { schema })()), { schema, applied: [2, 3, 4], version: 4 })
  assert.equal(await columns(schema, 'checkpoints'), ['name', 'position', 'updated_at'])
  assert.equal(right(await store.readStream('s')()), { version: 1, events: [{ type: 'A' }] })
  right(await store.checkpoints.advance('orders', undefined, 1)())
  assert.is(right(await store.checkpoints.read('orders')()), 1)
  // The table refuses a negative checkpoint whoever writes it.
  await pool.query(`UPDATE "${schema}".checkpoints SET position = -1`).then(
    () => assert.unreachable('a negative position was stored'),
    (error: unknown) => assert.match(String(error), /checkpoints_position_check/),
  )
  // Version 2 runs again without harm (what a half-applied upgrade retried would do).
  await pool.query(MIGRATIONS[1]?.sql(`"${schema}"`) ?? '')
  assert.is(right(await store.checkpoints.read('orders')()), 1)
})

test('several processes migrating one schema at once: one applies each version, all succeed', async () => {
  const schema = db.schemaName()
  // One pool each, as separate processes would have: the advisory lock is per session.
  const results = await Promise.all(Array.from({ length: 6 }, () => migrate(db.pool({ max: 1 }), { schema })()))
  const migrated = results.map(right)
  assert.equal(
    migrated.map((m) => m.version),
    Array(6).fill(SCHEMA_VERSION),
  )
  assert.equal(
    migrated.flatMap((m) => m.applied).sort(),
    MIGRATIONS.map((m) => m.version),
  )
  const { rows } = await db.pool({ max: 1 }).query(`SELECT count(*)::int AS n FROM "${schema}".schema_migrations`)
  assert.is(rows[0]?.n, MIGRATIONS.length)
})

test('migrates from a connection string too (and closes the connection it opened)', async () => {
  const schema = db.schemaName()
  const probe = db.pool({ max: 1 })
  const count = async (): Promise<number | undefined> =>
    (await probe.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'banksocket-webhooks'`)).rows[0]?.n
  const before = await count()
  assert.equal(right(await migrate(db.url, { schema })()), { schema, applied: MIGRATIONS.map((m) => m.version), version: SCHEMA_VERSION })
  // The connection is closed when migrate returns, but its server process leaves
  // pg_stat_activity a moment later (it exits after the socket closes): wait for that, bounded.
  const deadline = Date.now() + 10_000
  let after = await count()
  while (after !== before && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    after = await count()
  }
  assert.is(after, before)
})

test('the default schema is banksocket, and two schemas keep separate stores', async () => {
  const pool = db.pool({ max: 2 })
  const other = await db.schema()
  const existed = (await pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'banksocket'`)).rowCount === 1
  right(await migrate(pool)())
  const main = createPostgresEventStore<{ type: string }>({ pool })
  const side = createPostgresEventStore<{ type: string }>({ pool, schema: other })
  assert.is(main.schema, 'banksocket')
  const stream = `default-schema-${process.pid}-${Date.now()}`
  right(await main.appendToStream(stream, [{ type: 'A' }], 'no_stream')())
  assert.equal(right(await side.readStream(stream)()), { version: 0, events: [] })
  if (existed) {
    await pool.query(`DELETE FROM banksocket.events WHERE stream = $1`, [stream])
    await pool.query(`DELETE FROM banksocket.streams WHERE stream = $1`, [stream])
  } else {
    await pool.query('DROP SCHEMA banksocket CASCADE')
  }
})

test('a store on a schema that was never migrated answers a StoreFailure that says to migrate', async () => {
  const schema = db.schemaName()
  const store = createPostgresEventStore<{ type: string }>({ pool: db.pool({ max: 1 }), schema })
  const failure = left(await store.appendToStream('s', [{ type: 'A' }], 'no_stream')())
  assert.is(failure._tag, 'StoreFailure')
  assert.match(failure._tag === 'StoreFailure' ? failure.message : '', `run migrate(pool, { schema: '${schema}' })`)
  assert.is(left(await store.readStream('s')())._tag, 'StoreFailure')
})

test('bad schema names are refused at once, before anything runs', () => {
  for (const bad of ['', 'Banksocket', '1abc', 'a-b', 'a"b', 'pg_catalog', 'x'.repeat(64)]) {
    assert.throws(
      () => migrate(db.url, { schema: bad }),
      (e: unknown) => e instanceof TypeError && /schema must be/.test(e.message),
      bad,
    )
    assert.throws(() => createPostgresEventStore({ connectionString: db.url, schema: bad }), TypeError, bad)
  }
})

test('migrating against a server that is not there is a StoreFailure, not a throw', async () => {
  const result = await migrate('postgres://nobody:secret-pw@127.0.0.1:1/none', { schema: 'banksocket' })()
  assert.ok(E.isLeft(result))
  const message = left(result)._tag === 'StoreFailure' ? (left(result) as { message: string }).message : ''
  assert.match(message, /migrating schema "banksocket"/)
  assert.not.match(message, /secret-pw/)
})

test.run()
