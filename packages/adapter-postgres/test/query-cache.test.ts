/**
 * A query cache in front of the database (Cloudflare Hyperdrive caches read-only queries by
 * default, but never one that calls a volatile function) must not answer the store's reads from the
 * past: every SELECT the store sends calls `clock_timestamp()`, and the rows still read right.
 */
import * as E from 'fp-ts/lib/Either.js'
import type pg from 'pg'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore, type PoolLike } from '../src/index.ts'
import { right, startDatabase, type TestDatabase } from './support/database.ts'

type Ev = Readonly<{ type: string; data: Readonly<{ key: string }> }>

let db: TestDatabase
let pool: pg.Pool

test.before(async () => {
  db = await startDatabase()
  pool = db.pool({ max: 4 })
})

test.after(async () => {
  await db.stop()
})

test('every read the store sends calls a volatile function, so no query cache serves it', async () => {
  const sent: string[] = []
  const recording: PoolLike = {
    query: (text, values) => {
      sent.push(text)
      return pool.query(text, values)
    },
    connect: () => pool.connect(),
  }
  const store = createPostgresEventStore<Ev, { n: number }>({ pool: recording, schema: await db.schema() })
  const ev = (key: string): Ev => ({ type: 'Received', data: { key } })
  right(await store.record('ledger-1', { expectedVersion: 0, events: [ev('a')], state: { n: 1 }, claim: 'a' })())
  right(await store.appendToStream('ledger-1', [], 1)())
  assert.equal(right(await store.readStream('ledger-1')()).events, [ev('a')])
  assert.is(right(await store.readStream('ledger-1', { after: 0, limit: 1 })()).version, 1)
  assert.is(right(await store.readAll()()).length, 1)
  const first = right(await store.readAll({ after: 0, limit: 10 })())
  assert.equal(
    first.map((e) => e.event),
    [ev('a')],
  )
  assert.equal(right(await store.readState('ledger-1')()).state, { n: 1 })
  assert.is(right(await store.readStates('ledger-')()).size, 1)
  assert.is(right(await store.keyOwner('a')()), 'ledger-1')
  assert.is(right(await store.head()()), first[0]?.position)
  assert.is(right(await store.checkpoints.read('orders')()), undefined)
  const reads = sent.filter((text) => /^\s*(WITH|SELECT)\b/i.test(text) && !/append_to_stream|record_to_stream/.test(text))
  assert.ok(reads.length >= 9, `reads seen: ${reads.length}`)
  for (const text of reads) assert.ok(text.includes('clock_timestamp()'), `a cacheable read: ${text.trim().slice(0, 80)}`)
  assert.ok(E.isRight(await store.close()()))
})

test.run()
