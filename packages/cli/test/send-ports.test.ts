// `banksocket send` reaches a receiver on any port: fetch refuses the ports on the WHATWG "bad
// ports" list (6000, 6665-6669, 10080 and others) before connecting, so the CLI sends with
// node:http. A --to (or --api-url) whose port cannot exist says that the port is the problem.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, json, type Running, run, startListen } from './support/cli.ts'

ensureBuilt()

const SECRET = 'bad-port-secret'

/** Ports fetch refuses (https://fetch.spec.whatwg.org/#port-blocking) that a test may bind without privileges. */
const BAD_PORTS = [6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080]

test('the premise: fetch on this Node refuses to connect to a bad port', async () => {
  const error: unknown = await fetch(`http://127.0.0.1:${BAD_PORTS[0]}/`, { method: 'POST' }).then(
    () => undefined,
    (e: unknown) => e,
  )
  assert.instance(error, Error)
  assert.match(String((error as Error & { cause?: unknown }).cause), /bad port/)
})

test('send delivers to a receiver that listens on a port fetch refuses, and prints its answers', async () => {
  let listen: (Running & { url: string }) | undefined
  for (const port of BAD_PORTS) {
    try {
      listen = await startListen(['--port', String(port), '--secret', SECRET])
      break
    } catch {
      // that port is taken on this machine: try the next one on the list
    }
  }
  assert.ok(listen !== undefined, `one of the ports ${BAD_PORTS.join(', ')} is free`)
  try {
    const sent = await run(['send', '--to', listen.url, '--secret', SECRET])
    assert.is(sent.code, 0, sent.stderr)
    assert.is(sent.stdout, 'HTTP 200 OK\n{"status":"ok"}\n')
    const accepted = json(await listen.line('stdout', () => true))
    assert.equal([accepted['type'], accepted['amount'], accepted['currency']], ['transaction', '100.00', 'TRY'])

    const again = await run(['send', '--to', listen.url, '--secret', SECRET, '--encoding', 'multipart'])
    assert.is(again.code, 0, again.stderr)
    assert.is(again.stdout, 'HTTP 200 OK\n{"status":"duplicate"}\n')

    const forged = await run(['send', '--to', listen.url, '--secret', 'not-the-secret', '--encoding', 'json'])
    assert.is(forged.code, 1)
    assert.is(forged.stdout, 'HTTP 401 Unauthorized\n{"error":"invalid_hash"}\n')
  } finally {
    assert.is((await listen.stop()).code, 0)
  }
})

test('send gives up on a receiver that never answers after --timeout, with one line on stderr', async () => {
  const held: IncomingMessage[] = []
  const server: Server = createServer((req) => void held.push(req)) // reads nothing, answers nothing
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  try {
    const started = Date.now()
    const { code, stdout, stderr } = await run(['send', '--to', url, '--secret', SECRET, '--timeout', '300'])
    assert.is(code, 1)
    assert.is(stdout, '')
    assert.match(stderr, new RegExp(`banksocket send: no answer from ${url.replace(/[./]/g, '\\$&')} within 300 ms\\n$`))
    assert.ok(Date.now() - started < 10_000, 'it does not wait for the socket to time out on its own')
    assert.is(held.length, 1, 'the request reached the server')
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

test('a URL whose port is out of range says the port is the problem (exit 2)', async () => {
  const cases: Array<[ReadonlyArray<string>, string, string]> = [
    [['send', '--to', 'http://127.0.0.1:99999/', '--secret', SECRET], 'to', '99999'],
    [['send', '--to', 'http://127.0.0.1:0/', '--secret', SECRET], 'to', '0'],
    [['send', '--to', 'http://[::1]:65536/hook', '--secret', SECRET], 'to', '65536'],
    [['webhooks', 'delete', '1', '--api-url', 'http://127.0.0.1:70000/v1', '--token', 't0k3n'], 'api-url', '70000'],
  ]
  for (const [args, flag, port] of cases) {
    const { code, stdout, stderr } = await run(args)
    assert.is(code, 2, stderr)
    assert.is(stdout, '')
    assert.ok(stderr.includes(`invalid value for --${flag}: port ${port} is out of range (a port is a number from 1 to 65535)`), stderr)
    assert.not.match(stderr, /absolute http\(s\) URL/)
  }
  const fine = await run(['send', '--to', 'http://127.0.0.1:65535/', '--secret', SECRET, '--timeout', '2000'])
  assert.is(fine.code, 1, 'the highest port is a valid URL: the send itself fails (nobody listens)')
  assert.match(fine.stderr, /could not reach http:\/\/127\.0\.0\.1:65535\/: .*ECONNREFUSED/)
})

test('a URL that does not parse is quoted back without its password', async () => {
  const { code, stderr } = await run(['send', '--to', 'http://user:hunter2@bad host:1/', '--secret', SECRET])
  assert.is(code, 2)
  assert.match(stderr, /invalid value for --to: expected an absolute http\(s\) URL/)
  assert.not.match(stderr, /hunter2/)
})

test.run()
