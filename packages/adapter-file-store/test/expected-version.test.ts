import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

const conflict = (result: E.Either<unknown, unknown>) => (E.isLeft(result) ? result.left : undefined)

test("'no_stream' succeeds on a new stream and conflicts once it has events", async () => {
  const store = await mustOpen<string>({ path: tempLog() })
  assert.equal(right(await store.appendToStream('s', ['a'], 'no_stream')()), { nextVersion: 1 })
  assert.equal(conflict(await store.appendToStream('s', ['b'], 'no_stream')()), {
    _tag: 'VersionConflict',
    stream: 's',
    expected: 'no_stream',
    actual: 1,
  })
  right(await store.close()())
})

test('a number must equal the current version; 0 works like no_stream', async () => {
  const store = await mustOpen<string>({ path: tempLog() })
  assert.equal(right(await store.appendToStream('s', ['a'], 0)()), { nextVersion: 1 })
  assert.equal(right(await store.appendToStream('s', ['b', 'c'], 1)()), { nextVersion: 3 })
  assert.equal(conflict(await store.appendToStream('s', ['d'], 2)()), { _tag: 'VersionConflict', stream: 's', expected: 2, actual: 3 })
  assert.equal(conflict(await store.appendToStream('s', ['d'], 4)()), { _tag: 'VersionConflict', stream: 's', expected: 4, actual: 3 })
  assert.equal(right(await store.readStream('s')()), { version: 3, events: ['a', 'b', 'c'] })
  right(await store.close()())
})

test("'any' always appends", async () => {
  const store = await mustOpen<string>({ path: tempLog() })
  for (const e of ['a', 'b', 'c']) right(await store.appendToStream('s', [e], 'any')())
  assert.equal(right(await store.readStream('s')()), { version: 3, events: ['a', 'b', 'c'] })
  right(await store.close()())
})

test('versions survive a reopen: the next append must expect the stored version', async () => {
  const path = tempLog()
  const store = await mustOpen<string>({ path })
  right(await store.appendToStream('s', ['a', 'b'], 'no_stream')())
  right(await store.close()())
  const reopened = await mustOpen<string>({ path })
  assert.is(conflict(await reopened.appendToStream('s', ['c'], 'no_stream')()) !== undefined, true)
  assert.equal(right(await reopened.appendToStream('s', ['c'], 2)()), { nextVersion: 3 })
  right(await reopened.close()())
})

test('two concurrent appends with the same expected version: exactly one wins, the other conflicts', async () => {
  const path = tempLog()
  const store = await mustOpen<string>({ path })
  right(await store.appendToStream('s', ['a'], 'no_stream')())
  const [first, second] = await Promise.all([store.appendToStream('s', ['x'], 1)(), store.appendToStream('s', ['y'], 1)()])
  assert.equal(first, E.right({ nextVersion: 2 }))
  assert.equal(second, E.left({ _tag: 'VersionConflict', stream: 's', expected: 1, actual: 2 }))
  right(await store.close()())
  const reopened = await mustOpen<string>({ path })
  assert.equal(right(await reopened.readStream('s')()), { version: 2, events: ['a', 'x'] })
  right(await reopened.close()())
})

test('a queued (not yet synced) append already counts for the next version check, but not for reads', async () => {
  const store = await mustOpen<string>({ path: tempLog() })
  const pending = store.appendToStream('s', ['a'], 'no_stream')()
  const queued = store.appendToStream('s', ['b'], 1)()
  assert.equal(right(await store.readStream('s')()), { version: 0, events: [] })
  assert.equal(await pending, E.right({ nextVersion: 1 }))
  assert.equal(await queued, E.right({ nextVersion: 2 }))
  assert.equal(right(await store.readStream('s')()), { version: 2, events: ['a', 'b'] })
  right(await store.close()())
})

test('many racers on one stream with the same expectation: one winner per round, no duplicate version', async () => {
  const store = await mustOpen<number>({ path: tempLog() })
  for (let round = 0; round < 20; round++) {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendToStream('s', [round * 10 + i], round)()))
    assert.is(results.filter(E.isRight).length, 1)
  }
  const read = right(await store.readStream('s')())
  assert.is(read.version, 20)
  assert.equal(
    read.events,
    Array.from({ length: 20 }, (_, round) => round * 10),
  )
  right(await store.close()())
})

test.run()
