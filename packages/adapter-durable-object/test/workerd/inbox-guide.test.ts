/**
 * The Cloudflare Workers guide's Durable Object Worker (docs/guides/examples/worker-durable-object.ts)
 * built from the guide's own wrangler-durable-object.toml: its entry, compatibility date, minify,
 * `[alias]` table, its `durable_objects` binding and the `new_sqlite_classes` of its migration
 * become miniflare's configuration, and its `[vars]` the bindings (with the forwarding URL pointed
 * at a loopback application started here). Checked: the answers through the router and the object,
 * a webhook that is not configured, the gap listener's line, forwarding verified with
 * `standardwebhooks`, and no secret in a log line.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import type { Readable } from 'node:stream'
import { SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import { bundleWorker } from '@banksocket-webhooks/test-support/workerd-bundle'
import { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { answerOf, DUPLICATE, OK } from './inbox-harness.ts'

type Value = string | boolean | number | ReadonlyArray<string>
type Table = Record<string, Value>
type Toml = Readonly<{ top: Table; tables: Record<string, Table>; arrays: Record<string, Table[]> }>

/** Reads the small TOML subset of the guide's wrangler file (tables, arrays of tables, strings, booleans, string arrays). */
const readToml = (text: string): Toml => {
  const toml: Toml = { top: {}, tables: {}, arrays: {} }
  let current: Table = toml.top
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const array = /^\[\[([A-Za-z0-9_.-]+)\]\]$/.exec(line)
    if (array !== null) {
      current = {}
      ;(toml.arrays[array[1]!] ??= []).push(current)
      continue
    }
    const table = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line)
    if (table !== null) {
      current = toml.tables[table[1]!] = {}
      continue
    }
    const pair = /^(?:"([^"]+)"|([A-Za-z0-9_-]+))\s*=\s*(?:"([^"]*)"|(true|false)|\[((?:\s*"[^"]*"\s*,?)*)\])$/.exec(line)
    if (pair === null) throw new Error(`wrangler toml: cannot read line ${JSON.stringify(line)}`)
    const key = (pair[1] ?? pair[2])!
    current[key] = pair[3] ?? (pair[4] !== undefined ? pair[4] === 'true' : [...(pair[5] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1]!))
  }
  return toml
}

const examples = new URL('../../../../docs/guides/examples/', import.meta.url)
const wrangler = readToml(readFileSync(new URL('wrangler-durable-object.toml', examples), 'utf8'))
const text = (v: Value | undefined): string => {
  if (typeof v !== 'string') throw new Error(`wrangler toml: expected a string, got ${String(v)}`)
  return v
}

// The guide's project resolves the package as a user's would: its built `dist`, installed in docs/guides.
const alias = wrangler.tables['alias'] as Record<string, string>
const bundle = await bundleWorker(new URL(text(wrangler.top['main']), examples), { alias, minify: wrangler.top['minify'] === true })

const sqliteClasses = (wrangler.arrays['migrations'] ?? []).flatMap((m) => (m['new_sqlite_classes'] ?? []) as ReadonlyArray<string>)
const durableObjects = Object.fromEntries(
  (wrangler.arrays['durable_objects.bindings'] ?? []).map((b) => [
    text(b['name']),
    { className: text(b['class_name']), useSQLite: sqliteClasses.includes(text(b['class_name'])) },
  ]),
)

const FORWARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const { Webhook } = createRequire(new URL('../package.json', examples))('standardwebhooks') as {
  Webhook: new (secret: string) => { verify(payload: string, headers: Record<string, string>): unknown }
}
const verifier = new Webhook(FORWARD_SECRET)
const forwarded: Array<{ type: string; position: number }> = []
const server = createServer((req, res) => {
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (chunk: string) => (body += chunk))
  req.on('end', () => {
    try {
      forwarded.push(verifier.verify(body, req.headers as Record<string, string>) as { type: string; position: number })
      res.writeHead(204).end()
    } catch {
      res.writeHead(401).end()
    }
  })
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const forwardUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/banksocket`

let logs = ''
const mf = new Miniflare({
  modules: true,
  script: bundle.code,
  compatibilityDate: text(wrangler.top['compatibility_date']),
  durableObjects,
  bindings: { ...(wrangler.tables['vars'] as Record<string, string>), FORWARD_URL: forwardUrl, FORWARD_SECRET, BANKSOCKET_SECRET_ACME: SECRET },
  handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
    stdout.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')))
    stderr.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')))
  },
})

const post = async (path: string, fields: Record<string, string>) =>
  answerOf(
    await mf.dispatchFetch(`http://worker.example${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    }),
  )

const until = async (done: () => boolean): Promise<boolean> => {
  for (let i = 0; i < 400 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 25))
  return done()
}

test("the toml's binding and migration make the class a SQLite Durable Object; its alias leaves no CommonJS fp-ts", () => {
  assert.equal(durableObjects, { INBOX: { className: 'BanksocketInbox', useSQLite: true } })
  assert.not.ok(
    bundle.inputs.some((path) => /(fp-ts|io-ts)\/lib\//.test(path)),
    bundle.inputs.join('\n'),
  )
})

test('a configured webhook: ok, then duplicate; a gap is logged; one not configured: 404', async () => {
  const first = await signed({ amount: '250.00', balance: '1250.00', description: 'SN:guide 1' })
  assert.equal(await post('/banksocket/acme', first), OK)
  assert.equal(await post('/banksocket/acme', first), DUPLICATE)
  assert.equal(await post('/banksocket/acme', await signed({ amount: '10.00', balance: '1300.00', description: 'SN:guide 2' })), OK)
  assert.ok(await until(() => logs.includes('acme: account 69: 40.00 TRY never notified')), logs)
  assert.equal(await post('/banksocket/globex', first), { status: 404, allow: null, body: { error: 'not_found' } })
  assert.equal(await post('/elsewhere', first), { status: 404, allow: null, body: { error: 'not_found' } })
})

test('every recorded event is forwarded to FORWARD_URL, signed, in feed order', async () => {
  assert.ok(await until(() => forwarded.length >= 3), JSON.stringify(forwarded))
  assert.equal(
    forwarded.map((m) => [m.type, m.position]),
    [
      ['transaction', 1],
      ['gap_opened', 2],
      ['transaction', 3],
    ],
  )
})

test('no secret in a log line', () => {
  for (const secret of [SECRET, FORWARD_SECRET]) assert.not.ok(logs.includes(secret))
})

test.after(async () => {
  await mf.dispose()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

test.run()
