// Profiles a bench server under load with `node --cpu-prof` and sums its busy CPU time per request,
// by where the code lives (our packages, dependencies, Node's HTTP stack, V8). Used by
// bench/run.mjs when a throughput target is missed; runnable by hand too:
//   node bench/lib/profile-server.mjs node [requests]
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadServer } from './load.mjs'
import { topFrames } from './top-frames.mjs'

/**
 * @param {{ name: string, label: string, script: string, kind: 'form' | 'octokit', env?: Record<string, string> }} server
 * @param {{ dir: string, connections: number, warmup: number, amount: number, cpu?: number, frames?: number }} options
 */
export const profileServer = async (server, { dir, connections, warmup, amount, cpu, frames = 20 }) => {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const load = await loadServer(server, { connections, warmup, amount, cpu, execArgv: ['--cpu-prof', '--cpu-prof-dir', dir] })
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`${server.name}: the profiled server wrote no .cpuprofile`)
  const profile = topFrames(join(dir, file), frames)
  const requests = load.counts.sentIncludingWarmup
  return {
    name: server.name,
    label: server.label,
    file: join(dir, file),
    requests,
    requestsPerSecond: load.requestsPerSecond,
    busyUsPerRequest: (profile.busyMs * 1000) / requests,
    groups: profile.groups.map((g) => ({ ...g, usPerRequest: (g.selfMs * 1000) / requests })),
    frames: profile.frames,
    totalMs: profile.totalMs,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { SERVERS } = await import('../servers/index.mjs')
  const [name = 'node', amount = '30000'] = process.argv.slice(2)
  const server = SERVERS[name]
  if (server === undefined) {
    console.error(`usage: node bench/lib/profile-server.mjs (${Object.keys(SERVERS).join('|')}) [requests]`)
    process.exit(2)
  }
  const dir = join(fileURLToPath(new URL('..', import.meta.url)), 'profiles', name)
  const r = await profileServer({ name, ...server }, { dir, connections: 50, warmup: 5_000, amount: Number(amount) })
  console.log(`${name}: ${Math.round(r.requestsPerSecond)} req/s; ${r.busyUsPerRequest.toFixed(1)} µs busy CPU per request; ${r.file}`)
  for (const g of r.groups) console.log(`${g.usPerRequest.toFixed(1).padStart(7)} µs  ${g.group}`)
  console.log('')
  for (const f of r.frames) console.log(`${f.selfPercent.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`)
}
