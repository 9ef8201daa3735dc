/**
 * The README's feed example (test/examples/follow-feed.ts, shown byte for byte): a consumer that
 * follows the feed by position while four writers append sees every event exactly once.
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPostgresEventStore } from '../src/index.ts'
import { followFeed } from './examples/follow-feed.ts'
import { right, startDatabase, type TestDatabase } from './support/database.ts'

type Ev = Readonly<{ type: string; n: number }>

let db: TestDatabase

test.before(async () => {
  db = await startDatabase()
})

test.after(async () => {
  await db.stop()
})

test('README: the feed example is test/examples/follow-feed.ts', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /<!-- file: test\/examples\/follow-feed\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1]
  assert.ok(block, 'README.md shows test/examples/follow-feed.ts after a <!-- file: test/examples/follow-feed.ts --> line')
  assert.fixture(block ?? '', readFileSync(new URL('./examples/follow-feed.ts', import.meta.url), 'utf8').replace(/\n$/, ''))
})

test('README: followFeed, called again and again while four writers append, hands over every event exactly once', async () => {
  const schema = await db.schema()
  const writers = Array.from({ length: 4 }, () => createPostgresEventStore<Ev>({ pool: db.pool({ max: 3 }), schema }))
  const reader = createPostgresEventStore<Ev>({ pool: db.pool({ max: 2 }), schema })
  const perWriter = 60
  const seen: string[] = []
  let position = 0
  let writing = true
  const writes = Promise.all(
    writers.map(async (store, w) => {
      for (let n = 0; n < perWriter; n++) {
        const stream = `s${(n + w) % 3}`
        for (;;) {
          const state = right(await store.readState(stream)())
          const written = await store.record(stream, { expectedVersion: state.version, events: [{ type: `w${w}`, n }] })()
          if (E.isRight(written)) break
        }
      }
    }),
  ).finally(() => {
    writing = false
  })
  const deadline = Date.now() + 30_000
  while ((writing || seen.length < writers.length * perWriter) && Date.now() < deadline) {
    position = await followFeed(reader, position, async (e) => void seen.push(`${e.event.type}:${e.event.n}`))
    await new Promise((r) => setTimeout(r, 5))
  }
  await writes
  assert.is(seen.length, writers.length * perWriter)
  assert.is(new Set(seen).size, seen.length, 'an event was handed over twice')
  assert.equal(await followFeed(reader, position, async () => assert.unreachable('nothing new')), position)
  for (const store of [...writers, reader]) right(await store.close()())
})

test.run()
