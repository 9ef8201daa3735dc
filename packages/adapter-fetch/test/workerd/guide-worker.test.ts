/**
 * The Cloudflare Workers guide's Worker (docs/guides/examples/worker.ts), built from the guide's own
 * wrangler.toml (entry, compatibility date, minify, and the `[alias]` table applied the way wrangler
 * applies it) and run in workerd through miniflare, the secret coming from a Worker binding. Every
 * answer of the receiver HTTP contract that a Worker gives is checked over `mf.dispatchFetch`, and
 * the Worker's own log lines (its `credit` and `gap` listeners) are read from workerd's stdout.
 */
import { readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { type Encoding, encodings, type NotificationFields, SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import { bundleWorker } from '@banksocket-webhooks/test-support/workerd-bundle'
import { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

type Toml = Readonly<{ top: Readonly<Record<string, string>>; sections: Readonly<Record<string, Readonly<Record<string, string>>>> }>

/** Reads the small TOML subset the guide's wrangler.toml uses; anything else is an error. */
const readToml = (text: string): Toml => {
  const top: Record<string, string> = {}
  const sections: Record<string, Record<string, string>> = {}
  let current = top
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const section = /^\[([A-Za-z0-9_.-]+)\]$/.exec(line)
    if (section !== null) {
      current = sections[section[1]!] = {}
      continue
    }
    const pair = /^(?:"([^"]+)"|([A-Za-z0-9_-]+))\s*=\s*(?:"([^"]*)"|(true|false|\d+))$/.exec(line)
    if (pair === null) throw new Error(`wrangler.toml: cannot read line ${JSON.stringify(line)}`)
    current[(pair[1] ?? pair[2])!] = (pair[3] ?? pair[4])!
  }
  return { top, sections }
}

const examples = new URL('../../../../docs/guides/examples/', import.meta.url)
const wrangler = readToml(readFileSync(new URL('wrangler.toml', examples), 'utf8'))
const entry = new URL(wrangler.top['main'] ?? 'missing-main', examples)
const bundle = await bundleWorker(entry, { alias: wrangler.sections['alias'] ?? {}, minify: wrangler.top['minify'] === 'true' })

let logs = ''
const mf = new Miniflare({
  modules: true,
  script: bundle.code,
  compatibilityDate: wrangler.top['compatibility_date'] ?? 'missing',
  bindings: { BANKSOCKET_SECRET: SECRET },
  handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
    stdout.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')))
    stderr.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')))
  },
})

const URL_ = 'http://worker.example/banksocket'

type Answer = Readonly<{ status: number; allow: string | null; body: unknown }>

const answer = async (response: { status: number; headers: { get(name: string): string | null }; text(): Promise<string> }): Promise<Answer> => ({
  status: response.status,
  allow: response.headers.get('allow'),
  body: JSON.parse(await response.text()) as unknown,
})

const post = async (fields: NotificationFields, encoding: Encoding = 'form', url = URL_): Promise<Answer> => {
  const { contentType, body } = encodings[encoding](fields)
  return answer(await mf.dispatchFetch(url, { method: 'POST', headers: { 'content-type': contentType ?? '' }, body: String(body) }))
}

/** Waits until workerd's stdout holds `text` (log lines arrive through a pipe, shortly after). */
const logged = async (text: string): Promise<boolean> => {
  for (let i = 0; i < 100 && !logs.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  return logs.includes(text)
}

const OK: Answer = { status: 200, allow: null, body: { status: 'ok' } }

test("wrangler.toml's [alias] table covers every fp-ts module: the bundle has no CommonJS fp-ts or io-ts", () => {
  assert.ok(bundle.inputs.some((path) => /fp-ts\/es6\//.test(path)))
  assert.not.ok(
    bundle.inputs.some((path) => /(fp-ts|io-ts)\/lib\//.test(path)),
    bundle.inputs.join('\n'),
  )
  assert.not.match(bundle.code, /["']node:/)
})

test('accepted: 200 {"status":"ok"}, and the credit listener ran inside workerd', async () => {
  const n = await signed({ amount: '250.00', balance: '1250.00', description: 'SN:1 SİPARİŞ #1001' })
  assert.equal(await post(n), OK)
  assert.ok(await logged('credit 250.00 TRY to account 69: SN:1 SİPARİŞ #1001'), logs)
})

test('duplicate: the same notification again, in another encoding, is 200 {"status":"duplicate"}', async () => {
  const n = await signed({ amount: '10.00', balance: '1260.00', description: 'SN:2' })
  assert.equal(await post(n, 'json'), OK)
  assert.equal(await post(n, 'multipart'), { status: 200, allow: null, body: { status: 'duplicate' } })
  assert.equal(await post(n, 'form'), { status: 200, allow: null, body: { status: 'duplicate' } })
})

test('a missed movement: accepted, and the gap listener logs the missing amount', async () => {
  const n = await signed({ amount: '5.00', balance: '1300.00', description: 'SN:3' })
  assert.equal(await post(n), OK)
  assert.ok(await logged('account 69: 35.00 TRY never notified'), logs)
})

test('invalid hash: 401 {"error":"invalid_hash"} for another secret or a tampered amount', async () => {
  const invalid = { status: 401, allow: null, body: { error: 'invalid_hash' } }
  assert.equal(await post(await signed({ balance: '1400.00' }, 'not-the-binding-secret')), invalid)
  assert.equal(await post({ ...(await signed({ balance: '1400.00' })), amount: '9999.00' }, 'json'), invalid)
})

test('bad fields: 400 invalid_payload with the field paths', async () => {
  const res = await post(await signed({ amount: '1,000.00', balance: '1400.00' }))
  assert.is(res.status, 400)
  const body = res.body as { error: string; details: Array<{ path: string }> }
  assert.is(body.error, 'invalid_payload')
  assert.ok(body.details.some((d) => d.path === 'amount'))
})

test('wrong method: 405 with Allow: POST; another path: 404', async () => {
  const notAllowed = { status: 405, allow: 'POST', body: { error: 'method_not_allowed' } }
  assert.equal(await answer(await mf.dispatchFetch(URL_)), notAllowed)
  assert.equal(await answer(await mf.dispatchFetch(URL_, { method: 'PUT', body: 'x' })), notAllowed)
  assert.is((await post(await signed(), 'form', 'http://worker.example/elsewhere')).status, 404)
})

test('unsupported content type: 415', async () => {
  const res = await mf.dispatchFetch(URL_, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'dc=Credit' })
  assert.equal(await answer(res), { status: 415, allow: null, body: { error: 'unsupported_media_type' } })
})

test('body over 64 KiB: 413 {"error":"too_large"}', async () => {
  const n = await signed({ balance: '1400.00' })
  const body = JSON.stringify({ ...n, padding: 'x'.repeat(64 * 1024) })
  const res = await mf.dispatchFetch(URL_, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  assert.equal(await answer(res), { status: 413, allow: null, body: { error: 'too_large' } })
})

test('the binding secret never appears in an answer or a log line', async () => {
  const answers = [await post(await signed({}, 'other')), await post(await signed({ amount: 'x' }))]
  assert.not.ok(JSON.stringify(answers).includes(SECRET))
  assert.not.ok(logs.includes(SECRET))
})

test.after(async () => {
  await mf.dispose()
})

test.run()
