/**
 * The store contract: what every `EventStore` (in memory, file, PostgreSQL, ...) must do, as one uvu
 * suite that takes a factory. It uses only core's port, `uvu` and `fp-ts`, so it can move to a shared
 * package unchanged.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * storeContract('in memory', async () => ({ store: createInMemoryEventStore(), dispose: async () => {} })).run()
 */
import type { EventStore, StoredEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { suite, type Test } from 'uvu'
import * as assert from 'uvu/assert'

/** The events the contract writes: plain JSON, with Turkish text and a nested record. */
export type ContractEvent = Readonly<{ type: string; data: Readonly<{ n: number; note: string }> }>

/** A fresh, empty store for one test, and how to let it go. */
export type StoreUnderTest = Readonly<{ store: EventStore<ContractEvent>; dispose: () => Promise<void> }>

const ev = (type: string, n: number): ContractEvent => ({ type, data: { n, note: `Kadıköy İşbank ${n} ğüşöçı` } })

const rightOf = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected Right, got ${JSON.stringify(either.left)}`)
  return either.right
}

const keyOf = (s: StoredEvent<ContractEvent>) => `${s.stream}@${s.version}:${s.event.type}`

/**
 * The contract's tests in a suite named `store contract: <name>`, to be run with `.run()` (add
 * `before`/`after` hooks first to start and stop what the stores need). Each test gets a fresh
 * store from `open` and disposes of it.
 */
export const storeContract = (name: string, open: () => Promise<StoreUnderTest>): Test => {
  const it = suite(`store contract: ${name}`)

  const withStore = (body: (store: EventStore<ContractEvent>) => Promise<void>) => async () => {
    const { store, dispose } = await open()
    try {
      await body(store)
    } finally {
      await dispose()
    }
  }

  it(
    'a stream never written reads as version 0 with no events',
    withStore(async (store) => {
      assert.equal(await store.readStream('nothing-here')(), E.right({ version: 0, events: [] }))
      assert.equal(await store.readAll()(), E.right([]))
    }),
  )

  it(
    'appends with the expected version and reads each stream back in order, events unchanged',
    withStore(async (store) => {
      assert.equal(await store.appendToStream('a', [ev('A1', 1), ev('A2', 2)], 'no_stream')(), E.right({ nextVersion: 2 }))
      assert.equal(await store.appendToStream('b', [ev('B1', 1)], 0)(), E.right({ nextVersion: 1 }))
      assert.equal(await store.appendToStream('a', [ev('A3', 3)], 2)(), E.right({ nextVersion: 3 }))
      assert.equal(await store.readStream('a')(), E.right({ version: 3, events: [ev('A1', 1), ev('A2', 2), ev('A3', 3)] }))
      assert.equal(await store.readStream('b')(), E.right({ version: 1, events: [ev('B1', 1)] }))
    }),
  )

  it(
    'readAll holds every event once, with its stream and version, each stream in version order',
    withStore(async (store) => {
      rightOf(await store.appendToStream('a', [ev('A1', 1), ev('A2', 2)], 'no_stream')())
      rightOf(await store.appendToStream('b', [ev('B1', 1)], 'no_stream')())
      rightOf(await store.appendToStream('a', [ev('A3', 3)], 2)())
      const all = rightOf(await store.readAll()())
      assert.equal(all.map(keyOf).sort(), ['a@1:A1', 'a@2:A2', 'a@3:A3', 'b@1:B1'])
      for (const stream of ['a', 'b']) {
        const versions = all.filter((s) => s.stream === stream).map((s) => s.version)
        assert.equal(
          versions,
          [...versions].sort((x, y) => x - y),
          `${stream} out of order in readAll`,
        )
      }
      assert.equal(all.find((s) => s.stream === 'a' && s.version === 2)?.event, ev('A2', 2))
    }),
  )

  it(
    'a stale expected version is a VersionConflict naming the actual version, and appends nothing',
    withStore(async (store) => {
      rightOf(await store.appendToStream('a', [ev('A1', 1)], 'no_stream')())
      assert.equal(await store.appendToStream('a', [ev('X', 9)], 0)(), E.left({ _tag: 'VersionConflict', stream: 'a', expected: 0, actual: 1 }))
      assert.equal(
        await store.appendToStream('a', [ev('X', 9)], 'no_stream')(),
        E.left({ _tag: 'VersionConflict', stream: 'a', expected: 'no_stream', actual: 1 }),
      )
      assert.equal(await store.appendToStream('a', [ev('X', 9)], 5)(), E.left({ _tag: 'VersionConflict', stream: 'a', expected: 5, actual: 1 }))
      assert.equal(await store.appendToStream('new', [ev('X', 9)], 1)(), E.left({ _tag: 'VersionConflict', stream: 'new', expected: 1, actual: 0 }))
      assert.equal(await store.readStream('a')(), E.right({ version: 1, events: [ev('A1', 1)] }))
      assert.equal(await store.readStream('new')(), E.right({ version: 0, events: [] }))
      assert.equal(rightOf(await store.readAll()()).length, 1)
    }),
  )

  it(
    "'any' appends whatever the version, to a new stream or an existing one",
    withStore(async (store) => {
      assert.equal(await store.appendToStream('a', [ev('A1', 1)], 'any')(), E.right({ nextVersion: 1 }))
      assert.equal(await store.appendToStream('a', [ev('A2', 2), ev('A3', 3)], 'any')(), E.right({ nextVersion: 3 }))
      assert.equal(await store.readStream('a')(), E.right({ version: 3, events: [ev('A1', 1), ev('A2', 2), ev('A3', 3)] }))
    }),
  )

  it(
    'appending no events only checks the version',
    withStore(async (store) => {
      assert.equal(await store.appendToStream('a', [], 'no_stream')(), E.right({ nextVersion: 0 }))
      rightOf(await store.appendToStream('a', [ev('A1', 1)], 0)())
      assert.equal(await store.appendToStream('a', [], 1)(), E.right({ nextVersion: 1 }))
      assert.equal(await store.appendToStream('a', [], 0)(), E.left({ _tag: 'VersionConflict', stream: 'a', expected: 0, actual: 1 }))
      assert.equal(await store.readStream('a')(), E.right({ version: 1, events: [ev('A1', 1)] }))
    }),
  )

  it(
    'appends racing with the same expected version: exactly one wins, the others conflict',
    withStore(async (store) => {
      rightOf(await store.appendToStream('a', [ev('A1', 1)], 'no_stream')())
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.appendToStream('a', [ev(`R${i}`, i)], 1)()))
      assert.is(results.filter(E.isRight).length, 1)
      for (const r of results.filter(E.isLeft)) assert.equal(r.left, { _tag: 'VersionConflict', stream: 'a', expected: 1, actual: 2 })
      const read = rightOf(await store.readStream('a')())
      assert.is(read.version, 2)
    }),
  )

  it(
    'an append started before the previous one resolved is checked against the version that one produces',
    withStore(async (store) => {
      // The inbox starts a ledger's next append without waiting for the last one (pipelining).
      const tasks = Array.from({ length: 20 }, (_, i) => store.appendToStream('p', [ev(`P${i}`, i)], i)())
      const results = await Promise.all(tasks)
      assert.equal(
        results,
        Array.from({ length: 20 }, (_, i) => E.right({ nextVersion: i + 1 })),
      )
      const read = rightOf(await store.readStream('p')())
      assert.equal(
        read.events.map((e) => e.type),
        Array.from({ length: 20 }, (_, i) => `P${i}`),
      )
    }),
  )

  it(
    'a conflict does not block the stream: the next append with the right version succeeds',
    withStore(async (store) => {
      const first = store.appendToStream('c', [ev('C1', 1)], 'no_stream')()
      const stale = store.appendToStream('c', [ev('X', 9)], 0)()
      const next = store.appendToStream('c', [ev('C2', 2)], 1)()
      assert.equal(await first, E.right({ nextVersion: 1 }))
      assert.equal(await stale, E.left({ _tag: 'VersionConflict', stream: 'c', expected: 0, actual: 1 }))
      assert.equal(await next, E.right({ nextVersion: 2 }))
    }),
  )

  it(
    'writes to different streams do not wait for each other, and all land',
    withStore(async (store) => {
      const streams = Array.from({ length: 10 }, (_, i) => `s${i}`)
      const results = await Promise.all(streams.flatMap((s) => [0, 1, 2].map((v) => store.appendToStream(s, [ev(`${s}-${v}`, v)], v)())))
      assert.ok(results.every(E.isRight))
      const all = rightOf(await store.readAll()())
      assert.is(all.length, 30)
      for (const s of streams)
        assert.equal(
          rightOf(await store.readStream(s)()).events.map((e) => e.type),
          [`${s}-0`, `${s}-1`, `${s}-2`],
        )
    }),
  )

  it(
    'reads are snapshots: changing what a read returned changes nothing stored',
    withStore(async (store) => {
      rightOf(await store.appendToStream('a', [ev('A1', 1)], 'no_stream')())
      const read = rightOf(await store.readStream('a')())
      ;(read.events as ContractEvent[]).push(ev('bogus', 0))
      const all = rightOf(await store.readAll()())
      ;(all as StoredEvent<ContractEvent>[]).length = 0
      assert.equal(await store.readStream('a')(), E.right({ version: 1, events: [ev('A1', 1)] }))
      assert.is(rightOf(await store.readAll()()).length, 1)
    }),
  )

  return it
}
