/**
 * The disk under `banksocket listen --store <file>` fills up and frees again, with nothing restarted:
 * the log lives on a 1 MiB tmpfs mounted by this test (mounting needs root; CI runs as root), a
 * sender that behaves like Banksocket posts several accounts' movements in chain order, and a filler
 * file takes the space that is left. `listen` answers 500 `store_failed` while the disk is full (and
 * says so on stderr); once the filler is deleted the same process, never restarted, answers 200 to
 * the retries. Reopened afterwards, the log holds every notification exactly once, each account's
 * versions contiguous and its balance chain whole (no gap).
 */
import { unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openFileEventStore } from '../../packages/adapter-file-store/dist/index.js'
import { LedgerEvent } from '../../packages/core/dist/index.js'
import { freeBytes, mountTmpfs, requireMounted } from '../../packages/test-support/src/tmpfs.ts'
import { type Attempt, chains, SECRET, sendLikeBanksocket, startCli, waitUntil } from './support/fleet.ts'

const ACCOUNTS = ['801', '802', '803', '804']
const PER_ACCOUNT = 50

const disk = mountTmpfs('1m')
const mountPoint = disk.dir

test.after(() => disk.remove())

test('the disk under listen --store fills and frees: 500 store_failed meanwhile, then every retry 200 in the same process, each notification stored once', async () => {
  if (!requireMounted(disk)) return
  const log = join(mountPoint, 'events.jsonl')
  const filler = join(mountPoint, 'filler')
  const all = await chains('file-store-disk-full', ACCOUNTS, PER_ACCOUNT)
  const listen = startCli(['listen', '--port', '0', '--secret', SECRET, '--store', log])
  const pid = listen.child.pid
  try {
    const url = String((await listen.line('listening'))['url'])
    const answers: Attempt[] = []
    let filledAt = 0
    let freedAt = 0
    const sending = sendLikeBanksocket(
      () => url,
      all,
      (answer) => answers.push(answer),
    )

    // Some movements go through, then a filler takes all but 32 KiB: the log fills up.
    await waitUntil('the first acknowledgements', () => answers.filter((a) => a.status === 200).length >= 40)
    writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(mountPoint) - 32 * 1024)))
    filledAt = Date.now()
    const storeFailed = (a: Attempt) => a.status === 500 && a.body === '{"error":"store_failed"}'
    // The disk stays full for two seconds at least: every account is refused, again and again.
    await waitUntil('store_failed answers while the disk is full', () => answers.filter(storeFailed).length >= 16 && Date.now() - filledAt >= 2_000)
    const acknowledgedWhenFull = answers.filter((a) => a.status === 200 && a.at < filledAt).length
    unlinkSync(filler)
    freedAt = Date.now()

    const attempts = await sending
    const allDone = Date.now()
    const ends = answers.filter((a) => a.status === 200 && a.at + a.ms >= freedAt).map((a) => a.at + a.ms)
    const firstAfter = Math.min(...ends)
    assert.ok(
      attempts.every((tries) => tries.at(-1)?.status === 200),
      'every notification was answered 200 in the end',
    )
    assert.ok(!listen.done(), 'listen never exited')
    assert.is(listen.child.pid, pid, 'the same process all along')
    const failedAnswers = answers.filter(storeFailed)
    assert.is(answers.filter((a) => a.status !== 200 && !storeFailed(a)).length, 0, 'no answer but 200 and 500 store_failed')

    listen.child.kill('SIGTERM')
    assert.is(await listen.exited, 0, listen.stderrText())
    const errorLines = listen.stderr().filter((l) => l['type'] === 'error')
    assert.is(errorLines.length, failedAnswers.length, 'listen printed an error line per 500')
    for (const l of errorLines) {
      assert.is(l['error'], 'store_failed')
      assert.match(String(l['message']), /ENOSPC/)
    }

    const opened = await openFileEventStore({ path: log, codec: LedgerEvent })()
    if (opened._tag === 'Left') throw new Error(opened.left.message)
    const store = opened.right
    try {
      assert.is(store.recovery.torn, undefined, 'no failed append was left half-written')
      const events = await store.readAll()()
      if (events._tag === 'Left') throw new Error(events.left._tag)
      const keys = new Map<string, number>()
      for (const { event } of events.right) {
        assert.is.not(event.type, 'BalanceGapDetected', 'no balance gap: the chains are whole')
        if (event.type === 'TransactionReceived') keys.set(event.data.idempotencyKey, (keys.get(event.data.idempotencyKey) ?? 0) + 1)
      }
      assert.is(keys.size, ACCOUNTS.length * PER_ACCOUNT, 'every notification is stored')
      assert.equal(
        [...keys.values()].filter((n) => n !== 1),
        [],
        'each exactly once',
      )
      for (const [i, account] of ACCOUNTS.entries()) {
        const stored = events.right.filter((s) => s.stream === `ledger-${account}-TRY`)
        assert.equal(
          stored.map((s) => s.version),
          stored.map((_, v) => v + 1),
          `account ${account}: contiguous versions`,
        )
        const balances = stored.flatMap((s) => (s.event.type === 'TransactionReceived' ? [s.event.data.verified.balance] : []))
        assert.equal(
          balances,
          (all[i] ?? []).map((d) => d.balance),
          `account ${account}: the balance chain in order`,
        )
      }
    } finally {
      await store.close()()
    }
    const retried = attempts.filter((tries) => tries.length > 1).length
    const firstFailure = Math.min(...failedAnswers.map((a) => a.at + a.ms))
    const acknowledgedBeforeFull = answers.filter((a) => a.status === 200 && a.at + a.ms < firstFailure).length
    console.log(
      `file-store-disk-full: ${acknowledgedWhenFull} notifications acknowledged before the filler, ${acknowledgedBeforeFull} before the first ` +
        `500; ${failedAnswers.length} answers 500 store_failed ` +
        `(${retried} notifications retried) during ${freedAt - filledAt} ms of a full disk; the first 200 came ${firstAfter - freedAt} ms after ` +
        `the filler was deleted, the last ${allDone - freedAt} ms after (the sender's backoff); ${attempts.length} notifications stored once each, ` +
        `by one listen process (pid ${pid})`,
    )
  } finally {
    listen.child.kill('SIGKILL')
  }
})

test.run()
