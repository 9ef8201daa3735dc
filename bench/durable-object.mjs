#!/usr/bin/env node
// `node bench/durable-object.mjs` (after `pnpm run build`): what one inbox object of
// `@banksocket-webhooks/adapter-durable-object` takes, in workerd through miniflare, against the
// Workers guide's plain fetch receiver (in memory, no store) in the same workerd. A benchmark, not a
// test: CI does not run it.
//
// Both Workers are the guide's own files (docs/guides/examples/worker-durable-object.ts and
// worker.ts), bundled with esbuild and their wrangler.toml's `[alias]` table, loaded into one
// miniflare each (the Durable Object on SQLite storage, kept in a temporary directory, so every
// write goes to a real SQLite file). miniflare listens on a loopback port; autocannon in this
// process sends every account's movements in chain order, one keep-alive connection per account,
// after a warm-up. Measured: notifications per second, latency, and the CPU of the workerd process
// per notification (user + system, from /proc). Every answer must be `200 {"status":"ok"}`.
//
// Environment: BENCH_DO_N (notifications per run, default 6000), BENCH_DO_WARMUP (1000),
// BENCH_DO_ACCOUNTS (10), BENCH_DO_ROUNDS (3: the two Workers take turns), BENCH_DO_PERSIST=memory
// (the object's storage in memory instead of a directory).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { cpuMsOf, percentile } from './lib/load.mjs'
import { loadAverage, machine } from './lib/machine.mjs'
import { envNumber } from './lib/measure.mjs'
import { accountMovements, FORM_CONTENT_TYPE, formBody, SECRET } from './lib/notifications.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const examples = join(here, '..', 'docs', 'guides', 'examples')
const N = envNumber('BENCH_DO_N', 6000)
const WARMUP = envNumber('BENCH_DO_WARMUP', 1000)
const ACCOUNTS = envNumber('BENCH_DO_ACCOUNTS', 10)
const ROUNDS = envNumber('BENCH_DO_ROUNDS', 3)
const log = (message) => process.stderr.write(`[durable-object] ${message}\n`)

/** The `[alias]` table of a guide's wrangler toml, as wrangler applies it (exact keys). */
const aliasOf = (toml) => {
  const lines = readFileSync(join(examples, toml), 'utf8').split('\n')
  const start = lines.findIndex((line) => line.trim() === '[alias]')
  const alias = {}
  for (const line of lines.slice(start + 1)) {
    if (/^\s*\[/.test(line)) break
    const m = /^"([^"]+)"\s*=\s*"([^"]+)"/.exec(line.trim())
    if (m) alias[m[1]] = m[2]
  }
  return alias
}

const bundle = async (entry, toml) => {
  const alias = aliasOf(toml)
  const result = await build({
    entryPoints: [join(examples, entry)],
    absWorkingDir: examples,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'wrangler-alias',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) =>
            alias[args.path] === undefined ? undefined : b.resolve(alias[args.path], { kind: args.kind, resolveDir: examples }),
          )
        },
      },
    ],
  })
  return result.outputFiles[0].text
}

/** The workerd processes miniflare started (children of this process). */
const workerdPids = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
        return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerd')
      } catch {
        return false
      }
    })
    .map(Number)

const cpuOf = (pids) => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0)

/** Per account, its movements in chain order as raw requests to `path`. */
const queuesFor = async (seedBase, perAccount, path) => {
  const queues = []
  for (let a = 0; a < ACCOUNTS; a++) {
    const movements = accountMovements({ accountId: seedBase + a + 1 })
    const queue = []
    for (let i = 0; i < perAccount; i++) {
      const body = formBody(await movements.next())
      queue.push(
        Buffer.concat([
          Buffer.from(
            `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\ncontent-type: ${FORM_CONTENT_TYPE}\r\nContent-Length: ${body.length}\r\n\r\n`,
            'latin1',
          ),
          body,
        ]),
      )
    }
    queues.push(queue)
  }
  return queues
}

/** Connection k sends `queues[k][from .. from + per)`; resolves with the answers' statuses, bodies' tags and latencies. */
const fire = (url, queues, from, per) =>
  new Promise((resolve, reject) => {
    let next = 0
    const tally = { latencies: [], status: {}, notOk: 0, last: 0 }
    const first = performance.now()
    const instance = autocannon(
      {
        url,
        connections: queues.length,
        amount: per * queues.length,
        timeout: 30,
        requests: [{ method: 'POST', path: '/' }],
        setupClient: (client) => {
          const queue = queues[next++]
          let cursor = from
          client.getRequestBuffer = () => queue[cursor++]
        },
      },
      (error) => (error ? reject(error) : resolve({ ...tally, seconds: (tally.last - first) / 1000 })),
    )
    instance.on('response', (_client, status, _bytes, responseTime) => {
      tally.last = performance.now()
      tally.latencies.push(responseTime)
      tally.status[status] = (tally.status[status] ?? 0) + 1
    })
  })

