import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, run, start, startListen } from './support/cli.ts'

ensureBuilt()

const SECRET = 'Zq7-CANARY-SECRET-91x'
const TOKEN = 'Tk9-CANARY-TOKEN-44y'
/** A valid Standard Webhooks secret (24 bytes) whose key spells the canary. */
const FORWARD = 'whsec_Zq7CANARYFORWARDSECRETxx9aBcDeFg'

const transcripts: string[] = []
const keep = (...texts: ReadonlyArray<string>): void => void transcripts.push(...texts)

const assertNoLeak = (): void => {
  const all = transcripts.join('\n')
  assert.ok(all.length > 0)
  for (const canary of [SECRET, TOKEN, encodeURIComponent(SECRET), 'CANARY']) {
    assert.not.ok(
      all.includes(canary),
      `"${canary}" leaked:\n${all
        .split('\n')
        .filter((l) => l.includes('CANARY'))
        .join('\n')}`,
    )
  }
}

test('listen and send never print the secret, whatever happens', async () => {
  const listen = await startListen(['--port', '0', '--secret', SECRET, '--secret', `${SECRET}-old`])
  const results = [
    await run(['send', '--to', listen.url, '--secret', SECRET]),
    await run(['send', '--to', listen.url, '--secret', SECRET]),
    await run(['send', '--to', listen.url, '--secret', `wrong-${SECRET}`]),
    await run(['send', '--to', listen.url, '--secret', SECRET, '--amount', 'abc']),
    await run(['send', '--to', listen.url], { env: { BANKSOCKET_SECRET: `${SECRET}-old` } }),
  ]
  await listen.stop()
  keep(listen.text('stdout'), listen.text('stderr'), ...results.flatMap((r) => [r.stdout, r.stderr]))
  assert.equal(
    results.map((r) => r.code),
    [0, 0, 1, 1, 0],
  )
  const env = await startListen(['--port', '0'], { env: { BANKSOCKET_SECRET: `${SECRET},other-secret` } })
  await env.stop()
  keep(env.text('stdout'), env.text('stderr'))
  assertNoLeak()
})

test('usage and failure paths never print a secret or a token', async () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, Record<string, string>?]> = [
    [['listen', '--port', '99999', '--secret', SECRET]],
    [['listen', '--port', '0', '--secert', SECRET]],
    [['listen', '--port', '0', `--secert=${SECRET}`]],
    [['listen', '--port', '0', SECRET]],
    [['listen', '--port', '0', '--secret', SECRET, '--secret', '']],
    [['listen', '--port', '0', '--secret', SECRET, '--store', '/nonexistent-dir/events.jsonl']],
    [['listen', '--port', '0', '--bogus'], { BANKSOCKET_SECRET: SECRET }],
    [['send', '--to', 'http://127.0.0.1:9/', '--secret', SECRET, '--timeout', '2000']],
    [['send', '--to', 'nope', '--secret', SECRET]],
    [['send', '--to', 'http://127.0.0.1:9/', '--secret', SECRET, '--encoding', SECRET]],
    [['send', '--to', `http://127.0.0.1:9/?s=${SECRET}`, '--secret', SECRET, '--timeout', '2000']],
    [['webhooks', 'create', '--endpoint', 'http://127.0.0.1:9/', '--token', TOKEN, '--api-url', 'http://127.0.0.1:9/v1', '--timeout', '2000']],
    [['webhooks', 'create', '--endpoint', 'http://127.0.0.1:9/', '--api-url', 'nope'], { BANKSOCKET_TOKEN: TOKEN }],
    [['webhooks', 'create', '--endpoint', 'http://127.0.0.1:9/', '--token', TOKEN, '--event', TOKEN]],
    [['webhooks', 'delete', TOKEN, '--token', TOKEN]],
    [['webhooks', 'delete', '1', '--token', TOKEN, '--api-url', 'http://127.0.0.1:9/v1', '--timeout', '1000']],
    [['demo', '--seed', '1', '--movements', '1'], { BANKSOCKET_SECRET: SECRET, BANKSOCKET_TOKEN: TOKEN }],
    [['listen', '--port', '99999', '--secret', SECRET, '--store', 'e.jsonl', '--forward-to', 'http://127.0.0.1:9/', '--forward-secret', FORWARD]],
    [['listen', '--port', '0', '--secret', SECRET, '--forward-to', 'http://127.0.0.1:9/', `--forward-secret=${FORWARD}`]],
    [['listen', '--port', '0', '--secret', SECRET, '--store', 'e.jsonl', '--forward-to', 'http://127.0.0.1:9/', '--forward-secret', `${FORWARD}x`]],
    [
      ['listen', '--port', '0', '--store', '/nonexistent-dir/e.jsonl', '--forward-to', 'http://127.0.0.1:9/'],
      { BANKSOCKET_SECRET: SECRET, BANKSOCKET_FORWARD_SECRET: FORWARD },
    ],
    [['forward', '--store', '/nonexistent-dir/e.jsonl', '--to', 'http://127.0.0.1:9/', '--secret', FORWARD]],
    [['forward', '--store', 'e.jsonl', '--to', 'http://127.0.0.1:9/', '--secret', FORWARD.slice(0, -2)]],
    [['forward', '--store', 'e.jsonl', '--to', 'http://127.0.0.1:9/', '--from', FORWARD], { BANKSOCKET_FORWARD_SECRET: FORWARD }],
  ]
  // Four at a time, each with a minute: a loaded 2-core machine starts 18 CLIs at once too slowly
  // for run's 15 s default, and a killed CLI proves nothing about leaks.
  const results: Awaited<ReturnType<typeof run>>[] = []
  for (let i = 0; i < cases.length; i += 4) {
    results.push(...(await Promise.all(cases.slice(i, i + 4).map(([args, env]) => run(args, { env: env ?? {}, timeout: 60_000 })))))
  }
  results.forEach((r, i) => {
    assert.ok(r.code === 1 || r.code === 2, `${cases[i]?.[0].join(' ')} fails (got ${r.code})`)
    keep(r.stdout, r.stderr)
  })
  assertNoLeak()
})

