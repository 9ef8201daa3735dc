/**
 * `store.checkpoints`: read and advance (a compare-and-set), conflicts on a stale or backward move,
 * two instances racing one move (one wins), and the work's writes committing with the checkpoint or
 * not at all: when the work throws, when it swallows a failed statement, and when its process is
 * SIGKILLed in the middle of it.
 */
import * as E from 'fp-ts/lib/Either.js'
import type pg from 'pg'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type CheckpointError, createPostgresEventStore, type PostgresEventStore, type Queryable } from '../src/index.ts'
import { exited, spawnChild, waitForLine } from './support/child.ts'
import { left, right, startDatabase, type TestDatabase } from './support/database.ts'
import { raceGate } from './support/race-gate.ts'

let db: TestDatabase
let pool: pg.Pool

test.before(async () => {
  db = await startDatabase()
  pool = db.pool({ max: 10 })
})

test.after(async () => {
  await db.stop()
})

/** The stores of a test on the shared pool, closed after it (each listens for the pool's errors until then). */
const opened: PostgresEventStore<unknown>[] = []

test.after.each(async () => {
  for (const store of opened.splice(0)) await store.close()()
})

/** Appends `count` events in one transaction: positions 1 to `count` (in a fresh schema), in feed order. */
const fill = async (store: PostgresEventStore<unknown>, count: number): Promise<void> => {
  right(
    await store.appendToStream(
      'feed',
      Array.from({ length: count }, (_, n) => ({ n })),
      'any',
    )(),
  )
}

/** A store on a fresh schema holding 50 events: a checkpoint names an event's position. */
const fresh = async (): Promise<PostgresEventStore<unknown>> => {
  const store = createPostgresEventStore<unknown>({ pool, schema: await db.schema() })
  opened.push(store)
  await fill(store, 50)
  return store
}

/** A table of the consumer's own, in the store's schema, that work writes to. */
const projection = async (schema: string): Promise<string> => {
  await pool.query(`CREATE TABLE "${schema}".projected (note text NOT NULL UNIQUE)`)
  return `"${schema}".projected`
}

const notes = async (table: string): Promise<string[]> =>
  (await pool.query<{ note: string }>(`SELECT note FROM ${table} ORDER BY note`)).rows.map((r) => r.note)

const insert = (table: string, note: string) => async (tx: Queryable) => {
  await tx.query(`INSERT INTO ${table} (note) VALUES ($1)`, [note])
}

