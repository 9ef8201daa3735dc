import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, json, type Running, run, start, startListen } from './support/cli.ts'

ensureBuilt()

const TOKEN = 'simulate-token'
const SECRET = 'simulate-secret'

const startSimulate = async (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Running & { apiUrl: string }> => {
  const cli = start(['simulate', ...args], { env })
  const first = await cli.line('stderr', () => true)
  const apiUrl = /management API (http:\/\/127\.0\.0\.1:\d+\/v1)\)/.exec(first)?.[1]
  if (apiUrl === undefined) throw new Error(`unexpected first line: ${first}`)
  return { ...cli, apiUrl }
}

test('webhooks create and delete against `banksocket simulate`, through the ky client', async () => {
  const simulate = await startSimulate(['--token', TOKEN, '--secret', SECRET])
  try {
    const created = await run([
      'webhooks',
      'create',
      '--api-url',
      simulate.apiUrl,
      '--token',
      TOKEN,
      '--title',
      'TR işbank api test',
      '--endpoint',
      'http://127.0.0.1:9/hook',
    ])
    assert.is(created.code, 0, created.stderr)
    assert.equal(json(created.stdout), { id: 1, endpoint: 'http://127.0.0.1:9/hook', title: 'TR işbank api test' })

    // token and API URL from the environment
    const env = { BANKSOCKET_TOKEN: TOKEN, BANKSOCKET_API_URL: simulate.apiUrl }
    const second = await run(['webhooks', 'create', '--endpoint', 'http://127.0.0.1:9/other', '--event', 'NEW_CREDIT', '--account', '69'], { env })
    assert.is(second.code, 0, second.stderr)
    assert.is(json(second.stdout)['id'], 2)

    const deleted = await run(['webhooks', 'delete', '2'], { env })
    assert.is(deleted.code, 0, deleted.stderr)
    assert.is(deleted.stdout, '{"status":"success"}\n')

    const again = await run(['webhooks', 'delete', '2'], { env })
    assert.is(again.code, 1)
    assert.is(again.stdout, '')
    assert.is(again.stderr.split('\n').filter((l) => l !== '').length, 1)
    assert.match(again.stderr, /^banksocket webhooks delete: DELETE http:\/\/127\.0\.0\.1:\d+\/v1\/webhooks\/2 answered 404: \{"error":"not_found"/)

    const refused = await run([
      'webhooks',
      'create',
      '--api-url',
      simulate.apiUrl,
      '--token',
      'wrong-token-value',
      '--endpoint',
      'http://127.0.0.1:9/x',
    ])
    assert.is(refused.code, 1)
    assert.match(
      refused.stderr,
      /^banksocket webhooks create: POST http:\/\/127\.0\.0\.1:\d+\/v1\/webhooks answered 401 \(check the token\): \{"error":"unauthorized"/,
    )
    assert.not.ok(refused.stderr.includes('wrong-token-value'))

    const unreachable = await run(['webhooks', 'delete', '1', '--api-url', 'http://127.0.0.1:9/v1', '--token', TOKEN, '--timeout', '2000'])
    assert.is(unreachable.code, 1)
    assert.match(unreachable.stderr, /^banksocket webhooks delete: DELETE http:\/\/127\.0\.0\.1:9\/v1\/webhooks\/1 failed/)
  } finally {
    assert.is((await simulate.stop()).code, 0)
  }
})

test('simulate prints a generated token and how to register; deliveries honour event and account filters', async () => {
  const simulate = await startSimulate(['--movements', '16', '--interval', '10', '--seed', '3'], { BANKSOCKET_SECRET: SECRET })
  const listen = await startListen(['--port', '0', '--secret', SECRET])
  try {
    await simulate.line('stderr', (l) => l.startsWith('Stop with'))
    const stderr = simulate.text('stderr')
    const token = /token: {2}([0-9a-f]{24})\n/.exec(stderr)?.[1]
    assert.ok(token !== undefined, `a generated token is printed:\n${stderr}`)
    assert.match(stderr, /secret: \(from BANKSOCKET_SECRET\)/)
    assert.ok(stderr.includes(`banksocket webhooks create --api-url ${simulate.apiUrl} --token ${token} --endpoint`))

    const created = await run([
      'webhooks',
      'create',
      '--api-url',
      simulate.apiUrl,
      '--token',
      token ?? '',
      '--endpoint',
      listen.url,
      '--event',
      'NEW_CREDIT',
      '--account',
      '70',
    ])
    assert.is(created.code, 0, created.stderr)

    await simulate.line('stderr', (l) => l.includes('all 16 movements generated'), { timeout: 10_000 })
    const deliveries = simulate
      .lines('stdout')
      .filter((l) => l !== '')
      .map(json)
    assert.ok(deliveries.length > 0, 'some movements matched')
    assert.ok(deliveries.length < 16, 'some movements were filtered out')
    for (const d of deliveries) {
      assert.is(d['account_id'], '70')
      assert.is(d['dc'], 'Credit')
      assert.is(d['status'], 'delivered')
      assert.is(d['answer'], 200)
    }
    await listen.line('stdout', () => true, { from: deliveries.length - 1 })
    const received = listen
      .lines('stdout')
      .filter((l) => l !== '')
      .map(json)
    assert.is(received.length, deliveries.length)
    assert.equal(
      received.map((r) => r['amount']),
      deliveries.map((d) => d['amount']),
    )
  } finally {
    assert.is((await simulate.stop('SIGINT')).code, 0)
    assert.is((await listen.stop()).code, 0)
  }
})

test.run()
