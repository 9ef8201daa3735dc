/**
 * The Cloudflare Workers guide's PostgreSQL receiver (docs/guides/examples/worker-postgres.ts), run
 * as the guide deploys it: bundled the way wrangler bundles it with `nodejs_compat`
 * (`./bundle.ts`), loaded into workerd through miniflare with the entry, compatibility date and
 * flags of the guide's wrangler-postgres.toml, the database bound through Hyperdrive (miniflare's
 * local Hyperdrive, as `wrangler dev` gives it: workerd connects to the test PostgreSQL) and the
 * secret as a binding. Signed notifications (`@banksocket-webhooks/testing`) reach the Worker over
 * a real loopback socket; what it stored is read back from Node through the store itself.
 */
import { readFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { formatMoney, LedgerEvent, type LedgerState } from '@banksocket-webhooks/core'
import { LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
import { type NotificationInput, type SignedNotification, sendNotification, signNotification } from '@banksocket-webhooks/testing'
import { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore, type PostgresEventStore } from '../../src/index.ts'
import { freePort, right, startDatabase, type TestDatabase } from '../support/database.ts'
import { bundlePgWorker } from './bundle.ts'

type Toml = Readonly<{ top: Readonly<Record<string, string | readonly string[]>>; tables: ReadonlyArray<Readonly<{ name: string }>> }>

/** Reads the small TOML subset the guide's wrangler-postgres.toml uses; anything else is an error. */
const readToml = (text: string): Toml => {
  const top: Record<string, string | readonly string[]> = {}
  const tables: Array<{ name: string }> = []
  let current: Record<string, string | readonly string[]> = top
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const table = /^\[\[([a-z_]+)\]\]$/.exec(line)
    if (table !== null) {
      const entry = { name: table[1] as string }
      tables.push(entry)
      current = entry
      continue
    }
    const pair = /^([A-Za-z_]+)\s*=\s*(?:"([^"]*)"|\[((?:\s*"[^"]*"\s*,?)*)\]|(true|false))$/.exec(line)
    if (pair === null) throw new Error(`wrangler-postgres.toml: cannot read line ${JSON.stringify(line)}`)
    current[pair[1] as string] = pair[2] ?? pair[4] ?? [...(pair[3] ?? '').matchAll(/"([^"]*)"/g)].map((m) => m[1] as string)
  }
  return { top, tables }
}

const examples = new URL('../../../../docs/guides/examples/', import.meta.url)
const wrangler = readToml(readFileSync(new URL('wrangler-postgres.toml', examples), 'utf8'))
const SECRET = 'worker-postgres-secret-8d2e'
const ACCOUNT = '4242'
const LEDGER = `ledger-${ACCOUNT}-TRY`

let db: TestDatabase
let schema: string
let mf: Miniflare
let endpoint: string
let reader: PostgresEventStore<LedgerEvent, LedgerState>
let logs = ''

const workerd = async (bindings: Readonly<Record<string, string>>, hyperdrive: string | undefined): Promise<Miniflare> => {
  const bundle = await bundlePgWorker(new URL(String(wrangler.top['main']), examples))
  const flags = wrangler.top['compatibility_flags']
  return new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: String(wrangler.top['compatibility_date']),
    compatibilityFlags: Array.isArray(flags) ? [...flags] : [],
    bindings: { BANKSOCKET_SECRET: SECRET, BANKSOCKET_SCHEMA: schema, ...bindings },
    ...(hyperdrive === undefined ? {} : { hyperdrives: { HYPERDRIVE: hyperdrive } }),
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')))
      stderr.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')))
    },
  })
}

test.before(async () => {
  try {
    db = await startDatabase()
    schema = await db.schema() // migrated, as `banksocket migrate` would
    mf = await workerd({}, db.url)
    endpoint = new URL('/banksocket', await mf.ready).href
    reader = createPostgresEventStore<LedgerEvent, LedgerState>({
      connectionString: db.url,
      schema,
      max: 2,
      applicationName: 'guide-test-reader',
      codec: LedgerEvent,
      stateCodec: LedgerStateCodec,
    })
  } catch (error) {
    console.error(error) // uvu reports a failing hook without its error
    throw error
  }
})

