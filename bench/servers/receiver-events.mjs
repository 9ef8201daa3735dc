// Counting listeners for our receivers (both expose the same typed events), and the store the
// bench asks for through BENCH_STORE: `memory` (core's default, keeps every event) or `counting`
// (keeps versions only; see lib/counting-store.mjs).
import { createCountingStore } from '../lib/counting-store.mjs'

/** Listens to every event a receiver emits, counting what the application sees. */
export const countEvents = (receiver, counts) => {
  receiver.on('transaction', () => {
    counts.accepted++
  })
  receiver.on('gap', () => {
    counts.gaps++
  })
  receiver.on('duplicate', () => {
    counts.duplicates++
  })
  receiver.on('rejected', () => {
    counts.rejected++
  })
  receiver.on('error', () => {
    counts.errors++
  })
}

/** Extra receiver options from the environment: the store and the dedupe window. */
export const storeOptions = () => {
  const options = {}
  if (process.env.BENCH_STORE === 'counting') options.store = createCountingStore()
  else if (process.env.BENCH_STORE !== undefined && process.env.BENCH_STORE !== 'memory') {
    throw new Error(`BENCH_STORE must be memory or counting, got ${process.env.BENCH_STORE}`)
  }
  if (process.env.BENCH_DEDUPE_WINDOW !== undefined) options.dedupeWindow = Number(process.env.BENCH_DEDUPE_WINDOW)
  return options
}