const WORKERS = {
  'durable-object': {
    label: 'inbox object (`defineInboxObject`, SQLite store), one object',
    entry: 'worker-durable-object.ts',
    toml: 'wrangler-durable-object.toml',
    path: '/banksocket/acme',
    options: (persist) => ({
      bindings: { BANKSOCKET_SECRET_ACME: SECRET },
      durableObjects: { INBOX: { className: 'BanksocketInbox', useSQLite: true } },
      ...(persist === undefined ? {} : { durableObjectsPersist: persist }),
    }),
  },
  fetch: {
    label: "the guide's fetch receiver (`createFetchReceiver`, in memory, a log line per credit), for reference",
    entry: 'worker.ts',
    toml: 'wrangler.toml',
    path: '/banksocket',
    options: () => ({ bindings: { BANKSOCKET_SECRET: SECRET } }),
  },
}

const runOne = async (name, code, round) => {
  const worker = WORKERS[name]
  const persist = name === 'durable-object' && process.env.BENCH_DO_PERSIST !== 'memory' ? mkdtempSync(join(tmpdir(), 'bsw-do-bench-')) : undefined
  const mf = new Miniflare({
    modules: true,
    script: code,
    compatibilityDate: '2025-09-01',
    host: '127.0.0.1',
    port: 0,
    // The Workers' log lines are read and dropped (as a deployment's would be shipped elsewhere).
    handleRuntimeStdio: (stdout, stderr) => {
      stdout.resume()
      stderr.resume()
    },
    ...worker.options(persist),
  })
  try {
    const url = (await mf.ready).toString()
    const warmPer = Math.ceil(WARMUP / ACCOUNTS)
    const per = Math.ceil(N / ACCOUNTS)
    const queues = await queuesFor(1000 * (round + 1), warmPer + per, worker.path)
    await fire(url, queues, 0, warmPer)
    const pids = workerdPids()
    const before = cpuOf(pids)
    const loadBefore = loadAverage()
    const driven = await fire(url, queues, warmPer, per)
    const cpuMs = cpuOf(pids) - before
    const latencies = Float64Array.from(driven.latencies).sort()
    const notifications = per * ACCOUNTS
    return {
      name,
      label: worker.label,
      round,
      notifications,
      ok: (driven.status[200] ?? 0) === notifications,
      status: driven.status,
      notificationsPerSecond: notifications / driven.seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      workerdCpuMsPerNotification: cpuMs / notifications,
      workerdProcesses: pids.length,
      loadAverage: { before: loadBefore, after: loadAverage() },
    }
  } finally {
    await mf.dispose()
    if (persist !== undefined) rmSync(persist, { recursive: true, force: true })
  }
}

const m = machine()
log(`${m.cpu}, ${m.cores} cores, Node ${m.node}; load average ${m.loadAverageAtStart}`)
const codes = Object.fromEntries(await Promise.all(Object.entries(WORKERS).map(async ([name, w]) => [name, await bundle(w.entry, w.toml)])))
const results = []
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? Object.keys(WORKERS) : Object.keys(WORKERS).reverse()
  for (const name of order) {
    const r = await runOne(name, codes[name], round)
    log(
      `round ${round + 1} ${name}: ${r.notificationsPerSecond.toFixed(0)}/s, p99 ${r.p99.toFixed(1)} ms, ${(r.workerdCpuMsPerNotification * 1000).toFixed(0)} µs CPU`,
    )
    if (!r.ok) throw new Error(`${name}: not every answer was 200: ${JSON.stringify(r.status)}`)
    results.push(r)
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
console.log(`${N} notifications per run over ${ACCOUNTS} accounts (chain order, one connection each), ${WARMUP} to warm up, ${ROUNDS} rounds\n`)
console.log('| Worker (median of rounds) | notifications/s | p50 | p99 | workerd CPU per notification |')
console.log('|---|---:|---:|---:|---:|')
for (const name of Object.keys(WORKERS)) {
  const rs = results.filter((r) => r.name === name)
  console.log(
    `| ${WORKERS[name].label} | ${median(rs.map((r) => r.notificationsPerSecond)).toFixed(0)} | ${median(rs.map((r) => r.p50)).toFixed(1)} ms | ${median(rs.map((r) => r.p99)).toFixed(1)} ms | ${(median(rs.map((r) => r.workerdCpuMsPerNotification)) * 1000).toFixed(0)} µs |`,
  )
}
