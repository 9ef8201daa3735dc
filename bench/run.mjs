#!/usr/bin/env node
// `pnpm bench` (from the repository root, after a build): runs every benchmark section and writes
// docs/benchmarks.md. `node bench/run.mjs --report` rewrites the document from the last run's
// bench/results/latest.json without measuring (after editing its hand-written analysis, say). Sizes and the choice of sections come from environment variables, listed in
// bench/README.md. Benchmarks are not tests: CI does not run them.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { loadServer } from './lib/load.mjs'
import { loadAverage, machine } from './lib/machine.mjs'
import { envNumber } from './lib/measure.mjs'
import { profileServer } from './lib/profile-server.mjs'
import { targets, writeReport } from './lib/report.mjs'
import { runSection } from './lib/section.mjs'
import { topFrames } from './lib/top-frames.mjs'
import { SERVERS } from './servers/index.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..')
const lib = (name) => join(here, 'lib', name)

const SECTIONS = ['verify', 'pipeline', 'load', 'memory', 'listen-memory']
const list = (name, all) => {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return all
  const picked = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  const unknown = picked.filter((s) => !all.includes(s))
  if (unknown.length > 0) throw new Error(`${name}: unknown ${unknown.join(', ')}; choose from ${all.join(', ')}`)
  return picked
}

const log = (message) => process.stderr.write(`[bench] ${message}\n`)

const requireBuilt = () => {
  const missing = [
    ...['core', 'adapter-fetch', 'adapter-node-server'].map((p) => join(root, 'packages', p, 'dist', 'index.js')),
    join(root, 'packages', 'cli', 'dist', 'bin.js'),
  ].filter((f) => !existsSync(f))
  if (missing.length > 0) {
    throw new Error(`not built: ${missing.join(', ')}. Run \`pnpm run build\` first (\`pnpm bench\` does).`)
  }
}

/** Pins this process (all its threads) to CPU 0 so that the measured processes can have CPU 1. */
const pin = () => {
  if (process.env.BENCH_PIN === '0' || process.platform !== 'linux' || cpus().length < 2) return false
  const r = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { encoding: 'utf8' })
  return r.status === 0
}

const pinChild = (pid) => {
  spawnSync('taskset', ['-a', '-p', '-c', '1', String(pid)], { encoding: 'utf8' })
}

