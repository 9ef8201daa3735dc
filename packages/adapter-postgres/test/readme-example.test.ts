/**
 * The README's example is test/examples/two-receivers.ts, byte for byte, and it holds: two receivers
 * on one database, every notification delivered to both at once, record each one exactly once.
 */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { START } from '../src/index.ts'
import { deliver, follow, open } from './examples/two-receivers.ts'
import { right, startDatabase, type TestDatabase } from './support/database.ts'

let db: TestDatabase

test.before(async () => {
  db = await startDatabase()
})

test.after(async () => {
  await db.stop()
})

test('README: the example is test/examples/two-receivers.ts', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /<!-- file: test\/examples\/two-receivers\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1]
  assert.ok(block, 'README.md shows test/examples/two-receivers.ts after a <!-- file: test/examples/two-receivers.ts --> line')
  assert.fixture(block ?? '', readFileSync(new URL('./examples/two-receivers.ts', import.meta.url), 'utf8').replace(/\n$/, ''))
})

test('README: two receivers on one ledger, every notification sent to both (in different orders): one ok and one duplicate each', async () => {
  const schema = db.schemaName()
  const [a, b] = await Promise.all([open(db.url, schema), open(db.url, schema)])
  const movements = Array.from({ length: 60 }, (_, i) => ({
    type: 'Movement' as const,
    data: { key: `k-${i}`, amount: '10.00', balance: `${18100 + 10 * (i + 1)}.00` },
  }))
  const scrambled = movements.map((m, i) => movements[(i * 37) % movements.length] ?? m)
  const receive = async (store: typeof a, order: typeof movements) => {
    const answers = new Map<string, string>()
    for (const m of order) answers.set(m.data.key, await deliver(store, 'ledger-69-TRY', m))
    return answers
  }
  const [byA, byB] = await Promise.all([receive(a, movements), receive(b, scrambled)])
  for (const m of movements) assert.equal([byA.get(m.data.key), byB.get(m.data.key)].sort(), ['duplicate', 'ok'], m.data.key)
  const seen: string[] = []
  const next = await follow(a, START, (ledger, movement) => void seen.push(`${ledger} ${movement.data.key}`))
  assert.equal([...seen].sort(), movements.map((m) => `ledger-69-TRY ${m.data.key}`).sort())
  assert.ok(next.position > 0)
  const state = right(await b.readState('ledger-69-TRY')())
  assert.is(state.version, 60)
  assert.is(state.state?.movements, 60)
  assert.is(state.duplicates, 60)
  assert.equal(await follow(b, next, () => assert.unreachable('nothing new')), next)
  right(await a.close()())
  right(await b.close()())
})

test.run()
