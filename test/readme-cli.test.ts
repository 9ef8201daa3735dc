// The root README's `banksocket` block, run as written: every line of the block marked
// `<!-- cli-block -->`, in order, with `banksocket` being the built CLI, in a fresh directory, on
// free ports instead of 3000 and 4010 (another test may hold those). A line ending in `&` is a
// server: it is started and waited for; every other line must exit 0. Then the mock Banksocket's
// signed deliveries must reach the receiver that the block started, and both stop on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = join(root, 'packages', 'cli', 'dist', 'bin.js')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** The block's command lines, comments cut (a `#` after two spaces), blank lines dropped. */
const block = (): string[] => {
  const m = /<!-- cli-block -->\n```sh\n([\s\S]*?)```/.exec(readme)
  assert.ok(m !== null, 'the README marks its CLI block with <!-- cli-block -->')
  return (m[1] ?? '')
    .split('\n')
    .map((line) => line.replace(/\s{2,}#.*$/, '').trim())
    .filter((line) => line !== '')
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })

type Run = { child: ChildProcess; stdout: string; stderr: string; exited: Promise<number | null> }

const start = (args: string[], cwd: string): Run => {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  const run: Run = { child, stdout: '', stderr: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) }
  child.stdout?.on('data', (d) => (run.stdout += d))
  child.stderr?.on('data', (d) => (run.stderr += d))
  return run
}

/** Waits (bounded) until `ready` holds, polling. */
const until = async (what: string, ready: () => boolean, ms = 30_000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const listening = async (port: number): Promise<boolean> => {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { method: 'GET' })
    return true
  } catch {
    return false
  }
}

test('the README block runs as written: demo, listen, send, simulate, webhooks create', async () => {
  const lines = block()
  assert.match(lines[0] ?? '', /^npx --yes -p node@[\d.]+ -p pnpm@[\d.]+ -- pnpm run build$/, 'the block first builds (CI has built already)')
  assert.match(lines[1] ?? '', /^alias banksocket="node \$PWD\/packages\/cli\/dist\/bin\.js"$/)
  const [receiverPort, apiPort] = [await freePort(), await freePort()]
  const cwd = mkdtempSync(join(tmpdir(), 'readme-cli-'))
  const servers: Run[] = []
  try {
    for (const line of lines.slice(2)) {
      assert.ok(line.startsWith('banksocket '), `a banksocket command: ${line}`)
      const background = line.endsWith('&')
      const args = line
        .replace(/&$/, '')
        .trim()
        .split(/\s+/)
        .slice(1)
        .map((word) => word.replaceAll('3000', String(receiverPort)).replaceAll('4010', String(apiPort)))
      const run = start(args, cwd)
      if (background) {
        servers.push(run)
        const port = args.includes(String(apiPort)) ? apiPort : receiverPort
        let exited = false
        void run.exited.then(() => (exited = true))
        for (const deadline = Date.now() + 60_000; !(await listening(port)); ) {
          assert.ok(!exited, `${line} exited early: ${run.stderr}`)
          assert.ok(Date.now() < deadline, `${line} did not start listening`)
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        continue
      }
      const code = await run.exited
      assert.is(code, 0, `${line} exits 0; stderr: ${run.stderr.slice(-2000)}`)
      if (args[0] === 'send') assert.match(run.stdout + run.stderr, /200|ok/)
      if (args[0] === 'webhooks') assert.match(run.stdout, /"id"/)
    }
    const [listen] = servers
    assert.ok(listen !== undefined)
    // The signed notification `send` delivered is a line; the simulator's deliveries (signed with
    // the same secret, to the endpoint just registered) follow.
    await until('the simulator to deliver to the receiver', () => listen.stdout.trim().split('\n').filter(Boolean).length >= 3).catch(
      (error: Error) => {
        throw new Error(
          `${error.message}\nlisten stdout: ${listen.stdout.slice(-1500)}\nlisten stderr: ${listen.stderr.slice(-1500)}\nsimulate stderr: ${servers[1]?.stderr.slice(-1500)}`,
        )
      },
    )
    for (const line of listen.stdout.trim().split('\n').slice(0, 3)) assert.ok(JSON.parse(line).verified !== undefined, line)
  } finally {
    for (const server of servers) server.child.kill('SIGTERM')
    const codes = await Promise.all(servers.map((s) => s.exited))
    rmSync(cwd, { recursive: true, force: true })
    assert.equal(
      codes,
      servers.map(() => 0),
      'SIGTERM drains and exits 0',
    )
  }
})

test.run()
