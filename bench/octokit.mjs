#!/usr/bin/env node
// `node bench/octokit.mjs` (after a build): `banksocket listen` against `@octokit/webhooks` and the
// same-work baseline (issue 26), by server CPU per request, the figure that compares on a machine
// where the load generator often sets the rate. The servers take turns round by round (alternate
// rounds in reverse order), each on CPU 1 with autocannon on CPU 0, and the verdict is the median of
// the per-round ratios: in each round the two servers ran within a minute of each other, so a slow
// burst of the machine hits both sides of a ratio rather than one side of a median.
//
// Options (environment variables): BENCH_OCTOKIT_SERVERS (default `same-work,listen,octokit`, plus
// `listen-before` when BENCH_LISTEN_BEFORE_BIN is set), BENCH_LOAD_ROUNDS (5), BENCH_REQUESTS
// (60000), BENCH_WARMUP (10000), BENCH_CONNECTIONS (50), BENCH_PIN (1), BENCH_OCTOKIT_OUT (a JSON
// file for the raw rounds). Prints a Markdown summary on stdout, progress on stderr.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { loadServer } from './lib/load.mjs'
import { loadAverage, machine } from './lib/machine.mjs'
import { envNumber } from './lib/measure.mjs'
import { perRoundRatios } from './lib/report.mjs'
import { SERVERS } from './servers/index.mjs'

const log = (message) => process.stderr.write(`[octokit] ${message}\n`)

const pinned = (() => {
  if (process.env.BENCH_PIN === '0' || process.platform !== 'linux' || cpus().length < 2) return false
  return spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { encoding: 'utf8' }).status === 0
})()

const defaults = ['same-work', 'listen', ...(SERVERS['listen-before'] === undefined ? [] : ['listen-before']), 'octokit']
const names = (process.env.BENCH_OCTOKIT_SERVERS ?? defaults.join(','))
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '')
for (const name of names) if (SERVERS[name] === undefined) throw new Error(`unknown server ${name}; choose from ${Object.keys(SERVERS).join(', ')}`)

const connections = envNumber('BENCH_CONNECTIONS', 50)
const warmup = envNumber('BENCH_WARMUP', 10_000)
const amount = envNumber('BENCH_REQUESTS', 60_000)
const rounds = envNumber('BENCH_LOAD_ROUNDS', 5)
const m = machine()
log(`${m.cpu}, ${m.cores} cores, Node ${m.node}; load average ${m.loadAverageAtStart}; pinned ${pinned}`)

const runs = Object.fromEntries(names.map((n) => [n, []]))
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? names : [...names].reverse()
  for (const name of order) {
    const s = await loadServer({ name, ...SERVERS[name] }, { connections, warmup, amount, cpu: pinned ? 1 : undefined })
    runs[name].push(s)
    log(
      `round ${round + 1}/${rounds} ${name}: ${Math.round(s.requestsPerSecond)} req/s, ${(s.cpuMsPerRequest * 1000).toFixed(1)} µs CPU/req, non-2xx ${s.non2xx}, accepted ${s.counts.accepted}, gaps ${s.counts.gaps}, duplicates ${s.counts.duplicates}, load ${s.loadAverage.before}`,
    )
  }
}

const us = (msValue) => (msValue * 1000).toFixed(1)
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted.length % 2 === 1 ? sorted[sorted.length >> 1] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2
}
const lines = [
  `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}; load average at start ${m.loadAverageAtStart}, at end ${loadAverage()}.`,
  `${connections} connections, ${warmup} warm-up + ${amount} measured requests per server and round, ${rounds} rounds.`,
  '',
  `| server | CPU µs/req per round | median | req/s per round | load (1 min) per round |`,
  `| --- | ---: | ---: | ---: | ---: |`,
  ...names.map((n) => {
    const r = runs[n]
    return `| ${n} | ${r.map((x) => us(x.cpuMsPerRequest)).join(', ')} | ${us(median(r.map((x) => x.cpuMsPerRequest)))} | ${r.map((x) => Math.round(x.requestsPerSecond)).join(', ')} | ${r.map((x) => x.loadAverage.before.split(', ')[0]).join(', ')} |`
  }),
  '',
  '| ratio (CPU per request, the other / ours: above 1 is ours cheaper) | per round | median of per-round ratios | ratio of medians |',
  '| --- | ---: | ---: | ---: |',
]
for (const ours of names.filter((n) => n.startsWith('listen'))) {
  for (const other of names.filter((n) => n === 'octokit' || n === 'same-work' || (n.startsWith('listen') && n !== ours && ours === 'listen'))) {
    const r = perRoundRatios(runs[other], runs[ours])
    lines.push(
      `| ${ours} vs ${other} | ${r.perRound.map((x) => x.toFixed(2)).join(', ')} | **${r.median.toFixed(2)}x** | ${(median(runs[other].map((x) => x.cpuMsPerRequest)) / median(runs[ours].map((x) => x.cpuMsPerRequest))).toFixed(2)}x |`,
    )
  }
}
process.stdout.write(`${lines.join('\n')}\n`)
if (process.env.BENCH_OCTOKIT_OUT) writeFileSync(process.env.BENCH_OCTOKIT_OUT, JSON.stringify({ machine: m, rounds, runs }, null, 2))
