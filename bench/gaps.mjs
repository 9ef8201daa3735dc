// Issue 26: no cliff when chains break. The real `banksocket listen` (the built CLI, in memory,
// stdout to /dev/null) against the same-work baseline (bench/servers/same-work.mjs, whose chain
// check is one comparison) when every notification opens a gap: a few accounts whose balances
// never connect (bench/lib/gap-traffic.mjs), warmed up past 1,000 movements each so that every
// ledger holds the 1,000 fragments it may keep (core's DEFAULT_MAX_FRAGMENTS) and gives up its
// oldest gap at every movement, as it does in the steady state. And, for comparison, the
// realistic traffic of bench/run.mjs's load section (connection k sends account k in chain order).
//
// Each server is a fresh process per round, pinned to CPU 1 (the driver to CPU 0); servers take
// turns within a round, starting one later each round. Server CPU per request (user + system from
// /proc over the measured requests) and requests/s, median of the rounds; the ratio to same-work
// is the median of per-round ratios. Prints Markdown tables, writes bench/results/gaps.json.
//
//   node bench/gaps.mjs                     (after building core and cli; about 4 minutes)
//
// Options (environment):
//   BENCH_GAPS_ROUNDS (5)            rounds
//   BENCH_GAPS_ACCOUNTS (10)         accounts of the hostile traffic (connections are dealt to them)
//   BENCH_CONNECTIONS (50)           autocannon connections
//   BENCH_GAPS_WARMUP (1100)         hostile warm-up movements per account (not measured): at least
//                                    1,000 so that each ledger is at its fragment limit
//   BENCH_GAPS_REQUESTS (40000)      measured hostile requests per server and round
//   BENCH_GAPS_CHAIN_REQUESTS (30000) measured realistic requests (after 10,000 warm-up); 0 skips
//   BENCH_GAPS_SERVERS (same-work,listen[,listen-before])
//   BENCH_GAPS_BEFORE_BIN            another build's packages/cli/dist/bin.js, measured as
//                                    `listen-before` (BENCH_LISTEN_BEFORE_BIN is read too)
//   BENCH_GAPS_PROFILE (0)           1: then profile each `listen` under hostile traffic
//                                    (--cpu-prof, bench/profiles/gaps-<server>/) and print its top frames
//   BENCH_PIN (1)                    0: no CPU pinning
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_DEDUPE_WINDOW } from '@banksocket-webhooks/core/runtime-kit'
import { gapQueues, loadQueues } from './lib/gap-traffic.mjs'
import { loadServer } from './lib/load.mjs'
import { loadAverage, machine } from './lib/machine.mjs'
import { envNumber } from './lib/measure.mjs'
import { topFrames } from './lib/top-frames.mjs'
import { CLI_BIN, SERVERS } from './servers/index.mjs'

/** core's DEFAULT_MAX_FRAGMENTS (packages/core/src/ledger.ts): what a ledger may keep. */
const MAX_FRAGMENTS = 1000

const here = fileURLToPath(new URL('.', import.meta.url))
const rounds = envNumber('BENCH_GAPS_ROUNDS', 5)
const accounts = envNumber('BENCH_GAPS_ACCOUNTS', 10)
const connections = envNumber('BENCH_CONNECTIONS', 50)
const warmupPerAccount = envNumber('BENCH_GAPS_WARMUP', 1100)
const requests = envNumber('BENCH_GAPS_REQUESTS', 40_000)
const chainRequests = process.env.BENCH_GAPS_CHAIN_REQUESTS === '0' ? 0 : envNumber('BENCH_GAPS_CHAIN_REQUESTS', 30_000)
const beforeBin = process.env.BENCH_GAPS_BEFORE_BIN || process.env.BENCH_LISTEN_BEFORE_BIN || undefined
const profile = process.env.BENCH_GAPS_PROFILE === '1'

