#!/usr/bin/env node
// `node bench/telemetry.mjs` (after `pnpm run build`): what the metrics instrumentation costs
// `banksocket listen` per request, side by side with the build before it. BENCH_BEFORE is the root
// of a built checkout of the commit before the instrumentation (for example
// `git worktree add /tmp/before <commit> && cd /tmp/before && pnpm install && pnpm run build`).
//
// Each run starts a fresh `listen` (no store: the CPU-bound path) pinned to CPU 1, drives it from CPU
// 0 with N distinct signed notifications (20 accounts, each in chain order, 20 keep-alive
// connections, 16 requests in flight each), and reads the listener's CPU time (user + system, from
// /proc/<pid>/stat) before and after: server CPU per request. Runs alternate before / after /
// after with `--admin-port` (an SDK registered and a Prometheus reader) ROUNDS times; the table
// gives the median of each. A benchmark, not a test: CI does not run it.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeForm } from '@banksocket-webhooks/core'
import { accountMovements, SECRET } from './lib/notifications.mjs'
import { drive, raw } from './lib/pipelined.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const AFTER = join(root, 'packages', 'cli', 'dist', 'bin.js')
const BEFORE = process.env.BENCH_BEFORE === undefined ? undefined : join(process.env.BENCH_BEFORE, 'packages', 'cli', 'dist', 'bin.js')
const N = Number(process.env.BENCH_TELEMETRY_N ?? 40_000)
const ROUNDS = Number(process.env.BENCH_TELEMETRY_ROUNDS ?? 5)
const CONNECTIONS = 20
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100)

if (BEFORE === undefined) {
  console.error('set BENCH_BEFORE to a built checkout of the commit before the instrumentation')
  process.exit(2)
}

spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)])

/** CPU seconds (user + system) a process has used so far. */
const cpuOf = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS
}

const startListen = (bin, args) =>
  new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', '1', process.execPath, bin, 'listen', '--port', '0', '--secret', SECRET, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let first = ''
    child.stderr.on('data', (chunk) => {
      first += chunk.toString('utf8')
      const line = first.split('\n').find((l) => l.includes('"listening"'))
      if (line !== undefined) resolve({ child, port: JSON.parse(line).port })
    })
    child.once('exit', (code) => reject(new Error(`listen exited with ${code}: ${first}`)))
  })

const stop = (child) =>
  new Promise((resolve) => {
    child.removeAllListeners('exit')
    child.once('exit', resolve)
    child.kill('SIGTERM')
  })

/** Sends the lanes (see lib/pipelined.mjs); resolves with the count of 200s. */
const okCount = async (port, lanes) =>
  Object.entries((await drive(port, lanes)).answers)
    .filter(([key]) => key.startsWith('200 '))
    .reduce((n, [, count]) => n + count, 0)

const lanesOf = async (count, seed) => {
  const lanes = []
  for (let k = 0; k < CONNECTIONS; k++) {
    const account = accountMovements({ accountId: seed + k })
    const lane = []
    for (let i = 0; i < Math.ceil(count / CONNECTIONS); i++) lane.push(raw(encodeForm(await account.next())))
    lanes.push(lane)
  }
  return lanes
}

/** One run: a fresh listen, a warm-up, then N requests; server CPU microseconds per request and requests/s. */
const run = async (bin, args, seed) => {
  const warm = await lanesOf(2_000, seed)
  const lanes = await lanesOf(N, seed + 1000)
  const { child, port } = await startListen(bin, args)
  try {
    await okCount(port, warm)
    const cpuBefore = cpuOf(child.pid)
    const started = process.hrtime.bigint()
    const ok = await okCount(port, lanes)
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const cpu = cpuOf(child.pid) - cpuBefore
    const total = lanes.reduce((n, l) => n + l.length, 0)
    if (ok !== total) throw new Error(`${total - ok} requests were not answered 200`)
    return { usPerRequest: (cpu / total) * 1e6, perSecond: total / seconds }
  } finally {
    await stop(child)
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

const ALL = [
  { name: 'before (no instrumentation)', bin: BEFORE, args: [] },
  { name: 'after, no SDK registered (the default)', bin: AFTER, args: [] },
  { name: 'after, `--admin-port` (SDK and Prometheus reader)', bin: AFTER, args: ['--admin-port', '0'] },
]
// BENCH_TELEMETRY_ADMIN=0 leaves out the `--admin-port` runs (the 2 % question is about the default).
const variants = process.env.BENCH_TELEMETRY_ADMIN === '0' ? ALL.slice(0, 2) : ALL
const results = variants.map(() => [])
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, variant] of variants.entries()) {
    results[i].push(await run(variant.bin, variant.args, 100 + round * 10_000 + i * 3_000))
  }
  console.error(`round ${round + 1}/${ROUNDS}: ${results.map((r) => `${r.at(-1).usPerRequest.toFixed(1)} µs`).join(' / ')}`)
}
const base = median(results[0].map((r) => r.usPerRequest))
const least = Math.min(...results[0].map((r) => r.usPerRequest))
const versus = (value, of) => {
  const delta = ((value / of - 1) * 100).toFixed(1)
  return `${delta.startsWith('-') ? '' : '+'}${delta} %`
}
console.log(`| build | server CPU per request, median of ${ROUNDS} | vs before | lowest of ${ROUNDS} | vs before | requests/s (median) |`)
console.log('|---|---:|---:|---:|---:|---:|')
for (const [i, variant] of variants.entries()) {
  const us = median(results[i].map((r) => r.usPerRequest))
  const low = Math.min(...results[i].map((r) => r.usPerRequest))
  const rate = median(results[i].map((r) => r.perSecond))
  console.log(
    `| ${variant.name} | ${us.toFixed(1)} µs | ${i === 0 ? '' : versus(us, base)} | ${low.toFixed(1)} µs | ${i === 0 ? '' : versus(low, least)} | ${Math.round(rate).toLocaleString('en')} |`,
  )
}
