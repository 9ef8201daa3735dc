/**
 * `banksocket forward` on a file log, as a process of its own beside the `listen` that writes the
 * log (real processes, loopback sockets): it follows the log read-only, forwards in order per
 * account to an application that verifies every request, records what it gives up on in
 * `<log>.checkpoints/<name>.failed.jsonl` (the log has one writer), resumes from its checkpoint,
 * and starts where `--from` says when its name has none. A log that does not exist is exit 1.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ForwardFailed } from '@banksocket-webhooks/consumers'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, json, run, start, startListen } from './support/cli.ts'
import {
  BANKSOCKET_SECRET,
  chains,
  checkDeliveries,
  createCleanup,
  FORWARD_SECRET,
  forwardableIds,
  logEvents,
  sendAll,
  startApp,
  until,
} from './support/forwarding.ts'

ensureBuilt()

const dir = mkdtempSync(join(tmpdir(), 'banksocket-cli-forward-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

const ENV = { BANKSOCKET_FORWARD_SECRET: FORWARD_SECRET }

/** Starts `banksocket forward` and resolves with it and its first stderr line. */
const startForward = async (cleanup: ReturnType<typeof createCleanup>, args: ReadonlyArray<string>) => {
  const cli = cleanup.add(start(['forward', ...args, '--max-delay', '200ms'], { env: ENV }))
  const first = json(await cli.line('stderr', () => true))
  return { ...cli, first }
}

test('forward on a log that does not exist: exit 1, one line saying to start listen first (or to wait for it)', async () => {
  const file = join(dir, 'missing.jsonl')
  const { code, stdout, stderr } = await run(['forward', '--store', file, '--to', 'http://127.0.0.1:9/', '--secret', FORWARD_SECRET])
  assert.is(code, 1)
  assert.is(stdout, '')
  assert.is(
    stderr,
    `banksocket forward: there is no event log at ${file}: forward reads the log that banksocket listen --store writes; start listen first (to wait for it at start, pass --wait-for-store DURATION)\n`,
  )
  assert.not.ok(existsSync(file), 'nothing created')
})

test('beside a running listen: follows the log, forwards in order, dead letters to a file, resumes, and --from end', async () => {
  const cleanup = createCleanup()
  try {
    await besideListen(cleanup)
  } finally {
    await cleanup.close()
  }
})

