/**
 * Reading: global positions, the global feed in pages that never skip a transaction still in flight,
 * where the feed ends (`head`), and a stream read in pages.
 */
import * as E from 'fp-ts/lib/Either.js'
import type pg from 'pg'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Checkpoint, createPostgresEventStore, type FeedEvent, type PostgresEventStore, START } from '../src/index.ts'
import { right, startDatabase, type TestDatabase } from './support/database.ts'

type Ev = Readonly<{ type: string; n?: number }>

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
const opened: PostgresEventStore<Ev>[] = []

test.after.each(async () => {
  for (const store of opened.splice(0)) await store.close()()
})

const fresh = async (): Promise<PostgresEventStore<Ev>> => {
  const store = createPostgresEventStore<Ev>({ pool, schema: await db.schema() })
  opened.push(store)
  return store
}

/** Reads the feed page by page from `after` until a page comes back empty. */
const drain = async (store: PostgresEventStore<Ev>, after: Checkpoint, limit: number): Promise<{ events: FeedEvent<Ev>[]; next: Checkpoint }> => {
  const events: FeedEvent<Ev>[] = []
  let next = after
  for (;;) {
    const page = right(await store.readAllPage({ after: next, limit })())
    assert.ok(page.events.length <= limit)
    events.push(...page.events)
    next = page.next
    if (page.events.length === 0) return { events, next }
  }
}

/**
 * Drains until at least `count` events came: on a server shared with other test files, their open
 * transactions may hold the feed back for a moment (that is the feed's rule, not a failure).
 */
const drainUntil = async (store: PostgresEventStore<Ev>, after: Checkpoint, count: number) => {
  const deadline = Date.now() + 10_000
  const events: FeedEvent<Ev>[] = []
  let next = after
  while (events.length < count && Date.now() < deadline) {
    const more = await drain(store, next, 100)
    events.push(...more.events)
    next = more.next
    if (events.length < count) await new Promise((r) => setTimeout(r, 20))
  }
  return { events, next }
}

const label = (e: FeedEvent<Ev>) => `${e.stream}@${e.version}`

test('every event gets a global position, increasing in append order and unique', async () => {
  const store = await fresh()
  right(await store.appendToStream('a', [{ type: 'A1' }, { type: 'A2' }], 'no_stream')())
  right(await store.appendToStream('b', [{ type: 'B1' }], 'no_stream')())
  const recorded = right(await store.record('a', { expectedVersion: 2, events: [{ type: 'A3' }, { type: 'A4' }, { type: 'A5' }] })())
  const all = right(await store.readAll()())
  const positions = all.map((e) => e.position)
  assert.equal(
    positions,
    [...positions].sort((x, y) => x - y),
  )
  assert.is(new Set(positions).size, 6)
  assert.equal(all.map(label), ['a@1', 'a@2', 'b@1', 'a@3', 'a@4', 'a@5'])
  assert.equal(
    recorded.positions,
    all.slice(3).map((e) => e.position),
  )
  assert.ok(all.every((e) => Number.isSafeInteger(e.transactionId) && e.transactionId > 0))
  // One write, one transaction.
  assert.is(new Set(all.slice(3).map((e) => e.transactionId)).size, 1)
})

test('readAllPage pages through everything once, in readAll order, from any checkpoint', async () => {
  const store = await fresh()
  for (let i = 0; i < 23; i++) right(await store.appendToStream(`s${i % 4}`, [{ type: 'E', n: i }], 'any')())
  const all = right(await store.readAll()())
  const paged = await drainUntil(store, START, 23)
  assert.equal(paged.events.map(label), all.map(label))
  assert.equal(
    paged.events.map((e) => e.event.n),
    all.map((e) => e.event.n),
  )
  for (const limit of [1, 5, 23, 1000]) assert.equal((await drain(store, START, limit)).events.map(label), all.map(label), `limit ${limit}`)
  const tenth = all[9] as FeedEvent<Ev>
  const rest = await drain(store, { transactionId: tenth.transactionId, position: tenth.position }, 4)
  assert.equal(rest.events.map(label), all.slice(10).map(label))
  // The checkpoint after the last event reads nothing until something new is written.
  const empty = right(await store.readAllPage({ after: paged.next })())
  assert.equal(empty, { events: [], next: paged.next })
  right(await store.appendToStream('late', [{ type: 'L' }], 'no_stream')())
  assert.equal((await drainUntil(store, paged.next, 1)).events.map(label), ['late@1'])
})

