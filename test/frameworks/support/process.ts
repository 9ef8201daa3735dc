/**
 * Starts a sample the way its guide tells you to (a command in a process of its own) and waits
 * until it prints the address it listens on.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SECRET, type Served } from './cases.ts'

/** How to start one sample and recognise that it listens. */
export type Command = Readonly<{
  command: string
  args: readonly string[]
  cwd: string
  env: Readonly<Record<string, string>>
  /** Matches the line that says it listens; its first group is the base URL (`http://127.0.0.1:PORT`). */
  ready: RegExp
  /** The webhook route, appended to the base URL. */
  path: string
  /** How long it may take to start. */
  timeoutMs: number
}>

/**
 * Spawns the command in a process group of its own, resolves once `ready` matches its stdout, and
 * stops the whole group on `stop()` (SIGTERM, then SIGKILL after five seconds), so nothing the
 * sample started outlives the test.
 */
export const startProcess = (c: Command): Promise<Served> =>
  new Promise((resolve, reject) => {
    const child = spawn(c.command, [...c.args], {
      cwd: c.cwd,
      env: { ...process.env, ...c.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')))
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')))
    const exited = new Promise<void>((done) => child.once('exit', () => done()))
    const signal = (name: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, name)
      } catch {
        // already gone
      }
    }
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      signal('SIGTERM')
      const killer = setTimeout(() => signal('SIGKILL'), 5_000)
      await exited
      clearTimeout(killer)
    }
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`${c.command} ${c.args.join(' ')} did not listen within ${c.timeoutMs} ms:\n${output}`))
    }, c.timeoutMs)
    const check = () => {
      const base = c.ready.exec(output)?.[1]
      if (base === undefined) return
      clearTimeout(timer)
      child.stdout.off('data', check)
      resolve({ url: `${base}${c.path}`, output: () => output, stop })
    }
    child.stdout.on('data', check)
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`${c.command} ${c.args.join(' ')} exited with ${child.exitCode ?? child.signalCode} before listening:\n${output}`))
    })
  })

const root = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Starts one of docs/guides/examples' servers the way the frameworks guide runs it (`args` before
 * the sample's path: `--import tsx` for Node), with the webhook secret of the cases, on a free
 * loopback port, and waits for its `listening on http://127.0.0.1:PORT` line.
 */
export const startSample = (sample: string, command: string, args: readonly string[] = []): Promise<Served> =>
  startProcess({
    command,
    args: [...args, join(root, 'docs/guides/examples', sample)],
    cwd: root,
    env: { BANKSOCKET_SECRET: SECRET, PORT: '0', HOST: '127.0.0.1' },
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    path: '/banksocket',
    timeoutMs: 20_000,
  })
