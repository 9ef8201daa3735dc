/**
 * Runs the built `banksocket` executable as a user does: `node packages/cli/dist/bin.js …`, with
 * its stdout and stderr read line by line. Builds the package first when `dist` is older than `src`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const packageDir = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = join(packageDir, 'dist', 'bin.js')

const newestIn = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name)
    return Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs)
  }, 0)

const isStale = (): boolean => {
  try {
    return statSync(BIN).mtimeMs < newestIn(join(packageDir, 'src'))
  } catch {
    return true
  }
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Builds the package with tsc when its build is missing or older than its sources (one builder at a time). */
export const ensureBuilt = (): void => {
  if (!isStale()) return
  const lock = join(packageDir, '.build-lock')
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock)
      break
    } catch {
      if (waited > 60_000) rmSync(lock, { recursive: true, force: true })
      sleepSync(100)
    }
  }
  try {
    if (isStale()) {
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
      execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json')], { stdio: 'inherit' })
    }
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** The environment of a spawned CLI: this process's, without Banksocket variables and colour switches. */
export const cleanEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('BANKSOCKET_') || name === 'NO_COLOR' || name === 'FORCE_COLOR') continue
    env[name] = value
  }
  return { ...env, ...extra }
}

type Stream = { lines: string[]; text: string; waiters: Array<() => void> }

export type Running = Readonly<{
  child: ChildProcess
  /** Resolves with the first line (from the `from`-th on) matching, or rejects after `timeout` ms. */
  line: (stream: 'stdout' | 'stderr', match: (line: string) => boolean, options?: { timeout?: number; from?: number }) => Promise<string>
  lines: (stream: 'stdout' | 'stderr') => ReadonlyArray<string>
  text: (stream: 'stdout' | 'stderr') => string
  exited: Promise<Readonly<{ code: number | null; signal: NodeJS.Signals | null }>>
  /** Sends a signal and waits for the exit. */
  stop: (signal?: NodeJS.Signals) => Promise<Readonly<{ code: number | null; signal: NodeJS.Signals | null }>>
}>

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/** Starts `banksocket …args` in the background. */
export const start = (args: ReadonlyArray<string>, options: { env?: Readonly<Record<string, string>> } = {}): Running => {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  const streams: Record<'stdout' | 'stderr', Stream> = {
    stdout: { lines: [], text: '', waiters: [] },
    stderr: { lines: [], text: '', waiters: [] },
  }
  for (const name of ['stdout', 'stderr'] as const) {
    const s = streams[name]
    let partial = ''
    child[name]?.setEncoding('utf8')
    child[name]?.on('data', (chunk: string) => {
      s.text += chunk
      partial += chunk
      const parts = partial.split('\n')
      partial = parts.pop() ?? ''
      s.lines.push(...parts)
      for (const wake of s.waiters.splice(0)) wake()
    })
    child[name]?.on('end', () => {
      if (partial !== '') s.lines.push(partial)
      partial = ''
      for (const wake of s.waiters.splice(0)) wake()
    })
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child)
      for (const s of Object.values(streams)) for (const wake of s.waiters.splice(0)) wake()
      resolve({ code, signal })
    })
  })
  let done = false
  void exited.then(() => (done = true))
  const line: Running['line'] = (stream, match, lineOptions = {}) =>
    new Promise((resolve, reject) => {
      const s = streams[stream]
      let index = lineOptions.from ?? 0
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching ${stream} line within ${lineOptions.timeout ?? 10_000} ms; stdout:\n${streams.stdout.text}\nstderr:\n${streams.stderr.text}`,
            ),
          ),
        lineOptions.timeout ?? 10_000,
      )
      const check = (): void => {
        for (; index < s.lines.length; index++) {
          const candidate = s.lines[index] ?? ''
          if (match(candidate)) {
            clearTimeout(timer)
            resolve(candidate)
            return
          }
        }
        if (done) {
          clearTimeout(timer)
          reject(new Error(`exited without a matching ${stream} line; stdout:\n${streams.stdout.text}\nstderr:\n${streams.stderr.text}`))
          return
        }
        s.waiters.push(check)
      }
      check()
    })
  return {
    child,
    line,
    lines: (stream) => [...streams[stream].lines],
    text: (stream) => streams[stream].text,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (!done) child.kill(signal)
      return exited
    },
  }
}

/** Runs `banksocket …args` to completion. */
export const run = async (
  args: ReadonlyArray<string>,
  options: { env?: Readonly<Record<string, string>>; timeout?: number } = {},
): Promise<Readonly<{ code: number | null; stdout: string; stderr: string }>> => {
  const cli = start(args, options)
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), options.timeout ?? 15_000)
  const { code } = await cli.exited
  clearTimeout(timer)
  return { code, stdout: cli.text('stdout'), stderr: cli.text('stderr') }
}

/** Starts `banksocket listen` and resolves once its first stderr line says where it listens. */
export const startListen = async (
  args: ReadonlyArray<string>,
  options: { env?: Readonly<Record<string, string>> } = {},
): Promise<Running & Readonly<{ url: string; listening: Record<string, unknown> }>> => {
  const cli = start(['listen', ...args], options)
  const first = await cli.line('stderr', () => true)
  const listening = JSON.parse(first) as Record<string, unknown>
  if (listening['type'] !== 'listening' || typeof listening['url'] !== 'string') throw new Error(`unexpected first line: ${first}`)
  return { ...cli, url: listening['url'], listening }
}

/** Parses a JSON line. */
export const json = (line: string): Record<string, unknown> => JSON.parse(line) as Record<string, unknown>

/** Any ANSI escape sequence. */
export const ANSI = /\u001b\[/
