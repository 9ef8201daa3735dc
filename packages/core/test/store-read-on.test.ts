/**
 * The README's paging example (test/examples/read-on.ts, shown byte for byte): a consumer that
 * reads a store in pages from a saved position sees every event once, in readAll's order, and
 * resumes where it stopped.
 */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createInMemoryEventStore, type StoredEvent } from '../src/index.ts'
import { readOn } from './examples/read-on.ts'

type Ev = Readonly<{ type: string; n: number }>

test('README: the paging example is test/examples/read-on.ts', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /<!-- file: test\/examples\/read-on\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1]
  assert.ok(block, 'README.md shows test/examples/read-on.ts after a <!-- file: test/examples/read-on.ts --> line')
  assert.fixture(block ?? '', readFileSync(new URL('./examples/read-on.ts', import.meta.url), 'utf8').replace(/\n$/, ''))
})

test('README: readOn reads every event once, in pages, and resumes from the position it answered', async () => {
  const store = createInMemoryEventStore<Ev>()
  for (let n = 0; n < 1234; n++) await store.appendToStream(`s${n % 7}`, [{ type: 'E', n }], 'any')()
  const seen: StoredEvent<Ev>[] = []
  const saved = await readOn(store, 0, async (stored) => void seen.push(stored), 100)
  const all = await store.readAll()()
  assert.equal(seen, all._tag === 'Right' ? all.right : [])
  assert.is(saved, 1234)
  assert.is(await readOn(store, saved, async () => assert.unreachable('nothing new')), saved)
  await store.appendToStream('late', [{ type: 'L', n: 0 }], 'no_stream')()
  const later: string[] = []
  assert.is(await readOn(store, saved, async (stored) => void later.push(`${stored.stream}@${stored.version}`)), 1235)
  assert.equal(later, ['late@1'])
})

test.run()
