/**
 * A database that hangs, under `banksocket listen --store postgres://…` with its default timeouts:
 * first every process of the server is SIGSTOPped (it accepts TCP connections and answers nothing),
 * then a transaction holds an account's stream row and never lets go. Each delivery must get a
 * bounded answer (5xx) instead of hanging, other accounts go on past a held lock, the pool must not
 * grow past its size, and after the database answers again Banksocket's retries leave every
 * notification recorded exactly once, every chain whole, in the same process.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startDatabase, type TestDatabase } from '../../packages/test-support/src/postgres.ts'
import { type Attempt, chains, type Delivery, postOnce, runCli, SECRET, sendLikeBanksocket, startCli, waitUntil } from './support/fleet.ts'

/** The receiver's answers must come within the statement or connection timeout (5 s each by default) and some slack. */
const BOUND_MS = 15_000

let db: TestDatabase
let listen: ReturnType<typeof startCli>
let url = ''

test.before(async () => {
  db = await startDatabase()
  assert.ok(db.embedded, 'the fault suite freezes its own PostgreSQL: run it without DATABASE_URL')
  const migrated = runCli(['migrate', '--store', db.url])
  assert.is(migrated.code, 0, migrated.stderr)
  listen = startCli(['listen', '--port', '0', '--secret', SECRET, '--store', db.url])
  url = String((await listen.line('listening'))['url'])
})

test.after(async () => {
  listen?.child.kill('SIGKILL')
  await db?.thaw().catch(() => undefined)
  await db?.stop()
})

/** The stored transactions listen printed for `account`, as balances. */
const printedBalances = (account: string) =>
  listen
    .stdout()
    .filter((l) => l['type'] === 'transaction' && l['accountId'] === account)
    .map((l) => l['balance'])

const checkRecordedOnce = (accounts: ReadonlyArray<string>, deliveries: ReadonlyArray<ReadonlyArray<Delivery>>) => {
  for (const [i, account] of accounts.entries()) {
    assert.equal(
      printedBalances(account),
      deliveries[i]?.map((d) => d.balance),
      `account ${account}: each notification once, in chain order`,
    )
  }
  const keys = listen
    .stdout()
    .filter((l) => l['type'] === 'transaction')
    .map((l) => l['idempotencyKey'])
  assert.is(new Set(keys).size, keys.length, 'no transaction printed twice')
  assert.not.ok(
    listen.stdout().some((l) => l['type'] === 'transaction' && l['gap'] !== null && l['gap'] !== undefined),
    'no balance gap',
  )
}

/** Connections of the receiver's pool, as the server counts them. */
const receiverConnections = async (): Promise<number> => {
  const pool = db.pool({ max: 1 })
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'banksocket-webhooks'`)
  await pool.end()
  return Number(rows[0]?.['n'])
}

test('a frozen server: every delivery answered 5xx within the timeouts, none hangs; after it thaws the same process records each notification once', async () => {
  const accounts = ['301', '302', '303', '304']
  const deliveries = await chains('postgres-frozen', accounts, 40)
  let acknowledged = 0
  let frozen = false
  const during: Attempt[] = []
  const sending = sendLikeBanksocket(
    () => url,
    deliveries,
    (a) => {
      if (a.status === 200) acknowledged++
      if (frozen) during.push(a)
    },
    20,
  )
  await waitUntil('a third acknowledged', () => acknowledged >= 50)
  await db.freeze()
  frozen = true
  await waitUntil('the frozen server answered', () => during.filter((a) => a.status !== 200).length >= 8, 60_000)
  await db.thaw()
  frozen = false
  const attempts = (await sending).flat()

  assert.not.ok(listen.done(), listen.stderrText())
  const failed = attempts.filter((a) => a.status !== 200)
  for (const a of failed) assert.ok(a.status >= 500 && a.status < 600, `answered ${a.status} ${a.body} while frozen`)
  const slowest = Math.max(...attempts.map((a) => a.ms))
  assert.ok(slowest < BOUND_MS, `the slowest answer took ${slowest} ms`)
  checkRecordedOnce(accounts, deliveries)
  const connections = await receiverConnections()
  assert.ok(connections <= 10, `the receiver holds ${connections} connections, more than its pool's 10`)
  console.log(`faults: frozen server: ${failed.length} attempts answered 5xx, slowest answer ${slowest} ms, ${connections} connections after`)
})

test('a lock never released: the locked account is answered 5xx within the statement timeout, other accounts go on; after the lock goes, each notification once', async () => {
  const accounts = ['401', '402']
  const [locked = [], free = []] = await chains('postgres-locked', accounts, 12)
  // Each account's first notification creates its stream row.
  for (const first of [locked[0], free[0]]) if (first !== undefined) assert.is((await postOnce(url, first)).status, 200)

  const holder = db.pool({ max: 1 })
  const client = await holder.connect()
  try {
    await client.query('BEGIN')
    const held = await client.query(`SELECT stream FROM banksocket.streams WHERE stream LIKE 'ledger-401-%' FOR UPDATE`)
    assert.is(held.rowCount, 1)

    const lockedAnswers: Attempt[] = []
    const lockedSending = sendLikeBanksocket(
      () => url,
      [locked.slice(1)],
      (a) => void lockedAnswers.push(a),
      20,
    )
    // The other account is not held up by the lock.
    const freeAttempts = (
      await sendLikeBanksocket(
        () => url,
        [free.slice(1)],
        () => {},
        20,
      )
    ).flat()
    assert.ok(
      freeAttempts.every((a) => a.status === 200),
      'the unlocked account is answered 200 while the other is locked',
    )
    await waitUntil('the locked account answered 5xx', () => lockedAnswers.length >= 2, 30_000)
    for (const a of lockedAnswers) assert.ok(a.status >= 500 && a.status < 600, `answered ${a.status} ${a.body} while locked`)
    assert.ok(Math.max(...lockedAnswers.map((a) => a.ms)) < BOUND_MS)
    assert.ok(
      listen.stderr().some((l) => l['type'] === 'error' && /statement timeout/i.test(String(l['message'] ?? ''))),
      `listen named the statement timeout:\n${listen.stderrText().slice(-2000)}`,
    )
    await client.query('ROLLBACK')
    await lockedSending
  } finally {
    client.release()
    await holder.end()
  }
  checkRecordedOnce(accounts, [locked, free])
  assert.not.ok(listen.done())
})

test.run()