test('a reader never skips an in-flight transaction: it waits for it, then reads it first', async () => {
  const store = await fresh()
  right(await store.appendToStream('before', [{ type: 'B' }], 'no_stream')())
  const seen = await drainUntil(store, START, 1)
  const open = await pool.connect()
  try {
    // T1 appends through the same function the store uses, and stays open.
    await open.query('BEGIN')
    await open.query(`SELECT * FROM "${store.schema}".append_to_stream('slow', 0, '[{"type":"S"}]'::jsonb, NULL, NULL)`)
    // T2 appends and commits meanwhile.
    right(await store.appendToStream('fast', [{ type: 'F' }], 'no_stream')())
    const during = right(await store.readAllPage({ after: seen.next })())
    assert.equal(during.events.map(label), [], 'the committed later transaction was read past the open one')
    assert.equal(during.next, seen.next)
    await open.query('COMMIT')
  } finally {
    open.release()
  }
  const after = await drainUntil(store, seen.next, 2)
  assert.equal(after.events.map(label), ['slow@1', 'fast@1'])
})

test('a transaction that started first but wrote last is not skipped though its position is higher', async () => {
  const store = await fresh()
  const open = await pool.connect()
  let read: FeedEvent<Ev>[] = []
  try {
    await open.query('BEGIN')
    await open.query('SELECT pg_current_xact_id()') // T1 holds an older transaction id
    right(await store.appendToStream('x', [{ type: 'X' }], 'no_stream')()) // T2: newer id, lower position
    const first = await drain(store, START, 10)
    assert.equal(first.events.map(label), [])
    await open.query(`SELECT * FROM "${store.schema}".append_to_stream('y', 0, '[{"type":"Y"}]'::jsonb, NULL, NULL)`) // higher position
    await open.query('COMMIT')
    read = (await drainUntil(store, first.next, 2)).events
  } finally {
    open.release()
  }
  assert.equal(read.map(label), ['y@1', 'x@1'])
  const [y, x] = read as [FeedEvent<Ev>, FeedEvent<Ev>]
  // Ordered by transaction: y first though its position is higher. A position-only cursor after y
  // would have skipped x.
  assert.ok(y.position > x.position && y.transactionId < x.transactionId)
  assert.equal(right(await store.readAllPage({ after: { transactionId: y.transactionId, position: y.position } })()).events.map(label), ['x@1'])
})

test("readAll({ after: position }) is the same feed: paging by the last event's position never skips an older transaction that committed later", async () => {
  const store = await fresh()
  right(await store.appendToStream('before', [{ type: 'B' }], 'no_stream')())
  const seen = right(await store.readAll({ after: 0, limit: 10 })())
  assert.equal(seen.map(label), ['before@1'])
  const checkpoint = (seen[0] as FeedEvent<Ev>).position
  const open = await pool.connect()
  let read: FeedEvent<Ev>[] = []
  try {
    await open.query('BEGIN')
    await open.query('SELECT pg_current_xact_id()') // T1 holds an older transaction id
    right(await store.appendToStream('x', [{ type: 'X' }], 'no_stream')()) // T2: newer id, lower position
    assert.equal(right(await store.readAll({ after: checkpoint, limit: 10 })()), [], 'read past a transaction still in flight')
    await open.query(`SELECT * FROM "${store.schema}".append_to_stream('y', 0, '[{"type":"Y"}]'::jsonb, NULL, NULL)`) // higher position
    await open.query('COMMIT')
    const deadline = Date.now() + 10_000
    while (read.length < 2 && Date.now() < deadline) {
      read = [...right(await store.readAll({ after: checkpoint, limit: 1 })())]
      const first = read[0]
      if (first !== undefined) read.push(...right(await store.readAll({ after: first.position, limit: 10 })()))
      else await new Promise((r) => setTimeout(r, 20))
    }
  } finally {
    open.release()
  }
  // One event a page: after y (the higher position), x is still read.
  assert.equal(read.map(label), ['y@1', 'x@1'])
  const [y, x] = read as [FeedEvent<Ev>, FeedEvent<Ev>]
  assert.ok(y.position > x.position)
  assert.equal(right(await store.readAll({ after: x.position })()), [])
  assert.equal(right(await store.readAll({ after: y.position })()).map(label), ['x@1'])
  // readAllPage reads the same feed.
  const page = right(await store.readAllPage({ after: { transactionId: y.transactionId, position: y.position } })())
  assert.equal(page.events, [x])
})

