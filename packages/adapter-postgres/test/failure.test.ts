/**
 * When the database fails: a connection killed in the middle of a write, idle connections dropped,
 * the server stopped and started again, a transaction that fails half-way, a wrong password, a row
 * the codec refuses. Every time: a `StoreFailure` (never a throw, never a crash), nothing reported as
 * written that was not committed, no password in any message, and the store works again afterwards.
 */
import type * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import pg from 'pg'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore, migrate } from '../src/index.ts'
import { freePort, left, right, startDatabase, type TestDatabase } from './support/database.ts'

type Ev = Readonly<{ type: string; n?: number }>

let db: TestDatabase
let admin: pg.Pool
const messages: string[] = []

test.before(async () => {
  db = await startDatabase()
  admin = db.pool({ max: 4 })
})

test.after(async () => {
  await db.stop()
})

/** The message of a StoreFailure (kept, to check at the end that none holds the password). */
const failureMessage = (either: E.Either<{ _tag: string }, unknown>): string => {
  const error = left(either)
  assert.is(error._tag, 'StoreFailure', JSON.stringify(error))
  const message = String((error as { message?: unknown }).message)
  messages.push(message)
  return message
}

let apps = 0
const appName = () => `bsw-victim-${process.pid}-${++apps}`

const waitFor = async (what: string, check: () => Promise<boolean>) => {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('a connection killed while its write waits: StoreFailure, nothing written, and the next write works', async () => {
  const schema = await db.schema()
  const app = appName()
  const store = createPostgresEventStore<Ev>({ connectionString: db.url, schema, applicationName: app, max: 2 })
  right(await store.record('L', { expectedVersion: 0, events: [{ type: 'A' }], claim: 'k1' })())
  const blocker = await admin.connect()
  try {
    await blocker.query('BEGIN')
    await blocker.query(`SELECT 1 FROM "${schema}".streams WHERE stream = 'L' FOR UPDATE`)
    const pending = store.record('L', { expectedVersion: 1, events: [{ type: 'B' }], state: { s: 1 }, claim: 'k2' })()
    await waitFor('the write to wait on the row lock', async () => {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [
        app,
      ])
      return rows[0]?.n === 1
    })
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [app])
    const message = failureMessage(await pending)
    assert.match(message, /writing to L failed/)
    await blocker.query('ROLLBACK')
  } finally {
    blocker.release()
  }
  assert.equal(right(await store.readState('L')()), { version: 1, state: undefined, stateVersion: 0, duplicates: 0 })
  assert.is(right(await store.keyOwner('k2')()), undefined)
  assert.equal(right(await store.record('L', { expectedVersion: 1, events: [{ type: 'B' }], claim: 'k2' })()).nextVersion, 2)
  right(await store.close()())
})

test('idle connections dropped by the server do not crash a pool that has no error listener of its own', async () => {
  const schema = await db.schema()
  const app = appName()
  const bare = new pg.Pool({ connectionString: db.url, application_name: app, max: 4 })
  try {
    const store = createPostgresEventStore<Ev>({ pool: bare, schema })
    await Promise.all([0, 1, 2, 3].map((i) => store.appendToStream(`s${i}`, [{ type: 'A' }], 'no_stream')()))
    const killed = await admin.query(
      `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) AS k`,
      [app],
    )
    assert.ok((killed.rows[0]?.n ?? 0) >= 1)
    await waitFor('the pool to notice', async () => bare.totalCount === 0)
    assert.equal(right(await store.readStream('s0')()), { version: 1, events: [{ type: 'A' }] })
    right(await store.close()())
  } finally {
    await bare.end()
  }
})

test('a transaction that fails half-way (disk full after the events were inserted) leaves nothing behind', async () => {
  const schema = await db.schema()
  await admin.query(`
    CREATE FUNCTION "${schema}".refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.type = 'Boom' THEN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_boom AFTER INSERT ON "${schema}".events FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse_boom();`)
  const store = createPostgresEventStore<Ev>({ pool: admin, schema })
  right(await store.record('L', { expectedVersion: 0, events: [{ type: 'A' }], state: { v: 1 }, claim: 'k1' })())
  const message = failureMessage(
    await store.record('L', { expectedVersion: 1, events: [{ type: 'Fine' }, { type: 'Boom' }], state: { v: 2 }, claim: 'k2' })(),
  )
  assert.match(message, /No space left on device \[53100\]/)
  assert.equal(right(await store.readState('L')()), { version: 1, state: { v: 1 }, stateVersion: 1, duplicates: 0 })
  assert.is(right(await store.keyOwner('k2')()), undefined)
  assert.equal(right(await store.readStream('L')()), { version: 1, events: [{ type: 'A' }] })
  assert.equal(
    right(await store.readAll()()).map((e) => e.event.type),
    ['A'],
  )
})

