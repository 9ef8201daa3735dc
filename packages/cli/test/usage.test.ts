import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ANSI, ensureBuilt, run } from './support/cli.ts'
import { runInProcess } from './support/memory.ts'

ensureBuilt()

const COMMANDS = [['listen'], ['forward'], ['migrate'], ['send'], ['simulate'], ['webhooks', 'create'], ['webhooks', 'delete'], ['demo']]

test('banksocket --help lists every command and exits 0', async () => {
  const results = await Promise.all(['--help', '-h', 'help'].map((flag) => run([flag])))
  for (const { code, stdout, stderr } of results) {
    assert.is(code, 0)
    assert.is(stderr, '')
    for (const command of COMMANDS) assert.ok(stdout.includes(`  ${command.join(' ')}`), `${command.join(' ')} in root help`)
    assert.not.match(stdout, ANSI)
  }
})

test('banksocket --version prints the package version', async () => {
  const { code, stdout } = await run(['--version'])
  assert.is(code, 0)
  assert.is(stdout, '0.1.0\n')
})

test('--help on every command and subcommand shows its options and exits 0', async () => {
  const expected: Record<string, ReadonlyArray<string>> = {
    listen: [
      '--port PORT',
      '--host HOST',
      '--path PATH',
      '--secret SECRET',
      '--store FILE',
      'BANKSOCKET_SECRET',
      '--forward-to URL',
      '--wait-for-store DURATION',
      '--admin-port PORT',
    ],
    forward: [
      '--store FILE|URL',
      '--to URL',
      '--secret whsec_…',
      'BANKSOCKET_FORWARD_SECRET',
      '--name NAME',
      '--from beginning|end|POSITION',
      '--wait-for-store DURATION',
      '--admin-port PORT',
    ],
    migrate: ['--store URL', '--schema NAME'],
    send: [
      '--to URL',
      '--secret SECRET',
      '--dc',
      '--code',
      '--amount',
      '--balance',
      '--currency',
      '--description',
      '--account-id',
      '--account ',
      '--bank',
      '--opponent-id',
      '--opponent-iban',
      '--encoding form|json|multipart',
    ],
    simulate: ['--port PORT', '--host HOST', '--token TOKEN', '--secret SECRET', '--movements N', '--interval MS'],
    'webhooks create': [
      '--title',
      '--endpoint URL',
      '--event EVENT',
      '--account ACCOUNT',
      '--api-url URL',
      '--token TOKEN',
      'BANKSOCKET_TOKEN',
      'BANKSOCKET_API_URL',
    ],
    'webhooks delete': ['ID', '--api-url URL', '--token TOKEN'],
    demo: ['--movements N', '--seed SEED'],
  }
  const results = await Promise.all(COMMANDS.map(async (command) => ({ command, ...(await run([...command, '--help'])) })))
  for (const { command, code, stdout, stderr } of results) {
    assert.is(code, 0, command.join(' '))
    assert.is(stderr, '')
    assert.ok(stdout.startsWith(`banksocket ${command.join(' ')}: `), stdout)
    assert.ok(stdout.includes('-h, --help'))
    for (const option of expected[command.join(' ')] ?? []) assert.ok(stdout.includes(option), `${command.join(' ')} help shows ${option}`)
  }
  const short = await run(['listen', '-h'])
  assert.is(short.code, 0)
  const topic = await run(['help', 'webhooks', 'create'])
  assert.is(topic.code, 0)
  assert.ok(topic.stdout.startsWith('banksocket webhooks create: '))
})

test('--help wins over other problems on the same line', async () => {
  const { code, stdout } = await run(['listen', '--bogus', '--port', '--help'])
  assert.is(code, 0)
  assert.ok(stdout.startsWith('banksocket listen: '))
})

test('banksocket webhooks --help lists its subcommands; bare group is a usage error', async () => {
  const help = await run(['webhooks', '--help'])
  assert.is(help.code, 0)
  assert.ok(help.stdout.includes('webhooks create') && help.stdout.includes('webhooks delete'))
  const bare = await run(['webhooks'])
  assert.is(bare.code, 2)
  assert.is(bare.stdout, '')
})

test('no command at all prints the help on stderr and exits 2', async () => {
  const { code, stdout, stderr } = await run([])
  assert.is(code, 2)
  assert.is(stdout, '')
  assert.ok(stderr.includes('Commands:'))
})

/** The usage-error matrix runs in process (runCli with captured output); a few cases are also spawned below. */
const usageError = async (args: ReadonlyArray<string>, pattern: RegExp, env: Record<string, string> = {}): Promise<void> => {
  const { code, stdout, stderr } = await runInProcess(args, { env })
  assert.is(code, 2, `${args.join(' ')} exits 2 (stderr: ${stderr})`)
  assert.is(stdout, '', `${args.join(' ')} prints nothing on stdout`)
  const lines = stderr.split('\n').filter((l) => l !== '')
  assert.is(lines.length, 1, `one line for ${args.join(' ')}: ${stderr}`)
  assert.match(lines[0] ?? '', pattern)
  assert.match(lines[0] ?? '', /Run 'banksocket[a-z ]*--help' for usage\.$/)
}