const waitFor = async (what: string, check: () => Promise<boolean>) => {
  const deadline = Date.now() + 15_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

test('a checkpoint never saved reads undefined; advance saves it and moves it forward', async () => {
  const { checkpoints } = await fresh()
  assert.is(right(await checkpoints.read('orders')()), undefined)
  right(await checkpoints.advance('orders', undefined, 5)())
  assert.is(right(await checkpoints.read('orders')()), 5)
  right(await checkpoints.advance('orders', 5, 9)())
  assert.is(right(await checkpoints.read('orders')()), 9)
  // From nothing, 0 is a checkpoint too (a consumer that starts at the start of an empty feed).
  right(await checkpoints.advance('empty-feed', undefined, 0)())
  assert.is(right(await checkpoints.read('empty-feed')()), 0)
  right(await checkpoints.advance('empty-feed', 0, 1)())
  // Names are apart, and so are schemas.
  assert.is(right(await checkpoints.read('orders-2')()), undefined)
  assert.is(right(await (await fresh()).checkpoints.read('orders')()), undefined)
})

test('list answers every saved checkpoint by name, in name order; a store with none answers an empty map', async () => {
  const { checkpoints } = await fresh()
  assert.equal(right(await checkpoints.list()()), new Map())
  right(await checkpoints.advance('payments', undefined, 7)())
  right(await checkpoints.advance('forward', undefined, 0)())
  right(await checkpoints.advance('forward', 0, 12)())
  right(await checkpoints.advance('Audit:b', undefined, 3)())
  assert.equal(
    [...right(await checkpoints.list()())],
    [
      ['Audit:b', 3],
      ['forward', 12],
      ['payments', 7],
    ],
  )
  // A schema without the checkpoints table (not migrated) says to migrate.
  const bare = createPostgresEventStore<unknown>({ pool, schema: db.schemaName() })
  opened.push(bare)
  const unmigrated = left(await bare.checkpoints.list()())
  assert.match(unmigrated._tag === 'StoreFailure' ? unmigrated.message : '', /listing the checkpoints.*run migrate/)
})

test('a stale expected is a CheckpointConflict with what is saved, and nothing moves', async () => {
  const { checkpoints } = await fresh()
  right(await checkpoints.advance('orders', undefined, 9)())
  assert.equal(left(await checkpoints.advance('orders', 5, 12)()), { _tag: 'CheckpointConflict', name: 'orders', expected: 5, actual: 9 })
  // Expecting none while one is saved.
  assert.equal(left(await checkpoints.advance('orders', undefined, 12)()), {
    _tag: 'CheckpointConflict',
    name: 'orders',
    expected: undefined,
    actual: 9,
  })
  // Expecting one while none is saved.
  assert.equal(left(await checkpoints.advance('other', 3, 12)()), { _tag: 'CheckpointConflict', name: 'other', expected: 3, actual: undefined })
  assert.is(right(await checkpoints.read('orders')()), 9)
  assert.is(right(await checkpoints.read('other')()), undefined)
})

test('a move that does not go forward is a CheckpointConflict, and its work does not run', async () => {
  const { checkpoints } = await fresh()
  right(await checkpoints.advance('orders', undefined, 9)())
  let ran = 0
  const work = async () => {
    ran++
  }
  assert.equal(left(await checkpoints.advance('orders', 9, 9, work)()), { _tag: 'CheckpointConflict', name: 'orders', expected: 9, actual: 9 })
  assert.equal(left(await checkpoints.advance('orders', 9, 4, work)()), { _tag: 'CheckpointConflict', name: 'orders', expected: 9, actual: 9 })
  assert.is(ran, 0)
  assert.is(right(await checkpoints.read('orders')()), 9)
})

test("work's writes commit with the checkpoint", async () => {
  const store = await fresh()
  const table = await projection(store.schema)
  right(await store.checkpoints.advance('orders', undefined, 3, insert(table, 'a'))())
  right(
    await store.checkpoints.advance('orders', 3, 7, async (tx) => {
      await tx.query(`INSERT INTO ${table} (note) VALUES ($1), ($2)`, ['b', 'c'])
      // The work runs in the transaction that moved the checkpoint: it sees its own writes.
      const seen = await tx.query(`SELECT count(*)::int AS n FROM ${table}`)
      assert.is(seen.rows[0]?.['n'], 3)
    })(),
  )
  assert.equal(await notes(table), ['a', 'b', 'c'])
  assert.is(right(await store.checkpoints.read('orders')()), 7)
})

test('a work that writes and then throws leaves neither its row nor the checkpoint (WorkFailed with its error)', async () => {
  const store = await fresh()
  const table = await projection(store.schema)
  const boom = new Error('the projection failed')
  const failed = left(
    await store.checkpoints.advance('orders', undefined, 3, async (tx) => {
      await insert(table, 'a')(tx)
      throw boom
    })(),
  )
  assert.equal(failed, { _tag: 'WorkFailed', error: boom })
  assert.ok(failed._tag === 'WorkFailed' && failed.error === boom)
  assert.equal(await notes(table), [])
  assert.is(right(await store.checkpoints.read('orders')()), undefined)
  // The same from a saved checkpoint, with a rejected promise.
  right(await store.checkpoints.advance('orders', undefined, 3)())
  const rejected = left(await store.checkpoints.advance('orders', 3, 8, (tx) => insert(table, 'b')(tx).then(() => Promise.reject('nope')))())
  assert.equal(rejected, { _tag: 'WorkFailed', error: 'nope' })
  assert.equal(await notes(table), [])
  assert.is(right(await store.checkpoints.read('orders')()), 3)
  // The connection went back to the pool in a clean state: the next advance works.
  right(await store.checkpoints.advance('orders', 3, 8, insert(table, 'c'))())
  assert.equal(await notes(table), ['c'])
})

test('a work that catches a failed statement and returns: WorkFailed, nothing saved (PostgreSQL rolled the transaction back)', async () => {
  const store = await fresh()
  const table = await projection(store.schema)
  right(await store.checkpoints.advance('orders', undefined, 1, insert(table, 'dup'))())
  const failed = left(
    await store.checkpoints.advance('orders', 1, 2, async (tx) => {
      await insert(table, 'fresh')(tx)
      await insert(table, 'dup')(tx).catch(() => undefined) // a unique violation, swallowed
    })(),
  )
  assert.is(failed._tag, 'WorkFailed')
  assert.match(failed._tag === 'WorkFailed' ? String(failed.error) : '', /rolled back: a statement of its work failed/)
  assert.equal(await notes(table), ['dup'])
  assert.is(right(await store.checkpoints.read('orders')()), 1)
})

test('a query of work sent after work returned is refused, not run outside the transaction', async () => {
  const store = await fresh()
  const table = await projection(store.schema)
  let kept: Queryable | undefined
  right(
    await store.checkpoints.advance('orders', undefined, 1, async (tx) => {
      kept = tx
    })(),
  )
  const late = await (kept as Queryable).query(`INSERT INTO ${table} (note) VALUES ('late')`).then(
    () => 'ran',
    (error: unknown) => String(error),
  )
  assert.match(late, /is over: a query of its work was sent after the work returned/)
  assert.equal(await notes(table), [])
})

test('forward is later in feed order, not a larger position: an earlier transaction committing later comes after', async () => {
  const store = await fresh()
  const events = `"${store.schema}".events`
  const early = await pool.connect()
  const late = await pool.connect()
  try {
    // `early` takes its transaction id first; `late` inserts (lower position) and commits; then `early` inserts.
    await early.query('BEGIN')
    await early.query('SELECT pg_current_xact_id()')
    await late.query('BEGIN')
    await late.query(`INSERT INTO ${events} (stream, version, data) VALUES ('x', 1, '{}')`)
    await late.query('COMMIT')
    await early.query(`INSERT INTO ${events} (stream, version, data) VALUES ('y', 1, '{}')`)
    await early.query('COMMIT')
  } finally {
    early.release()
    late.release()
  }
  const feed = right(await store.readAll({ after: 50 })())
  const [first, second] = feed.map((e) => e.position)
  assert.ok(
    first !== undefined && second !== undefined && first > second,
    `feed order ${first}, ${second}: the earlier transaction's higher position first`,
  )
  right(await store.checkpoints.advance('order', undefined, 50)())
  right(await store.checkpoints.advance('order', 50, first as number)())
  right(await store.checkpoints.advance('order', first, second as number)())
  assert.equal(left(await store.checkpoints.advance('order', second, first as number)()), {
    _tag: 'CheckpointConflict',
    name: 'order',
    expected: second,
    actual: second,
  })
})

test('two instances advancing from the same checkpoint at once: exactly one wins, the other sees its move; only the winner wrote', async () => {
  const schema = await db.schema()
  const a = createPostgresEventStore<unknown>({ pool: db.pool({ max: 3 }), schema })
  const b = createPostgresEventStore<unknown>({ pool: db.pool({ max: 3 }), schema })
  const table = await projection(schema)
  await fill(a, 610)
  let expected: number | undefined
  // Every round is a race: both wait at the gate, before their compare-and-set, until both are
  // there (support/race-gate.ts).
  const gate = await raceGate(pool, `"${schema}".checkpoints`)
  const rounds = 60
  for (let round = 0; round < rounds; round++) {
    const nextA = round * 10 + 3
    const nextB = round * 10 + 5
    // Each holds the transaction a moment, so that the other one really waits on the row.
    const slow = (note: string) => async (tx: Queryable) => {
      await insert(table, note)(tx)
      await new Promise((r) => setTimeout(r, 2))
    }
    const [ra, rb] = await gate.race(2, () =>
      Promise.all([
        a.checkpoints.advance('race', expected, nextA, slow(`a${round}`))(),
        b.checkpoints.advance('race', expected, nextB, slow(`b${round}`))(),
      ]),
    )
    const wins = [ra, rb].filter(E.isRight)
    assert.is(wins.length, 1, `round ${round}: ${JSON.stringify([ra, rb])}`)
    const winner = E.isRight(ra) ? nextA : nextB
    const refused: CheckpointError[] = [ra, rb].filter(E.isLeft).map((r) => r.left)
    assert.equal(refused, [{ _tag: 'CheckpointConflict', name: 'race', expected, actual: winner }])
    expected = winner
  }
  const written = await notes(table)
  assert.is(written.length, rounds)
  assert.is(right(await a.checkpoints.read('race')()), expected)
  gate.release()
})

test('a process SIGKILLed in the middle of work (its row inserted, not committed) leaves neither the row nor the checkpoint', async () => {
  const store = await fresh()
  const table = await projection(store.schema)
  const applicationName = `bsw-killed-${process.pid}`
  const child = spawnChild('advance', ['killed', table], { url: db.url, schema: store.schema, applicationName })
  try {
    await waitForLine(child, /^inserted$/)
    // The child's transaction is open, its row inserted, its checkpoint row too (not committed).
    const inTransaction = async () =>
      (
        await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'`,
          [applicationName],
        )
      ).rows[0]?.n === 1
    await waitFor('the child to wait inside its transaction', inTransaction)
    child.kill('SIGKILL')
    await exited(child)
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  await waitFor('the killed process to leave the server', async () => {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [applicationName])
    return rows[0]?.n === 0
  })
  assert.equal(await notes(table), [])
  assert.is(right(await store.checkpoints.read('killed')()), undefined)
  // Nothing is left locked: another instance starts the checkpoint at once.
  right(await store.checkpoints.advance('killed', undefined, 5, insert(table, 'survivor'))())
  assert.equal(await notes(table), ['survivor'])
  assert.is(right(await store.checkpoints.read('killed')()), 5)
})

