/**
 * A receiver in its own process, for the crash, load and memory tests:
 *
 *   node --import tsx receiver-process.ts <store> [options-json]
 *
 * `<store>` is a log file path (the durable file store, opened with the LedgerEvent codec) or
 * `memory` (no store: the receiver's default, which keeps each ledger's state and no events). `options-json` is merged into the receiver options (`limit`,
 * `headersTimeout`, `requestTimeout`). It listens on 127.0.0.1, a free port, and prints
 * `listening <port> <recovery-json>`. It counts what its listeners saw: every `transaction` emission
 * by notification number (parsed from the `SN:<n>` description), duplicates, rejections and errors,
 * and samples its RSS every 20 ms. Commands on stdin, one a line:
 *
 * - `report`: prints `report <json>` (counts, RSS now and peak, heap; after a gc when --expose-gc).
 * - `close`: closes the receiver (draining deliveries under way) and the store, prints
 *   `closed <json>` and exits 0.
 */

import { type FileEventStore, openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { type EventStore, LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { createNodeReceiver, type NodeReceiverOptions } from '../../../src/index.ts'
import { SECRET } from './notifications.ts'

const spec = process.argv[2] ?? 'memory'
const extra = JSON.parse(process.argv[3] ?? '{}') as Partial<NodeReceiverOptions>

let fileStore: FileEventStore<LedgerEvent> | undefined
let store: EventStore<LedgerEvent> | undefined
if (spec !== 'memory') {
  const opened = await openFileEventStore({ path: spec, codec: LedgerEvent })()
  if (E.isLeft(opened)) {
    process.stderr.write(`open failed: ${opened.left._tag}: ${opened.left.message}\n`)
    process.exit(2)
  }
  fileStore = opened.right
  store = fileStore
}

const receiver = createNodeReceiver({ secrets: [SECRET], ...extra, ...(store === undefined ? {} : { store }) })

let emitted = new Uint8Array(1 << 16)
const counts = { transactions: 0, emittedTwice: 0, unnumbered: 0, duplicates: 0, gaps: 0, rejected: 0, errors: 0 }
const errors: string[] = []
receiver.on('transaction', (tx) => {
  counts.transactions++
  const n = /^SN:(\d+)/.exec(tx.verified.description)?.[1]
  if (n === undefined) return void counts.unnumbered++
  const i = Number(n)
  if (i >= emitted.length) {
    const grown = new Uint8Array(Math.max(emitted.length * 2, i + 1))
    grown.set(emitted)
    emitted = grown
  }
  const times = (emitted[i] ?? 0) + 1
  emitted[i] = times
  if (times > 1) counts.emittedTwice++
})
receiver.on('duplicate', () => void counts.duplicates++)
receiver.on('gap', () => void counts.gaps++)
receiver.on('rejected', () => void counts.rejected++)
receiver.on('error', (e) => {
  counts.errors++
  if (errors.length < 10) errors.push(e._tag)
})

let rssPeak = process.memoryUsage.rss()
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
}, 20)
sampler.unref()

const report = () => {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const memory = process.memoryUsage()
  rssPeak = Math.max(rssPeak, memory.rss)
  return JSON.stringify({ ...counts, errorTags: errors, rss: memory.rss, rssPeak, heapUsed: memory.heapUsed, stats: fileStore?.stats() })
}

const { port } = await receiver.listen(0, '127.0.0.1')
process.stdout.write(`listening ${port} ${JSON.stringify(fileStore?.recovery ?? null)}\n`)

let pending = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', async (chunk: string) => {
  pending += chunk
  const lines = pending.split('\n')
  pending = lines.pop() ?? ''
  for (const line of lines) {
    if (line === 'report') process.stdout.write(`report ${report()}\n`)
    if (line === 'close') {
      await receiver.close()
      if (fileStore !== undefined) await fileStore.close()()
      process.stdout.write(`closed ${report()}\n`)
      process.exit(0)
    }
  }
})
