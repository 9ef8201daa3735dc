// Timing helpers for the micro-benchmarks: operations per second over fixed time slices, several
// rounds, median kept. Every measured function returns whether its operation succeeded; a single
// failure aborts the benchmark (a fast wrong answer is not a result).
import { performance } from 'node:perf_hooks'

/** Reads a positive number from the environment, or the default. */
export const envNumber = (name, fallback) => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`)
  return n
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

const fail = (name, i) => {
  throw new Error(`${name}: operation ${i} did not succeed; the benchmark is measuring the wrong thing`)
}

/** Runs `op(i)` (synchronous) for `ms` milliseconds; returns ops/s. */
const sliceSync = (name, op, ms, offset) => {
  const start = performance.now()
  const end = start + ms
  let i = 0
  let now = start
  while (now < end) {
    for (let j = 0; j < 64; j++, i++) if (op(offset + i) !== true) fail(name, i)
    now = performance.now()
  }
  return (i * 1000) / (now - start)
}

/** Runs `op(i)` (returning a Promise) one at a time for `ms` milliseconds; returns ops/s. */
const sliceAsync = async (name, op, ms, offset) => {
  const start = performance.now()
  const end = start + ms
  let i = 0
  let now = start
  while (now < end) {
    for (let j = 0; j < 64; j++, i++) if ((await op(offset + i)) !== true) fail(name, i)
    now = performance.now()
  }
  return (i * 1000) / (now - start)
}

/** Runs `op(i)` with `inFlight` operations outstanding at all times for `ms` milliseconds. */
const sliceConcurrent = async (name, op, ms, offset, inFlight) => {
  const start = performance.now()
  const end = start + ms
  let next = 0
  const worker = async () => {
    while (performance.now() < end) {
      const i = next++
      if ((await op(offset + i)) !== true) fail(name, i)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return (next * 1000) / (performance.now() - start)
}

/**
 * Measures several candidates in interleaved rounds (so drift of the machine hits them alike) and
 * returns the median ops/s of each.
 *
 * @param {Array<{ name: string, op: (i: number) => boolean | Promise<boolean>, mode: 'sync' | 'async' | 'concurrent', inFlight?: number }>} candidates
 * @param {{ sliceMs: number, rounds: number, warmupMs: number }} options
 */
export const compare = async (candidates, { sliceMs, rounds, warmupMs }) => {
  const run = (c, ms, offset) =>
    c.mode === 'sync'
      ? sliceSync(c.name, c.op, ms, offset)
      : c.mode === 'async'
        ? sliceAsync(c.name, c.op, ms, offset)
        : sliceConcurrent(c.name, c.op, ms, offset, c.inFlight ?? 50)
  for (const c of candidates) await run(c, warmupMs, 0)
  const samples = new Map(candidates.map((c) => [c.name, []]))
  for (let r = 0; r < rounds; r++) {
    for (const c of candidates) samples.get(c.name).push(await run(c, sliceMs, (r + 1) * 1_000_003))
  }
  return candidates.map((c) => {
    const xs = samples.get(c.name)
    return { name: c.name, label: c.label ?? c.name, opsPerSecond: median(xs), min: Math.min(...xs), max: Math.max(...xs), rounds: xs.length }
  })
}

/**
 * Nanoseconds per call of a synchronous `op(i)`, over `iterations` calls (after as many warm-up
 * calls), median of `rounds`.
 */
export const nsPerOpSync = (name, op, { iterations, rounds }) => {
  for (let i = 0; i < iterations; i++) if (op(i) === false) fail(name, i)
  const xs = []
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) if (op(i) === false) fail(name, i)
    xs.push(Number(process.hrtime.bigint() - start) / iterations)
  }
  return median(xs)
}

/** Like {@link nsPerOpSync}, for an `op(i)` that returns a Promise, awaited one at a time. */
export const nsPerOpAsync = async (name, op, { iterations, rounds }) => {
  for (let i = 0; i < iterations; i++) if ((await op(i)) === false) fail(name, i)
  const xs = []
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) if ((await op(i)) === false) fail(name, i)
    xs.push(Number(process.hrtime.bigint() - start) / iterations)
  }
  return median(xs)
}
