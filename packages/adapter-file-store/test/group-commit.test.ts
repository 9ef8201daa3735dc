import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openStoreFile, type StoreFile } from '../src/index.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

/** A real file whose syncs and writes are counted. */
const counting = () => {
  const counts = { syncs: 0, appends: 0 }
  const openFile = async (path: string): Promise<StoreFile> => {
    const file = await openStoreFile(path)
    return {
      ...file,
      append: (data) => {
        counts.appends++
        return file.append(data)
      },
      sync: () => {
        counts.syncs++
        return file.sync()
      },
    }
  }
  return { counts, openFile }
}

test('1,000 appends in parallel across streams: all acknowledged, durable and contiguous after reopen', async () => {
  const path = tempLog()
  const store = await mustOpen<{ stream: string; n: number }>({ path })
  const streams = Array.from({ length: 25 }, (_, i) => `ledger-${i}-TRY`)
  const results = await Promise.all(
    Array.from({ length: 1000 }, (_, n) => {
      const stream = streams[n % streams.length] ?? ''
      return store.appendToStream(stream, [{ stream, n }], 'any')()
    }),
  )
  assert.is(results.filter(E.isRight).length, 1000)
  right(await store.close()())

  const reopened = await mustOpen<{ stream: string; n: number }>({ path })
  assert.is(reopened.recovery.events, 1000)
  assert.is(reopened.recovery.torn, undefined)
  const all = right(await reopened.readAll()())
  assert.equal(new Set(all.map((s) => s.event.n)).size, 1000)
  for (const stream of streams) {
    const read = right(await reopened.readStream(stream)())
    assert.is(read.version, 40)
    assert.ok(read.events.every((e) => e.stream === stream))
  }
  for (const s of all) {
    assert.is(s.event.stream, s.stream)
  }
  right(await reopened.close()())
})

test('group commit batches: 1,000 parallel appends take a handful of writes and syncs, not 1,000', async () => {
  const { counts, openFile } = counting()
  const store = await mustOpen<number>({ path: tempLog(), openFile })
  const baseline = { ...counts } // the header of a new log
  const results = await Promise.all(Array.from({ length: 1000 }, (_, n) => store.appendToStream(`s${n % 7}`, [n], 'any')()))
  assert.ok(results.every(E.isRight))
  const syncs = counts.syncs - baseline.syncs
  const writes = counts.appends - baseline.appends
  assert.ok(syncs >= 1 && syncs <= 5, `expected at most 5 syncs, got ${syncs}`)
  assert.is(writes, syncs)
  assert.is(store.stats().commits, syncs)
  right(await store.close()())
})

test('appends arriving while a sync is in flight share the next write and sync', async () => {
  const path = tempLog()
  let release: () => void = () => {}
  let hold = false
  const { counts, openFile: counted } = counting()
  const openFile = async (p: string): Promise<StoreFile> => {
    const file = await counted(p)
    return {
      ...file,
      sync: async () => {
        if (hold) await new Promise<void>((r) => (release = r))
        return file.sync()
      },
    }
  }
  const store = await mustOpen<number>({ path, openFile })
  const before = counts.syncs
  hold = true
  const first = store.appendToStream('a', [0], 'any')()
  await new Promise((r) => setTimeout(r, 20)) // the first round is now waiting in sync
  const later = Array.from({ length: 50 }, (_, n) => store.appendToStream('b', [n], 'any')())
  await new Promise((r) => setTimeout(r, 20))
  let settled = 0
  for (const p of later) void p.then(() => settled++)
  await new Promise((r) => setTimeout(r, 20))
  assert.is(settled, 0, 'no append may resolve before its sync')
  hold = false
  release()
  assert.ok(E.isRight(await first))
  assert.ok((await Promise.all(later)).every(E.isRight))
  assert.is(counts.syncs - before, 2) // one for the first, one for the 50 that queued behind it
  right(await store.close()())
})

test('maxBatchBytes splits a large queue into several commits, and an oversized append is written alone', async () => {
  const path = tempLog()
  const store = await mustOpen<string>({ path, maxBatchBytes: 4096 })
  const big = 'x'.repeat(10_000)
  const results = await Promise.all([
    ...Array.from({ length: 100 }, (_, n) => store.appendToStream('s', [`event ${n} ${'y'.repeat(100)}`], 'any')()),
    store.appendToStream('big', [big], 'no_stream')(),
  ])
  assert.ok(results.every(E.isRight))
  assert.ok(store.stats().commits >= 3, `expected several commits, got ${store.stats().commits}`)
  right(await store.close()())
  const reopened = await mustOpen<string>({ path })
  assert.is(right(await reopened.readStream('s')()).version, 100)
  assert.equal(right(await reopened.readStream('big')()).events, [big])
  right(await reopened.close()())
})

test.run()
