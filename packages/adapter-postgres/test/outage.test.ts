/**
 * When PostgreSQL dies, hangs or holds a lock, on a store made from a connection string: its
 * postmaster SIGKILLed under load and started again on the same data, every process of the server
 * stopped (SIGSTOP: it accepts TCP connections and answers nothing), a row lock never released. Each
 * time every call answers a `StoreFailure` within its bound (none hangs) that says which limit was
 * hit, the pool keeps no more connections than `max`, nothing is half-written, and the SAME store
 * works again once the database does. Also: the statement and connection timeouts come from the
 * options, else from the URL's `statement_timeout` and `connect_timeout`, else the defaults; a
 * consumer's lease is not cut by them, nor is `migrate`.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import type pg from 'pg'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createPostgresEventStore,
  DEFAULT_CONNECTION_TIMEOUT,
  DEFAULT_STATEMENT_TIMEOUT,
  type Lease,
  MIGRATIONS,
  migrate,
  type PostgresEventStore,
  QUERY_TIMEOUT_MARGIN,
} from '../src/index.ts'
import { resolveTimeouts } from '../src/pool.ts'
import { ownPool } from './examples/own-pool.ts'
import { left, right, startDatabase, type TestDatabase } from './support/database.ts'

type Ev = Readonly<{ type: string; id: string }>

let db: TestDatabase
let admin: pg.Pool
/** Every StoreFailure message of this file, checked at the end for the password. */
const messages: string[] = []

test.before(async () => {
  db = await startDatabase()
  admin = db.pool({ max: 4 })
})

test.after(async () => {
  // A test that failed while the server was stopped must not leave `stop` waiting forever.
  if (db.embedded) await db.thaw().catch(() => undefined)
  await db.stop()
})

/** The generous bound of every call in an outage: far above the limits these tests set. */
const BOUND = 10_000

/** Observed timings, printed at the end (for the docs: how long a failing call took). */
const observed: string[] = []

let apps = 0
const appName = () => `bsw-outage-${process.pid}-${++apps}`

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The message of a StoreFailure (kept, to check at the end that none holds the password). */
const failureMessage = (either: E.Either<{ _tag: string }, unknown>): string => {
  const error = left(either)
  assert.is(error._tag, 'StoreFailure', JSON.stringify(error))
  const message = String((error as { message?: unknown }).message)
  messages.push(message)
  return message
}

/** Runs a task and answers what it answered and how long it took. */
const timed = async <A>(task: () => Promise<A>): Promise<Readonly<{ result: A; ms: number }>> => {
  const started = performance.now()
  const result = await task()
  return { result, ms: Math.round(performance.now() - started) }
}

const waitFor = async (what: string, check: () => Promise<boolean> | boolean, ms = BOUND) => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await pause(25)
  }
}

/** Server processes connected for `applicationName` (after the server answers again). */
const backends = async (applicationName: string): Promise<number> =>
  (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rows[0]?.n ??
  -1

const port = (): number => Number(new URL(db.url).port)

/**
 * The TCP connections this process holds open to `port` (sockets not yet closed by Node), by socket
 * inode: those among /proc/self/fd, looked up in /proc/self/net/tcp{,6} by remote port.
 */
const socketsTo = (remotePort: number): Set<string> => {
  const inodes = new Set<string>()
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1]
      if (inode !== undefined) inodes.add(inode)
    } catch {
      // closed meanwhile
    }
  }
  const found = new Set<string>()
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    let text = ''
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/)
      const remote = columns[2]?.split(':')[1]
      const inode = columns[9] ?? ''
      if (remote !== undefined && Number.parseInt(remote, 16) === remotePort && inodes.has(inode)) found.add(inode)
    }
  }
  return found
}

/** How many of the sockets open to `remotePort` now were not open at `before`. */
const newSockets = (remotePort: number, before: ReadonlySet<string>): number =>
  [...socketsTo(remotePort)].filter((inode) => !before.has(inode)).length

/**
 * Reads every event of the schema back and checks that nothing is half-written: each stream's
 * versions run 1, 2, ... without a gap and end at the stream's version, each event id is stored
 * once, and each acknowledged write is there at the version it was acknowledged at.
 */