const perAccountConnections = connections / accounts
const warmupPer = Math.ceil(warmupPerAccount / perAccountConnections)
const amountPer = Math.ceil(requests / connections)
if (warmupPer * perAccountConnections < MAX_FRAGMENTS)
  throw new Error(`BENCH_GAPS_WARMUP ${warmupPerAccount}: the ledgers must see at least ${MAX_FRAGMENTS} movements before measuring`)
// Past the exact dedupe window a new key may hit the key history's Bloom filter and be held as a
// suspected replay instead of opening a gap: keep every key of a server's run inside the window.
if ((warmupPer + amountPer) * connections >= DEFAULT_DEDUPE_WINDOW)
  throw new Error(`${(warmupPer + amountPer) * connections} notifications per run: keep them under the dedupe window (${DEFAULT_DEDUPE_WINDOW})`)

const servers = {
  'same-work': { name: 'same-work', ...SERVERS['same-work'] },
  listen: { name: 'listen', cli: ['listen'], bin: CLI_BIN },
  ...(beforeBin === undefined ? {} : { 'listen-before': { name: 'listen-before', cli: ['listen'], bin: beforeBin } }),
}
const serverNames = (process.env.BENCH_GAPS_SERVERS ?? Object.keys(servers).join(',')).split(',').filter((n) => n !== '')
for (const name of serverNames) if (servers[name] === undefined) throw new Error(`unknown server ${name} (${Object.keys(servers).join(', ')})`)

const pinned = (() => {
  if (process.env.BENCH_PIN === '0' || process.platform !== 'linux' || cpus().length < 2) return false
  return spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { encoding: 'utf8' }).status === 0
})()
const cpu = pinned ? 1 : undefined

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** What a run's server saw, and whether it is what the traffic must give (else it measured something else). */
const checked = (shape, run) => {
  const sent = run.sent
  const expectedGaps = shape === 'hostile' ? sent - accounts : 0
  const seen =
    run.stopped === undefined
      ? { accepted: run.counts.accepted, gaps: run.counts.gaps, duplicates: run.counts.duplicates, rejected: run.counts.rejected }
      : {
          accepted: run.stopped.transactions,
          gaps: run.stopped.gaps,
          duplicates: run.stopped.duplicates,
          rejected: run.stopped.rejected,
          openGapsPerLedger: (run.stopped.ledgers ?? []).map((l) => l.openGaps.length),
          suspectedReplays: run.stopped.suspectedReplays,
        }
  const problems = []
  if (run.non2xx !== 0 || run.errors !== 0 || run.timeouts !== 0)
    problems.push(`${run.non2xx} non-2xx, ${run.errors} errors, ${run.timeouts} timeouts`)
  if (seen.accepted !== sent) problems.push(`accepted ${seen.accepted} of ${sent}`)
  if (seen.gaps !== expectedGaps) problems.push(`${seen.gaps} gaps, expected ${expectedGaps}`)
  if (seen.duplicates !== 0) problems.push(`${seen.duplicates} duplicates`)
  if (shape === 'hostile' && seen.openGapsPerLedger !== undefined && seen.openGapsPerLedger.some((n) => n !== MAX_FRAGMENTS - 1))
    problems.push(`open gaps per ledger ${[...new Set(seen.openGapsPerLedger)].join('/')}, expected ${MAX_FRAGMENTS - 1}`)
  return { ...seen, problems }
}

const round1 = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a')
const thousands = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a')

