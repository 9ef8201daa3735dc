// Part 3, in process: N distinct notifications (default 1,000,000) into the Node receiver
// (`createNodeReceiver(...).deliver`: its node:crypto hasher, core's inbox and its typed events,
// everything but the HTTP layer), and how memory behaves on the way.
//
// The store is the counting store (lib/counting-store.mjs): core's default in-memory store keeps
// every event by design (about a kilobyte each), so 1M notifications would measure the store, not
// the receiver. With the counting store, what the receiver itself keeps is the ledgers' bounded
// dedupe windows (`dedupeWindow` keys per ledger, default 100,000): memory must level off once the
// windows are full, and a smaller window must level off lower.
//
// Environment: BENCH_MEMORY_NOTIFICATIONS (default 1000000), BENCH_MEMORY_ACCOUNTS (default 4),
// BENCH_DEDUPE_WINDOW (default: core's), BENCH_MEMORY_CHECKPOINTS (default 10).
import { performance } from 'node:perf_hooks'
import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { DEFAULT_DEDUPE_WINDOW, KeyIndex } from '@banksocket-webhooks/core/runtime-kit'
import { createCountingStore } from './counting-store.mjs'
import { envNumber } from './measure.mjs'
import { accountMovements, FORM_CONTENT_TYPE, formBody, SECRET } from './notifications.mjs'
import { section } from './section.mjs'

const BATCH = 10_000
const OK = JSON.stringify({ status: 'ok' })

const gc = () => {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc (bench/run.mjs does)')
  globalThis.gc()
}

const snapshot = () => {
  gc()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers }
}

/** Cost of one `KeyIndex.record` once the window is full (every record moves the oldest key into the history). */
const windowAddCost = (capacity, adds) => {
  const w = new KeyIndex(capacity)
  const keys = (n, offset) => Array.from({ length: n }, (_, i) => `${(offset + i).toString(16).padStart(64, '0')}`)
  for (const key of keys(capacity, 0)) w.record(key, 'ledger-5000-TRY')
  const more = keys(adds, capacity)
  const start = performance.now()
  for (const key of more) w.record(key, 'ledger-5000-TRY')
  const ns = ((performance.now() - start) * 1e6) / adds
  if (w.size !== capacity) throw new Error(`KeyIndex holds ${w.size} keys, expected ${capacity}`)
  return { capacity, adds, nsPerAdd: ns }
}

export const run = async () => {
  const total = envNumber('BENCH_MEMORY_NOTIFICATIONS', 1_000_000)
  const accounts = envNumber('BENCH_MEMORY_ACCOUNTS', 4)
  const checkpoints = envNumber('BENCH_MEMORY_CHECKPOINTS', 10)
  const dedupeWindow = envNumber('BENCH_DEDUPE_WINDOW', DEFAULT_DEDUPE_WINDOW)
  const store = createCountingStore()
  const receiver = createNodeReceiver({ secrets: [SECRET], store, dedupeWindow })
  const movements = Array.from({ length: accounts }, (_, k) => accountMovements({ accountId: 5000 + k, sequencePrefix: 'M' }))
  let listened = 0
  receiver.on('transaction', () => {
    listened++
  })

  const start = snapshot()
  const series = []
  const every = Math.ceil(total / checkpoints)
  let delivered = 0
  let deliverMs = 0
  let generateMs = 0
  let segmentMs = 0
  let segmentCount = 0
  let peakRss = start.rss
  while (delivered < total) {
    const size = Math.min(BATCH, total - delivered)
    const g0 = performance.now()
    const bodies = new Array(size)
    for (let i = 0; i < size; i++) bodies[i] = formBody(await movements[(delivered + i) % accounts].next())
    generateMs += performance.now() - g0
    const d0 = performance.now()
    for (let i = 0; i < size; i++) {
      const answer = await receiver.deliver({ body: bodies[i], contentType: FORM_CONTENT_TYPE })
      if (answer.status !== 200 || answer.body !== OK) {
        throw new Error(`notification ${delivered + i} was answered ${answer.status} ${answer.body}, expected 200 ${OK}`)
      }
    }
    const ms = performance.now() - d0
    deliverMs += ms
    segmentMs += ms
    segmentCount += size
    delivered += size
    peakRss = Math.max(peakRss, process.memoryUsage.rss())
    if (delivered % every === 0 || delivered === total) {
      series.push({ delivered, ...snapshot(), perSecond: (segmentCount * 1000) / segmentMs })
      segmentMs = 0
      segmentCount = 0
    }
  }
  const { counts } = store
  if (listened !== total) throw new Error(`the transaction listener ran ${listened} times, expected ${total}`)
  if (counts.TransactionReceived !== total || counts.BalanceGapDetected !== 0 || counts.DuplicateIgnored !== 0) {
    throw new Error(`store counted ${JSON.stringify(counts)}, expected ${total} transactions and nothing else`)
  }
  return {
    total,
    accounts,
    dedupeWindow,
    keysBound: accounts * dedupeWindow,
    start,
    series,
    peakRss,
    deliverPerSecond: (total * 1000) / deliverMs,
    generatePerSecond: (total * 1000) / generateMs,
    listenerCalls: listened,
    counts,
    // One full window of adds after filling: the cost of eviction grows as the window turns over.
    windowAdd: [10_000, DEFAULT_DEDUPE_WINDOW].map((capacity) => windowAddCost(capacity, envNumber('BENCH_WINDOW_ADDS', capacity))),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) section(run)
