// `webhooks create` and `delete` failing before any answer: the message is the runtime's own, intact
// whatever the token (a one-character token used to be cut out of it: `getaddrinfo ENO[redacted]FOUND`,
// `127.[redacted]...`), and a port fetch refuses says so and what to do.
import { createServer } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, run } from './support/cli.ts'

ensureBuilt()

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer()
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })

const create = (apiUrl: string, token: string) =>
  run(['webhooks', 'create', '--api-url', apiUrl, '--token', token, '--endpoint', 'http://127.0.0.1:3000/'])

test('webhooks create --token T against an unresolvable host: getaddrinfo ENOTFOUND, intact', async () => {
  const { code, stdout, stderr } = await create('http://nonexistent.invalid/v1', 'T')
  assert.is(code, 1)
  assert.is(stdout, '')
  assert.match(
    stderr,
    /^banksocket webhooks create: POST http:\/\/nonexistent\.invalid\/v1\/webhooks failed: fetch failed: getaddrinfo (ENOTFOUND|EAI_AGAIN) nonexistent\.invalid\n$/,
  )
})

test('webhooks delete --token 0 against a closed loopback port: the address in the message is intact', async () => {
  const port = await freePort()
  const { code, stderr } = await run(['webhooks', 'delete', '7', '--api-url', `http://127.0.0.1:${port}/v1`, '--token', '0', '--timeout', '5000'])
  assert.is(code, 1)
  assert.not.match(stderr, /redacted/)
  assert.match(
    stderr,
    new RegExp(
      `^banksocket webhooks delete: DELETE http://127\\.0\\.0\\.1:${port}/v1/webhooks/7 failed after 3 attempts: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`,
    ),
  )
})

test('webhooks create --token e: nothing in the message is cut up for the token', async () => {
  const { code, stderr } = await create('http://nonexistent.invalid/v1', 'e')
  assert.is(code, 1)
  assert.not.match(stderr, /redacted/)
  assert.match(stderr, / failed: fetch failed: getaddrinfo /)
})

test('webhooks create --api-url on a port fetch refuses: says so and to use another port', async () => {
  const { code, stdout, stderr } = await create('http://127.0.0.1:1/v1', 'a-long-enough-token')
  assert.is(code, 1)
  assert.is(stdout, '')
  assert.is(
    stderr,
    'banksocket webhooks create: POST http://127.0.0.1:1/v1/webhooks failed: cannot connect to http://127.0.0.1:1: port 1 is refused by fetch (bad port: the Fetch standard blocks it); use another port\n',
  )
})

test.run()
