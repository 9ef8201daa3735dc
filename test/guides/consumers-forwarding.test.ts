/**
 * docs/guides/consumers.md, "Forwarding to your application" and "Replaying history to a new
 * application", run as the guide says: the Express sample (examples/forward-app.ts, verifying
 * with `standardwebhooks`) behind `banksocket listen --forward-to`, then a second copy of it fed
 * the whole history by `banksocket forward --from beginning` beside the running listen.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMovementGenerator } from '../../packages/testing/dist/index.js'
import { notification, type Served } from '../frameworks/support/cases.ts'
import { startProcess } from '../frameworks/support/process.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = join(root, 'packages', 'cli', 'dist', 'bin.js')
const RECEIVER_SECRET = 's3cr3t'
const FORWARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

/** The guide's application, on a free port. */
const startApp = (): Promise<Served> =>
  startProcess({
    command: process.execPath,
    args: ['--import', 'tsx', join(root, 'docs/guides/examples/forward-app.ts')],
    cwd: root,
    env: { BANKSOCKET_FORWARD_SECRET: FORWARD_SECRET, PORT: '0', HOST: '127.0.0.1' },
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    path: '/banksocket',
    timeoutMs: 20_000,
  })

type Cli = { child: ChildProcess; stderr: () => string; exited: Promise<number | null> }

/** Runs the built `banksocket` with `args`; resolves once a stderr JSON line of `type` appears. */
const startCli = (args: ReadonlyArray<string>, ready: string, cwd: string): Promise<Cli & { line: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    child.stdout?.resume()
    const timer = setTimeout(() => reject(new Error(`banksocket ${args[0]} did not print ${ready}:\n${err}`)), 20_000)
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString('utf8')
      for (const text of err.split('\n')) {
        if (!text.startsWith('{')) continue
        const line = JSON.parse(text) as Record<string, unknown>
        if (line['type'] === ready) {
          clearTimeout(timer)
          resolve({ child, stderr: () => err, exited, line })
          return
        }
      }
    })
    void exited.then((code) => reject(new Error(`banksocket ${args[0]} exited ${code}:\n${err}`)))
  })

/** The app's printed transactions (`{ id, account, amount, currency }`), in the order it printed them. */
const transactionsOf = (app: Served) =>
  app
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"account"'))
    .map((l) => JSON.parse(l) as { id: string; account: string; amount: string })

const waitFor = async (what: string, check: () => boolean) => {
  const deadline = Date.now() + 30_000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

test('listen --forward-to the guide app, then forward --from beginning replays the history to a second copy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'guide-consumers-'))
  const running: Array<{ stop: () => Promise<void> }> = []
  const clis: Cli[] = []
  try {
    const app = await startApp()
    running.push(app)
    const listen = await startCli(
      ['listen', '--port', '0', '--secret', RECEIVER_SECRET, '--store', 'events.jsonl', '--forward-to', app.url, '--forward-secret', FORWARD_SECRET],
      'listening',
      dir,
    )
    clis.push(listen)
    const receiver = listen.line['url'] as string
    const movements = createMovementGenerator({ seed: 'guide', accounts: [{ account_id: '69' }, { account_id: '70' }] }).take(12)
    for (const movement of movements) {
      const { body, contentType } = await notification(movement, 'form', RECEIVER_SECRET)
      const answer = await fetch(receiver, { method: 'POST', headers: { 'content-type': contentType }, body })
      assert.is(answer.status, 200)
    }
    await waitFor('12 forwarded transactions', () => transactionsOf(app).length >= 12)
    const forwarded = transactionsOf(app)
    for (const account of ['69', '70']) {
      assert.equal(
        forwarded.filter((t) => t.account === account).map((t) => t.amount),
        movements.filter((m) => m.account_id === account).map((m) => m.amount),
        `account ${account} in chain order`,
      )
    }

    // A new application gets the whole history from a forwarder of its own, beside the running listen.
    const warehouse = await startApp()
    running.push(warehouse)
    const forward = await startCli(
      ['forward', '--store', 'events.jsonl', '--to', warehouse.url, '--secret', FORWARD_SECRET, '--name', 'warehouse', '--from', 'beginning'],
      'forwarding',
      dir,
    )
    clis.push(forward)
    await waitFor('the history at the new app', () => transactionsOf(warehouse).length >= 12)
    // Accounts go at once, so only each account's order is fixed: the same events, ids and order per account.
    for (const account of ['69', '70']) {
      assert.equal(
        transactionsOf(warehouse)
          .filter((t) => t.account === account)
          .map((t) => t.id),
        forwarded.filter((t) => t.account === account).map((t) => t.id),
        `account ${account}: the same events, with the same ids, in the same order`,
      )
    }
    forward.child.kill('SIGTERM')
    assert.is(await forward.exited, 0)
    const stopped = forward
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['type'] === 'stopped')
    assert.is(stopped?.['forwarded'], 12)
    assert.is(stopped?.['failed'], 0)
  } finally {
    for (const cli of clis) cli.child.kill('SIGKILL')
    for (const r of running) await r.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
