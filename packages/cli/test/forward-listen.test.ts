/**
 * `banksocket listen --store FILE --forward-to URL`, with real processes and loopback sockets: what
 * listen records reaches an application that verifies every request as Standard Webhooks, in order
 * per account; the `listening` and `stopped` lines say so; a restart resumes from the checkpoint;
 * an account the application always refuses becomes `forward_failed` lines and `ForwardFailed`
 * events in the log, and the log still opens.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, json, run, startListen } from './support/cli.ts'
import {
  BANKSOCKET_SECRET,
  chains,
  checkDeliveries,
  createCleanup,
  FORWARD_SECRET,
  forwardableIds,
  logEvents,
  post,
  sendAll,
  startApp,
  until,
} from './support/forwarding.ts'

ensureBuilt()

const dir = mkdtempSync(join(tmpdir(), 'banksocket-cli-forward-listen-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

const FAST = ['--forward-max-delay', '200ms']

type Cleanup = ReturnType<typeof createCleanup>

/** Runs a test's body with a cleanup that stops what it started, whatever failed. */
const cleanly = (body: (cleanup: Cleanup) => Promise<void>) => async (): Promise<void> => {
  const cleanup = createCleanup()
  try {
    await body(cleanup)
  } finally {
    await cleanup.close()
  }
}

const listenForwarding = (file: string, url: string, more: ReadonlyArray<string> = []) =>
  startListen(['--port', '0', '--secret', BANKSOCKET_SECRET, '--store', file, '--forward-to', url, ...FAST, ...more], {
    env: { BANKSOCKET_FORWARD_SECRET: FORWARD_SECRET },
  })

const stoppedLine = (lines: ReadonlyArray<string>) => json(lines.find((l) => l.includes('"type":"stopped"')) ?? '{}')

test(
  'what listen records reaches the app signed, in order per account; the stopped line counts it; a restart resumes',
  cleanly(async (cleanup) => {
    const file = join(dir, 'events.jsonl')
    const app = cleanup.add(await startApp())
    const listen = cleanup.add(await listenForwarding(file, `${app.url}?token=app-token-91`))
    assert.is(listen.listening['forwardTo'], app.url, 'the listening line names the target without its query')
    assert.not.ok(listen.text('stderr').includes('app-token-91'))
    // Three accounts in chain order, and one late movement: a gap opened and then closed.
    const [a, b, c] = chains(['81', '82', '83'], 6, 'l')
    assert.ok(a !== undefined && b !== undefined && c !== undefined)
    const late = c[2]
    assert.ok(late !== undefined)
    await sendAll(listen.url, [a, b, c.filter((m) => m !== late)])
    assert.is((await post(listen.url, late)).status, 200)
    // And the sample notification through `banksocket send` (account 69).
    const sent = await run(['send', '--to', listen.url, '--secret', BANKSOCKET_SECRET])
    assert.is(sent.code, 0, sent.stderr)

    const expected = forwardableIds(await logEvents(file))
    assert.ok(expected.length >= 19 + 2, `transactions, a gap opened and closed: ${expected.length}`)
    await until('the app to acknowledge every event', () => new Set(app.acked().map((d) => d.id)).size >= expected.length)
    checkDeliveries(app, expected)
    assert.ok(
      app.deliveries.every((d) => d.query === '?token=app-token-91'),
      'requests go to the URL as given, query included',
    )
    const types = new Set(app.acked().map((d) => d.type))
    assert.ok(types.has('transaction') && types.has('gap_opened') && types.has('gap_closed'), [...types].join(','))
    const sample = app.acked().find((d) => d.accountId === '69')
    assert.ok(sample?.description?.startsWith('SN:276689'), 'the notification `send` delivered')

    assert.is((await listen.stop()).code, 0)
    const stopped = stoppedLine(listen.lines('stderr'))
    assert.is(stopped['forwarded'], expected.length)
    assert.is(stopped['forwardFailed'], 0)
    assert.is(stopped['forwardPending'], 0)
    assert.is(stopped['transactions'], 19)

    // Restarted on the same log: the checkpoint holds, nothing is sent again; what comes next is.
    const before = app.deliveries.length
    const again = cleanup.add(await listenForwarding(file, app.url))
    const next = chains(['81'], 7, 'l')[0]?.slice(6) ?? []
    await sendAll(again.url, [next])
    await until('the next movement', () => app.acked().some((d) => d.description === 'l-81-6'))
    assert.is((await again.stop()).code, 0)
    assert.equal(
      app.deliveries.slice(before).map((d) => d.description),
      ['l-81-6'],
    )
    assert.is(stoppedLine(again.lines('stderr'))['forwarded'], 1)
    checkDeliveries(app, forwardableIds(await logEvents(file)))
  }),
)

test(
  'an account the app always refuses: forward_failed lines, ForwardFailed events in the log, the others delivered',
  cleanly(async (cleanup) => {
    const file = join(dir, 'dead-letter.jsonl')
    const app = cleanup.add(await startApp((incoming) => (incoming.accountId === '92' ? 500 : 200)))
    const listen = cleanup.add(await listenForwarding(file, app.url, ['--forward-max-attempts', '2']))
    const accounts = chains(['91', '92', '93'], 4, 'd')
    await sendAll(listen.url, accounts)
    const refused = forwardableIds(await logEvents(file)).filter((id) => id.includes('-92-'))
    assert.is(refused.length, 4)
    await until('every refused event to be given up on', () => listen.lines('stderr').filter((l) => l.includes('"forward_failed"')).length >= 4)
    const failed = listen
      .lines('stderr')
      .filter((l) => l.includes('"forward_failed"'))
      .map(json)
    assert.equal(
      failed.map((f) => f['webhookId']),
      refused,
      'one line per event, in order',
    )
    for (const f of failed) {
      assert.is(f['attempts'], 2)
      assert.is(f['status'], 500)
      assert.is(f['stream'], 'ledger-92-TRY')
      assert.is(f['eventType'], 'TransactionReceived')
      assert.is(f['error'], `${app.url} answered 500`)
    }
    await until('the other accounts', () => app.acked().length >= 8)
    checkDeliveries(app)
    assert.equal(new Set(app.acked().map((d) => d.accountId)), new Set(['91', '93']))
    assert.is((await listen.stop()).code, 0)
    const stopped = stoppedLine(listen.lines('stderr'))
    assert.is(stopped['forwarded'], 8)
    assert.is(stopped['forwardFailed'], 4)

    const records = (await logEvents(file)).filter((e) => e.stream === 'consumer-forward')
    assert.equal(
      records.map((e) => (e.event.type === 'ForwardFailed' ? e.event.data.webhookId : e.event.type)),
      refused,
    )
    const first = records[0]?.event
    assert.ok(first?.type === 'ForwardFailed')
    assert.is(first.data.url, app.url)
    assert.is(first.data.status, 500)
    assert.is(first.data.attempts, 2)

    // A log holding ForwardFailed records opens again; the records are not forwarded.
    const before = app.deliveries.length
    const again = cleanup.add(await listenForwarding(file, app.url))
    assert.is(again.listening['storedEvents'], (await logEvents(file)).length)
    await new Promise((resolve) => setTimeout(resolve, 500))
    assert.is((await again.stop()).code, 0)
    assert.is(app.deliveries.length, before)
  }),
)

test.run()
