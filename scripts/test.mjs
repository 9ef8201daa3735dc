#!/usr/bin/env node
// Runs every test suite of the workspace and sums the results.
//
//   node:    packages/*/test/**/*.test.ts and test/**/*.test.ts (uvu, one process per file, through tsx)
//   deno:    .../deno/**/*.test.ts     (deno test, from the `deno` npm package)
//   workerd: .../workerd/**/*.test.ts  (uvu through tsx, driving workerd with miniflare)
//   bun:     .../bun/**/*.test.ts      (bun test, from the `bun` npm package)
//   faults:  .../faults/**/*.test.ts   (uvu through tsx on this Node only: the fault suite kills,
//            freezes and restarts real PostgreSQL servers and fills real file systems; once is
//            enough, and it is the slowest part)
//
// The runtime is the first of `deno`, `workerd`, `bun`, `faults` that names a folder of the file's path
// (under packages/*/test or test/); anything else runs on Node.
//
// Prints one line per file, the output of failing files, a line per runtime, and last the plain
// line `N passed, N failed`. Exits 1 when anything failed. `node scripts/test.mjs core` limits the
// run to files whose path contains `core`. `--also-node=20.20.2,24.21.0` runs every node file again
// on each of those Node versions too (each brought from the npm registry's `node` package with
// npx), reported as runtimes of their own (`node20`, `node24`; the Node running this script is
// `node22`, say). A file gets 10 minutes (`TEST_FILE_TIMEOUT_MS`); on a
// timeout its whole process group is killed, so nothing it started outlives it.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const filter = args.find((a) => !a.startsWith('--')) ?? ''
const alsoNode = (args.find((a) => a.startsWith('--also-node='))?.slice('--also-node='.length) ?? '').split(',').filter(Boolean)
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 10 * 60 * 1000)
const CONCURRENCY = 2

const walk = (dir) => {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (name === 'node_modules' || name === 'fixtures') return []
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

const runtimeOf = (path) => {
  const parts = relative(root, path).split(sep)
  if (parts.includes('deno')) return 'deno'
  if (parts.includes('workerd')) return 'workerd'
  if (parts.includes('bun')) return 'bun'
  if (parts.includes('faults')) return 'faults'
  return 'node'
}

const files = [...readdirSync(join(root, 'packages')).flatMap((pkg) => walk(join(root, 'packages', pkg, 'test'))), ...walk(join(root, 'test'))]
  .filter((f) => f.endsWith('.test.ts') && relative(root, f).includes(filter))
  .sort()

const bin = (name) => join(root, 'node_modules', '.bin', name)

/** `node20` for a Node 20 binary: how a node file's results are labelled, per version. */
const nodeLabel = (version) => `node${version.replace(/^v/, '').split('.')[0]}`

/** The Node binaries of `--also-node`, brought with npx from the npm registry (cached after once). */
const extraNodes = alsoNode.map((spec) => {
  const found = spawnSync('npx', ['--yes', '-p', `node@${spec}`, '--', 'node', '-p', 'process.execPath + " " + process.version'], {
    cwd: root,
    encoding: 'utf8',
  })
  const [path, version] = (found.stdout ?? '').trim().split('\n').at(-1)?.split(' ') ?? []
  if (found.status !== 0 || !path || !version) {
    console.error(`test: could not get Node ${spec} from the npm registry: ${found.stderr}`)
    process.exit(2)
  }
  return { path, version, label: nodeLabel(version) }
})
const primaryNode = { path: process.execPath, version: process.version, label: nodeLabel(process.version) }
const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, '')

const commandFor = (file, node) => {
  const runtime = runtimeOf(file)
  if (runtime === 'deno') {
    return [bin('deno'), ['test', '--allow-all', '--no-check', '--quiet', file]]
  }
  if (runtime === 'bun') {
    // An absolute path, so that bun runs this file rather than every test file whose name matches.
    return [bin('bun'), ['test', file]]
  }
  return [node.path, ['--import', 'tsx', file]]
}