const checkWhole = async (
  store: PostgresEventStore<Ev>,
  acknowledged: ReadonlyArray<Readonly<{ stream: string; id: string; version: number }>>,
): Promise<number> => {
  const all = right(await store.readAll()())
  const byStream = new Map<string, Array<Readonly<{ version: number; id: string }>>>()
  for (const e of all) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), { version: e.version, id: e.event.id }])
  const ids = new Map<string, string>()
  for (const [stream, events] of byStream) {
    const versions = events.map((e) => e.version).sort((a, b) => a - b)
    assert.equal(
      versions,
      versions.map((_, i) => i + 1),
      `${stream}: versions without gaps`,
    )
    assert.is(right(await store.readState(stream)()).version, versions.length, `${stream}: its row's version`)
    for (const e of events) {
      assert.not.ok(ids.has(e.id), `event ${e.id} stored once`)
      ids.set(e.id, `${stream}@${e.version}`)
    }
  }
  for (const a of acknowledged) assert.is(ids.get(a.id), `${a.stream}@${a.version}`, `acknowledged ${a.id}`)
  return all.length
}

test("README: the own pool's example is test/examples/own-pool.ts", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /<!-- file: test\/examples\/own-pool\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1]
  assert.ok(block, 'README.md shows test/examples/own-pool.ts after a <!-- file: test/examples/own-pool.ts --> line')
  assert.fixture(block ?? '', readFileSync(new URL('./examples/own-pool.ts', import.meta.url), 'utf8').replace(/\n$/, ''))
})

test('URL parameters and options: explicit option, else the URL, else the default; both off with 0', () => {
  const base = 'postgres://app:pw@db.internal:5432/app'
  assert.equal(resolveTimeouts(base, {}), {
    connectionString: base,
    timeouts: {
      connection: DEFAULT_CONNECTION_TIMEOUT,
      statement: DEFAULT_STATEMENT_TIMEOUT,
      query: DEFAULT_STATEMENT_TIMEOUT + QUERY_TIMEOUT_MARGIN,
    },
  })
  assert.equal(resolveTimeouts(`${base}?sslmode=disable&connect_timeout=10&statement_timeout=2500&application_name=x`, {}), {
    connectionString: `${base}?sslmode=disable&application_name=x`,
    timeouts: { connection: 10_000, statement: 2500, query: 3500 },
  })
  assert.equal(resolveTimeouts(`${base}?statement_timeout=2s&connect_timeout=1`, {}).timeouts, { connection: 2000, statement: 2000, query: 3000 })
  assert.equal(resolveTimeouts(`${base}?statement_timeout=1min`, {}).timeouts.statement, 60_000)
  // libpq: 0 or less is no limit; 1 is taken as 2.
  assert.equal(resolveTimeouts(`${base}?connect_timeout=0`, {}).timeouts.connection, 0)
  assert.equal(resolveTimeouts(`${base}?connect_timeout=-3`, {}).timeouts.connection, 0)
  // The options win over the URL.
  assert.equal(
    resolveTimeouts(`${base}?connect_timeout=10&statement_timeout=2500#frag`, { connectionTimeoutMillis: 700, statementTimeoutMillis: 300 }),
    {
      connectionString: `${base}#frag`,
      timeouts: { connection: 700, statement: 300, query: 300 + QUERY_TIMEOUT_MARGIN },
    },
  )
  // 0 turns the statement timeout and the client's query timeout off.
  assert.equal(resolveTimeouts(`${base}?statement_timeout=2500`, { statementTimeoutMillis: 0 }).timeouts, {
    connection: 5000,
    statement: 0,
    query: 0,
  })
  assert.equal(resolveTimeouts(`${base}?statement_timeout=0`, {}).timeouts, { connection: 5000, statement: 0, query: 0 })
  // Encoded names and values are read as pg reads them; anything else is kept byte for byte.
  assert.equal(resolveTimeouts(`${base}?options=-c%20search_path%3Dx&statement%5Ftimeout=%31%30`, {}), {
    connectionString: `${base}?options=-c%20search_path%3Dx`,
    timeouts: { connection: 5000, statement: 10, query: 1010 },
  })
  // Not a URL: nothing to read from it.
  assert.equal(resolveTimeouts('host=db password=a?b', {}).connectionString, 'host=db password=a?b')
})

