// Heap cost of the file store (run by read-from-disk.test.ts with --expose-gc):
//   node --expose-gc --import tsx heap.ts [events=100000]
// Appends `events` TransactionReceived events to 100 ledgers (256 appends in flight), then reopens
// the log, and prints one JSON line: the memory growth (heap used plus array buffers, bytes, after gc) over an empty open store,
// after appending and after loading, the events loaded, and the length of one stream read back.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { openFileEventStore } from '../../src/index.ts'
import { transaction } from './events.ts'

const total = Number(process.argv[2] ?? '100000')
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')
const heap = (): number => {
  gc()
  gc()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers // the index's typed arrays live outside the JS heap
}
const dir = mkdtempSync(join(tmpdir(), 'bsw-heap-'))
const path = join(dir, 'events.jsonl')
try {
  const opened = await openFileEventStore({ path, codec: LedgerEvent })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  const store = opened.right
  const empty = heap()
  let next = 0
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      for (let n = next++; n < total; n = next++) {
        const result = await store.appendToStream(`ledger-${n % 100}-TRY`, [transaction(n)], 'any')()
        if (E.isLeft(result)) throw new Error(JSON.stringify(result.left))
      }
    }),
  )
  const appended = heap() - empty
  await store.close()()

  const base = heap()
  const reopened = await openFileEventStore({ path, codec: LedgerEvent })()
  if (E.isLeft(reopened)) throw new Error(reopened.left.message)
  const loaded = heap() - base
  const read = await reopened.right.readStream('ledger-7-TRY')()
  const streamRead = E.isRight(read) ? read.right.events.length : -1
  const events = reopened.right.recovery.events
  await reopened.right.close()()
  process.stdout.write(`${JSON.stringify({ appended, loaded, events, streamRead })}\n`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