const main = async () => {
  requireBuilt()
  const started = performance.now()
  const pinned = pin()
  const sections = list('BENCH_SECTIONS', SECTIONS)
  const serverNames = list('BENCH_SERVERS', Object.keys(SERVERS))
  const profileMode = process.env.BENCH_PROFILE ?? 'auto'
  if (!['auto', 'always', 'never'].includes(profileMode)) throw new Error('BENCH_PROFILE must be auto, always or never')
  const out = process.env.BENCH_OUT ?? join(root, 'docs', 'benchmarks.md')
  const profileDir = join(here, 'profiles')
  const sectionOptions = (extra = {}) => ({ ...extra, onSpawn: pinned ? pinChild : undefined })
  // A section that fails is logged and left out of the report; the others still count (a long run
  // should not be lost to one broken section).
  const failures = []
  const attempt = async (name, file, options) => {
    try {
      return await runSection(file, options)
    } catch (error) {
      log(`section ${name} failed, left out: ${error instanceof Error ? error.message.split('\n').slice(0, 4).join(' / ') : error}`)
      failures.push(name)
      return undefined
    }
  }

  const results = { machine: machine(), settings: { pinned, sections, servers: serverNames }, profiles: [] }
  log(
    `machine: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}; load average ${results.machine.loadAverageAtStart}`,
  )

  if (sections.includes('verify')) {
    log('1. verification ops/s')
    results.verify = await attempt('verify', lib('verify.mjs'), sectionOptions())
  }
  if (sections.includes('pipeline')) {
    log('4. pipeline cost per stage')
    results.pipeline = await attempt('pipeline', lib('pipeline.mjs'), sectionOptions())
  }
  if (sections.includes('load')) {
    const connections = envNumber('BENCH_CONNECTIONS', 50)
    const warmup = envNumber('BENCH_WARMUP', 10_000)
    const amount = envNumber('BENCH_REQUESTS', 60_000)
    const rounds = envNumber('BENCH_LOAD_ROUNDS', 1)
    // With several rounds the servers take turns (round 1: all of them, round 2: all of them in
    // reverse order, ...), so that a change in the machine's load hits every server alike; each
    // server's median round (by requests/s) is kept, with every round's requests/s beside it.
    const runs = Object.fromEntries(serverNames.map((name) => [name, []]))
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? serverNames : [...serverNames].reverse()
      for (const name of order) {
        log(
          `2. load${rounds > 1 ? ` round ${round + 1}/${rounds}` : ''}: ${name} (${warmup} warm-up + ${amount} requests, ${connections} connections)`,
        )
        const s = await loadServer({ name, ...SERVERS[name] }, { connections, warmup, amount, cpu: pinned ? 1 : undefined })
        runs[name].push(s)
        log(
          `   ${Math.round(s.requestsPerSecond)} req/s, ${(s.cpuMsPerRequest * 1000).toFixed(1)} µs CPU/req, p99 ${s.latencyMs.p99.toFixed(2)} ms, non-2xx ${s.non2xx}, peak RSS ${(s.rss.vmHwm / 2 ** 20).toFixed(0)} MiB, load ${s.loadAverage.before}`,
        )
      }
    }
    const servers = serverNames.map((name) => {
      const sorted = [...runs[name]].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)
      const median = sorted[(sorted.length - 1) >> 1]
      const cpus = runs[name].map((r) => r.cpuMsPerRequest).sort((a, b) => a - b)
      return {
        ...median,
        // CPU per request is the steadier figure on a busy machine: its own median over the rounds.
        cpuMsPerRequestMedian: cpus[(cpus.length - 1) >> 1],
        rounds: runs[name].map((r) => ({ requestsPerSecond: r.requestsPerSecond, cpuMsPerRequest: r.cpuMsPerRequest, loadAverage: r.loadAverage })),
      }
    })
    results.load = {
      connections,
      warmup: Math.ceil(warmup / connections) * connections,
      amount: Math.ceil(amount / connections) * connections,
      rounds,
      servers,
    }
  }
  if (sections.includes('memory')) {
    const total = envNumber('BENCH_MEMORY_NOTIFICATIONS', 1_000_000)
    log(`3. memory: ${total} notifications in process`)
    const main = await attempt('memory', lib('memory.mjs'), sectionOptions({ execArgv: ['--expose-gc'] }))
    const smallWindow = envNumber('BENCH_MEMORY_SMALL_WINDOW', 10_000)
    const smallTotal = envNumber('BENCH_MEMORY_SMALL_NOTIFICATIONS', 200_000)
    log(`3. memory: ${smallTotal} notifications with dedupeWindow ${smallWindow}`)
    const small = await attempt(
      'memory (small window)',
      lib('memory.mjs'),
      sectionOptions({
        execArgv: ['--expose-gc'],
        env: { BENCH_MEMORY_NOTIFICATIONS: String(smallTotal), BENCH_DEDUPE_WINDOW: String(smallWindow), BENCH_WINDOW_ADDS: '1000' },
      }),
    )
    if (main !== undefined && small !== undefined) results.memory = { main, small }
  }

  if (sections.includes('listen-memory')) {
    log(`3b. memory of \`banksocket listen\` over HTTP: ${envNumber('BENCH_LISTEN_MEMORY_NOTIFICATIONS', 1_000_000)} notifications`)
    // This section's process is the load generator: it stays on this process's CPU (0) and pins
    // the server it starts to CPU 1.
    results.listenMemory = await attempt('listen-memory', lib('listen-memory.mjs'), { env: pinned ? { BENCH_LISTEN_MEMORY_CPU: '1' } : {} })
  }

  const missed = targets(results).filter((t) => !t.met)
  const wanted = profileMode === 'always' ? ['verify', 'throughput'] : profileMode === 'never' ? [] : missed.map((t) => t.id)
  if (wanted.length > 0) mkdirSync(profileDir, { recursive: true })
  if (wanted.includes('verify') && results.verify !== undefined) {
    log('profile: core verify, node:crypto hasher')
    const file = join(profileDir, 'verify-core-node.cpuprofile')
    await runSection(lib('verify.mjs'), sectionOptions({ env: { BENCH_VERIFY_PROFILE: file } }))
    results.profiles.push({
      title: 'core `verify`, node:crypto hasher',
      note: 'In process, only the verify loop is profiled (notifications prepared beforehand); the async wrapper of the bench loop shows as `coreNode`.',
      file: relative(root, file),
      ...topFrames(file),
    })
  }
  if ((wanted.includes('throughput') || wanted.includes('peer')) && results.load !== undefined) {
    // Ours and the baseline under the same load, profiled, so the doc can put their CPU time per
    // request side by side, by where the code lives.
    results.serverProfiles = []
    const profiled = (process.env.BENCH_PROFILE_SERVERS ?? 'baseline,same-work,listen').split(',').filter((n) => SERVERS[n] !== undefined)
    for (const name of profiled) {
      log(`profile: ${name} under load (--cpu-prof)`)
      const p = await profileServer(
        { name, ...SERVERS[name] },
        {
          dir: join(profileDir, name),
          connections: results.load.connections,
          warmup: 5_000,
          amount: envNumber('BENCH_PROFILE_REQUESTS', 30_000),
          cpu: pinned ? 1 : undefined,
        },
      )
      results.serverProfiles.push({ ...p, file: relative(root, p.file) })
    }
  }

  results.failedSections = failures
  results.loadAverageEnd = loadAverage()
  results.elapsedSeconds = (performance.now() - started) / 1000
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results', 'latest.json'), JSON.stringify(results, null, 2))
  writeReport(out, results)
  log(`wrote ${out} (and bench/results/latest.json) in ${Math.round(results.elapsedSeconds)} s`)
  for (const t of targets(results)) log(`target ${t.met ? 'met   ' : 'MISSED'} ${t.target}: ${t.measured}`)
}

/** `node bench/run.mjs --report`: rewrites the document from bench/results/latest.json, no measuring. */
const reportOnly = async () => {
  const file = join(here, 'results', 'latest.json')
  if (!existsSync(file)) throw new Error(`${file} does not exist: run the benchmarks first`)
  const out = process.env.BENCH_OUT ?? join(root, 'docs', 'benchmarks.md')
  writeReport(out, JSON.parse(readFileSync(file, 'utf8')))
  log(`wrote ${out} from ${relative(root, file)}`)
}

;(process.argv.includes('--report') ? reportOnly() : main()).catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
