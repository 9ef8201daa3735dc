/**
 * `store.checkpoints.acquire`: one active instance per consumer name, across processes. A second
 * claim waits until the first is released; a holder SIGKILLed is replaced within a few seconds;
 * `lost` resolves when the holding connection is terminated; a signal stops the wait; `close`
 * ends the leases of its store. On a store made from a connection string and on your pool alike.
 */
import type pg from 'pg'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore, type Lease, type PostgresEventStore } from '../src/index.ts'
import { exited, spawnChild, waitForLine } from './support/child.ts'
import { startDatabase, type TestDatabase } from './support/database.ts'

let db: TestDatabase
let admin: pg.Pool

test.before(async () => {
  db = await startDatabase()
  admin = db.pool({ max: 4 })
})

test.after(async () => {
  await db.stop()
})

let apps = 0
const appName = () => `bsw-lease-${process.pid}-${++apps}`

/** A store on a connection string (leases on connections of their own) or on a pool (leases on clients taken out of it). */
const open = async (kind: 'url' | 'pool', schema?: string) => {
  const name = appName()
  const on = schema ?? (await db.schema())
  const store: PostgresEventStore<unknown> =
    kind === 'url'
      ? createPostgresEventStore<unknown>({ connectionString: db.url, schema: on, applicationName: name, max: 2 })
      : createPostgresEventStore<unknown>({ pool: db.pool({ max: 3, application_name: name }), schema: on })
  return { store, applicationName: name }
}

