/**
 * The README's checkpoint example (test/examples/project-movements.ts, shown byte for byte): two
 * instances started at once copy every event into a table of their own exactly once, one at a time,
 * and a later run copies only what is new.
 */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore } from '../src/index.ts'
import { copyMovements } from './examples/project-movements.ts'
import { right, startDatabase, type TestDatabase } from './support/database.ts'

type Movement = Readonly<{ type: string; data: Readonly<{ amount: string }> }>

let db: TestDatabase

test.before(async () => {
  db = await startDatabase()
})

test.after(async () => {
  await db.stop()
})

test('README: the checkpoint example is test/examples/project-movements.ts', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /<!-- file: test\/examples\/project-movements\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1]
  assert.ok(block, 'README.md shows test/examples/project-movements.ts after a <!-- file: test/examples/project-movements.ts --> line')
  assert.fixture(block ?? '', readFileSync(new URL('./examples/project-movements.ts', import.meta.url), 'utf8').replace(/\n$/, ''))
})

test('README: two instances at once copy every event exactly once, and a later run only what is new', async () => {
  const schema = await db.schema()
  // The example's table is unqualified: the pools find it in the store's schema.
  const pool = () => db.pool({ max: 3, options: `-c search_path=${schema}` })
  const [a, b] = [pool(), pool()].map((p) => createPostgresEventStore<Movement>({ pool: p, schema }))
  if (a === undefined || b === undefined) throw new Error('two stores')
  const admin = db.pool({ max: 1 })
  await admin.query(`CREATE TABLE "${schema}".movements (position bigint PRIMARY KEY, stream text NOT NULL, amount text NOT NULL)`)
  const append = async (from: number, count: number) => {
    for (let i = from; i < from + count; i += 100) {
      const events = Array.from({ length: Math.min(100, from + count - i) }, (_, k) => ({ type: 'Movement', data: { amount: `${i + k}.00` } }))
      right(await a.appendToStream(`ledger-${i % 3}`, events, 'any')())
    }
  }
  const copied = async () =>
    (
      await admin.query<{ n: number; amounts: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT amount)::int AS amounts FROM "${schema}".movements`,
      )
    ).rows[0]
  await append(0, 1200)
  const [ra, rb] = await Promise.all([copyMovements(a), copyMovements(b)])
  const head = right(await a.head()())
  assert.equal([ra, rb], [head, head])
  assert.equal(await copied(), { n: 1200, amounts: 1200 })
  assert.is(right(await a.checkpoints.read('movements-table')()), head)
  await append(1200, 150)
  assert.is(await copyMovements(b), right(await b.head()()))
  assert.equal(await copied(), { n: 1350, amounts: 1350 })
  right(await a.close()())
  right(await b.close()())
})

test.run()
