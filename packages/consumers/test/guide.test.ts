/**
 * docs/guides/consumers.md, "A projection in the same PostgreSQL transaction": the sample runs as
 * the guide says (a process of its own, DATABASE_URL), over a store the receiver's inbox fills; it
 * counts every movement exactly once, also when it is SIGKILLed and started again, and a second
 * instance waits while the first holds the name.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createPostgresEventStore, migrate } from '@banksocket-webhooks/adapter-postgres'
import { LedgerEvent } from '@banksocket-webhooks/core'
import { LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
import { startDatabase, type TestDatabase } from '@banksocket-webhooks/test-support/postgres'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { withConsumerEvents } from '../src/index.ts'
import { movementsOf, record } from './support/ledger.ts'

const guides = fileURLToPath(new URL('../../../docs/guides/', import.meta.url))
let db: TestDatabase

test.before(async () => {
  db = await startDatabase()
})
test.after(async () => {
  await db.stop()
})

/** The sample as the guide starts it, on a database whose URL names `schema` as its search path. */
const startSample = (url: string): { child: ChildProcess; output: () => string; waitFor: (pattern: RegExp) => Promise<void> } => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/consumer-projection.ts'], {
    cwd: guides,
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString('utf8')))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString('utf8')))
  const waitFor = async (pattern: RegExp) => {
    const deadline = Date.now() + 30_000
    while (!pattern.test(output)) {
      if (child.exitCode !== null) throw new Error(`the sample exited: ${output}`)
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}: ${output}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return { child, output: () => output, waitFor }
}

test('the projection sample counts each movement exactly once, across a SIGKILL, with one active instance', async () => {
  // The guide's database: the store's schema is the default one, in a database of its own.
  const admin = db.pool({ max: 1 })
  const name = `guide_${process.pid}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = (() => {
    const u = new URL(db.url)
    u.pathname = `/${name}`
    return u.toString()
  })()
  const pool = (await import('pg')).default.Pool
  const own = new pool({ connectionString: url, max: 4 })
  // The samples are SIGKILLed and the database dropped WITH (FORCE): a connection ended from the
  // server's side is expected here, not a failure of the test.
  own.on('error', () => {})
  admin.on('error', () => {})
  let first: ReturnType<typeof startSample> | undefined
  let second: ReturnType<typeof startSample> | undefined
  try {
    const migrated = await migrate(own)()
    assert.ok(migrated._tag === 'Right', JSON.stringify(migrated))
    const store = createPostgresEventStore({ pool: own, codec: withConsumerEvents(LedgerEvent), stateCodec: LedgerStateCodec })
    const movements = movementsOf(60)
    assert.equal(new Set(await record(store, movements.slice(0, 40))), new Set(['accepted']))

    first = startSample(url)
    await first.waitFor(/"active":true/)
    second = startSample(url)
    await new Promise((r) => setTimeout(r, 1500))
    assert.not.match(second.output(), /"active":true/, 'the second instance waits while the first runs')
    first.child.kill('SIGKILL')
    await second.waitFor(/"active":true/)
    assert.equal(new Set(await record(store, movements.slice(40))), new Set(['accepted']))

    const expected = new Map<string, { credits: bigint; debits: bigint; movements: number }>()
    for (const m of movements) {
      const key = `${m.account_id} ${m.currency}`
      const entry = expected.get(key) ?? { credits: 0n, debits: 0n, movements: 0 }
      const cents = BigInt((m.amount as string).replace('.', ''))
      if (m.dc === 'Credit') entry.credits += cents
      else entry.debits += cents
      entry.movements++
      expected.set(key, entry)
    }
    const deadline = Date.now() + 30_000
    for (;;) {
      const rows = (
        await own
          .query<{ account: string; currency: string; credits: string; debits: string; movements: string }>(
            'SELECT account, currency, credits::text, debits::text, movements::text FROM account_totals ORDER BY account',
          )
          .catch(() => ({ rows: [] }))
      ).rows
      const total = rows.reduce((n, r) => n + Number(r.movements), 0)
      if (total >= 60 || Date.now() > deadline) {
        const got = new Map(
          rows.map((r) => [
            `${r.account} ${r.currency}`,
            { credits: BigInt(r.credits.replace('.', '')), debits: BigInt(r.debits.replace('.', '')), movements: Number(r.movements) },
          ]),
        )
        assert.equal(Object.fromEntries(got), Object.fromEntries(expected))
        break
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    const stopped = new Promise((r) => second?.child.once('exit', r))
    second.child.kill('SIGTERM')
    await stopped
    await store.close()()
  } finally {
    first?.child.kill('SIGKILL')
    second?.child.kill('SIGKILL')
    await own.end()
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
})

test.run()