test('head is the position of the last event a paged readAll returns (0 for an empty store), in feed order', async () => {
  const store = await fresh()
  assert.is(right(await store.head()()), 0)
  assert.equal(right(await store.readAll({ after: 0 })()), [])
  right(await store.appendToStream('a', [{ type: 'A1' }, { type: 'A2' }], 'no_stream')())
  right(await store.record('b', { expectedVersion: 0, events: [{ type: 'B1' }, { type: 'B2' }] })())
  const fed = await drainUntil(store, START, 4)
  const last = fed.events[fed.events.length - 1] as FeedEvent<Ev>
  assert.is(right(await store.head()()), last.position)
  assert.equal(right(await store.readAll({ after: right(await store.head()()) })()), [])
  // Feed order, not the highest position: T1 takes the older transaction id, T2 appends (a lower
  // position) and commits, then T1 appends (a higher position) and commits. T2's event is last.
  const open = await pool.connect()
  try {
    await open.query('BEGIN')
    await open.query('SELECT pg_current_xact_id()')
    right(await store.appendToStream('t2', [{ type: 'T2' }], 'no_stream')())
    await open.query(`SELECT * FROM "${store.schema}".append_to_stream('t1', 0, '[{"type":"T1"}]'::jsonb, NULL, NULL)`)
    await open.query('COMMIT')
  } finally {
    open.release()
  }
  const all = (await drainUntil(store, START, 6)).events
  assert.equal(all.slice(4).map(label), ['t1@1', 't2@1'])
  const [t1, t2] = all.slice(4) as [FeedEvent<Ev>, FeedEvent<Ev>]
  assert.ok(t1.position > t2.position)
  assert.is(right(await store.head()()), t2.position)
  assert.equal(right(await store.readAll({ after: t2.position })()), [])
})

test('with a transaction in flight, a later committed event is in neither head nor readAll({ after: head }) until the first commits', async () => {
  const store = await fresh()
  right(await store.appendToStream('before', [{ type: 'B' }], 'no_stream')())
  const before = right(await store.head()())
  assert.is(before, (right(await store.readAll()())[0] as FeedEvent<Ev>).position)
  const open = await pool.connect()
  try {
    // T1 appends through the same function the store uses, and stays open.
    await open.query('BEGIN')
    await open.query(`SELECT * FROM "${store.schema}".append_to_stream('slow', 0, '[{"type":"S"}]'::jsonb, NULL, NULL)`)
    // T2 appends and commits meanwhile.
    right(await store.appendToStream('fast', [{ type: 'F' }], 'no_stream')())
    assert.is(right(await store.head()()), before, 'head moved past a transaction still in flight')
    assert.equal(right(await store.readAll({ after: before })()), [])
    await open.query('COMMIT')
  } finally {
    open.release()
  }
  const after = (await drainUntil(store, START, 3)).events
  assert.equal(after.map(label), ['before@1', 'slow@1', 'fast@1'])
  assert.equal(right(await store.readAll({ after: before })()).map(label), ['slow@1', 'fast@1'])
  assert.is(right(await store.head()()), (after[2] as FeedEvent<Ev>).position)
})

test('readAll() orders transaction ids as numbers, not as text (99 before 100)', async () => {
  const store = await fresh()
  // Rows as two long-finished transactions wrote them (ids below any the server hands out now).
  await pool.query(
    `INSERT INTO "${store.schema}".events (transaction_id, stream, version, data) VALUES ('100', 'later', 1, '{"type":"L"}'), ('99', 'earlier', 1, '{"type":"E"}')`,
  )
  assert.equal(right(await store.readAll()()).map(label), ['earlier@1', 'later@1'])
  assert.equal(right(await store.readAll({ after: 0 })()).map(label), ['earlier@1', 'later@1'])
})

test('readAll after a position no event has is a StoreFailure that says so', async () => {
  const store = await fresh()
  right(await store.appendToStream('s', [{ type: 'E' }], 'no_stream')())
  const [only] = right(await store.readAll()())
  const missing = (only as FeedEvent<Ev>).position + 1000
  const failed = await store.readAll({ after: missing, limit: 5 })()
  assert.ok(E.isLeft(failed) && failed.left._tag === 'StoreFailure' && failed.left.message.includes(`position ${missing}`), JSON.stringify(failed))
})

