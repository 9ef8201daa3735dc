/**
 * Forwarding on PostgreSQL, with real processes, sockets and a database (test-support's embedded
 * PostgreSQL, or DATABASE_URL): `banksocket forward --store postgres://…` beside a `listen` on the
 * same database, its dead letters as `ForwardFailed` events in the store, its checkpoint in the
 * `checkpoints` table; and the end-to-end scenario (30 % refusals, the app down, listen SIGKILLed
 * and restarted) through `listen --store postgres://… --forward-to`. The database's password never
 * appears in any output.
 */
import { createPostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import { type ConsumerEvent, withConsumerEvents } from '@banksocket-webhooks/consumers'
import { LedgerEvent, type StoredEvent } from '@banksocket-webhooks/core'
import { startDatabase, type TestDatabase } from '@banksocket-webhooks/test-support/postgres'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, json, run, start, startListen } from './support/cli.ts'
import { forwardThroughFaults } from './support/end-to-end.ts'
import {
  BANKSOCKET_SECRET,
  chains,
  checkDeliveries,
  createCleanup,
  FORWARD_SECRET,
  forwardableIds,
  sendAll,
  startApp,
  until,
} from './support/forwarding.ts'

let db: TestDatabase

test.before(async () => {
  ensureBuilt()
  db = await startDatabase()
})

test.after(async () => {
  await db?.stop()
})

/** Every event of the database's feed, in feed order. */
const storedEvents = async (): Promise<ReadonlyArray<StoredEvent<LedgerEvent | ConsumerEvent>>> => {
  const store = createPostgresEventStore<LedgerEvent | ConsumerEvent>({ connectionString: db.url, codec: withConsumerEvents(LedgerEvent) })
  try {
    const all: StoredEvent<LedgerEvent | ConsumerEvent>[] = []
    for (;;) {
      const page = await store.readAll({ after: all.at(-1)?.position ?? 0, limit: 1000 })()
      if (E.isLeft(page)) throw new Error(JSON.stringify(page.left))
      if (page.right.length === 0) return all
      all.push(...page.right)
    }
  } finally {
    await store.close()()
  }
}

/** A fresh `banksocket` schema, made by `banksocket migrate`. */
const freshSchema = async (): Promise<void> => {
  const pool = db.pool({ max: 1 })
  await pool.query('DROP SCHEMA IF EXISTS banksocket CASCADE')
  await pool.end()
  const migrated = await run(['migrate', '--store', db.url])
  assert.is(migrated.code, 0, migrated.stderr)
}

const noPassword = (...texts: ReadonlyArray<string>): void => {
  if (db.password === undefined) return
  for (const text of texts) assert.not.ok(text.includes(db.password), 'the password is never printed')
}

test('forward on a database whose schema was not created: exit 1, one line saying so, no password', async () => {
  const { code, stdout, stderr } = await run(['forward', '--store', db.url, '--to', 'http://127.0.0.1:9/', '--secret', FORWARD_SECRET])
  assert.is(code, 1)
  assert.is(stdout, '')
  assert.is(stderr.trim().split('\n').length, 1)
  assert.match(
    stderr,
    /^banksocket forward: .*banksocket migrate --store URL creates or upgrades it \(to wait for it at start, pass --wait-for-store DURATION\)\n$/,
  )
  noPassword(stderr)
})

test('forward beside listen on one database: in order per account, dead letters as ForwardFailed events in the store', async () => {
  await freshSchema()
  const cleanup = createCleanup()
  try {
    const listen = cleanup.add(await startListen(['--port', '0', '--secret', BANKSOCKET_SECRET, '--store', db.url]))
    const app = cleanup.add(await startApp((incoming) => (incoming.accountId === '62' ? 500 : 200)))
    const forward = cleanup.add(
      start(['forward', '--store', db.url, '--to', app.url, '--name', 'pg-forward', '--max-delay', '200ms', '--max-attempts', '2'], {
        env: { BANKSOCKET_FORWARD_SECRET: FORWARD_SECRET },
      }),
    )
    const first = json(await forward.line('stderr', () => true))
    assert.is(first['type'], 'forwarding')
    assert.is(first['name'], 'pg-forward')
    assert.match(String(first['store']), /^postgres:\/\/postgres:\*\*\*@/)
    assert.is(first['failuresFile'], undefined)
    await sendAll(listen.url, chains(['61', '62', '63'], 5, 'p'))
    const ids = forwardableIds(await storedEvents())
    const refused = ids.filter((id) => id.includes('-62-'))
    await until('the refused account to be given up on', () => forward.lines('stderr').filter((l) => l.includes('"forward_failed"')).length >= 5)
    await until('the other accounts', () => new Set(app.acked().map((d) => d.id)).size >= 10)
    checkDeliveries(app)
    assert.equal(new Set(app.acked().map((d) => d.id)), new Set(ids.filter((id) => !refused.includes(id))))
    const records = (await storedEvents()).filter((e) => e.stream === 'consumer-pg-forward')
    assert.equal(
      records.map((e) => (e.event.type === 'ForwardFailed' ? [e.event.data.webhookId, e.event.data.status, e.event.data.attempts] : [])),
      refused.map((id) => [id, 500, 2]),
    )
    assert.is((await forward.stop()).code, 0)
    assert.equal(json(forward.lines('stderr').at(-1) ?? '{}'), { type: 'stopped', forwarded: 10, failed: 5, pending: 0 })
    const saved = await db.pool({ max: 1 }).query("SELECT position FROM banksocket.checkpoints WHERE name = 'pg-forward'")
    assert.is(Number(saved.rows[0]?.position), Math.max(...(await storedEvents()).map((e) => e.position)))
    assert.is((await listen.stop()).code, 0)
    noPassword(forward.text('stderr'), listen.text('stderr'), listen.text('stdout'))
  } finally {
    await cleanup.close()
  }
})

test('PostgreSQL: 30 % refusals, the app down for a while, listen SIGKILLed and restarted: everything acknowledged reaches the app, in order', async () => {
  await freshSchema()
  console.log(`forward end-to-end (postgres): ${await forwardThroughFaults(db.url, storedEvents, { accounts: 6, perAccount: 20 })}`)
})

test.run()
