// Reads a V8 .cpuprofile (from `node --cpu-prof`) and lists the functions with the most self time,
// as "name (file:line)" with their share of all samples. Used by the bench to put a profile's top
// frames into docs/benchmarks.md when a target is missed; also runnable by hand:
//   node bench/lib/top-frames.mjs path/to/file.cpuprofile [count]
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'

/**
 * @param {string} file path of a .cpuprofile
 * @param {number} [count] how many frames to list
 * @returns {{ totalMs: number, frames: Array<{ name: string, where: string, selfPercent: number, selfMs: number }> }}
 */
export const topFrames = (file, count = 12) => {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfSamples = new Map()
  for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1)
  // Samples of an idle process (waiting for the network) say nothing about its cost: left out.
  const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id))
  const idleSamples = profile.samples.filter((id) => idleIds.has(id)).length
  for (const id of idleIds) selfSamples.delete(id)
  const totalSamples = profile.samples.length - idleSamples
  const totalMs = (profile.endTime - profile.startTime) / 1000
  const perSample = totalMs / Math.max(1, profile.samples.length)
  const busyMs = totalSamples * perSample
  const byFrame = new Map()
  const byGroup = new Map()
  for (const [id, samples] of selfSamples) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame
    const name = functionName === '' ? '(anonymous)' : functionName
    const where = url === '' ? '' : `${shorten(url)}:${lineNumber + 1}`
    const key = `${name} ${where}`
    const entry = byFrame.get(key) ?? { name, where, samples: 0 }
    entry.samples += samples
    byFrame.set(key, entry)
    const group = groupOf(name, url)
    byGroup.set(group, (byGroup.get(group) ?? 0) + samples)
  }
  const frames = [...byFrame.values()]
    .sort((a, b) => b.samples - a.samples)
    .slice(0, count)
    .map((f) => ({
      name: f.name,
      where: f.where,
      selfPercent: (100 * f.samples) / totalSamples,
      selfMs: f.samples * perSample,
    }))
  const groups = [...byGroup]
    .sort((a, b) => b[1] - a[1])
    .map(([group, samples]) => ({ group, selfPercent: (100 * samples) / totalSamples, selfMs: samples * perSample }))
  return { totalMs, busyMs, frames, groups }
}

/** Where a frame's code lives: one of our packages, a dependency, Node itself, or V8. */
const groupOf = (name, url) => {
  if (url === '') return name.startsWith('(') ? `V8 ${name}` : 'V8 builtins and native code'
  if (url.startsWith('node:'))
    return url.startsWith('node:internal/crypto') ? 'node:crypto' : /http|net|stream/.test(url) ? 'node:http, net, streams' : 'node: other internals'
  const pkg = /\/packages\/([^/]+)\//.exec(url)
  if (pkg !== null && !url.includes('node_modules')) return `@banksocket-webhooks/${pkg[1]}`
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url)
  if (dep !== null) return dep[1]
  if (url.includes('/bench/')) return 'bench harness'
  return 'other'
}

const shorten = (url) => {
  const path = url.replace(/^file:\/\//, '')
  const nm = path.lastIndexOf('node_modules/')
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length)
  const pkg = path.indexOf('/packages/')
  if (pkg >= 0) return path.slice(pkg + 1)
  const bench = path.indexOf('/bench/')
  if (bench >= 0) return path.slice(bench + 1)
  return path.startsWith('node:') ? path : basename(path)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, count] = process.argv.slice(2)
  if (file === undefined) {
    console.error('usage: node bench/lib/top-frames.mjs FILE.cpuprofile [count]')
    process.exit(2)
  }
  const { totalMs, busyMs, frames, groups } = topFrames(file, count === undefined ? 15 : Number(count))
  console.log(`profile: ${totalMs.toFixed(0)} ms, ${busyMs.toFixed(0)} ms busy (shares below are of busy time)`)
  for (const g of groups) console.log(`${g.selfPercent.toFixed(1).padStart(5)}%  ${g.group}`)
  console.log('')
  for (const f of frames) console.log(`${f.selfPercent.toFixed(1).padStart(5)}%  ${f.name}  ${f.where}`)
}