test('listen --forward-to and forward never print the forwarding secret, not even its key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'banksocket-cli-secrets-'))
  try {
    const file = join(dir, 'events.jsonl')
    // Port 9 (discard) answers nothing: every delivery fails and is given up on, reported on stderr.
    const listen = await startListen([
      '--port',
      '0',
      '--secret',
      SECRET,
      '--store',
      file,
      '--forward-to',
      'http://127.0.0.1:9/app',
      '--forward-secret',
      FORWARD,
      '--forward-max-attempts',
      '1',
    ])
    const forward = start(['forward', '--store', file, '--to', 'http://127.0.0.1:9/app', '--name', 'other', '--max-attempts', '1'], {
      env: { BANKSOCKET_FORWARD_SECRET: FORWARD },
    })
    await forward.line('stderr', (l) => l.includes('"forwarding"'))
    const sent = await run(['send', '--to', listen.url, '--secret', SECRET])
    assert.is(sent.code, 0)
    await listen.line('stderr', (l) => l.includes('"forward_failed"'))
    await forward.line('stderr', (l) => l.includes('"forward_failed"'))
    await forward.stop()
    await listen.stop()
    keep(listen.text('stdout'), listen.text('stderr'), forward.text('stdout'), forward.text('stderr'), sent.stdout, sent.stderr)
    assertNoLeak()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('simulate and webhooks with a given token and secret never print them', async () => {
  const simulate = start(['simulate', '--token', TOKEN, '--secret', SECRET, '--movements', '2', '--interval', '10'])
  const first = await simulate.line('stderr', () => true)
  const apiUrl = /management API (\S+)\)/.exec(first)?.[1] ?? ''
  await simulate.line('stderr', (l) => l.startsWith('Stop with'))
  const listen = await startListen(['--port', '0', '--secret', SECRET])
  const env = { BANKSOCKET_TOKEN: TOKEN, BANKSOCKET_API_URL: apiUrl }
  const created = await run(['webhooks', 'create', '--endpoint', listen.url], { env })
  assert.is(created.code, 0, created.stderr)
  await simulate.line('stderr', (l) => l.includes('movements generated'), { timeout: 8000 })
  const wrong = await run(['webhooks', 'delete', '1', '--api-url', apiUrl, '--token', `${TOKEN}-wrong`])
  assert.is(wrong.code, 1)
  const deleted = await run(['webhooks', 'delete', '1'], { env })
  assert.is(deleted.code, 0, deleted.stderr)
  await simulate.stop()
  await listen.stop()
  keep(created.stdout, created.stderr, wrong.stdout, wrong.stderr, deleted.stdout, deleted.stderr)
  keep(simulate.text('stdout'), simulate.text('stderr'), listen.text('stdout'), listen.text('stderr'))
  assert.match(simulate.text('stderr'), /token: {2}\(given with --token\)/)
  assertNoLeak()
})

test.run()