test('unknown commands and flags exit 2 with one line naming them and a suggestion', async () => {
  await Promise.all([
    usageError(['lisen'], /^banksocket: unknown command 'lisen' \(did you mean 'listen'\?\)/),
    usageError(['frobnicate'], /^banksocket: unknown command 'frobnicate'\. /),
    usageError(['--verbose'], /^banksocket: unknown flag --verbose/),
    usageError(['webhooks', 'creat'], /^banksocket webhooks: unknown command 'creat' \(did you mean 'create'\?\)/),
    usageError(['listen', '--prot', '3000', '--secret', 'x'], /^banksocket listen: unknown flag --prot \(did you mean --port\?\)/),
    usageError(['demo', '-x'], /^banksocket demo: unknown flag -x/),
    usageError(['demo', 'extra'], /^banksocket demo: unexpected argument at position 1/),
    usageError(['demo', '--help=yes'], /flag --help takes no value/),
    usageError(['webhooks', '--token', 't'], /^banksocket webhooks: missing argument COMMAND \(create or delete\)/),
  ])
})

test('missing required flags and values exit 2', async () => {
  await Promise.all([
    usageError(['listen', '--secret', 'x'], /^banksocket listen: missing required flag --port\./),
    usageError(['listen', '--port', '0'], /missing required flag --secret \(or set BANKSOCKET_SECRET\)/),
    usageError(['listen', '--port'], /flag --port needs a value/),
    usageError(['listen', '--port', '--secret', 'x'], /flag --port needs a value/),
    usageError(['listen', '--port', '1', '--port', '2', '--secret', 'x'], /flag --port given more than once/),
    usageError(['send', '--secret', 'x'], /^banksocket send: missing required flag --to\./),
    usageError(['send', '--to', 'http://127.0.0.1:9/'], /missing required flag --secret \(or set BANKSOCKET_SECRET\)/),
    usageError(['webhooks', 'create', '--token', 't'], /missing required flag --endpoint/),
    usageError(['webhooks', 'create', '--endpoint', 'http://127.0.0.1:9/'], /missing required flag --token \(or set BANKSOCKET_TOKEN\)/),
    usageError(['webhooks', 'delete', '--token', 't'], /^banksocket webhooks delete: missing argument ID/),
  ])
})

test('invalid values exit 2 naming the flag and what is expected', async () => {
  await Promise.all([
    usageError(['listen', '--port', '70000', '--secret', 'x'], /invalid value for --port: expected an integer from 0 to 65535, got '70000'/),
    usageError(['listen', '--port', 'abc', '--secret', 'x'], /invalid value for --port/),
    usageError(['listen', '--port', '0', '--secret', 'x', '--path', 'nope'], /invalid value for --path: expected a path starting with '\/'/),
    usageError(['listen', '--port', '0'], /invalid value for --secret: BANKSOCKET_SECRET holds an empty secret/, { BANKSOCKET_SECRET: 'a,,b' }),
    usageError(['send', '--to', 'not a url', '--secret', 'x'], /invalid value for --to: expected an absolute http\(s\) URL/),
    usageError(['send', '--to', 'ftp://127.0.0.1/', '--secret', 'x'], /invalid value for --to: expected an http or https URL/),
    usageError(
      ['send', '--to', 'http://127.0.0.1:9/', '--secret', 'x', '--encoding', 'xml'],
      /invalid value for --encoding: expected one of form, json, multipart, got 'xml'/,
    ),
    usageError(['send', '--to', 'http://127.0.0.1:9/', '--secret', 'x', '--dc', 'Refund'], /invalid value for --dc: expected Credit or Debit/),
    usageError(
      ['webhooks', 'create', '--endpoint', 'http://127.0.0.1:9/', '--token', 't', '--event', 'NEW_THING'],
      /invalid value for --event: expected NEW_TRANSACTION, NEW_CREDIT or NEW_DEBIT/,
    ),
    usageError(
      ['webhooks', 'create', '--endpoint', 'http://127.0.0.1:9/', '--token', 't', '--account', 'some'],
      /invalid value for --account: expected 'all' or a positive integer account id/,
    ),
    usageError(['webhooks', 'create', '--endpoint', 'mailto:x@example.com', '--token', 't'], /invalid value for --endpoint/),
    usageError(['webhooks', 'delete', 'abc', '--token', 't'], /invalid ID: expected a positive integer webhook id/),
    usageError(['webhooks', 'delete', '7', '--token', 't', '--api-url', 'nope'], /invalid value for --api-url/),
    usageError(['simulate', '--movements', '-3'], /flag --movements needs a value/),
    usageError(['demo', '--movements', '2'], /invalid value for --movements: expected an integer from 6 to 10000/),
  ])
})

test('the executable exits 2 with one stderr line on usage errors', async () => {
  const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
    [['lisen'], /^banksocket: unknown command 'lisen' \(did you mean 'listen'\?\)\. Run 'banksocket --help' for usage\.\n$/],
    [
      ['listen', '--port', '0'],
      /^banksocket listen: missing required flag --secret \(or set BANKSOCKET_SECRET\)\. Run 'banksocket listen --help' for usage\.\n$/,
    ],
    [
      ['send', '--to', 'http://127.0.0.1:9/', '--secret', 'x', '--encoding', 'xml'],
      /^banksocket send: invalid value for --encoding: expected one of form, json, multipart, got 'xml'\. /,
    ],
  ]
  const results = await Promise.all(cases.map(([args]) => run(args)))
  results.forEach(({ code, stdout, stderr }, i) => {
    assert.is(code, 2)
    assert.is(stdout, '')
    assert.match(stderr, cases[i]?.[1] ?? /^$/)
  })
})

test.run()