test('bad timeouts are refused at once, without the password; migrate answers a StoreFailure', async () => {
  const url = 'postgres://app:hunter2-secret@127.0.0.1:1/app'
  for (const [options, pattern] of [
    [{ connectionString: `${url}?statement_timeout=soon` }, /statement_timeout is milliseconds/],
    [{ connectionString: `${url}?statement_timeout=5parsecs` }, /statement_timeout is milliseconds/],
    [{ connectionString: `${url}?connect_timeout=1.5` }, /connect_timeout is whole seconds/],
    [{ connectionString: url, statementTimeoutMillis: -1 }, /statementTimeoutMillis is a whole number/],
    [{ connectionString: url, statementTimeoutMillis: 2 ** 31 }, /statementTimeoutMillis is a whole number/],
    [{ connectionString: url, connectionTimeoutMillis: 1.5 }, /connectionTimeoutMillis is a whole number/],
    [{ connectionString: url, connectionTimeoutMillis: Number.NaN }, /connectionTimeoutMillis is a whole number/],
  ] as const) {
    let thrown: unknown
    try {
      createPostgresEventStore<Ev>(options)
    } catch (error) {
      thrown = error
    }
    assert.instance(thrown, TypeError, JSON.stringify(options))
    assert.match((thrown as Error).message, pattern)
    assert.not.match((thrown as Error).message, /hunter2-secret/)
  }
  const migrated = failureMessage(await migrate(`${url}?connect_timeout=soon`)())
  assert.match(migrated, /connect_timeout is whole seconds/)
  assert.not.match(migrated, /hunter2-secret/)
})

test('the statement timeout reaches the server: default 5 s, the URL, the option over the URL, 0; other URL parameters kept', async () => {
  const schema = await db.schema()
  let probe = 0
  /** What `SHOW setting` says on a connection of a store made with `options`, through a checkpoint's work. */
  const show = async (url: string, setting: string, options: Readonly<{ statementTimeoutMillis?: number }> = {}): Promise<string> => {
    const store = createPostgresEventStore<Ev>({ connectionString: url, schema, ...options })
    let seen = ''
    right(
      await store.checkpoints.advance(`probe-${++probe}`, undefined, 1, async (tx) => {
        seen = String((await tx.query(`SHOW ${setting}`)).rows[0]?.[setting])
      })(),
    )
    right(await store.close()())
    return seen
  }
  assert.is(await show(db.url, 'statement_timeout'), '5s')
  assert.is(await show(`${db.url}?statement_timeout=300`, 'statement_timeout'), '300ms')
  assert.is(await show(`${db.url}?statement_timeout=2s`, 'statement_timeout'), '2s')
  assert.is(await show(`${db.url}?statement_timeout=300`, 'statement_timeout', { statementTimeoutMillis: 1500 }), '1500ms')
  assert.is(await show(`${db.url}?statement_timeout=300`, 'statement_timeout', { statementTimeoutMillis: 0 }), '0')
  assert.is(await show(`${db.url}?application_name=kept-param&statement_timeout=300`, 'application_name'), 'kept-param')

  // And it cuts a statement that runs longer: the work fails, nothing is saved.
  const store = createPostgresEventStore<Ev>({ connectionString: `${db.url}?statement_timeout=300`, schema })
  const { result, ms } = await timed(() => store.checkpoints.advance('sleepy', undefined, 1, (tx) => tx.query('SELECT pg_sleep(2)').then(() => {}))())
  const failed = left(result)
  assert.is(failed._tag, 'WorkFailed')
  assert.is(failed._tag === 'WorkFailed' ? (failed.error as { code?: unknown }).code : undefined, '57014')
  assert.ok(ms < 1900, `cut after ${ms} ms`)
  assert.is(right(await store.checkpoints.read('sleepy')()), undefined)
  right(await store.close()())
})

test('the connection timeout: the URL connect_timeout, the option over it; a server that accepts and never answers', async () => {
  const held: Socket[] = []
  const silent = createServer((socket) => {
    held.push(socket)
  })
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
  const address = silent.address()
  const silentPort = typeof address === 'object' && address !== null ? address.port : 0
  const url = `postgres://app:hunter2-secret@127.0.0.1:${silentPort}/app`
  try {
    const fromUrl = createPostgresEventStore<Ev>({ connectionString: `${url}?connect_timeout=2` })
    const a = await timed(() => fromUrl.readState('L')())
    assert.match(failureMessage(a.result), /no connection to PostgreSQL could be opened within 2 s \(connection timeout\)/)
    assert.ok(a.ms >= 1900 && a.ms < 4500, `${a.ms} ms`)
    right(await fromUrl.close()())
    const fromOption = createPostgresEventStore<Ev>({ connectionString: `${url}?connect_timeout=2`, connectionTimeoutMillis: 300 })
    const b = await timed(() => fromOption.readState('L')())
    assert.match(failureMessage(b.result), /within 300 ms \(connection timeout\)/)
    assert.ok(b.ms >= 250 && b.ms < 1900, `${b.ms} ms`)
    // A lease's connection too.
    const c = await timed(() =>
      fromOption.checkpoints.acquire('orders').then(
        () => 'held',
        (error: Error) => error.message,
      ),
    )
    assert.match(
      c.result,
      /claiming consumer 'orders' \(connecting\) failed: no connection to PostgreSQL could be opened within 300 ms \(connection timeout\)/,
    )
    assert.not.match(c.result, /hunter2-secret/)
    assert.ok(c.ms < 1900, `${c.ms} ms`)
    right(await fromOption.close()())
  } finally {
    for (const socket of held) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  }
})

