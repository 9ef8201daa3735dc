/**
 * The forwarding flags' usage errors (`listen --forward-*`, `forward`): one line, exit 2, before
 * anything opens; a refused forwarding secret is never quoted back, from a flag or from
 * `BANKSOCKET_FORWARD_SECRET`; and the redactor hides a `whsec_` secret's key on its own too.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRedactor } from '../src/io.ts'
import { ensureBuilt, run } from './support/cli.ts'
import { FORWARD_SECRET } from './support/forwarding.ts'
import { runInProcess } from './support/memory.ts'

ensureBuilt()

const LISTEN = ['listen', '--port', '0', '--secret', 'banksocket-secret']
const APP = 'http://127.0.0.1:4000/banksocket'

const usageError = async (args: ReadonlyArray<string>, pattern: RegExp, env: Record<string, string> = {}): Promise<string> => {
  const { code, stdout, stderr } = await runInProcess(args, { env })
  assert.is(code, 2, `${args.join(' ')} exits 2 (stderr: ${stderr})`)
  assert.is(stdout, '')
  const lines = stderr.split('\n').filter((l) => l !== '')
  assert.is(lines.length, 1, `one line for ${args.join(' ')}: ${stderr}`)
  assert.match(lines[0] ?? '', pattern)
  assert.match(lines[0] ?? '', /Run 'banksocket (listen|forward) --help' for usage\.$/)
  return stderr
}

test('listen --forward-to without a store, or without a secret: exit 2 saying what it needs', async () => {
  await usageError(
    [...LISTEN, '--forward-to', APP, '--forward-secret', FORWARD_SECRET],
    /^banksocket listen: --forward-to needs --store \(an event log file or a postgres:\/\/ URL\): without a store nothing durable is kept to forward from\. /,
  )
  await usageError(
    [...LISTEN, '--store', 'events.jsonl', '--forward-to', APP],
    /^banksocket listen: --forward-to needs --forward-secret or BANKSOCKET_FORWARD_SECRET: the Standard Webhooks secret \(whsec_…\) the application verifies with\. /,
  )
  await usageError(
    [...LISTEN, '--store', 'events.jsonl', '--forward-secret', FORWARD_SECRET],
    /^banksocket listen: --forward-secret needs --forward-to\. /,
  )
  await usageError(
    [...LISTEN, '--store', 'events.jsonl', '--forward-max-attempts', '3'],
    /^banksocket listen: --forward-max-attempts needs --forward-to\. /,
  )
  // A forwarding secret in the environment is not a mistake: another process may use it.
  const fine = await runInProcess(['listen', '--help'], { env: { BANKSOCKET_FORWARD_SECRET: FORWARD_SECRET } })
  assert.is(fine.code, 0)
})

test('a refused forwarding secret is a usage error that never quotes it', async () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp, Record<string, string>?]> = [
    [
      [...LISTEN, '--store', 'e.jsonl', '--forward-to', APP, '--forward-secret', 'whsec_CANARYnot*base64'],
      /--forward-secret: the webhook secret's key \(after whsec_\) is not canonical base64/,
    ],
    [
      [...LISTEN, '--store', 'e.jsonl', '--forward-to', APP, '--forward-secret', 'CANARY-no-prefix-secret'],
      /--forward-secret: the webhook secret does not start with whsec_/,
    ],
    [
      [...LISTEN, '--store', 'e.jsonl', '--forward-to', APP, '--forward-secret=whsec_Q0FOQVJZ'],
      /--forward-secret: the webhook secret's key is 6 bytes; at least 24 are needed/,
    ],
    [
      [...LISTEN, '--store', 'e.jsonl', '--forward-to', APP],
      /--forward-secret: BANKSOCKET_FORWARD_SECRET: the webhook secret does not start with whsec_/,
      { BANKSOCKET_FORWARD_SECRET: 'CANARY-env-secret' },
    ],
    [
      ['forward', '--store', 'e.jsonl', '--to', APP, '--secret', 'whsk_CANARYasymmetric'],
      /--secret: the webhook secret does not start with whsec_ \(whsk_ and whpk_ are asymmetric keys/,
    ],
    [
      ['forward', '--store', 'e.jsonl', '--to', APP],
      /--secret: BANKSOCKET_FORWARD_SECRET: the webhook secret starts or ends with whitespace/,
      { BANKSOCKET_FORWARD_SECRET: ` ${FORWARD_SECRET}` },
    ],
  ]
  for (const [args, pattern, env] of cases) {
    const stderr = await usageError(args, pattern, env)
    assert.not.ok(stderr.includes('CANARY') || stderr.includes('Q0FOQVJZ') || stderr.includes(FORWARD_SECRET.slice(6)), stderr)
  }
})

test('bad durations, counts, URLs, names and start points: exit 2 naming the flag', async () => {
  const store = ['--store', 'e.jsonl', '--forward-to', APP, '--forward-secret', FORWARD_SECRET]
  for (const value of ['5 minutes', '5', '1.5s', '0ms', '25h', 'fast']) {
    await usageError(
      [...LISTEN, ...store, '--forward-max-delay', value],
      /^banksocket listen: invalid value for --forward-max-delay: expected a duration (such as 200ms, 1s, 5m or 1h|from 1ms to 24h)/,
    )
  }
  for (const value of ['0', 'x', '1000001']) {
    await usageError(
      [...LISTEN, ...store, '--forward-max-attempts', value],
      /^banksocket listen: invalid value for --forward-max-attempts: expected an integer from 1 to 1000000/,
    )
  }
  await usageError(
    [...LISTEN, '--store', 'e.jsonl', '--forward-to', 'ftp://app.example/', '--forward-secret', FORWARD_SECRET],
    /invalid value for --forward-to: expected an http or https URL/,
  )
  await usageError(
    [...LISTEN, '--store', 'e.jsonl', '--forward-to', 'http://user:pw@app.example/', '--forward-secret', FORWARD_SECRET],
    /invalid value for --forward-to: credentials in the URL are not supported/,
  )

  const forward = ['forward', '--store', 'e.jsonl', '--to', APP, '--secret', FORWARD_SECRET]
  await usageError(['forward', '--to', APP, '--secret', FORWARD_SECRET], /^banksocket forward: missing required flag --store\. /)
  await usageError(['forward', '--store', 'e.jsonl', '--secret', FORWARD_SECRET], /^banksocket forward: missing required flag --to\. /)
  await usageError(
    ['forward', '--store', 'e.jsonl', '--to', APP],
    /^banksocket forward: missing required flag --secret \(or set BANKSOCKET_FORWARD_SECRET\)\. /,
  )
  for (const value of ['yesterday', '1e3', 'start', '12.5']) {
    await usageError(
      [...forward, '--from', value],
      /^banksocket forward: invalid value for --from: expected beginning, end or a position \(a whole number\), got '/,
    )
  }
  await usageError([...forward, '--from', '-1'], /^banksocket forward: flag --from needs a value/)
  await usageError(
    [...forward, '--name', '../etc'],
    /^banksocket forward: invalid value for --name: expected 1 to 200 letters, digits, '\.', '_', '-' or ':'/,
  )
  await usageError([...forward, '--max-delay', '1x'], /^banksocket forward: invalid value for --max-delay: expected a duration such as 200ms/)
  await usageError([...forward, '--max-attempts', '0'], /^banksocket forward: invalid value for --max-attempts/)
  await usageError([...forward, '--forward-to', APP], /^banksocket forward: unknown flag --forward-to/)
  await usageError([...forward, 'extra'], /^banksocket forward: unexpected argument at position 1/)
})

test('forward --help shows its flags, the failures file and the examples', async () => {
  const { code, stdout, stderr } = await run(['forward', '--help'])
  assert.is(code, 0)
  assert.is(stderr, '')
  assert.ok(stdout.startsWith('banksocket forward: '))
  for (const text of [
    'banksocket forward --store FILE|URL --to URL --secret whsec_… [options]',
    '--max-delay DURATION',
    '[default: 5m]',
    '--max-attempts N',
    '[default: 20]',
    '--name NAME',
    '--from beginning|end|POSITION',
    '[env: BANKSOCKET_FORWARD_SECRET]',
    'FILE.checkpoints/NAME.failed.jsonl',
    'Examples:',
  ]) {
    assert.ok(stdout.includes(text), `forward --help shows ${text}`)
  }
  const listen = await run(['listen', '--help'])
  for (const text of ['--forward-to URL', '--forward-secret whsec_…', '--forward-max-delay DURATION', '--forward-max-attempts N', 'forwardPending']) {
    assert.ok(listen.stdout.includes(text), `listen --help shows ${text}`)
  }
})

test('the redactor hides a whsec_ secret and its key alone', () => {
  const redact = createRedactor([FORWARD_SECRET])
  const key = FORWARD_SECRET.slice('whsec_'.length)
  assert.is(
    redact(`secret ${FORWARD_SECRET}, key ${key}, encoded ${encodeURIComponent(key)}`),
    'secret [redacted], key [redacted], encoded [redacted]',
  )
})

test.run()
