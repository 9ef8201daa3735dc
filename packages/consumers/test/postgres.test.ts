/**
 * Consumers on PostgreSQL: the consumer contract on the store and its checkpoints table, and what
 * only a database shows: a transaction that began before a faster one but commits after it is not
 * skipped; a handler's writes and the checkpoint commit together or not at all (a process killed
 * mid-page); two instances of one name, one active, the other taking over when the first is
 * SIGKILLed.
 */
import { createPostgresEventStore, migrate, type PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import type { StoredEvent } from '@banksocket-webhooks/core'
import { startDatabase, type TestDatabase } from '@banksocket-webhooks/test-support/postgres'
import * as E from 'fp-ts/lib/Either.js'
import type pg from 'pg'
import * as assert from 'uvu/assert'
import { type Consumer, createConsumer } from '../src/index.ts'
import { consumerContract, type TestEvent } from './support/consumer-contract.ts'
import { lineOf, spawnConsumer } from './support/pg-child.ts'

let db: TestDatabase
let pool: pg.Pool

const contract = consumerContract('PostgreSQL', async () => {
  const schema = await db.schema()
  let stores: PostgresEventStore<TestEvent>[] = [createPostgresEventStore<TestEvent>({ pool, schema })]
  const writer = stores[0] as PostgresEventStore<TestEvent>
  return {
    writer,
    feed: writer,
    checkpoints: writer.checkpoints,
    restart: async () => {
      const again = createPostgresEventStore<TestEvent>({ pool, schema })
      stores.push(again)
      return { feed: again, checkpoints: again.checkpoints }
    },
    dispose: async () => {
      for (const store of stores) await store.close()()
      stores = []
    },
  }
})

const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(JSON.stringify(either.left))
  return either.right
}
const ev = (n: number): TestEvent => ({ type: 'Numbered', data: { n } })
const numberOf = (e: StoredEvent<TestEvent>) => (e.event as { data: { n: number } }).data.n

const running: Consumer<TestEvent>[] = []
contract.after.each(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()))
})

contract('PostgreSQL: a transaction that began before a faster one but commits after it is read, in feed order, not skipped', async () => {
  const schema = await db.schema()
  const store = createPostgresEventStore<TestEvent>({ pool, schema })
  right(await store.appendToStream('s-0', [ev(1)], 'any')())
  const slow = await pool.connect()
  try {
    // The slow transaction takes its id and writes an event, then waits; a faster one commits meanwhile.
    await slow.query('BEGIN')
    await slow.query(`INSERT INTO "${schema}".events (stream, version, data) VALUES ('slow', 1, $1)`, [JSON.stringify(ev(2))])
    right(await store.appendToStream('s-1', [ev(3)], 'any')())
    const seen: number[] = []
    const consumer = createConsumer<TestEvent, unknown>({
      name: 'late',
      store,
      checkpoints: store.checkpoints,
      pollInterval: 20,
      handle: (e) => void seen.push(numberOf(e)),
    })
    running.push(consumer)
    await consumer.start()
    await consumer.whenCaughtUp()
    assert.equal(seen, [1], 'nothing past the open transaction is read yet')
    await slow.query('COMMIT')
    await consumer.whenCaughtUp()
    assert.equal(seen, [1, 2, 3])
  } finally {
    slow.release()
    await store.close()()
  }
})

contract('PostgreSQL: a handler that writes with context.tx commits with the checkpoint; a process killed mid-page leaves neither', async () => {
  const schema = await db.schema()
  const table = `"${schema}".projected`
  await pool.query(`CREATE TABLE ${table} (position bigint PRIMARY KEY)`)
  const store = createPostgresEventStore<TestEvent>({ pool, schema })
  for (let n = 1; n <= 35; n++) right(await store.appendToStream(`s-${n % 3}`, [ev(n)], 'any')())
  const child = spawnConsumer('stall', ['projection', table, '25'], { url: db.url, schema })
  try {
    await lineOf(child, /^inside$/)
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    const feed = right(await store.readAll()())
    // Pages of 10: the first two committed with their checkpoint, the third (21..30) was under way.
    const saved = right(await store.checkpoints.read('projection')())
    assert.is(saved, feed[19]?.position)
    const rows = (await pool.query<{ position: string }>(`SELECT position FROM ${table} ORDER BY position`)).rows.map((r) => Number(r.position))
    assert.equal(
      rows,
      feed.slice(0, 20).map((e) => e.position),
      'only what the checkpoint covers was written',
    )
    // Resuming here writes every event exactly once (the primary key would refuse a second write).
    const consumer = createConsumer<TestEvent, { query: (text: string, values?: unknown[]) => Promise<unknown> }>({
      name: 'projection',
      store,
      checkpoints: store.checkpoints,
      batchSize: 10,
      lease: { retryEvery: 100 },
      handle: async (e, { tx }) => {
        await tx.query(`INSERT INTO ${table} (position) VALUES ($1)`, [e.position])
      },
    })
    running.push(consumer)
    await consumer.start()
    await consumer.whenCaughtUp()
    const all = (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n
    assert.is(Number(all), 35)
    assert.is(consumer.stats().failed, 0)
  } finally {
    child.kill('SIGKILL')
    await store.close()()
  }
})

contract('PostgreSQL: two instances of one name: one active; the other takes over within seconds when it is SIGKILLed', async () => {
  const schema = await db.schema()
  const table = `"${schema}".held`
  await pool.query(`CREATE TABLE ${table} (position bigint PRIMARY KEY)`)
  const store = createPostgresEventStore<TestEvent>({ pool, schema })
  for (let n = 1; n <= 10; n++) right(await store.appendToStream('s', [ev(n)], 'any')())
  const child = spawnConsumer('hold', ['single', table], { url: db.url, schema })
  try {
    await lineOf(child, /^active$/)
    const consumer = createConsumer<TestEvent, { query: (text: string, values?: unknown[]) => Promise<unknown> }>({
      name: 'single',
      store,
      checkpoints: store.checkpoints,
      lease: { retryEvery: 200 },
      handle: async (e, { tx }) => {
        await tx.query(`INSERT INTO ${table} (position) VALUES ($1)`, [e.position])
      },
    })
    running.push(consumer)
    let active = false
    const started = consumer.start().then(() => {
      active = true
    })
    await new Promise((r) => setTimeout(r, 600))
    assert.is(active, false, 'the second instance waits while the first holds the name')
    const killedAt = Date.now()
    child.kill('SIGKILL')
    await started
    const tookOver = Date.now() - killedAt
    assert.ok(tookOver < 10_000, `took over after ${tookOver} ms`)
    for (let n = 11; n <= 15; n++) right(await store.appendToStream('s', [ev(n)], 'any')())
    await consumer.whenCaughtUp()
    const count = (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n
    assert.is(Number(count), 15, 'every event written once, by one instance or the other')
  } finally {
    child.kill('SIGKILL')
    await store.close()()
  }
})

contract.before(async () => {
  db = await startDatabase({ migrate })
  pool = db.pool({ max: 20 })
})
contract.after(async () => {
  await db.stop()
})
contract.run()
