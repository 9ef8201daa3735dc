/**
 * Projections in the inbox object, in workerd: read models kept in the object's own SQLite
 * database, each event handled exactly once with the move of the projection's checkpoint.
 *
 * - An object with a history gets its projections later (a second Miniflare on the same storage,
 *   with `PROJECTIONS=1`): they start from the first event and catch up, without a new delivery.
 * - A `handle` that throws has its writes rolled back with the checkpoint left where it was; the
 *   event is tried again after the backoff, and an event that always throws is given up on after
 *   `maxAttempts` (a `ConsumerFailed` in `consumer-flaky`), the next events still handled.
 * - Made again on the same storage, nothing is handled twice: one row per event.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { encodings, type NotificationFields, SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import { bundleWorker } from '@banksocket-webhooks/test-support/workerd-bundle'
import { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const bundle = await bundleWorker(new URL('./projections.worker.ts', import.meta.url))
const persist = mkdtempSync(join(tmpdir(), 'banksocket-do-projections-'))

type Rows = Readonly<{
  credits: ReadonlyArray<Readonly<{ key: string; amount: string; position: number }>> | null
  seen: ReadonlyArray<Readonly<{ position: number }>> | null
  checkpoints: Readonly<Record<string, number>>
  head: number
  failures: ReadonlyArray<Readonly<{ type: string; data: Readonly<{ consumer: string; position: number; attempts: number; error: string }> }>>
}>

const start = async (bindings: Readonly<Record<string, string>>) => {
  let output = ''
  const mf = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: '2025-09-01',
    bindings: { SECRET, ...bindings },
    durableObjects: { INBOX: { className: 'Inbox', useSQLite: true } },
    durableObjectsPersist: persist,
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
      stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    },
  })
  await mf.ready
  const post = async (fields: NotificationFields) => {
    const { contentType, body } = encodings.form(fields)
    const response = await mf.dispatchFetch('http://worker.example/banksocket/acme', {
      method: 'POST',
      headers: { 'content-type': contentType ?? '' },
      body: String(body),
    })
    return { status: response.status, body: await response.text() }
  }
  const rows = async (): Promise<Rows> => JSON.parse(await (await mf.dispatchFetch('http://worker.example/rows/acme')).text()) as Rows
  /** Reads the rows until `done` holds (the alarm runs on its own) or 15 s passed. */
  const rowsWhen = async (done: (rows: Rows) => boolean): Promise<Rows> => {
    const deadline = Date.now() + 15_000
    for (;;) {
      const now = await rows()
      if (done(now) || Date.now() > deadline) return now
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  return { mf, post, rows, rowsWhen, logs: () => output }
}

const OK = { status: 200, body: '{"status":"ok"}' }
// Opening balance 1000.00; each movement continues the chain.
const movements = await Promise.all(
  [
    { dc: 'Credit', amount: '100.00', balance: '1100.00', description: 'SN:p1 rent' },
    { dc: 'Debit', amount: '50.00', balance: '1050.00', description: 'SN:p2 fee' },
    { dc: 'Credit', amount: '25.50', balance: '1075.50', description: 'SN:p3 flaky refund' },
    { dc: 'Credit', amount: '4.50', balance: '1080.00', description: 'SN:p4 poison' },
    { dc: 'Credit', amount: '20.00', balance: '1100.00', description: 'SN:p5 invoice' },
  ].map((m) => signed({ account_id: '77', ...m })),
)

test('an object with a history and no projections records without any', async () => {
  const first = await start({})
  try {
    for (const m of movements.slice(0, 2)) assert.equal(await first.post(m), OK)
    const rows = await first.rows()
    assert.is(rows.credits, null)
    assert.equal(rows.checkpoints, {})
    assert.is(rows.head, 2)
  } finally {
    await first.mf.dispose()
  }
})

test('projections added later catch up from the first event; a throw rolls back and is retried; a poison event is given up on', async () => {
  const second = await start({ PROJECTIONS: '1', FLAKY_FAILURES: '2' })
  try {
    // Opening the object arms the alarm: the projections catch up on events 1 and 2 without a delivery.
    const caughtUp = await second.rowsWhen((r) => r.checkpoints['credits'] === 2 && r.checkpoints['flaky'] === 2)
    assert.equal(
      caughtUp.credits?.map((c) => c.amount),
      ['100.00'],
    )
    assert.equal(caughtUp.seen, [{ position: 1 }, { position: 2 }])
    for (const m of movements.slice(2)) assert.equal(await second.post(m), OK)
    // Done when both checkpoints reached the head, which includes the ConsumerFailed the poison
    // event left (in the feed too, passed without being handed to `handle`).
    const done = await second.rowsWhen((r) => r.failures.length === 1 && r.checkpoints['flaky'] === r.head && r.checkpoints['credits'] === r.head)
    assert.is(done.head, 6)
    assert.equal(
      done.credits?.map((c) => c.amount),
      ['100.00', '25.50', '4.50', '20.00'],
    )
    // Exactly once: the flaky event's two failed attempts left nothing behind, the poison event's
    // three attempts nothing at all; every other movement one row, the failure record none.
    const poison = done.failures[0]?.data.position
    assert.is(poison, 4)
    assert.equal(
      done.seen?.map((s) => s.position),
      [1, 2, 3, 5],
    )
    assert.is(done.failures.length, 1)
    assert.is(done.failures[0]?.type, 'ConsumerFailed')
    assert.equal({ consumer: done.failures[0]?.data.consumer, attempts: done.failures[0]?.data.attempts }, { consumer: 'flaky', attempts: 3 })
    assert.match(done.failures[0]?.data.error ?? '', /poison at 4/)
    assert.match(second.logs(), /flaky: retry after 1 attempts: handling the event at position 3 threw Error: flaky at 3/)
    assert.not.match(second.logs(), new RegExp(SECRET.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
  } finally {
    await second.mf.dispose()
  }
})

test('made again on the same storage: nothing handled twice, and the next event once', async () => {
  const third = await start({ PROJECTIONS: '1' })
  try {
    const extra = await signed({ account_id: '77', dc: 'Credit', amount: '1.00', balance: '1101.00', description: 'SN:p6 tip' })
    assert.equal(await third.post(extra), OK)
    const rows = await third.rowsWhen((r) => r.checkpoints['credits'] === r.head && r.checkpoints['flaky'] === r.head)
    assert.is(rows.head, 7)
    assert.equal(
      (rows.seen ?? []).map((s) => s.position),
      [1, 2, 3, 5, 7],
      'every movement but the poison one, each once',
    )
    assert.equal(
      rows.credits?.map((c) => c.amount),
      ['100.00', '25.50', '4.50', '20.00', '1.00'],
    )
  } finally {
    await third.mf.dispose()
  }
})

test.after(() => rmSync(persist, { recursive: true, force: true }))

test.run()