test('the server stopped: every call is a StoreFailure without the password; after a restart all acknowledged data is there', async () => {
  if (!db.embedded) {
    console.log('  (skipped: stopping the server needs the embedded PostgreSQL; DATABASE_URL is set)')
    return
  }
  const schema = await db.schema()
  const store = createPostgresEventStore<Ev>({ connectionString: db.url, schema, connectionTimeoutMillis: 2000, max: 2 })
  const acknowledged: number[] = []
  for (let i = 0; i < 5; i++) {
    right(await store.record('L', { expectedVersion: i, events: [{ type: 'A', n: i }], claim: `k${i}` })())
    acknowledged.push(i)
  }
  await db.halt()
  try {
    failureMessage(await store.record('L', { expectedVersion: 5, events: [{ type: 'A', n: 5 }], claim: 'k5' })())
    failureMessage(await store.appendToStream('L', [{ type: 'A' }], 'any')())
    failureMessage(await store.readState('L')())
    failureMessage(await store.readStream('L')())
    failureMessage(await store.readAll()())
    failureMessage(await store.readAllPage()())
    failureMessage(await store.keyOwner('k1')())
    failureMessage(await store.countDuplicate('L')())
    failureMessage(await migrate(db.url, { schema })())
  } finally {
    await db.restart()
  }
  assert.equal(
    right(await store.readStream('L')()).events.map((e) => e.n),
    acknowledged,
  )
  assert.is(right(await store.record('L', { expectedVersion: 5, events: [{ type: 'A', n: 5 }], claim: 'k5' })()).nextVersion, 6)
  right(await store.close()())
})

test('nothing listening on the port, a wrong password: StoreFailure, and the password is not in the message', async () => {
  const port = await freePort()
  const nobody = createPostgresEventStore<Ev>({
    connectionString: `postgres://app:hunter2-secret@127.0.0.1:${port}/app`,
    connectionTimeoutMillis: 2000,
  })
  const refused = failureMessage(await nobody.readState('L')())
  assert.not.match(refused, /hunter2-secret/)
  right(await nobody.close()())
  const url = new URL(db.url)
  url.password = 'wrong-pw-0a9f7c'
  const wrong = createPostgresEventStore<Ev>({ connectionString: url.toString() })
  const denied = failureMessage(await wrong.readState('L')())
  assert.match(denied, /password authentication failed/)
  assert.not.match(denied, /wrong-pw-0a9f7c/)
  right(await wrong.close()())
})

test('an event the codec refuses on read is a StoreFailure naming where it is, not its content', async () => {
  const schema = await db.schema()
  const Typed = t.type({ type: t.literal('Known'), n: t.number })
  const store = createPostgresEventStore<t.TypeOf<typeof Typed>>({ pool: admin, schema, codec: Typed })
  right(await store.appendToStream('L', [{ type: 'Known', n: 1 }], 'no_stream')())
  await admin.query(`SELECT * FROM "${schema}".append_to_stream('L', 1, '[{"type":"Known","n":"secret-looking-text"}]'::jsonb, NULL, NULL)`)
  const message = failureMessage(await store.readStream('L')())
  assert.match(message, /event L@2 does not decode: n: /)
  assert.not.match(message, /secret-looking-text/)
  failureMessage(await store.readAll()())
  assert.equal(right(await store.readStream('L', { limit: 1 })()), { version: 2, events: [{ type: 'Known', n: 1 }] })
})

test('close ends the pool the store made, is idempotent, and later calls are StoreFailures', async () => {
  const schema = await db.schema()
  const app = appName()
  const store = createPostgresEventStore<Ev>({ connectionString: db.url, schema, applicationName: app })
  right(await store.appendToStream('L', [{ type: 'A' }], 'no_stream')())
  right(await store.close()())
  right(await store.close()())
  await waitFor('the connections to close', async () => {
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [app])
    return rows[0]?.n === 0
  })
  assert.match(failureMessage(await store.readState('L')()), /the store is closed/)
  assert.match(failureMessage(await store.appendToStream('L', [{ type: 'B' }], 1)()), /the store is closed/)
  // A store on your pool leaves the pool alone.
  const mine = db.pool({ max: 1 })
  const onMine = createPostgresEventStore<Ev>({ pool: mine, schema })
  right(await onMine.close()())
  assert.is((await mine.query('SELECT 1 AS one')).rows[0]?.one, 1)
})

test('bad options are refused at once', () => {
  assert.throws(() => createPostgresEventStore({} as never), /exactly one of `pool`/)
  assert.throws(() => createPostgresEventStore({ pool: admin, connectionString: db.url } as never), /exactly one of `pool`/)
  assert.throws(() => createPostgresEventStore({ connectionString: '' }), /connectionString is empty/)
})

test('no message of this file holds the password', () => {
  assert.ok(messages.length >= (db.embedded ? 16 : 7), `only ${messages.length} messages were checked`)
  if (db.password !== undefined) for (const m of messages) assert.not.ok(m.includes(db.password), m)
})

test.run()