test('a pooler that refuses the statement_timeout startup parameter (PgBouncer by default): a StoreFailure that says what to do', async () => {
  // Answers every startup message as PgBouncer does: an ErrorResponse, FATAL 08P01.
  const fields = ['SFATAL', 'VFATAL', 'C08P01', 'Munsupported startup parameter: statement_timeout'].map((f) => Buffer.from(`${f}\0`))
  const body = Buffer.concat([...fields, Buffer.from([0])])
  const refusal = Buffer.concat([Buffer.from('E'), Buffer.from([0, 0, 0, 0]), body])
  refusal.writeInt32BE(4 + body.length, 1)
  const pooler = createServer((socket) => {
    socket.once('data', () => socket.end(refusal))
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => pooler.listen(0, '127.0.0.1', () => resolve()))
  const address = pooler.address()
  const poolerPort = typeof address === 'object' && address !== null ? address.port : 0
  try {
    const store = createPostgresEventStore<Ev>({ connectionString: `postgres://app:hunter2-secret@127.0.0.1:${poolerPort}/app` })
    const message = failureMessage(await store.readState('L')())
    assert.match(
      message,
      /refuses a session setting the store sends when it connects: .*ignore_startup_parameters = statement_timeout.*statementTimeoutMillis: 0/,
    )
    assert.match(message, /unsupported startup parameter: statement_timeout \[08P01\]$/)
    assert.not.match(message, /hunter2-secret/)
    right(await store.close()())
  } finally {
    await new Promise((resolve) => pooler.close(resolve))
  }
})

test('a lock never released: the write answers a StoreFailure naming the statement timeout; other streams go on; nothing half-written', async () => {
  const schema = await db.schema()
  const store = createPostgresEventStore<Ev>({ connectionString: db.url, schema, statementTimeoutMillis: 700, connectionTimeoutMillis: 1000, max: 3 })
  const acknowledged: Array<Readonly<{ stream: string; id: string; version: number }>> = []
  for (const stream of ['L', 'M']) {
    right(await store.record(stream, { expectedVersion: 0, events: [{ type: 'A', id: `${stream}1` }], claim: `${stream}1` })())
    acknowledged.push({ stream, id: `${stream}1`, version: 1 })
  }
  const blocker = await admin.connect()
  try {
    await blocker.query('BEGIN')
    await blocker.query(`SELECT 1 FROM "${schema}".streams WHERE stream = 'L' FOR UPDATE`)
    const blocked = timed(() => store.record('L', { expectedVersion: 1, events: [{ type: 'A', id: 'L2' }], state: { n: 2 }, claim: 'L2' })())
    const appended = timed(() => store.appendToStream('L', [{ type: 'A', id: 'L2-plain' }], 1)())
    // Another stream is not held up (the lock is on L's row only).
    const other = await timed(() => store.record('M', { expectedVersion: 1, events: [{ type: 'A', id: 'M2' }], claim: 'M2' })())
    assert.is(right(other.result).nextVersion, 2)
    acknowledged.push({ stream: 'M', id: 'M2', version: 2 })
    const { result, ms } = await blocked
    const message = failureMessage(result)
    assert.match(message, /^PostgreSQL store: writing to L failed: a statement ran over the statement timeout \(700 ms\), maybe waiting for a lock/)
    assert.match(message, /\[57014\]$/)
    assert.ok(ms >= 600 && ms < BOUND, `${ms} ms`)
    assert.ok(other.ms < ms, `M took ${other.ms} ms while L waited`)
    // The append queued behind it on L waits its own turn on the lock and fails the same way.
    const plain = await appended
    assert.match(failureMessage(plain.result), /statement timeout \(700 ms\)/)
    observed.push(
      `lock held: record failed after ${ms} ms (statement timeout 700 ms); the append queued behind it after ${plain.ms} ms; another stream took ${other.ms} ms meanwhile`,
    )
    assert.is(right(await store.keyOwner('L2')()), undefined)
    assert.equal(right(await store.readState('L')()), { version: 1, state: undefined, stateVersion: 0, duplicates: 0 })
  } finally {
    await blocker.query('ROLLBACK').catch(() => undefined)
    blocker.release()
  }
  // Released: the same write succeeds.
  assert.is(right(await store.record('L', { expectedVersion: 1, events: [{ type: 'A', id: 'L2' }], state: { n: 2 }, claim: 'L2' })()).nextVersion, 2)
  acknowledged.push({ stream: 'L', id: 'L2', version: 2 })
  assert.is(await checkWhole(store, acknowledged), 4)

  // On your pool with the README's settings, the same, and the message says how long too.
  const mine = ownPool(db.url, 400)
  const onMine = createPostgresEventStore<Ev>({ pool: mine, schema })
  const again = await admin.connect()
  try {
    await again.query('BEGIN')
    await again.query(`LOCK TABLE "${schema}".streams IN EXCLUSIVE MODE`)
    assert.match(failureMessage(await onMine.appendToStream('M', [{ type: 'A', id: 'M3' }], 2)()), /statement timeout \(400 ms\).*\[57014\]$/)
  } finally {
    await again.query('ROLLBACK').catch(() => undefined)
    again.release()
  }
  assert.is(right(await onMine.appendToStream('M', [{ type: 'A', id: 'M3' }], 2)()).nextVersion, 3)
  right(await onMine.close()())
  await mine.end()
  right(await store.close()())
})

test('SIGKILLed under load: every call in the outage answers a StoreFailure at once, and the same store records again after the restart', async () => {
  if (!db.embedded) {
    console.log('  (skipped: killing the server needs the embedded PostgreSQL; DATABASE_URL is set)')
    return
  }
  const schema = await db.schema()
  const store = createPostgresEventStore<Ev>({
    connectionString: db.url,
    schema,
    statementTimeoutMillis: 1000,
    connectionTimeoutMillis: 1000,
    max: 4,
  })
  const WRITERS = 6
  const acknowledged: Array<Readonly<{ stream: string; id: string; version: number }>> = []
  const calls: Array<Readonly<{ ms: number; ok: boolean; at: number }>> = []
  const inFlight = new Map<number, number>()
  let callIds = 0
  let stop = false
  let restartedAt = Number.POSITIVE_INFINITY
  let firstAfterRestart: number | undefined
  const acksAfterRestart = new Array<number>(WRITERS).fill(0)
  const call = async <A>(task: () => Promise<E.Either<{ _tag: string }, A>>): Promise<E.Either<{ _tag: string }, A>> => {
    const id = ++callIds
    const started = performance.now()
    inFlight.set(id, started)
    const result = await task()
    inFlight.delete(id)
    calls.push({ ms: Math.round(performance.now() - started), ok: E.isRight(result), at: started })
    if (E.isLeft(result) && result.left._tag === 'StoreFailure') failureMessage(result)
    return result
  }
  /** Writer w: records (even w, claiming a key) or appends (odd w) to its stream, one at a time, at the version it knows. */
  const writer = async (w: number): Promise<void> => {
    const stream = `ledger-${w}`
    let version: number | undefined = 0
    for (let n = 1; !stop; n++) {
      if (version === undefined) {
        const read = await call(() => store.readState(stream)())
        if (E.isLeft(read)) {
          await pause(20)
          continue
        }
        version = read.right.version
      }
      const id = `${stream}-${n}`
      const written: E.Either<{ _tag: string }, Readonly<{ nextVersion: number }>> = w % 2 === 0
        ? await call(() => store.record(stream, { expectedVersion: version ?? 0, events: [{ type: 'A', id }], state: { last: id }, claim: id })())
        : await call(() => store.appendToStream(stream, [{ type: 'A', id }], version ?? 0)())
      if (E.isRight(written)) {
        version = written.right.nextVersion
        acknowledged.push({ stream, id, version })
        if (performance.now() >= restartedAt) {
          firstAfterRestart ??= performance.now() - restartedAt
          acksAfterRestart[w] = (acksAfterRestart[w] ?? 0) + 1
        }
      } else {
        // A StoreFailure (the write may still have committed) or a VersionConflict after one that did.
        version = undefined
        if (written.left._tag === 'StoreFailure') await pause(20)
      }
    }
  }
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w))
  await waitFor('writes before the kill', () => acknowledged.length >= 60)
  const killStarted = performance.now()
  await db.kill()
  const killedAt = performance.now()
  await pause(1500)
  // Nothing waits in the store for long while the server is down.
  const oldest = Math.min(...inFlight.values())
  assert.ok(inFlight.size === 0 || performance.now() - oldest < BOUND, `a call pending for ${Math.round(performance.now() - oldest)} ms`)
  const restartStarted = performance.now()
  await db.restart()
  restartedAt = performance.now()
  await waitFor('every writer to write again after the restart', () => acksAfterRestart.every((n) => n >= 3), 30_000)
  stop = true
  await Promise.all(writers)

  const outage = calls.filter((c) => c.at >= killStarted && c.at < restartedAt)
  assert.ok(outage.length > 0, 'calls were made during the outage')
  for (const c of calls) assert.ok(c.ms < BOUND, `a call took ${c.ms} ms`)
  const failed = outage.filter((c) => !c.ok)
  assert.ok(failed.length > 0, 'calls failed during the outage')
  const worst = Math.max(...failed.map((c) => c.ms))
  const afterKill = failed.filter((c) => c.at >= killedAt && c.at < restartStarted)
  const worstAfterKill = afterKill.length === 0 ? 0 : Math.max(...afterKill.map((c) => c.ms))
  assert.ok(worstAfterKill < 1000, `a call made while the server was down took ${worstAfterKill} ms`)
  const total = await checkWhole(store, acknowledged)
  observed.push(
    `kill under load (${WRITERS} writers, max 4 connections): kill() took ${Math.round(killedAt - killStarted)} ms; ${failed.length} calls failed during the outage, ` +
      `the slowest in ${worst} ms (${worstAfterKill} ms once the server was gone); restart() took ${Math.round(restartedAt - restartStarted)} ms; ` +
      `first write acknowledged ${Math.round(firstAfterRestart ?? -1)} ms after it; ${acknowledged.length} writes acknowledged, ${total} events stored`,
  )
  right(await store.close()())
})

