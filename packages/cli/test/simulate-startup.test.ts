// `banksocket simulate` at startup: a port in use is said in words (as `listen` says it), and the
// commands it suggests name a credential the way the user gave it: a generated one as itself, one
// from the environment as "$VARIABLE", one given with a flag as a placeholder. A credential the
// user gave never appears in the output.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, type Running, run, start } from './support/cli.ts'

ensureBuilt()

/** Starts `banksocket simulate` and waits for the end of its startup text on stderr. */
const startSimulate = async (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
): Promise<Running & { apiUrl: string; startup: string }> => {
  const cli = start(['simulate', ...args], { env })
  await cli.line('stderr', (l) => l.startsWith('Stop with'))
  const text = cli.text('stderr')
  const apiUrl = /management API (http:\/\/127\.0\.0\.1:\d+\/v1)\)/.exec(text)?.[1]
  if (apiUrl === undefined) throw new Error(`unexpected startup text:\n${text}`)
  return { ...cli, apiUrl, startup: text }
}

const suggested = (text: string, command: string): string => {
  const line = text.split('\n').find((l) => l.trimStart().startsWith(`banksocket ${command}`))
  if (line === undefined) throw new Error(`no suggested 'banksocket ${command}' in:\n${text}`)
  return line.trim()
}

test('simulate on a port in use: exit 1, "the port is in use", no raw EADDRINUSE', async () => {
  const first = await startSimulate(['--token', 'first-token', '--secret', 'first-secret'])
  try {
    const port = new URL(first.apiUrl).port
    const { code, stdout, stderr } = await run(['simulate', '--port', port, '--token', 'second-token', '--secret', 'second-secret'])
    assert.is(code, 1)
    assert.is(stdout, '')
    assert.is(stderr, `banksocket simulate: could not listen on 127.0.0.1:${port}: the port is in use\n`)
  } finally {
    assert.is((await first.stop()).code, 0)
  }
})

test('a token and a secret given with flags: placeholders in the hints, the values never printed, and the hint runs once filled in', async () => {
  const token = 'flag-token-4b1d'
  const secret = 'flag-secret-9e2c'
  const simulate = await startSimulate(['--token', token, '--secret', secret])
  try {
    const create = suggested(simulate.startup, 'webhooks create')
    assert.is(create, `banksocket webhooks create --api-url ${simulate.apiUrl} --token TOKEN --endpoint http://127.0.0.1:3000/`)
    assert.ok(simulate.startup.includes('(TOKEN: the token you gave simulate with --token, not printed)'), simulate.startup)
    assert.is(suggested(simulate.startup, 'listen'), 'banksocket listen --port 3000 --secret SECRET')
    assert.ok(simulate.startup.includes('(SECRET: the secret you gave simulate with --secret, not printed)'), simulate.startup)
    assert.not.ok(simulate.startup.includes('$BANKSOCKET_TOKEN'), 'no variable the user never set')
    assert.not.ok(simulate.startup.includes('$BANKSOCKET_SECRET'), 'no variable the user never set')

    const args = create
      .split(' ')
      .slice(1)
      .map((word) => (word === 'TOKEN' ? token : word))
    const created = await run(args)
    assert.is(created.code, 0, created.stderr)
    assert.match(created.stdout, /^\{"id":1,/)
  } finally {
    assert.is((await simulate.stop()).code, 0)
  }
  const output = simulate.text('stderr') + simulate.text('stdout')
  for (const value of [token, secret]) assert.not.ok(output.includes(value), `${value} is never printed`)
})

test('a token and a secret from the environment: the hints use the variables, the values are never printed', async () => {
  const simulate = await startSimulate([], { BANKSOCKET_TOKEN: 'env-token-77aa', BANKSOCKET_SECRET: 'env-secret-31bf' })
  try {
    assert.is(
      suggested(simulate.startup, 'webhooks create'),
      `banksocket webhooks create --api-url ${simulate.apiUrl} --token "$BANKSOCKET_TOKEN" --endpoint http://127.0.0.1:3000/`,
    )
    assert.is(suggested(simulate.startup, 'listen'), 'banksocket listen --port 3000 --secret "$BANKSOCKET_SECRET"')
    assert.match(simulate.startup, /token: {2}\(from BANKSOCKET_TOKEN\)/)
    assert.not.ok(simulate.startup.includes('TOKEN:'), 'no placeholder note when the variable holds it')
    assert.not.ok(simulate.startup.includes('env-token-77aa') || simulate.startup.includes('env-secret-31bf'))
  } finally {
    assert.is((await simulate.stop()).code, 0)
  }
})

test('a token given with --token while BANKSOCKET_TOKEN holds another: the hint does not point at the variable', async () => {
  const simulate = await startSimulate(['--token', 'the-flag-wins'], { BANKSOCKET_TOKEN: 'an-older-token' })
  try {
    assert.ok(suggested(simulate.startup, 'webhooks create').includes('--token TOKEN '), simulate.startup)
    assert.not.ok(simulate.startup.includes('the-flag-wins') || simulate.startup.includes('an-older-token'))
  } finally {
    assert.is((await simulate.stop()).code, 0)
  }
})

test.run()