test('concurrent writers from four pools: the feed holds every event once, each stream in version order', async () => {
  const schema = await db.schema()
  const writers = Array.from({ length: 4 }, () => createPostgresEventStore<Ev>({ pool: db.pool({ max: 3 }), schema }))
  const streams = ['p', 'q', 'r']
  const perWriter = 40
  let conflicts = 0
  await Promise.all(
    writers.map(async (store, w) => {
      for (let i = 0; i < perWriter; i++) {
        const stream = streams[(i + w) % streams.length] as string
        for (;;) {
          const state = right(await store.readState(stream)())
          const r = await store.record(stream, {
            expectedVersion: state.version,
            events: [
              { type: `w${w}`, n: i },
              { type: `w${w}`, n: i },
            ],
          })()
          if (E.isRight(r)) break
          assert.is(r.left._tag, 'VersionConflict')
          conflicts++
        }
      }
    }),
  )
  const reader = createPostgresEventStore<Ev>({ pool, schema })
  const fed = await drainUntil(reader, START, writers.length * perWriter * 2)
  assert.is(fed.events.length, writers.length * perWriter * 2)
  assert.is(new Set(fed.events.map(label)).size, fed.events.length)
  for (const stream of streams) {
    const versions = fed.events.filter((e) => e.stream === stream).map((e) => e.version)
    assert.equal(
      versions,
      Array.from({ length: versions.length }, (_, i) => i + 1),
      `${stream} out of version order in the feed`,
    )
  }
  assert.equal(fed.events.map(label), right(await reader.readAll()()).map(label))
  assert.ok(conflicts > 0, 'the writers never conflicted: the test does not race')
})

test('readStream pages by version: after and limit, with the current version each time', async () => {
  const store = await fresh()
  right(
    await store.appendToStream(
      's',
      Array.from({ length: 12 }, (_, n) => ({ type: 'E', n })),
      'no_stream',
    )(),
  )
  assert.equal(right(await store.readStream('s', { after: 0, limit: 5 })()), { version: 12, events: [0, 1, 2, 3, 4].map((n) => ({ type: 'E', n })) })
  assert.equal(right(await store.readStream('s', { after: 10 })()), { version: 12, events: [10, 11].map((n) => ({ type: 'E', n })) })
  assert.equal(right(await store.readStream('s', { after: 12, limit: 5 })()), { version: 12, events: [] })
  assert.equal(right(await store.readStream('s', { after: 50 })()), { version: 12, events: [] })
  assert.equal(right(await store.readStream('none', { after: 3, limit: 2 })()), { version: 0, events: [] })
  const pages: number[] = []
  for (let after = 0; ; ) {
    const page = right(await store.readStream('s', { after, limit: 5 })())
    if (page.events.length === 0) break
    pages.push(page.events.length)
    after += page.events.length
  }
  assert.equal(pages, [5, 5, 2])
})

test('events are stored with their type and as the codec encodes them', async () => {
  const store = await fresh()
  right(await store.appendToStream('s', [{ type: 'TransactionReceived', n: 1 }], 'no_stream')())
  const untyped = createPostgresEventStore<unknown>({ pool, schema: store.schema })
  right(await untyped.appendToStream('u', [[1, 2, 3], 'text', { type: 7 }], 'no_stream')())
  const { rows } = await pool.query(`SELECT stream, version::int AS version, type, data FROM "${store.schema}".events ORDER BY global_position`)
  assert.equal(rows, [
    { stream: 's', version: 1, type: 'TransactionReceived', data: { type: 'TransactionReceived', n: 1 } },
    { stream: 'u', version: 1, type: null, data: [1, 2, 3] },
    { stream: 'u', version: 2, type: null, data: 'text' },
    { stream: 'u', version: 3, type: null, data: { type: 7 } },
  ])
  assert.equal(right(await untyped.readStream('u')()), { version: 3, events: [[1, 2, 3], 'text', { type: 7 }] })
})

test('bad paging arguments are refused at once', async () => {
  const store = await fresh()
  assert.throws(() => store.readAllPage({ limit: 0 }), TypeError)
  assert.throws(() => store.readAllPage({ limit: 10_001 }), TypeError)
  assert.throws(() => store.readAllPage({ after: { transactionId: -1, position: 0 } }), TypeError)
  assert.throws(() => store.readStream('s', { after: -1 }), TypeError)
  assert.throws(() => store.readStream('s', { limit: 0 }), TypeError)
  assert.throws(() => store.readStream('s', { limit: 10_001 }), TypeError)
  assert.throws(() => store.readAll({ limit: 0 }), TypeError)
  assert.throws(() => store.readAll({ after: -1 }), TypeError)
})

test.run()