test('a frozen server: calls answer a StoreFailure within the bound, new connections time out, the pool keeps at most max, and the same store works after thawing', async () => {
  if (!db.embedded) {
    console.log('  (skipped: freezing the server needs the embedded PostgreSQL; DATABASE_URL is set)')
    return
  }
  const schema = await db.schema()
  const app = appName()
  const max = 3
  const acknowledged: Array<Readonly<{ stream: string; id: string; version: number }>> = []
  // Your pool with the README's settings, beside it.
  const mine = ownPool(db.url, 300)
  const onMine = createPostgresEventStore<Ev>({ pool: mine, schema })
  right(await onMine.appendToStream('mine', [{ type: 'A', id: 'mine-0' }], 'no_stream')())
  acknowledged.push({ stream: 'mine', id: 'mine-0', version: 1 })
  // Sockets of other pools (the test's own, yours) are left out of the counts below.
  const baseline = socketsTo(port())
  const store = createPostgresEventStore<Ev>({
    connectionString: db.url,
    schema,
    applicationName: app,
    statementTimeoutMillis: 500,
    connectionTimeoutMillis: 1000,
    max,
  })
  // Every connection of the pool open and idle.
  for (const r of await Promise.all([0, 1, 2].map((i) => store.appendToStream(`s${i}`, [{ type: 'A', id: `s${i}-0` }], 'no_stream')()))) {
    assert.is(right(r).nextVersion, 1)
  }
  for (const i of [0, 1, 2]) acknowledged.push({ stream: `s${i}`, id: `s${i}-0`, version: 1 })
  assert.is(newSockets(port(), baseline), max)
  let most = 0
  const sampler = setInterval(() => {
    most = Math.max(most, newSockets(port(), baseline))
  }, 20)
  const timings: number[] = []
  const kinds = new Set<string>()
  await db.freeze()
  try {
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((i) => timed(() => store.appendToStream(`s${i}`, [{ type: 'A', id: `s${i}-r${round}` }], 'any')())),
      )
      for (const { result, ms } of results) {
        const message = failureMessage(result)
        timings.push(ms)
        assert.ok(ms < BOUND, `${ms} ms`)
        if (/within 1\.5 s \(query timeout\)/.test(message)) kinds.add('query timeout')
        else if (/no connection to PostgreSQL could be opened within 1 s \(connection timeout\)/.test(message)) kinds.add('connection timeout')
        else if (/no connection of the pool was ready within 1 s \(connection timeout\): all 3 of its connections were busy/.test(message))
          kinds.add('pool busy')
        else assert.unreachable(message)
      }
    }
    // No connection answers: a new one is tried (or one still being tried is waited for) and times out.
    const read = await timed(() => store.readState('s0')())
    assert.match(failureMessage(read.result), /^PostgreSQL store: reading the state of s0 failed: no connection .*within 1 s \(connection timeout\)/)
    timings.push(read.ms)
    // A consumer's lease cannot be taken either, and says so in time.
    const claim = await timed(() =>
      store.checkpoints.acquire('orders').then(
        () => 'held',
        (error: Error) => error.message,
      ),
    )
    assert.match(claim.result, /connection timeout/)
    assert.ok(claim.ms < BOUND, `${claim.ms} ms`)
    // Your pool with the README's settings: the same bound, from its own query_timeout.
    const own = await timed(() => onMine.appendToStream('mine', [{ type: 'A', id: 'mine-frozen' }], 'any')())
    assert.match(failureMessage(own.result), /PostgreSQL did not answer within 1\.3 s \(query timeout\)/)
    assert.ok(own.ms < BOUND, `${own.ms} ms`)
  } finally {
    clearInterval(sampler)
    await db.thaw()
  }
  assert.equal([...kinds].sort(), ['connection timeout', 'pool busy', 'query timeout'])
  assert.ok(most <= max, `the process held ${most} connections to the server at once (max ${max})`)
  // The connections given up on end on the server once it runs again: no more than max stay.
  await waitFor('the abandoned connections to end', async () => (await backends(app)) <= max)
  // The same store works at once, with all its connections.
  const after = await Promise.all(
    [0, 1, 2, 3, 4, 5].map((i) => timed(() => store.appendToStream(`s${i}`, [{ type: 'A', id: `s${i}-after` }], 'any')())),
  )
  after.forEach(({ result }, i) => {
    acknowledged.push({ stream: `s${i}`, id: `s${i}-after`, version: right(result).nextVersion })
  })
  assert.ok((await backends(app)) <= max)
  // Writes given up on during the freeze may have committed after it (never half): each once, versions whole.
  await checkWhole(store, acknowledged)
  observed.push(
    `frozen server (statement timeout 500 ms, so query timeout 1.5 s; connection timeout 1 s; max ${max}): ${timings.length} calls failed in ` +
      `${Math.min(...timings)}–${Math.max(...timings)} ms; at most ${most} connections open at once; after thawing the first writes took ${Math.max(...after.map((a) => a.ms))} ms`,
  )
  right(await onMine.appendToStream('mine', [{ type: 'A', id: 'mine-after' }], 'any')())
  right(await onMine.close()())
  await mine.end()
  right(await store.close()())
  await waitFor('the store to disconnect', async () => (await backends(app)) === 0)
})

