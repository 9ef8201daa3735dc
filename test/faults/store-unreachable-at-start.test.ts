/**
 * A store that is not there yet when `listen` or `forward` starts (a container orchestrator starts
 * services in any order): without `--wait-for-store` they say why in a user's words and exit 1;
 * with it they try again with backoff, `listen` answering 503 `store_unavailable` meanwhile, and go
 * on as usual once the store answers, in the same process, on the same port.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { freePort, startDatabase } from '../../packages/test-support/src/postgres.ts'
import { chains, FORWARD_SECRET, firstDeliveries, postOnce, runCli, SECRET, startApp, startCli, waitUntil } from './support/fleet.ts'

const PASSWORD = 'unreachable-pw-7731'

test('no database at start: listen and forward say what failed and how to wait, exit 1, never show the password', async () => {
  const port = await freePort()
  const refused = `postgres://app:${PASSWORD}@127.0.0.1:${port}/app`
  const unknownHost = `postgres://app:${PASSWORD}@no-such-host.invalid:5432/app`
  const cases = [
    { args: ['listen', '--port', '0', '--secret', SECRET, '--store', refused], says: /nothing accepts connections at that address/ },
    { args: ['listen', '--port', '0', '--secret', SECRET, '--store', unknownHost], says: /host name cannot be resolved/ },
    { args: ['forward', '--store', refused, '--to', 'http://127.0.0.1:9/x', '--secret', FORWARD_SECRET], says: /nothing accepts connections/ },
  ]
  for (const { args, says } of cases) {
    const run = runCli(args)
    assert.is(run.code, 1, run.stderr)
    assert.match(run.stderr, says)
    assert.match(run.stderr, /pass --wait-for-store DURATION/)
    assert.not.match(run.stderr + run.stdout, PASSWORD)
  }
})

test('--wait-for-store: listen answers 503 store_unavailable while the database is down, then records on the same port; forward waits too', async () => {
  const db = await startDatabase()
  assert.ok(db.embedded, 'this test stops its own PostgreSQL: run it without DATABASE_URL')
  const app = await startApp()
  const clis: Array<ReturnType<typeof startCli>> = []
  try {
    assert.is(runCli(['migrate', '--store', db.url]).code, 0)
    await db.halt()
    const listen = startCli(['listen', '--port', '0', '--secret', SECRET, '--store', db.url, '--wait-for-store', '60s'])
    clis.push(listen)
    const waiting = await listen.line('waiting_for_store')
    assert.match(String(waiting['reason']), /nothing accepts connections/)
    assert.not.match(listen.stderrText(), db.password ?? 'no password')
    const waitingUrl = String(waiting['url'])
    const [[first, second] = []] = await chains('wait-for-store', ['501'], 2)
    if (first === undefined || second === undefined) throw new Error('two notifications expected')

    const early = await fetch(waitingUrl, { method: 'POST', headers: { 'content-type': first.contentType }, body: first.body })
    assert.is(early.status, 503)
    assert.is(early.headers.get('retry-after'), '5')
    assert.equal(await early.json(), { error: 'store_unavailable' })

    const forward = startCli(['forward', '--store', db.url, '--to', app.url, '--secret', FORWARD_SECRET, '--wait-for-store', '60s'])
    clis.push(forward)
    await forward.line('waiting_for_store')

    await db.restart()
    const listening = await listen.line('listening')
    assert.is(listening['port'], waiting['port'], 'the same port')
    assert.is((await postOnce(String(listening['url']), first)).body, '{"status":"ok"}')
    assert.is((await postOnce(String(listening['url']), second)).body, '{"status":"ok"}')
    await forward.line('forwarding')
    await waitUntil('both transactions forwarded', () => firstDeliveries(app.received()).length >= 2)
    assert.equal(
      firstDeliveries(app.received()).map((r) => r.body['balance']),
      [first.balance, second.balance],
    )
    const attempts = listen.stderr().filter((l) => l['type'] === 'waiting_for_store')
    assert.ok(attempts.length >= 1)
    for (const cli of clis) {
      cli.child.kill('SIGTERM')
      assert.is(await cli.exited, 0, cli.stderrText())
    }
  } finally {
    for (const cli of clis) cli.child.kill('SIGKILL')
    await app.stop()
    await db.stop()
  }
})

test('--wait-for-store gives up after its duration with the last reason; a signal while waiting ends it with 0', async () => {
  const port = await freePort()
  const refused = `postgres://app:${PASSWORD}@127.0.0.1:${port}/app`
  const started = Date.now()
  const run = runCli(['listen', '--port', '0', '--secret', SECRET, '--store', refused, '--wait-for-store', '2s'])
  assert.is(run.code, 1)
  assert.ok(Date.now() - started >= 2_000)
  assert.match(run.stderr, /still failing after --wait-for-store 2s/)
  assert.match(run.stderr, /"type":"waiting_for_store"/)
  assert.not.match(run.stderr, PASSWORD)

  const forward = startCli(['forward', '--store', refused, '--to', 'http://127.0.0.1:9/x', '--secret', FORWARD_SECRET, '--wait-for-store', '10m'])
  await forward.line('waiting_for_store')
  forward.child.kill('SIGTERM')
  assert.is(await forward.exited, 0, forward.stderrText())
})

test('forward --wait-for-store started before listen created the log: it waits, then forwards what listen records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faults-wait-'))
  const app = await startApp()
  const log = join(dir, 'events.jsonl')
  const forward = startCli(['forward', '--store', log, '--to', app.url, '--secret', FORWARD_SECRET, '--wait-for-store', '60s'])
  let listen: ReturnType<typeof startCli> | undefined
  try {
    const waiting = await forward.line('waiting_for_store')
    assert.match(String(waiting['reason']), /there is no event log/)
    listen = startCli(['listen', '--port', '0', '--secret', SECRET, '--store', log])
    const url = String((await listen.line('listening'))['url'])
    await forward.line('forwarding')
    const [[movement] = []] = await chains('wait-for-log', ['601'], 1)
    if (movement === undefined) throw new Error('one notification expected')
    assert.is((await postOnce(url, movement)).body, '{"status":"ok"}')
    await waitUntil('the transaction forwarded', () => app.received().length >= 1)
    assert.is(app.received()[0]?.body['balance'], movement.balance)
  } finally {
    forward.child.kill('SIGKILL')
    listen?.child.kill('SIGKILL')
    await app.stop()
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