const besideListen = async (cleanup: ReturnType<typeof createCleanup>): Promise<void> => {
  const file = join(dir, 'events.jsonl')
  const listen = cleanup.add(await startListen(['--port', '0', '--secret', BANKSOCKET_SECRET, '--store', file]))
  const app = cleanup.add(await startApp((incoming) => (incoming.accountId === '72' ? 503 : 200)))
  const forward = await startForward(cleanup, ['--store', file, '--to', app.url, '--max-attempts', '2'])
  const failures = `${file}.checkpoints/forward.failed.jsonl`
  assert.equal(forward.first, { type: 'forwarding', store: file, to: app.url, name: 'forward', from: 'beginning', failuresFile: failures })

  await sendAll(listen.url, chains(['71', '72', '73'], 5, 'f'))
  const ids = forwardableIds(await logEvents(file))
  const refused = ids.filter((id) => id.includes('-72-'))
  assert.is(refused.length, 5)
  await until('the refused account to be given up on', () => forward.lines('stderr').filter((l) => l.includes('"forward_failed"')).length >= 5)
  await until('the other accounts', () => new Set(app.acked().map((d) => d.id)).size >= 10)
  checkDeliveries(app)
  assert.equal(new Set(app.acked().map((d) => d.id)), new Set(ids.filter((id) => !refused.includes(id))))
  const failed = forward
    .lines('stderr')
    .filter((l) => l.includes('"forward_failed"'))
    .map(json)
  assert.equal(
    failed.map((f) => [f['webhookId'], f['attempts'], f['status']]),
    refused.map((id) => [id, 2, 503]),
  )

  // The dead letters: one synced JSON line each, beside the checkpoint; the log (one writer) untouched by forward.
  const records = readFileSync(failures, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown)
  assert.ok(
    records.every((r) => ForwardFailed.is(r)),
    'each line is a ForwardFailed record',
  )
  assert.equal(
    records.map((r) => (ForwardFailed.is(r) ? [r.data.webhookId, r.data.consumer, r.data.url, r.data.status, r.data.stream] : [])),
    refused.map((id) => [id, 'forward', app.url, 503, 'ledger-72-TRY']),
  )
  assert.not.ok((await logEvents(file)).some((e) => e.stream.startsWith('consumer-')))

  assert.equal(await forward.stop(), { code: 0, signal: null })
  const tail = forward.lines('stderr').slice(-2).map(json)
  assert.is(tail[0]?.['type'], 'stopping')
  assert.equal(tail[1], { type: 'stopped', forwarded: 10, failed: 5, pending: 0 })

  // Stopped while listen goes on recording: a new forward under the same name resumes from its checkpoint.
  const more = chains(['71', '73'], 7, 'f').map((movements) => movements.slice(5))
  await sendAll(listen.url, more)
  const before = app.deliveries.length
  const ackedBefore = app.acked().length
  const resumed = await startForward(cleanup, ['--store', file, '--to', app.url])
  await until('the movements recorded while forward was stopped', () => app.acked().length >= ackedBefore + 4)
  // A second name that starts at the end: only what is recorded after it started.
  const late = await startForward(cleanup, ['--store', file, '--to', app.url, '--name', 'late', '--from', 'end'])
  assert.is(late.first['from'], 'end')
  await until('the late forwarder to save where it starts', () => existsSync(`${file}.checkpoints/late.json`))
  const last = chains(['71'], 8, 'f').map((movements) => movements.slice(7))
  await sendAll(listen.url, last)
  await until('both forwarders to send the last movement', () => app.acked().filter((d) => d.description === 'f-71-7').length >= 2)
  assert.equal(
    app.deliveries
      .slice(before)
      .map((d) => d.description)
      .sort(),
    ['f-71-5', 'f-71-6', 'f-71-7', 'f-71-7', 'f-73-5', 'f-73-6'],
  )
  assert.equal((await resumed.stop()).code, 0)
  assert.equal(json(resumed.lines('stderr').at(-1) ?? '{}'), { type: 'stopped', forwarded: 5, failed: 0, pending: 0 })
  assert.equal((await late.stop()).code, 0)
  assert.equal(json(late.lines('stderr').at(-1) ?? '{}'), { type: 'stopped', forwarded: 1, failed: 0, pending: 0 })
  checkDeliveries(app)
  assert.is((await listen.stop()).code, 0)
}

test('two forwarders under one name: one forwards, the other waits and takes over when it stops', async () => {
  const cleanup = createCleanup()
  try {
    await oneName(cleanup)
  } finally {
    await cleanup.close()
  }
})

const oneName = async (cleanup: ReturnType<typeof createCleanup>): Promise<void> => {
  const file = join(dir, 'one-name.jsonl')
  const listen = cleanup.add(await startListen(['--port', '0', '--secret', BANKSOCKET_SECRET, '--store', file]))
  const app = cleanup.add(await startApp())
  const first = await startForward(cleanup, ['--store', file, '--to', app.url, '--name', 'shared'])
  await until('the first to claim the name', () => existsSync(`${file}.checkpoints/shared.lock`))
  const second = await startForward(cleanup, ['--store', file, '--to', app.url, '--name', 'shared'])
  await sendAll(listen.url, chains(['74'], 3, 'n'))
  await until('three deliveries', () => app.acked().length >= 3)
  assert.is((await first.stop()).code, 0)
  await sendAll(
    listen.url,
    chains(['74'], 5, 'n').map((m) => m.slice(3)),
  )
  await until('the second to take over', () => app.acked().length >= 5, 10_000)
  assert.is((await second.stop()).code, 0)
  assert.is(json(first.lines('stderr').at(-1) ?? '{}')['forwarded'], 3)
  assert.is(json(second.lines('stderr').at(-1) ?? '{}')['forwarded'], 2)
  checkDeliveries(app, forwardableIds(await logEvents(file)))
  assert.is((await listen.stop()).code, 0)
}

test.run()
