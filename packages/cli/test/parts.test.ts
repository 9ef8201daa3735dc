import { createMovementGenerator } from '@banksocket-webhooks/testing'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseArguments, secretValuesIn } from '../src/argv.ts'
import { DEMO_ACCOUNTS, planDemo } from '../src/commands/demo-plan.ts'
import { configureListen, listenCommand } from '../src/commands/listen.ts'
import { configureWebhooksCreate, webhooksCreateCommand } from '../src/commands/webhooks.ts'
import { createRedactor } from '../src/io.ts'
import { colorsWanted, createStyle, stripAnsi } from '../src/style.ts'
import { formatUsageError, suggest } from '../src/usage.ts'
import { runInProcess } from './support/memory.ts'

test('parseArguments: inline and separate values, repeatable flags, -h', () => {
  const parsed = parseArguments(listenCommand.spec, ['--port=3000', '--secret', 'a', '--secret=b', '--path', '/x'])
  assert.equal(parsed, E.right({ flags: { port: '3000', secret: ['a', 'b'], path: '/x' }, positionals: [], help: false }))
  assert.equal(parseArguments(listenCommand.spec, ['-h']), E.right({ flags: {}, positionals: [], help: true }))
  assert.equal(
    parseArguments(listenCommand.spec, ['--secret=-starts-with-dash', '--port', '1']),
    E.right({ flags: { secret: ['-starts-with-dash'], port: '1' }, positionals: [], help: false }),
  )
  assert.equal(parseArguments(listenCommand.spec, ['--port', '-1']), E.left({ _tag: 'MissingValue', flag: 'port' }))
  assert.equal(parseArguments(listenCommand.spec, ['--', '--port']), E.left({ _tag: 'UnexpectedArgument', position: 1 }))
})

test('suggest: typos within two edits (a swap counts once), nothing for unrelated words', () => {
  assert.is(suggest('prot', ['port', 'path', 'host']), 'port')
  assert.is(suggest('lisen', ['listen', 'send', 'demo']), 'listen')
  assert.is(suggest('xyz', ['listen', 'send', 'demo']), undefined)
})

test('formatUsageError: one line naming the command, the problem and --help', () => {
  assert.is(
    formatUsageError(['webhooks', 'create'], { _tag: 'MissingFlag', flag: 'token', env: 'BANKSOCKET_TOKEN' }),
    "banksocket webhooks create: missing required flag --token (or set BANKSOCKET_TOKEN). Run 'banksocket webhooks create --help' for usage.",
  )
})

test('createRedactor: its documented example holds', () => {
  assert.is(createRedactor(['s3cr3t-key'])('the secret is s3cr3t-key'), 'the secret is [redacted]')
  assert.is(createRedactor(['abc'])('abc stays'), 'abc stays')
})

test('createRedactor: plain, URL-encoded and JSON-escaped forms; short strings left alone', () => {
  const redact = createRedactor(['s3cr/et"x', 'TEST'])
  assert.is(redact('a s3cr/et"x b'), 'a [redacted] b')
  assert.is(redact('?k=s3cr%2Fet%22x'), '?k=[redacted]')
  assert.is(redact('{"k":"s3cr/et\\"x"}'), '{"k":"[redacted]"}')
  assert.is(redact('SN:276689 TEST BANKA'), 'SN:276689 TEST BANKA')
  assert.equal(secretValuesIn(['--secret', 'a1', '--token=b2', '--secret'], ['secret', 'token']), ['a1', 'b2'])
})

test('colours only on a terminal without NO_COLOR', () => {
  assert.is(colorsWanted(true, {}), true)
  assert.is(colorsWanted(true, { NO_COLOR: '' }), true)
  assert.is(colorsWanted(true, { NO_COLOR: '1' }), false)
  assert.is(colorsWanted(false, {}), false)
  assert.is(createStyle(true).green('ok'), '\u001b[32mok\u001b[39m')
  assert.is(createStyle(false).green('ok'), 'ok')
  assert.is(stripAnsi(createStyle(true).bold('x')), 'x')
})

test('help is coloured on a terminal and plain otherwise', async () => {
  const tty = await runInProcess(['listen', '--help'], { tty: true })
  const piped = await runInProcess(['listen', '--help'], { tty: false })
  assert.match(tty.stdout, /\u001b\[1m/)
  assert.not.match(piped.stdout, /\u001b\[/)
  assert.is(stripAnsi(tty.stdout), piped.stdout)
})

test('configure: secrets from the environment, webhook input through the core codec', () => {
  const listen = E.chain((args: Parameters<typeof configureListen>[0]) => configureListen(args, { BANKSOCKET_SECRET: 'new, old' }))(
    parseArguments(listenCommand.spec, ['--port', '0']),
  )
  assert.equal(
    listen,
    E.right({
      port: 0,
      host: '127.0.0.1',
      path: undefined,
      secrets: ['new', 'old'],
      store: undefined,
      filter: 'NEW_TRANSACTION',
      forward: undefined,
      waitForStore: undefined,
      admin: undefined,
    }),
  )
  const forwarding = E.chain((args: Parameters<typeof configureListen>[0]) =>
    configureListen(args, { BANKSOCKET_SECRET: 's3cr3t', BANKSOCKET_FORWARD_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
  )(
    parseArguments(listenCommand.spec, [
      '--port',
      '0',
      '--store',
      'e.jsonl',
      '--forward-to',
      'http://127.0.0.1:4000/app',
      '--forward-max-delay',
      '200ms',
    ]),
  )
  assert.equal(
    E.map((c: { forward: unknown }) => c.forward)(forwarding),
    E.right({ url: new URL('http://127.0.0.1:4000/app'), secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', maxDelay: 200, maxAttempts: 20 }),
  )
  const create = E.chain((args: Parameters<typeof configureWebhooksCreate>[0]) => configureWebhooksCreate(args, { BANKSOCKET_TOKEN: 't' }))(
    parseArguments(webhooksCreateCommand.spec, ['--endpoint', 'https://shop.example/bs', '--account', '69', '--event', 'NEW_CREDIT']),
  )
  assert.equal(
    E.map((c: { input: unknown }) => c.input)(create),
    E.right({ title: 'banksocket cli', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 69 }),
  )
})

test('planDemo: drops a movement that a later one on its account reveals, duplicates one of the other account', () => {
  const movements = createMovementGenerator({ seed: '7', accounts: DEMO_ACCOUNTS }).take(36)
  const steps = planDemo(movements, ['69', '70'])
  const drop = steps.filter((s) => s.action === 'drop')
  const duplicate = steps.filter((s) => s.action === 'duplicate')
  assert.is(drop.length, 1)
  assert.is(duplicate.length, 1)
  assert.is(drop[0]?.movement.account_id, '70')
  assert.is(duplicate[0]?.movement.account_id, '69')
  assert.ok(steps.some((s) => s.number > (drop[0]?.number ?? 99) && s.movement.account_id === '70'))
})

test.run()
