/**
 * PostgreSQL dies under load and comes back: `banksocket listen --store postgres://… --forward-to`
 * takes deliveries from a Banksocket-like sender for several accounts while the database's
 * postmaster is SIGKILLed (as the OOM killer would) and, a few seconds later, started again on the
 * same data. The same listen process (never restarted) must answer the outage with 5xx promptly,
 * none hanging, record again once the database answers, and after Banksocket's retries hold every
 * notification exactly once, every chain whole; its forwarder resumes from its checkpoint and the
 * application gets every transaction, in each account's order.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startDatabase } from '../../packages/test-support/src/postgres.ts'
import {
  type Attempt,
  chains,
  FORWARD_SECRET,
  firstDeliveries,
  runCli,
  SECRET,
  sendLikeBanksocket,
  startApp,
  startCli,
  waitUntil,
} from './support/fleet.ts'

const ACCOUNTS = ['101', '102', '103', '104']
const PER_ACCOUNT = 60
const TOTAL = ACCOUNTS.length * PER_ACCOUNT

test('the database SIGKILLed under load and restarted: 5xx promptly, the same process records again, each notification once, forwarding resumes', async () => {
  const db = await startDatabase()
  assert.ok(db.embedded, 'the fault suite kills its own PostgreSQL: run it without DATABASE_URL')
  const app = await startApp()
  let listen: ReturnType<typeof startCli> | undefined
  try {
    const migrated = runCli(['migrate', '--store', db.url])
    assert.is(migrated.code, 0, migrated.stderr)
    listen = startCli(['listen', '--port', '0', '--secret', SECRET, '--store', db.url, '--forward-to', app.url, '--forward-secret', FORWARD_SECRET])
    const url = String((await listen.line('listening'))['url'])
    const pid = listen.child.pid
    const deliveries = await chains('postgres-dies', ACCOUNTS, PER_ACCOUNT)

    let acknowledged = 0
    const outage: Attempt[] = []
    let down = false
    const sending = sendLikeBanksocket(
      () => url,
      deliveries,
      (answer) => {
        if (answer.status === 200) acknowledged++
        if (down) outage.push(answer)
      },
      20,
    )
    await waitUntil('a third of the notifications acknowledged', () => acknowledged >= TOTAL / 3)
    await db.kill()
    down = true
    const killedAt = Date.now()
    await waitUntil('the outage answered', () => outage.length >= 8)
    await new Promise((r) => setTimeout(r, Math.max(0, 3_000 - (Date.now() - killedAt))))
    await db.restart()
    down = false
    const attempts = await sending

    assert.not.ok(listen.done(), `listen is still running:\n${listen.stderrText()}`)
    assert.is(listen.child.pid, pid)
    // The outage: answered 5xx (no 4xx, no hang), each well under 10 s.
    const failed = attempts.flat().filter((a) => a.status !== 200)
    assert.ok(failed.length > 0, 'some deliveries met the outage')
    for (const a of failed) assert.ok(a.status >= 500 && a.status < 600, `answered ${a.status} ${a.body} during the outage`)
    const slowest = Math.max(...attempts.flat().map((a) => a.ms))
    assert.ok(slowest < 10_000, `the slowest answer took ${slowest} ms`)
    assert.ok(
      listen.stderr().some((l) => l['type'] === 'error' && l['error'] === 'store_failed'),
      'listen said store_failed during the outage',
    )

    // Every notification was recorded exactly once: stdout has one line per stored transaction.
    const printed = listen.stdout().filter((l) => l['type'] === 'transaction')
    assert.is(printed.length, TOTAL)
    assert.is(new Set(printed.map((l) => l['idempotencyKey'])).size, TOTAL)
    // Every chain whole: each account's balances in chain order, no gap reported.
    for (const [i, account] of ACCOUNTS.entries()) {
      assert.equal(
        printed.filter((l) => l['accountId'] === account).map((l) => l['balance']),
        deliveries[i]?.map((d) => d.balance),
        `account ${account} recorded in chain order`,
      )
    }
    assert.not.ok(
      printed.some((l) => l['gap'] !== undefined && l['gap'] !== null),
      'no balance gap',
    )

    // Every one a duplicate now.
    const again = await sendLikeBanksocket(
      () => url,
      deliveries,
      () => {},
      0,
    )
    for (const a of again.flat()) assert.is(a.body, '{"status":"duplicate"}')

    // The forwarder lost its database, resumed from its checkpoint, and delivered everything in each account's order.
    await waitUntil(
      `${TOTAL} transactions forwarded`,
      () => firstDeliveries(app.received()).filter((r) => r.body['type'] === 'transaction').length >= TOTAL,
    )
    const forwarded = firstDeliveries(app.received()).filter((r) => r.body['type'] === 'transaction')
    assert.is(forwarded.length, TOTAL)
    for (const [i, account] of ACCOUNTS.entries()) {
      assert.equal(
        forwarded.filter((r) => r.body['accountId'] === account).map((r) => r.body['balance']),
        deliveries[i]?.map((d) => d.balance),
        `account ${account} forwarded in chain order`,
      )
    }
    console.log(
      `faults: ${TOTAL} notifications, ${failed.length} attempts answered 5xx during the outage (slowest answer ${slowest} ms), ` +
        `${app.received().length - forwarded.length} forwarded again after the restart`,
    )

    listen.child.kill('SIGTERM')
    assert.is(await listen.exited, 0, listen.stderrText())
  } finally {
    listen?.child.kill('SIGKILL')
    await app.stop()
    await db.stop()
  }
})

test.run()