const parse = (runtime, output, code) => {
  const text = strip(output)
  if (runtime === 'deno') {
    const m = /(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/.exec(text)
    if (m) return { passed: Number(m[1]), failed: Number(m[3]) + (code !== 0 && Number(m[3]) === 0 ? 1 : 0) }
    return { passed: 0, failed: 1 }
  }
  if (runtime === 'bun') {
    // bun test ends with ` N pass` and ` N fail` lines (on stderr); an error outside any test (a
    // module that fails to load) counts as a failure there too, and makes the exit code 1.
    const pass = /^\s*(\d+) pass$/m.exec(text)
    const fail = /^\s*(\d+) fail$/m.exec(text)
    if (!pass || !fail) return { passed: 0, failed: 1 }
    return { passed: Number(pass[1]), failed: Number(fail[1]) + (code !== 0 && Number(fail[1]) === 0 ? 1 : 0) }
  }
  const total = /Total:\s+(\d+)/.exec(text)
  const passed = /Passed:\s+(\d+)/.exec(text)
  const skipped = /Skipped:\s+(\d+)/.exec(text)
  if (!total || !passed) return { passed: 0, failed: 1 }
  const failed = Number(total[1]) - Number(passed[1]) - Number(skipped?.[1] ?? 0)
  return { passed: Number(passed[1]), failed: failed + (code !== 0 && failed === 0 ? 1 : 0) }
}

// A failing file's output, without the lines of its passing tests (Deno and Bun list every test),
// so the failure itself is what a truncated CI log still shows.
const PASSING_LINE = { deno: / \.\.\. ok \(/, bun: /^\(pass\) / }
const failureOutput = (runtime, output) => {
  const text = strip(output)
  const passing = PASSING_LINE[runtime]
  if (passing === undefined) return text
  return text
    .split('\n')
    .filter((line) => !passing.test(line))
    .join('\n')
}

// Test files run in process groups of their own (see runFile); when the runner itself is stopped
// (Ctrl-C, CI cancelling), it takes them with it.
const running = new Set()
const killGroup = (child) => {
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) killGroup(child)
    process.exit(130)
  })
}

/** One test file on one runtime (a node file once per Node version). */
const jobs = [
  // The fault suite first: its files are the longest, and started last they would end the run alone.
  ...files.filter((file) => runtimeOf(file) === 'faults').map((file) => ({ file, node: primaryNode })),
  ...files.filter((file) => runtimeOf(file) !== 'faults').map((file) => ({ file, node: primaryNode })),
  ...extraNodes.flatMap((node) => files.filter((file) => runtimeOf(file) === 'node').map((file) => ({ file, node }))),
]

/** A job's runtime as reported: `node22` for a node file on Node 22, else deno, workerd or bun. */
const labelOf = (job) => (runtimeOf(job.file) === 'node' ? job.node.label : runtimeOf(job.file))

const runFile = (job) =>
  new Promise((resolve) => {
    const file = job.file
    const [cmd, args] = commandFor(file, job.node)
    const started = Date.now()
    const child = spawn(cmd, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', DENO_NO_UPDATE_CHECK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout kills what the test started too (CLIs, servers).
      detached: true,
    })
    running.add(child)
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => {
      output += `\n[test runner] killed after ${FILE_TIMEOUT_MS / 1000}s\n`
      killGroup(child)
    }, FILE_TIMEOUT_MS)
    child.on('close', (code) => {
      running.delete(child)
      clearTimeout(timer)
      resolve({ file, runtime: runtimeOf(file), label: labelOf(job), code: code ?? 1, output, ms: Date.now() - started })
    })
  })

const results = []
const queue = [...jobs]
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const r = await runFile(job)
      const counts = parse(r.runtime, r.output, r.code)
      results.push({ ...r, ...counts })
      const mark = counts.failed === 0 ? 'ok  ' : 'FAIL'
      console.log(`${mark} [${r.label}] ${relative(root, r.file)}: ${counts.passed} passed, ${counts.failed} failed (${(r.ms / 1000).toFixed(1)}s)`)
      if (counts.failed > 0) console.log(failureOutput(r.runtime, r.output).replace(/^/gm, '    | '))
    }
  }),
)

const totals = { passed: 0, failed: 0 }
for (const runtime of [primaryNode.label, ...extraNodes.map((n) => n.label), 'deno', 'workerd', 'bun', 'faults']) {
  const rs = results.filter((r) => r.label === runtime)
  if (rs.length === 0) continue
  const p = rs.reduce((a, r) => a + r.passed, 0)
  const f = rs.reduce((a, r) => a + r.failed, 0)
  totals.passed += p
  totals.failed += f
  const version = [primaryNode, ...extraNodes].find((n) => n.label === runtime)?.version
  console.log(`${runtime}${version ? ` (${version})` : ''}: ${p} passed, ${f} failed`)
}
for (const r of results.filter((r) => r.failed > 0)) {
  const names = strip(r.output)
    .split('\n')
    .filter((line) => / \.\.\. FAILED|^\s*FAIL\s|✘|^\(fail\) /.test(line))
    .slice(0, 10)
  console.log(`failed: [${r.label}] ${relative(root, r.file)}${names.map((n) => `\n    ${n.trim()}`).join('')}`)
}
if (files.length === 0) {
  console.log('no test files found')
  totals.failed += 1
}
console.log(`${totals.passed} passed, ${totals.failed} failed`)
process.exit(totals.failed === 0 ? 0 : 1)
