/// <reference types="node" />
/**
 * The guides in docs/guides cannot rot:
 *
 * - every code block in a guide (TypeScript, JavaScript, TOML, JSON) is preceded by a
 *   `<!-- file: examples/NAME -->` line and equals that file byte for byte, and every file in
 *   docs/guides/examples appears in a guide;
 * - the samples run: the fp-ts pipeline here in-process, the Node samples (node:http, Express) as
 *   the processes the guide tells you to start, over loopback HTTP. The Deno sample runs under
 *   Deno (packages/adapter-fetch/test/deno/guide.test.ts), the Worker in workerd
 *   (packages/adapter-fetch/test/workerd/guide-worker.test.ts).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Deps, handle } from '../../../docs/guides/examples/fp-ts-pipeline.ts'
import { createInMemoryEventStore, type EventStore, encodeForm, type LedgerEvent } from '../src/index.ts'
import { SECRET, signed } from './support/fields.ts'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const guides = join(root, 'docs', 'guides')
const examples = join(guides, 'examples')

// ---------------------------------------------------------------------------------------------
// Code blocks are the example files

const CHECKED = new Set(['ts', 'typescript', 'js', 'javascript', 'toml', 'json', 'jsonc'])
const MARKER = /^<!-- file: (examples\/[\w./-]+) -->$/

type Block = Readonly<{ guide: string; line: number; lang: string; marker: string | undefined; code: string }>

const blocksOf = (guide: string): Block[] => {
  const lines = readFileSync(join(guides, guide), 'utf8').split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '')
    if (open === null) continue
    const close = lines.findIndex((l, j) => j > i && l === '```')
    if (close < 0) throw new Error(`${guide}:${i + 1}: unclosed code block`)
    let before = i - 1
    while (before >= 0 && (lines[before] ?? '').trim() === '') before--
    blocks.push({
      guide,
      line: i + 1,
      lang: open[1] ?? '',
      marker: MARKER.exec((lines[before] ?? '').trim())?.[1],
      code: lines.slice(i + 1, close).join('\n'),
    })
    i = close
  }
  return blocks
}

const guideFiles = readdirSync(guides)
  .filter((f) => f.endsWith('.md'))
  .sort()
const blocks = guideFiles.flatMap(blocksOf)

const docs = suite('guides: code blocks are the tested files')

docs('the nine guides exist', () => {
  assert.equal(guideFiles, [
    'cloudflare-workers.md',
    'consumers.md',
    'deno.md',
    'fp-ts-pipeline.md',
    'frameworks.md',
    'node.md',
    'payments.md',
    'postgres.md',
    'production.md',
  ])
})

for (const block of blocks.filter((b) => CHECKED.has(b.lang))) {
  docs(`${block.guide}:${block.line} (${block.lang}) is ${block.marker ?? 'an unmarked block'}`, () => {
    assert.ok(block.marker, `${block.guide}:${block.line}: a ${block.lang} block needs a <!-- file: examples/... --> line before it`)
    const file = readFileSync(join(guides, block.marker ?? ''), 'utf8')
    assert.fixture(block.code, file.replace(/\n$/, ''))
  })
}

docs('every example file is shown in a guide', () => {
  const shown = new Set(blocks.map((b) => b.marker))
  const files = (dir: string): string[] =>
    readdirSync(join(guides, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(`${dir}/${e.name}`) : [`${dir}/${e.name}`]))
  for (const name of files('examples')) assert.ok(shown.has(name), `${name} appears in no guide`)
})

docs.run()

// ---------------------------------------------------------------------------------------------
// fp-ts-pipeline.md: the pipeline answers the receiver contract and records the ledger

const form = async (overrides: Record<string, string> = {}, secret = SECRET) => ({
  body: encodeForm(await signed(overrides, secret)),
  contentType: 'application/x-www-form-urlencoded',
})

const NOW = new Date('2026-11-23T10:00:00.000Z')
const depsWith = (store: EventStore<LedgerEvent>): Deps => ({ secrets: [SECRET], store, now: () => NOW })
const run = async (deps: Deps, delivery: Awaited<ReturnType<typeof form>>) => {
  const answer = await handle(delivery)(deps)()
  if (E.isLeft(answer)) throw new Error('handle never fails')
  return { status: answer.right.status, body: JSON.parse(answer.right.body) as unknown }
}
const typesIn = async (store: EventStore<LedgerEvent>) => {
  const all = await store.readAll()()
  return E.isRight(all) ? all.right.map((s) => `${s.stream}#${s.version} ${s.event.type}`) : []
}

const fpts = suite('guides: fp-ts pipeline')

fpts('accepted, duplicate (not appended), gap: answers and the events appended to the account ledger', async () => {
  const store = createInMemoryEventStore<LedgerEvent>()
  const deps = depsWith(store)
  const first = await form({ amount: '100.00', balance: '18100.00' })
  assert.equal(await run(deps, first), { status: 200, body: { status: 'ok' } })
  assert.equal(await run(deps, first), { status: 200, body: { status: 'duplicate' } })
  assert.equal(await run(deps, await form({ amount: '50.00', balance: '18400.00', description: 'after a missed one' })), {
    status: 200,
    body: { status: 'ok' },
  })
  assert.equal(await typesIn(store), [
    'ledger-69-TRY#1 TransactionReceived',
    'ledger-69-TRY#2 BalanceGapDetected',
    'ledger-69-TRY#3 TransactionReceived',
  ])
  const all = await store.readAll()()
  const gap = E.isRight(all) ? all.right[1]?.event : undefined
  assert.is(gap?.type === 'BalanceGapDetected' && gap.data.missing, '250.00')
})

fpts('refusals are answers and append nothing: 401, 400 with field paths, 415, 413', async () => {
  const store = createInMemoryEventStore<LedgerEvent>()
  const deps = depsWith(store)
  assert.equal(await run(deps, await form({}, 'forged')), { status: 401, body: { error: 'invalid_hash' } })
  const bad = await run(deps, await form({ amount: '1,000.00' }))
  assert.is(bad.status, 400)
  assert.ok((bad.body as { details: Array<{ path: string }> }).details.some((d) => d.path === 'amount'))
  assert.equal(await run(deps, { body: 'dc=Credit', contentType: 'text/plain' }), { status: 415, body: { error: 'unsupported_media_type' } })
  assert.equal(await run(deps, { body: 'x'.repeat(70_000), contentType: 'application/json' }), { status: 413, body: { error: 'too_large' } })
  assert.equal(await typesIn(store), [])
})

fpts('two deliveries racing on one ledger: one VersionConflict answers 500 store_failed, its retry is accepted', async () => {
  const inner = createInMemoryEventStore<LedgerEvent>()
  let readers = 0
  let release!: () => void
  const bothRead = new Promise<void>((resolve) => (release = resolve))
  const store: EventStore<LedgerEvent> = {
    ...inner,
    // Hold every read until both deliveries have read the same version, so they really race.
    readStream: (stream) => async () => {
      const read = await inner.readStream(stream)()
      if (++readers === 2) release()
      await bothRead
      return read
    },
  }
  const deps = depsWith(store)
  const a = await form({ amount: '1.00', balance: '18001.00', description: 'a' })
  const b = await form({ amount: '2.00', balance: '18003.00', description: 'b' })
  const answers = await Promise.all([run(deps, a), run(deps, b)])
  assert.equal(answers.map((x) => x.status).sort(), [200, 500])
  assert.ok(answers.some((x) => (x.body as { error?: string }).error === 'store_failed'))
  const loser = answers[0]?.status === 500 ? a : b
  assert.equal(await run(deps, loser), { status: 200, body: { status: 'ok' } })
  assert.is((await typesIn(inner)).length, 2)
})

fpts.run()

// ---------------------------------------------------------------------------------------------
// node.md: the samples, started as the guide says (`node --import tsx <file>`)

type Sample = Readonly<{ url: string; stdout: () => string; stderr: () => string; stop: () => Promise<number | null> }>

const start = async (file: string, env: Readonly<Record<string, string>>): Promise<Sample> => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(examples, file)], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BANKSOCKET_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${out}\n${err}`)), 15_000)
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m?.[1] === undefined) return
      clearTimeout(timer)
      child.stdout.off('data', check)
      resolve(m[1])
    }
    child.stdout.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${file} exited with ${code} before listening:\n${out}\n${err}`))
    })
  })
  return {
    url,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

const post = async (url: string, delivery: Awaited<ReturnType<typeof form>>) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': delivery.contentType }, body: delivery.body })
  return { status: response.status, body: (await response.json()) as unknown }
}

const eventually = async (probe: () => boolean, what: string) => {
  for (let i = 0; i < 100 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.ok(probe(), what)
}

const node = suite('guides: Node samples')

node('node:http sample: accepts, logs, shuts down on SIGTERM, and still knows the duplicate after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'banksocket-guide-'))
  const env = { EVENTS_FILE: join(dir, 'events.jsonl') }
  try {
    const credit = await form({ amount: '250.00', balance: '18350.00', description: 'SN:1 SİPARİŞ #1001' })
    const first = await start('node-http.ts', env)
    try {
      assert.equal(await post(`${first.url}/banksocket`, credit), { status: 200, body: { status: 'ok' } })
      await eventually(() => first.stdout().includes('"credit":"250.00","currency":"TRY","reference":"SN:1 SİPARİŞ #1001"'), first.stdout())
    } finally {
      assert.is(await first.stop(), 0, `SIGTERM exits 0: ${first.stderr()}`)
    }

    const second = await start('node-http.ts', env)
    try {
      assert.equal(await post(`${second.url}/banksocket`, credit), { status: 200, body: { status: 'duplicate' } })
      const later = await form({ amount: '10.00', balance: '18400.00', description: 'SN:3' })
      assert.equal(await post(`${second.url}/banksocket`, later), { status: 200, body: { status: 'ok' } })
      await eventually(() => second.stderr().includes('account 69: 40.00 TRY never notified'), second.stderr())
      assert.equal(await post(`${second.url}/banksocket`, await form({}, 'forged')), { status: 401, body: { error: 'invalid_hash' } })
      assert.is((await fetch(`${second.url}/elsewhere`)).status, 404)
    } finally {
      assert.is(await second.stop(), 0, `SIGTERM exits 0: ${second.stderr()}`)
    }
    assert.not.ok(`${first.stdout()}${first.stderr()}${second.stdout()}${second.stderr()}`.includes(SECRET))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

node("Express sample: a credit naming an order (typed the customer's way) settles it through payments, with exact money", async () => {
  const app = await start('express.ts', {})
  try {
    const payment = async () => (await fetch(`${app.url}/orders/ORDER-1001/payment`)).json()
    assert.equal(await payment(), { paid: false })
    const credit = await form({ amount: '1499.90', balance: '19599.90', description: 'SN:9 order 1001 ödemesi' })
    assert.equal(await post(`${app.url}/banksocket`, credit), { status: 200, body: { status: 'ok' } })
    assert.equal(await payment(), { paid: true, amount: '1499.90', currency: 'TRY' })
    assert.equal(await post(`${app.url}/banksocket`, credit), { status: 200, body: { status: 'duplicate' } })
    assert.equal(await post(`${app.url}/banksocket`, await form({ description: 'SN:10 ORDER-2002' }, 'forged')), {
      status: 401,
      body: { error: 'invalid_hash' },
    })
    assert.equal(await (await fetch(`${app.url}/orders/ORDER-2002/payment`)).json(), { paid: false })
  } finally {
    assert.is(await app.stop(), 0, `SIGTERM exits 0: ${app.stderr()}`)
  }
})

node.run()