const main = async () => {
  const results = {
    machine: machine(),
    settings: {
      rounds,
      accounts,
      connections,
      warmupPerAccount: warmupPer * perAccountConnections,
      requests,
      chainRequests,
      servers: serverNames,
      pinned,
      beforeBin,
    },
    runs: [],
    profiles: [],
  }
  console.error(`gaps: ${serverNames.join(', ')}; ${rounds} rounds; pinned: ${pinned}; load average ${loadAverage()}`)
  const hostile = await gapQueues({ accounts, connections, perConnection: warmupPer + amountPer })
  const shapes = chainRequests > 0 ? ['hostile', 'chain'] : ['hostile']
  for (let r = 0; r < rounds; r++) {
    for (const shape of shapes) {
      for (let s = 0; s < serverNames.length; s++) {
        const name = serverNames[(s + r) % serverNames.length]
        const server = servers[name]
        const run = shape === 'hostile' ? await loadQueues(server, hostile, { warmupPer, amountPer, cpu }) : await chainRun(server)
        const seen = checked(shape, run)
        const { stopped: _stopped, counts: _counts, ...kept } = run
        results.runs.push({ round: r + 1, shape, ...kept, seen })
        console.error(
          `round ${r + 1} ${shape.padEnd(7)} ${name.padEnd(13)} ${thousands(run.requestsPerSecond).padStart(7)} req/s  ${round1(run.cpuUsPerRequest).padStart(6)} µs CPU/req  load ${run.loadAverage.after}${seen.problems.length === 0 ? '' : `  PROBLEM: ${seen.problems.join('; ')}`}`,
        )
      }
    }
  }
  if (profile) {
    for (const name of serverNames.filter((n) => n.startsWith('listen'))) {
      const dir = join(here, 'profiles', `gaps-${name}`)
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir, { recursive: true })
      const run = await loadQueues(servers[name], hostile, { warmupPer, amountPer, cpu, execArgv: ['--cpu-prof', '--cpu-prof-dir', dir] })
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
      const top = topFrames(join(dir, file), 25)
      const per = (ms) => (ms * 1000) / run.sent
      results.profiles.push({
        name,
        file: join(dir, file),
        requests: run.sent,
        busyUsPerRequest: per(top.busyMs),
        groups: top.groups.map((g) => ({ ...g, usPerRequest: per(g.selfMs) })),
        frames: top.frames.map((f) => ({ ...f, usPerRequest: per(f.selfMs) })),
      })
    }
  }
  results.machine.loadAverageAtEnd = loadAverage()
  results.summary = summarize(results.runs, shapes)
  mkdirSync(join(here, 'results'), { recursive: true })
  writeFileSync(join(here, 'results', 'gaps.json'), `${JSON.stringify(results, null, 2)}\n`)
  console.log(report(results, shapes))
}

/** The realistic traffic: bench/lib/load.mjs's own run (50 accounts in chain order). */
const chainRun = async (server) => {
  const r = await loadServer({ ...server, kind: 'form' }, { connections, warmup: 10_000, amount: chainRequests, cpu })
  return {
    name: server.name,
    requests: r.requests,
    ok: r.ok,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds: r.seconds,
    requestsPerSecond: r.requestsPerSecond,
    cpuUsPerRequest: r.cpuMsPerRequest * 1000,
    cpuUtilisation: r.cpuUtilisation,
    latencyMs: { p50: r.latencyMs.p50, p99: r.latencyMs.p99 },
    rss: { end: r.rss.end, vmHwm: r.rss.vmHwm },
    loadAverage: r.loadAverage,
    sent: r.counts.sentIncludingWarmup,
    counts: { accepted: r.counts.accepted, gaps: r.counts.gaps, duplicates: r.counts.duplicates, rejected: r.counts.rejected },
  }
}

/** Per shape and server: medians over the rounds, and the per-round ratios to same-work. */
const summarize = (runs, shapes) => {
  const out = {}
  for (const shape of shapes) {
    out[shape] = {}
    const of = (name) => runs.filter((x) => x.shape === shape && x.name === name)
    for (const name of serverNames) {
      const mine = of(name)
      const base = of('same-work')
      const ratios = mine
        .map((x) => ({ x, b: base.find((y) => y.round === x.round) }))
        .filter(({ b }) => b !== undefined)
        .map(({ x, b }) => ({ cpu: b.cpuUsPerRequest / x.cpuUsPerRequest, rate: x.requestsPerSecond / b.requestsPerSecond }))
      out[shape][name] = {
        requestsPerSecond: median(mine.map((x) => x.requestsPerSecond)),
        cpuUsPerRequest: median(mine.map((x) => x.cpuUsPerRequest)),
        cpuUsPerRequestRounds: mine.map((x) => x.cpuUsPerRequest),
        p50: median(mine.map((x) => x.latencyMs.p50)),
        p99: median(mine.map((x) => x.latencyMs.p99)),
        peakRss: Math.max(...mine.map((x) => x.rss.vmHwm)),
        vsSameWorkCpu: median(ratios.map((q) => q.cpu)),
        vsSameWorkRate: median(ratios.map((q) => q.rate)),
        problems: mine.flatMap((x) => x.seen.problems.map((p) => `round ${x.round}: ${p}`)),
      }
    }
  }
  return out
}

