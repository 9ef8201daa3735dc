// What the numbers were measured on: CPU model and cores, memory, OS, Node and V8 versions, and
// the versions of the packages compared.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'

const require = createRequire(import.meta.url)

const versionOf = (name) => {
  try {
    return require(`${name}/package.json`).version
  } catch {
    // ESM-only packages without an exported package.json: find it next to the resolved entry.
    const entry = import.meta.resolve(name).replace(/^file:\/\//, '')
    const at = entry.lastIndexOf(`/node_modules/${name}/`)
    return JSON.parse(readFileSync(`${entry.slice(0, at)}/node_modules/${name}/package.json`, 'utf8')).version
  }
}

/** CPU features that matter to hashing: SHA extensions and AVX-512, from /proc/cpuinfo (Linux). */
const cpuFeatures = () => {
  try {
    const flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(' ') ?? []
    return ['sha_ni', 'avx2', 'avx512f'].filter((f) => flags.includes(f))
  } catch {
    return []
  }
}

const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')

/** A description of this machine and run. */
export const machine = () => {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    cpuFeatures: cpuFeatures(),
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    date: new Date().toISOString(),
    loadAverageAtStart: loadAverage(),
    packages: Object.fromEntries(
      ['autocannon', '@octokit/webhooks', '@octokit/webhooks-methods', 'standardwebhooks', 'eventemitter3'].map((n) => [n, versionOf(n)]),
    ),
  }
}

export { loadAverage }