test.after(async () => {
  await mf?.dispose()
  await reader?.close()()
  await db?.stop()
})

const signed = (input: NotificationInput, secret = SECRET): Promise<SignedNotification> =>
  signNotification({ account_id: ACCOUNT, ...input }, secret)()

type Answer = Readonly<{ status: number; body: unknown }>

/** POSTs the notification to `url` over loopback HTTP, as Banksocket does (form-encoded). */
const post = async (fields: SignedNotification, url = endpoint): Promise<Answer> => {
  const sent = await sendNotification(url, fields)()
  if (sent._tag === 'Left') throw new Error(`sending failed: ${JSON.stringify(sent.left)}`)
  return { status: sent.right.status, body: sent.right.json }
}

const OK: Answer = { status: 200, body: { status: 'ok' } }
const DUPLICATE: Answer = { status: 200, body: { status: 'duplicate' } }

/** Waits until workerd's output holds `text` (log lines arrive through a pipe, shortly after). */
const logged = async (text: string): Promise<boolean> => {
  for (let i = 0; i < 100 && !logs.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  return logs.includes(text)
}

/** The movements recorded in the ledger, in stream order, read from Node through the store. */
const movements = async () => right(await reader.readStream(LEDGER)()).events.flatMap((e) => (e.type === 'TransactionReceived' ? [e.data] : []))
const recorded = async (): Promise<string[]> => (await movements()).map((m) => m.verified.description)
/** The ledger's stored state, read from Node in one query. */
const stored = async () => right(await reader.readState(LEDGER)())
const headOfLedger = async (): Promise<bigint> => (await stored()).state?.chain.fragments.at(-1)?.end ?? 0n
const money = (minor: bigint): string => formatMoney({ minor, currency: 'TRY' })

test('the guide configures what pg needs in workerd: nodejs_compat, a date from 2025-09-15, a Hyperdrive binding', () => {
  assert.ok((wrangler.top['compatibility_flags'] as readonly string[]).includes('nodejs_compat'))
  assert.ok(String(wrangler.top['compatibility_date']) >= '2025-09-15')
  assert.equal(
    wrangler.tables.map((t) => t.name),
    ['hyperdrive'],
  )
  assert.is((wrangler.tables[0] as Readonly<Record<string, unknown>>)['binding'], 'HYPERDRIVE')
})

test('a new notification: 200 {"status":"ok"}, its credit listener ran, and it is in the database', async () => {
  const n = await signed({ amount: '250.00', balance: '1250.00', description: 'SN:1 SİPARİŞ #1001' })
  assert.equal(await post(n), OK)
  assert.ok(await logged(`credit 250.00 TRY to account ${ACCOUNT}: SN:1 SİPARİŞ #1001`), logs)
  const [movement] = await movements()
  assert.is(movement?.verified.description, 'SN:1 SİPARİŞ #1001')
  assert.is(movement?.verified.balance, n.balance)
  assert.is(right(await reader.keyOwner(movement?.idempotencyKey ?? '')()), LEDGER)
  assert.is(await headOfLedger(), 125_000n)
})

test('the same notification again: 200 {"status":"duplicate"}, counted in its ledger, not stored again', async () => {
  const n = await signed({ amount: '250.00', balance: '1250.00', description: 'SN:1 SİPARİŞ #1001' })
  assert.equal(await post(n), DUPLICATE)
  assert.equal(await recorded(), ['SN:1 SİPARİŞ #1001'])
  assert.is((await stored()).duplicates, 1)
})

test('a bad hash: 401 {"error":"invalid_hash"}, and nothing stored', async () => {
  const invalid: Answer = { status: 401, body: { error: 'invalid_hash' } }
  assert.equal(await post(await signed({ amount: '10.00', balance: '1260.00', description: 'SN:X' }, 'not-the-binding-secret')), invalid)
  assert.equal(await post({ ...(await signed({ amount: '10.00', balance: '1260.00', description: 'SN:X' })), amount: '9999.00' }), invalid)
  assert.equal(await recorded(), ['SN:1 SİPARİŞ #1001'])
})

test('two requests with one notification at once, ten times: one ok and one duplicate each, one row each', async () => {
  let balance = await headOfLedger()
  for (let round = 1; round <= 10; round++) {
    const amount = 1000n + BigInt(round)
    balance += amount
    const n = await signed({ amount: money(amount), balance: money(balance), description: `SN:race-${round}` })
    const answers = await Promise.all([post(n), post(n)])
    assert.equal(answers.map((a) => (a.body as { status: string }).status).sort(), ['duplicate', 'ok'], JSON.stringify(answers))
  }
  const races = (await recorded()).filter((d) => d.startsWith('SN:race-'))
  assert.equal(
    races,
    Array.from({ length: 10 }, (_, i) => `SN:race-${i + 1}`),
  )
  assert.is((await stored()).duplicates, 11)
  assert.is(await headOfLedger(), balance)
})

test('out of order: the later movement opens a gap (the gap listener logs it), the earlier one closes it', async () => {
  const head = await headOfLedger()
  const earlier = await signed({ amount: '40.00', balance: money(head + 4000n), description: 'SN:earlier' })
  const later = await signed({ dc: 'Debit', amount: '15.00', balance: money(head + 2500n), description: 'SN:later' })
  assert.equal(await post(later), OK)
  assert.ok(await logged(`account ${ACCOUNT}: 40.00 TRY never notified`), logs)
  assert.equal(await post(earlier), OK)
  const { state } = await stored()
  assert.is(state?.chain.fragments.length, 1)
  assert.is(state?.chain.fragments[0]?.end, head + 2500n)
  const types = right(await reader.readStream(LEDGER)()).events.map((e) => e.type)
  assert.equal(types.slice(-4), ['BalanceGapDetected', 'TransactionReceived', 'TransactionReceived', 'BalanceGapClosed'])
})

test("every request closed its connection (ctx.waitUntil): none of the Worker's stays open", async () => {
  // Counted by application name, so only on a server this file has to itself.
  if (!db.embedded) return
  const pool = db.pool({ max: 1 })
  const open = async () =>
    Number(
      (
        await pool.query(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'banksocket-webhooks' AND backend_type = 'client backend'",
        )
      ).rows[0]?.n,
    )
  let now = await open()
  for (let waited = 0; now > 0 && waited < 5000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    now = await open()
  }
  assert.is(now, 0)
})

test('without Hyperdrive: the DATABASE_URL secret works the same', async () => {
  const direct = await workerd({ DATABASE_URL: db.url }, undefined)
  try {
    const url = new URL('/banksocket', await direct.ready).href
    const n = await signed({ account_id: '4343', amount: '5.00', balance: '105.00', description: 'SN:direct' })
    assert.equal(await post(n, url), OK)
    assert.equal(await post(n, url), DUPLICATE)
    assert.equal(await post(n), DUPLICATE) // the other Worker shares the key space
    const events = right(await reader.readStream('ledger-4343-TRY')()).events
    assert.equal(
      events.map((e) => e.type),
      ['TransactionReceived'],
    )
  } finally {
    await direct.dispose()
  }
})

test('a database that cannot be reached: 500 {"error":"store_failed"} (Banksocket delivers again), no password in the logs', async () => {
  const password = 'pw-never-logged-5e1'
  const gone = await workerd({ DATABASE_URL: `postgres://app:${password}@127.0.0.1:${await freePort()}/app` }, undefined)
  try {
    const url = new URL('/banksocket', await gone.ready).href
    const n = await signed({ account_id: '4444', amount: '5.00', balance: '105.00', description: 'SN:unreachable' })
    assert.equal(await post(n, url), { status: 500, body: { error: 'store_failed' } })
    assert.not.ok(logs.includes(password))
  } finally {
    await gone.dispose()
  }
})

test.run()
