/**
 * A failing disk under the Node receiver with the file store: while the sync fails, deliveries are
 * answered 500 `store_failed` (so Banksocket retries) and nothing is acknowledged; once the disk
 * works again the same receiver, never restarted, accepts the retries (the store repairs its file
 * at the next append), and earlier 200s are duplicates. A restart on the same file afterwards finds
 * the same: nothing is lost, nothing is stored twice.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openFileEventStore, openStoreFile, type StoreFile } from '@banksocket-webhooks/adapter-file-store'
import { LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createNodeReceiver } from '../../src/index.ts'
import { type Answer, Connection } from './support/client.ts'
import { notification, post, SECRET } from './support/notifications.ts'

const dir = mkdtempSync(join(tmpdir(), 'bsw-disk-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

const line = (answer: Answer | undefined) => (answer === undefined ? 'no answer' : `${answer.status} ${answer.body}`)

/** Opens the store on `path` through real files whose syncs fail with EIO while `broken.now` is set (every handle, the repair's too). */
const openBreakable = async (path: string, broken: { now: boolean }) => {
  const openFile = async (p: string): Promise<StoreFile> => {
    const file = await openStoreFile(p)
    return { ...file, sync: () => (broken.now ? Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })) : file.sync()) }
  }
  const opened = await openFileEventStore({ path, codec: LedgerEvent, openFile })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  return opened.right
}

test('fsync fails (EIO): 500 store_failed, nothing acknowledged; once the disk works the same receiver accepts the retries, earlier 200s are duplicates', async () => {
  const path = join(dir, 'events.jsonl')
  const broken = { now: false }
  const [a, b, c, d] = await Promise.all([0, 1, 2, 3].map((n) => notification(n, 2)))
  if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error('unreachable')

  const store = await openBreakable(path, broken)
  const receiver = createNodeReceiver({ secrets: [SECRET], store })
  const errors: string[] = []
  receiver.on('error', (e) => void errors.push(e._tag))
  const { port } = await receiver.listen(0, '127.0.0.1')
  const connection = await Connection.open(port)
  try {
    assert.is(line(await connection.request(post(a.body))), '200 {"status":"ok"}')
    broken.now = true
    assert.is(line(await connection.request(post(b.body))), '500 {"error":"store_failed"}')
    // Still broken: the store's repair at this append cannot sync either.
    assert.is(line(await connection.request(post(c.body))), '500 {"error":"store_failed"}')
    // Concurrent deliveries on two ledgers while broken: all refused, none acknowledged.
    const other = await Connection.open(port)
    const [first, second] = await Promise.all([connection.request(post(d.body)), other.request(post(b.body))])
    other.close()
    assert.equal([line(first), line(second)], ['500 {"error":"store_failed"}', '500 {"error":"store_failed"}'])
    assert.equal(errors, ['store_failed', 'store_failed', 'store_failed', 'store_failed'])
    assert.match(store.stats().failure ?? '', /EIO/)

    // The disk works again; Banksocket retries against the same receiver.
    broken.now = false
    assert.is(line(await connection.request(post(a.body))), '200 {"status":"duplicate"}')
    for (const n of [b, c, d]) assert.is(line(await connection.request(post(n.body))), '200 {"status":"ok"}', `retry of #${n.n}`)
    assert.is(errors.length, 4, 'no error after the disk came back')
    const stats = store.stats()
    assert.is(stats.failure, undefined)
    assert.is(stats.failedWrites, 1)
    assert.is(stats.repairs, 1)
  } finally {
    connection.close()
    await receiver.close()
    await store.close()()
  }

  // A restart on the same file finds every delivery once: the retries are duplicates.
  const reopened = await openBreakable(path, broken)
  assert.is(reopened.recovery.torn, undefined, 'the failed round was cut back when it failed')
  assert.is(reopened.recovery.events, 4)
  const again = createNodeReceiver({ secrets: [SECRET], store: reopened })
  const { port: port2 } = await again.listen(0, '127.0.0.1')
  const retry = await Connection.open(port2)
  try {
    for (const n of [a, b, c, d]) assert.is(line(await retry.request(post(n.body))), '200 {"status":"duplicate"}', `after the restart, #${n.n}`)
  } finally {
    retry.close()
    await again.close()
  }
  const all = await reopened.readAll()()
  await reopened.close()()
  const stored = E.isRight(all) ? all.right.flatMap((s) => (s.event.type === 'TransactionReceived' ? [s.event.data.verified.description] : [])) : []
  assert.equal(stored.sort(), [a, b, c, d].map((n) => n.description).sort())
})

test.run()