test("close on a frozen server: done within the connection timeout (the connections are dropped), a lease's release too", async () => {
  if (!db.embedded) {
    console.log('  (skipped: freezing the server needs the embedded PostgreSQL; DATABASE_URL is set)')
    return
  }
  const schema = await db.schema()
  const app = appName()
  const store = createPostgresEventStore<Ev>({
    connectionString: db.url,
    schema,
    applicationName: app,
    statementTimeoutMillis: 500,
    connectionTimeoutMillis: 1000,
    max: 3,
  })
  await Promise.all([0, 1, 2].map((i) => store.appendToStream(`s${i}`, [{ type: 'A', id: `s${i}` }], 'no_stream')()))
  const lease = await store.checkpoints.acquire('orders')
  const other = await store.checkpoints.acquire('payments')
  await db.freeze()
  const [released, closed] = await Promise.all([timed(() => lease.release()), timed(() => store.close()())]).finally(() => db.thaw())
  assert.ok(E.isRight(closed.result))
  assert.ok(closed.ms < BOUND && released.ms < BOUND, `close ${closed.ms} ms, release ${released.ms} ms`)
  assert.is(await Promise.race([other.lost.then(() => 'lost'), pause(1000).then(() => 'pending')]), 'lost')
  await waitFor('the server to end the dropped connections', async () => (await backends(app)) === 0)
  observed.push(`close on a frozen server (connection timeout 1 s): ${closed.ms} ms; a lease's release ${released.ms} ms`)
})