const report = (results, shapes) => {
  const lines = []
  const m = results.machine
  lines.push(
    `Issue 26, every notification a gap: \`node bench/gaps.mjs\`, ${m.date}, ${m.cpu} (${m.cores} cores), Node ${m.node}; load average ${m.loadAverageAtStart} at start, ${m.loadAverageAtEnd} at end; pinned: ${results.settings.pinned}.`,
  )
  lines.push('')
  lines.push(
    `Hostile: ${accounts} accounts over ${connections} connections, every notification a gap, ${results.settings.warmupPerAccount} warm-up movements per account (each ledger at its ${MAX_FRAGMENTS} fragments), then ${thousands(amountPer * connections)} measured; realistic: 50 accounts in chain order, 10,000 warm-up, ${thousands(chainRequests)} measured. ${rounds} rounds, servers taking turns; medians, and the median of per-round ratios to same-work.`,
  )
  lines.push('')
  lines.push('| traffic | server | req/s | server CPU / req | p50 / p99 | peak RSS | vs same-work (CPU / req) | vs same-work (req/s) |')
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|')
  for (const shape of shapes) {
    for (const name of serverNames) {
      const s = results.summary[shape][name]
      const rounds = s.cpuUsPerRequestRounds.map((x) => round1(x)).join(' / ')
      lines.push(
        `| ${shape === 'hostile' ? 'every notification a gap' : 'chain order'} | ${name} | ${thousands(s.requestsPerSecond)} | ${round1(s.cpuUsPerRequest)} µs (${rounds}) | ${round1(s.p50, 2)} / ${round1(s.p99, 2)} ms | ${round1(s.peakRss / 2 ** 20)} MiB | ${name === 'same-work' ? '' : `**${round1(s.vsSameWorkCpu, 2)}x**`} | ${name === 'same-work' ? '' : `${round1(s.vsSameWorkRate, 2)}x`} |`,
      )
    }
  }
  const problems = shapes.flatMap((shape) => serverNames.flatMap((n) => results.summary[shape][n].problems.map((p) => `${shape} ${n} ${p}`)))
  lines.push('')
  lines.push(
    problems.length === 0
      ? "Every run: all 200, every notification accepted, the expected gaps (hostile: all but each account's first; `listen`: 999 open per ledger at the end), no duplicate."
      : `**Problems**: ${problems.join('; ')}`,
  )
  for (const p of results.profiles) {
    lines.push('')
    lines.push(
      `Profile of \`${p.name}\` under hostile traffic (${thousands(p.requests)} requests, warm-up and start included): ${round1(p.busyUsPerRequest)} µs busy CPU per request.`,
    )
    lines.push('')
    lines.push('| µs / req | where |')
    lines.push('|---:|---|')
    for (const g of p.groups.slice(0, 8)) lines.push(`| ${round1(g.usPerRequest, 2)} | ${g.group} |`)
    lines.push('')
    lines.push('| self % | µs / req | frame |')
    lines.push('|---:|---:|---|')
    for (const f of p.frames.slice(0, 15)) lines.push(`| ${round1(f.selfPercent)} | ${round1(f.usPerRequest, 2)} | \`${f.name}\` ${f.where} |`)
  }
  return lines.join('\n')
}

await main()