/** How `promise` stands after at most `ms`: 'resolved', 'rejected: <reason>', or 'pending'. */
const within = async (promise: Promise<unknown>, ms: number): Promise<string> => {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise.then(
        () => 'resolved',
        (error: unknown) => `rejected: ${error instanceof Error ? error.message : String(error)}`,
      ),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('pending'), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** The server processes of `applicationName` that hold an advisory lock. */
const holders = async (applicationName: string): Promise<number[]> =>
  (
    await admin.query<{ pid: number }>(
      `SELECT l.pid FROM pg_locks AS l JOIN pg_stat_activity AS a USING (pid)
        WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`,
      [applicationName],
    )
  ).rows.map((r) => r.pid)

for (const kind of ['url', 'pool'] as const) {
  test(`[${kind}] a second acquire of one name waits until the first is released; other names do not wait`, async () => {
    const { store } = await open(kind)
    const first = await store.checkpoints.acquire('orders')
    const second = store.checkpoints.acquire('orders', { retryEvery: 50 })
    assert.is(await within(second, 400), 'pending')
    const other = await store.checkpoints.acquire('payments', { retryEvery: 50 })
    await first.release()
    assert.is(await within(second, 5000), 'resolved')
    await (await second).release()
    await other.release()
    // Released twice: nothing more happens.
    await first.release()
    await store.close()()
  })

  test(`[${kind}] lost resolves when the holding connection is terminated, and the name can be taken again`, async () => {
    const { store, applicationName } = await open(kind)
    const lease = await store.checkpoints.acquire('orders')
    let lost = false
    void lease.lost.then(() => {
      lost = true
    })
    const [pid, ...more] = await holders(applicationName)
    assert.ok(pid !== undefined && more.length === 0, `holders: ${JSON.stringify([pid, ...more])}`)
    await admin.query('SELECT pg_terminate_backend($1)', [pid])
    assert.is(await within(lease.lost, 10_000), 'resolved')
    assert.ok(lost)
    await lease.release()
    const again = await store.checkpoints.acquire('orders', { retryEvery: 50 })
    await again.release()
    await store.close()()
  })

  test(`[${kind}] a released lease is not lost; close ends the leases it handed out and the acquires still waiting`, async () => {
    const { store, applicationName } = await open(kind)
    const released = await store.checkpoints.acquire('released')
    await released.release()
    assert.is(await within(released.lost, 100), 'pending')
    const held = await store.checkpoints.acquire('orders')
    const waiting = store.checkpoints.acquire('orders', { retryEvery: 50 })
    assert.is(await within(waiting, 200), 'pending')
    assert.is(await within(Promise.resolve(store.close()()), 10_000), 'resolved')
    assert.is(await within(held.lost, 1000), 'resolved')
    assert.match(await within(waiting, 1000), /^rejected: .*the store was closed/)
    await held.release()
    // The lease's connection is gone; its server process ends a moment later, and with it the lock.
    const deadline = Date.now() + 5_000
    while ((await holders(applicationName)).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    assert.equal(await holders(applicationName), [])
    // Another store takes the name at once.
    const other = await open(kind, store.schema)
    const lease: Lease = await other.store.checkpoints.acquire('orders', { retryEvery: 50 })
    await lease.release()
    await other.store.close()()
    // A closed store claims nothing.
    assert.match(await within(store.checkpoints.acquire('orders'), 1000), /^rejected: .*closed/)
  })
}

test('a lease on your pool goes back out of it on release, so the pool ends', async () => {
  const schema = await db.schema()
  const mine = db.pool({ max: 2 })
  const store = createPostgresEventStore<unknown>({ pool: mine, schema })
  const lease = await store.checkpoints.acquire('orders')
  await store.close()()
  await lease.lost
  assert.is(await within(mine.end(), 5000), 'resolved')
})

test('a signal stops the wait: acquire rejects with its reason and the waiting connection closes', async () => {
  const { store, applicationName } = await open('url')
  const held = await store.checkpoints.acquire('orders')
  const stop = new AbortController()
  const waiting = store.checkpoints.acquire('orders', { retryEvery: 50, signal: stop.signal })
  assert.is(await within(waiting, 200), 'pending')
  stop.abort(new Error('shutting down'))
  assert.is(await within(waiting, 1000), 'rejected: shutting down')
  const sessions = async () =>
    (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [applicationName])).rows[0]?.n
  const deadline = Date.now() + 10_000
  while ((await sessions()) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  assert.is(await sessions(), 1, 'only the holder stays connected')
  // Aborted already: rejects at once.
  assert.is(await within(store.checkpoints.acquire('orders', { signal: AbortSignal.abort('no') }), 1000), 'rejected: no')
  await held.release()
  await store.close()()
})

test('a holder SIGKILLed: a waiting acquire takes over within a few seconds', async () => {
  const schema = await db.schema()
  const applicationName = appName()
  const child = spawnChild('hold', ['orders'], { url: db.url, schema, applicationName })
  const { store } = await open('url', schema)
  try {
    await waitForLine(child, /^held$/)
    const waiting = store.checkpoints.acquire('orders') // tries again every second, the default
    assert.is(await within(waiting, 1500), 'pending', 'the child holds the name')
    const killedAt = Date.now()
    child.kill('SIGKILL')
    await exited(child)
    assert.is(await within(waiting, 15_000), 'resolved')
    const tookOver = Date.now() - killedAt
    assert.ok(tookOver < 15_000, `took ${tookOver} ms`)
    await (await waiting).release()
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await store.close()()
  }
})

test('a database that cannot be reached: acquire rejects with a StoreFailure message without the password', async () => {
  const url = new URL(db.url)
  url.password = 'wrong-pw-77e1'
  const store = createPostgresEventStore<unknown>({ connectionString: url.toString(), schema: 'banksocket' })
  const result = await within(store.checkpoints.acquire('orders'), 10_000)
  assert.match(result, /^rejected: PostgreSQL store: claiming consumer 'orders' \(connecting\) failed: password authentication failed/)
  assert.not.match(result, /wrong-pw-77e1/)
  await store.close()()
})

test('bad arguments are refused at once', async () => {
  const { store } = await open('url')
  assert.throws(() => store.checkpoints.acquire('../etc'), TypeError)
  for (const retryEvery of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
    assert.throws(() => store.checkpoints.acquire('orders', { retryEvery }), TypeError, String(retryEvery))
  }
  await store.close()()
})

test.run()