test("a consumer's checkpoint and lease across a kill: lost, failing fast while down, taken again and moved on after the restart", async () => {
  if (!db.embedded) {
    console.log('  (skipped: killing the server needs the embedded PostgreSQL; DATABASE_URL is set)')
    return
  }
  const schema = await db.schema()
  const store = createPostgresEventStore<Ev>({ connectionString: db.url, schema, statementTimeoutMillis: 1000, connectionTimeoutMillis: 1000 })
  right(
    await store.appendToStream(
      'feed',
      Array.from({ length: 10 }, (_, i) => ({ type: 'A', id: `e${i + 1}` })),
      'no_stream',
    )(),
  )
  right(await store.checkpoints.advance('orders', undefined, 4)())
  const lease: Lease = await store.checkpoints.acquire('orders')
  let lostAt: number | undefined
  void lease.lost.then(() => {
    lostAt = performance.now()
  })
  // The lease is held across statement timeouts: a session lock is not a statement.
  await pause(1500)
  assert.is(lostAt, undefined)
  const killStarted = performance.now()
  await db.kill()
  await waitFor('the lease to be lost', () => lostAt !== undefined)
  const advance = await timed(() => store.checkpoints.advance('orders', 4, 7)())
  assert.match(
    failureMessage(advance.result),
    /moving the checkpoint of consumer 'orders' from 4 to 7 \(connecting\) failed: nothing accepts connections/,
  )
  const read = await timed(() => store.checkpoints.read('orders')())
  failureMessage(read.result)
  const claim = await timed(() =>
    store.checkpoints.acquire('orders').then(
      () => 'held',
      (error: Error) => error.message,
    ),
  )
  assert.match(claim.result, /claiming consumer 'orders' \(connecting\) failed: nothing accepts connections.*\[ECONNREFUSED\]/)
  for (const ms of [advance.ms, read.ms, claim.ms]) assert.ok(ms < 1000, `${ms} ms`)
  await lease.release() // on a dead connection: returns at once
  await db.restart()
  const again = await timed(() => store.checkpoints.acquire('orders'))
  assert.is(right(await store.checkpoints.read('orders')()), 4, 'the checkpoint survived')
  right(await store.checkpoints.advance('orders', 4, 7)())
  assert.is(right(await store.checkpoints.read('orders')()), 7)
  observed.push(
    `consumer across a kill: lease lost ${Math.round((lostAt ?? 0) - killStarted)} ms after the kill began; advance/read/acquire while down failed in ${advance.ms}/${read.ms}/${claim.ms} ms; acquire after the restart took ${again.ms} ms`,
  )
  await again.result.release()
  right(await store.close()())
})

