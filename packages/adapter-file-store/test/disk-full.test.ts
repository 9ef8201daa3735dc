// The file store on a real, small file system that fills up: a 1 MiB tmpfs mounted by this test
// (mounting needs root; CI runs as root). A filler file takes most of the space, appends go on
// until the file system answers ENOSPC (a short write, then the error), the failing appends are
// answered StoreFailure, the filler is deleted, and the same store, never reopened, accepts appends
// again. Reopened at the end, the log holds every acknowledged append exactly once and none of the
// failed ones.
import { unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freeBytes, mountTmpfs, requireMounted } from '@banksocket-webhooks/test-support/tmpfs'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { FileEventStore } from '../src/index.ts'
import { mustOpen, right } from './support/tmp.ts'

type Event = Readonly<{ id: string; pad: string }>

const disk = mountTmpfs('1m')
const mountPoint = disk.dir

test.after(() => disk.remove())

/** Appends `count` events at once (each its own append, on 4 streams): the ids acknowledged and the failures. */
const burst = async (store: FileEventStore<Event>, prefix: string, count: number) => {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
  const results = await Promise.all(ids.map((id, i) => store.appendToStream(`s${i % 4}`, [{ id, pad: 'x'.repeat(300) }], 'any')()))
  const acked: string[] = []
  const failed: Array<Readonly<{ id: string; message: string }>> = []
  results.forEach((result, i) => {
    const id = ids[i] as string
    if (E.isRight(result)) acked.push(id)
    else failed.push({ id, message: result.left._tag === 'StoreFailure' ? result.left.message : result.left._tag })
  })
  return { acked, failed }
}

test('a real file system fills up: appends fail with ENOSPC, and once space is freed the same store appends again', async () => {
  if (!requireMounted(disk)) return
  const path = join(mountPoint, 'events.jsonl')
  const filler = join(mountPoint, 'filler')
  const store = await mustOpen<Event>({ path })
  const acked: string[] = []
  const failed: Array<Readonly<{ id: string; message: string }>> = []

  // Leave about 48 KiB, then append 16 at a time until the file system is full.
  writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(mountPoint) - 48 * 1024)))
  for (let round = 0; failed.length === 0; round++) {
    assert.ok(round < 1000, 'the file system filled up')
    const result = await burst(store, `fill${round}`, 16)
    acked.push(...result.acked)
    failed.push(...result.failed)
  }
  const beforeFull = acked.length
  // Still full: each append repairs the file (cutting the short write frees its pages) and fails again.
  for (let round = 0; round < 3; round++) {
    const result = await burst(store, `full${round}`, 16)
    acked.push(...result.acked)
    failed.push(...result.failed)
  }
  for (const { message } of failed) assert.match(message, /ENOSPC/)
  const full = store.stats()
  assert.ok(full.failedWrites >= 2, `writes failed (${full.failedWrites})`)
  assert.match(full.failure ?? '', /ENOSPC/)

  // Space comes back: the next appends succeed, without reopening the store.
  unlinkSync(filler)
  const freed = performance.now()
  const after = await burst(store, 'after', 64)
  const recoveredIn = performance.now() - freed
  assert.is(after.failed.length, 0, JSON.stringify(after.failed[0]))
  acked.push(...after.acked)
  const stats = store.stats()
  assert.is(stats.failure, undefined)
  assert.ok(stats.repairs >= 1)
  right(await store.close()())

  const reopened = await mustOpen<Event>({ path })
  try {
    assert.is(reopened.recovery.torn, undefined, 'nothing of a failed append was left in the log')
    const all = right(await reopened.readAll()())
    const ids = all.map((s) => s.event.id)
    assert.is(new Set(ids).size, ids.length, 'no append is stored twice')
    assert.equal([...ids].sort(), [...acked].sort(), 'every acknowledged append is stored, and no failed one')
    for (const stream of ['s0', 's1', 's2', 's3']) {
      const versions = all.filter((s) => s.stream === stream).map((s) => s.version)
      assert.equal(
        versions,
        Array.from({ length: versions.length }, (_, i) => i + 1),
        `${stream}: contiguous versions`,
      )
    }
  } finally {
    right(await reopened.close()())
  }
  console.log(
    `disk-full: ${beforeFull} appends acknowledged before the 1 MiB tmpfs filled, ${failed.length} failed with ENOSPC ` +
      `(${full.failedWrites} failed rounds, ${full.repairs} repairs while full); after the filler was deleted the next ` +
      `${after.acked.length} appends were acknowledged in ${recoveredIn.toFixed(1)} ms, without reopening`,
  )
})

test.run()