test('a database that fails is a StoreFailure without the password', async () => {
  const schema = await db.schema()
  const url = new URL(db.url)
  url.password = 'wrong-pw-5c1d'
  const store = createPostgresEventStore<unknown>({ connectionString: url.toString(), schema, connectionTimeoutMillis: 5000 })
  for (const failed of [left(await store.checkpoints.read('orders')()), left(await store.checkpoints.advance('orders', undefined, 1)())]) {
    assert.is(failed._tag, 'StoreFailure')
    const message = failed._tag === 'StoreFailure' ? failed.message : ''
    assert.match(message, /checkpoint of consumer 'orders'/)
    assert.not.match(message, /wrong-pw-5c1d/)
  }
  right(await store.close()())
  // A closed store says so.
  const closed = left(await store.checkpoints.advance('orders', undefined, 1)())
  assert.match(closed._tag === 'StoreFailure' ? closed.message : '', /the store is closed/)
  // A schema without the checkpoints table (not migrated) says to migrate.
  const bare = createPostgresEventStore<unknown>({ pool, schema: db.schemaName() })
  opened.push(bare)
  const unmigrated = left(await bare.checkpoints.advance('orders', undefined, 1)())
  assert.match(unmigrated._tag === 'StoreFailure' ? unmigrated.message : '', /run migrate/)
})

test('bad arguments are refused at once', async () => {
  const { checkpoints } = await fresh()
  for (const name of ['', '../etc', 'a b', 'x'.repeat(201)]) {
    assert.throws(() => checkpoints.read(name), TypeError, name)
    assert.throws(() => checkpoints.advance(name, undefined, 1), TypeError, name)
  }
  assert.throws(() => checkpoints.advance('orders', undefined, -1), TypeError)
  assert.throws(() => checkpoints.advance('orders', undefined, 1.5), TypeError)
  assert.throws(() => checkpoints.advance('orders', -2, 1), TypeError)
})

test.run()
