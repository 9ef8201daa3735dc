// `listen` opens its resources once (signal handlers, store, output forwarding, server) and closes
// them by one path, whatever ends the run: a store that will not open, a port in use, or a signal.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type CliIo, runCli, type Signal } from '../src/index.ts'
import { closing, createResourceStack } from '../src/resources.ts'

const dir = mkdtempSync(join(tmpdir(), 'banksocket-cli-resources-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

const SECRET = 'resources-secret'

/** An in-process io whose signals the test sends, counting the handlers still registered. */
const signalledIo = () => {
  let stdout = ''
  let stderr = ''
  const handlers = new Set<(signal: Signal) => void>()
  const io: CliIo = {
    stdout: { write: (text) => void (stdout += text), isTTY: false },
    stderr: { write: (text) => void (stderr += text), isTTY: false },
    env: {},
    onSignal: (handler) => {
      handlers.add(handler)
      return () => void handlers.delete(handler)
    },
    exit: (code) => {
      throw new Error(`exit(${code}) called`)
    },
  }
  return {
    io,
    stdout: () => stdout,
    stderr: () => stderr,
    handlers: () => handlers.size,
    signal: (signal: Signal) => {
      for (const handler of [...handlers]) handler(signal)
    },
  }
}

const lines = (text: string): ReadonlyArray<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)

const until = async (check: () => boolean): Promise<void> => {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 10_000) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

test('the resource stack closes each resource once, last opened first, through failures and throws', async () => {
  const resources = createResourceStack<string>()
  const closed: string[] = []
  resources.defer(closing(() => void closed.push('signals')))
  resources.defer(async () => {
    closed.push('store')
    return E.left('disk full')
  })
  resources.defer(() => {
    closed.push('output')
    throw new Error('output broke')
  })
  const server = resources.defer(closing(() => void closed.push('server')))
  assert.equal(await server.close(), [])
  assert.equal(await server.close(), [], 'a resource closed early is not closed again')
  const error = await resources.close().then(
    () => undefined,
    (e: unknown) => e,
  )
  assert.instance(error, Error, 'a closer that throws is rethrown once all have run')
  assert.equal(closed, ['server', 'output', 'store', 'signals'])
  assert.equal(await resources.close(), [], 'nothing left to close')

  const failing = createResourceStack<string>()
  failing.defer(async () => E.left('first'))
  failing.defer(async () => E.left('second'))
  assert.equal(await failing.close(), ['second', 'first'], 'failures in closing order')
})

test('listen on a port in use with --store: exit 1, the store closed (its lock gone), the signal handlers removed', async () => {
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  const address = holder.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  const file = join(dir, 'in-use.jsonl')
  const cli = signalledIo()
  try {
    const code = await runCli(['listen', '--port', String(port), '--secret', SECRET, '--store', file], cli.io)
    assert.is(code, 1)
    assert.is(cli.stderr(), `banksocket listen: could not listen on 127.0.0.1:${port}: the port is in use\n`)
    assert.ok(existsSync(file), 'the store was opened')
    assert.not.ok(existsSync(`${file}.lock`), 'and closed: its lock is released')
    assert.is(cli.handlers(), 0)
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()))
  }
})

test('listen with a store that will not open: exit 1, the signal handlers removed', async () => {
  const cli = signalledIo()
  const code = await runCli(['listen', '--port', '0', '--secret', SECRET, '--store', join(dir, 'missing', 'events.jsonl')], cli.io)
  assert.is(code, 1)
  assert.match(cli.stderr(), /^banksocket listen: could not open the event log at .*: the directory .*missing does not exist/)
  assert.is(cli.handlers(), 0)
})

test('listen stopped by SIGTERM: stopping, then stopped with the ledgers, exit 0, everything closed', async () => {
  const file = join(dir, 'stopped.jsonl')
  const cli = signalledIo()
  const running = runCli(['listen', '--port', '0', '--secret', SECRET, '--store', file], cli.io)
  await until(() => lines(cli.stderr()).some((l) => l['type'] === 'listening'))
  assert.ok(existsSync(`${file}.lock`), 'the store is held while listening')
  cli.signal('SIGTERM')
  assert.is(await running, 0)
  assert.equal(
    lines(cli.stderr()).map((l) => l['type']),
    ['listening', 'stopping', 'stopped'],
  )
  const stopped = lines(cli.stderr())[2] ?? {}
  assert.equal(stopped['ledgers'], [])
  assert.is(stopped['transactions'], 0)
  assert.not.ok(existsSync(`${file}.lock`), 'the store is closed')
  assert.is(cli.handlers(), 0)
  assert.is(cli.stdout(), '')
})

test.run()