test('migrate is not cut by a statement timeout: it waits for another migration longer than that, with a URL or your pool', async () => {
  const lockHolder = await admin.connect()
  try {
    for (const kind of ['url', 'pool'] as const) {
      const schema = db.schemaName()
      await lockHolder.query('SELECT pg_advisory_lock($1, hashtext($2))', [0x62736b74, schema])
      const pool = kind === 'pool' ? db.pool({ max: 1, statement_timeout: 300 }) : undefined
      const migrating = timed(() => migrate(pool ?? `${db.url}?statement_timeout=300`, { schema })())
      await pause(1200)
      await lockHolder.query('SELECT pg_advisory_unlock($1, hashtext($2))', [0x62736b74, schema])
      const { result, ms } = await migrating
      assert.equal(
        right(result).applied,
        MIGRATIONS.map((m) => m.version),
        kind,
      )
      assert.ok(ms >= 1100, `${kind}: ${ms} ms`)
      // Your pool's connection keeps its own setting.
      if (pool !== undefined) assert.is((await pool.query('SHOW statement_timeout')).rows[0]?.statement_timeout, '300ms')
    }
  } finally {
    lockHolder.release()
  }
})

test('no message of this file holds the password', () => {
  assert.ok(messages.length >= 20, `only ${messages.length} messages were checked`)
  if (db.password !== undefined) for (const m of messages) assert.not.ok(m.includes(db.password), m)
  for (const line of observed) console.log(`  ${line}`)
})

test.run()
