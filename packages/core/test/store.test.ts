import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createInMemoryEventStore } from '../src/index.ts'
import { versionMatches } from '../src/store.ts'

type Ev = { type: string }

test('appends with the expected version and reads streams back in order', async () => {
  const store = createInMemoryEventStore<Ev>()
  assert.equal(await store.appendToStream('a', [{ type: '1' }, { type: '2' }], 'no_stream')(), E.right({ nextVersion: 2 }))
  assert.equal(await store.appendToStream('b', [{ type: 'x' }], 0)(), E.right({ nextVersion: 1 }))
  assert.equal(await store.appendToStream('a', [{ type: '3' }], 2)(), E.right({ nextVersion: 3 }))
  assert.equal(await store.readStream('a')(), E.right({ version: 3, events: [{ type: '1' }, { type: '2' }, { type: '3' }] }))
  assert.equal(await store.readStream('none')(), E.right({ version: 0, events: [] }))
  const all = await store.readAll()()
  assert.equal(
    E.map((xs: ReadonlyArray<{ stream: string; version: number }>) => xs.map((x) => `${x.stream}@${x.version}`))(all),
    E.right(['a@1', 'a@2', 'b@1', 'a@3']),
  )
})

test('a stale expected version is a VersionConflict and appends nothing', async () => {
  const store = createInMemoryEventStore<Ev>()
  await store.appendToStream('a', [{ type: '1' }], 'no_stream')()
  assert.equal(await store.appendToStream('a', [{ type: '2' }], 0)(), E.left({ _tag: 'VersionConflict', stream: 'a', expected: 0, actual: 1 }))
  assert.equal(
    await store.appendToStream('a', [{ type: '2' }], 'no_stream')(),
    E.left({ _tag: 'VersionConflict', stream: 'a', expected: 'no_stream', actual: 1 }),
  )
  assert.equal(await store.appendToStream('a', [{ type: '2' }], 'any')(), E.right({ nextVersion: 2 }))
})

test('concurrent appends with the same expected version: exactly one wins', async () => {
  const store = createInMemoryEventStore<Ev>()
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendToStream('s', [{ type: String(i) }], 0)()))
  assert.is(results.filter(E.isRight).length, 1)
})

test('versionMatches', () => {
  assert.ok(versionMatches('any', 5))
  assert.ok(versionMatches('no_stream', 0))
  assert.not.ok(versionMatches('no_stream', 1))
  assert.ok(versionMatches(3, 3))
})

test('reads are snapshots: mutating the result does not change the store', async () => {
  const store = createInMemoryEventStore<Ev>()
  await store.appendToStream('a', [{ type: '1' }], 'any')()
  const r = await store.readStream('a')()
  if (E.isRight(r)) (r.right.events as Ev[]).push({ type: 'bogus' })
  assert.equal(await store.readStream('a')(), E.right({ version: 1, events: [{ type: '1' }] }))
})

test.run()
