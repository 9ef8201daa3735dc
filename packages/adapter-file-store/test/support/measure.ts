// Measures the file store (not a test; run by hand):
//   node --import tsx packages/adapter-file-store/test/support/measure.ts [events=200000] [inFlight=256]
// Appends `events` LedgerEvents (TransactionReceived, ~460 bytes of JSON each) to 100 ledgers with
// `inFlight` appends outstanding, then reopens the log with the LedgerEvent codec and reports
// throughput, commits, file size, load time, memory and read times.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { openFileEventStore } from '../../src/index.ts'
import { transaction } from './events.ts'

const total = Number(process.argv[2] ?? '200000')
const inFlight = Number(process.argv[3] ?? '256')
const dir = mkdtempSync(join(tmpdir(), 'bsw-measure-'))
const path = join(dir, 'events.jsonl')
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`
const gc = (globalThis as { gc?: () => void }).gc

try {
  const opened = await openFileEventStore({ path, codec: LedgerEvent })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  const store = opened.right
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let n = next++; n < total; n = next++) {
        const result = await store.appendToStream(`ledger-${n % 100}-TRY`, [transaction(n)], 'any')()
        if (E.isLeft(result)) throw new Error(JSON.stringify(result.left))
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const stats = store.stats()
  await store.close()()
  console.log(`append: ${total} events in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} events/s, ${inFlight} in flight`)
  console.log(
    `        ${stats.commits} commits (write+fdatasync), ${(total / stats.commits).toFixed(1)} events per commit, file ${mib(statSync(path).size)}`,
  )

  gc?.()
  const before = process.memoryUsage()
  const loadStarted = performance.now()
  const reopened = await openFileEventStore({ path, codec: LedgerEvent })()
  if (E.isLeft(reopened)) throw new Error(reopened.left.message)
  const loadSeconds = (performance.now() - loadStarted) / 1000
  gc?.()
  const after = process.memoryUsage()
  console.log(`load:   ${reopened.right.recovery.events} events in ${loadSeconds.toFixed(2)} s (codec LedgerEvent)`)
  const grown = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers
  console.log(
    `memory: rss ${mib(after.rss)}, heap used ${mib(after.heapUsed)}; the loaded index takes +${mib(grown)} (heap and array buffers${gc === undefined ? '; run with --expose-gc for a precise delta' : ''})`,
  )
  const readStarted = performance.now()
  const one = await reopened.right.readStream('ledger-7-TRY')()
  const readMillis = performance.now() - readStarted
  const allStarted = performance.now()
  const all = await reopened.right.readAll()()
  const allSeconds = (performance.now() - allStarted) / 1000
  console.log(
    `read:   one ledger (${E.isRight(one) ? one.right.events.length : '?'} events) in ${readMillis.toFixed(0)} ms; readAll (${E.isRight(all) ? all.right.length : '?'} events) in ${allSeconds.toFixed(2)} s`,
  )
  await reopened.right.close()()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
