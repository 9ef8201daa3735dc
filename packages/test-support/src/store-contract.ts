/**
 * The store contract: what every `EventStore` (in memory, file, PostgreSQL, ...) must do, as one uvu
 * suite that takes a factory. It uses only core's port, `uvu` and `fp-ts`.
 *
 * @module
 */
import type { EventStore, StoredEvent } from '@banksocket-webhooks/core'
import { MAX_READ_LIMIT } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { suite, type Test } from 'uvu'
import * as assert from 'uvu/assert'

/**
 * The events the contract writes: plain JSON, with Turkish text and a nested record.
 *
 * @example
 * import type { ContractEvent } from '@banksocket-webhooks/test-support'
 * const e: ContractEvent = { type: 'A1', data: { n: 1, note: 'Kadıköy' } }
 */
export type ContractEvent = Readonly<{ type: string; data: Readonly<{ n: number; note: string }> }>

/**
 * A fresh, empty store for one test, and how to let it go. A store whose data outlives the object
 * (a file, a database) also says how to `reopen` it: let go of the current store and open the same
 * data again; `dispose` then lets go of the reopened one.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * import type { ContractEvent, StoreUnderTest } from '@banksocket-webhooks/test-support'
 * const fresh: StoreUnderTest = { store: createInMemoryEventStore<ContractEvent>(), dispose: async () => {} }
 */
export type StoreUnderTest = Readonly<{
  store: EventStore<ContractEvent>
  dispose: () => Promise<void>
  reopen?: () => Promise<EventStore<ContractEvent>>
}>

const ev = (type: string, n: number): ContractEvent => ({ type, data: { n, note: `Kadıköy İşbank ${n} ğüşöçı` } })

const rightOf = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected Right, got ${JSON.stringify(either.left)}`)
  return either.right
}

const keyOf = (s: StoredEvent<ContractEvent>) => `${s.stream}@${s.version}:${s.event.type}`

/** Every event of `store` after `after`, read in pages of `limit` until a page comes back empty. */
const pageThrough = async (store: EventStore<ContractEvent>, limit: number, after = 0): Promise<StoredEvent<ContractEvent>[]> => {
  const events: StoredEvent<ContractEvent>[] = []
  let from = after
  for (;;) {
    const page = rightOf(await store.readAll({ after: from, limit })())
    assert.ok(page.length <= limit, `a page of ${page.length} events with limit ${limit}`)
    const last = page[page.length - 1]
    if (last === undefined) return events
    events.push(...page)
    from = last.position
  }
}

/**
 * Pages until at least `count` events came (or 10 s passed): a shared store may hold its feed back
 * while another writer's transaction is in flight, which an empty page ("nothing more for now")
 * allows.
 */
const pageUntil = async (store: EventStore<ContractEvent>, limit: number, count: number): Promise<StoredEvent<ContractEvent>[]> => {
  const deadline = Date.now() + 10_000
  const events = await pageThrough(store, limit)
  while (events.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    events.push(...(await pageThrough(store, limit, events[events.length - 1]?.position ?? 0)))
  }
  return events
}

/** Events in several streams, interleaved: a's, b's and c's versions spread over the feed. */
const writeInterleaved = async (store: EventStore<ContractEvent>, rounds: number): Promise<void> => {
  for (let i = 0; i < rounds; i++) {
    for (const stream of ['a', 'b', 'c']) {
      const events = stream === 'b' ? [ev(`${stream}${i}x`, i), ev(`${stream}${i}y`, i)] : [ev(`${stream}${i}`, i)]
      rightOf(await store.appendToStream(stream, events, 'any')())
    }
  }
}

const isStoreFailure = (either: E.Either<{ _tag: string }, unknown>): boolean => E.isLeft(either) && either.left._tag === 'StoreFailure'

/**
 * The contract's tests in a suite named `store contract: <name>`, to be run with `.run()` (add
 * `before`/`after` hooks first to start and stop what the stores need). Each test gets a fresh
 * store from `open` and disposes of it; the tests of positions across a reopen run only when the
 * factory gives `reopen`.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * import { type ContractEvent, storeContract } from '@banksocket-webhooks/test-support'
 * storeContract('in memory', async () => ({ store: createInMemoryEventStore<ContractEvent>(), dispose: async () => {} })).run()
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

  /** A test that reopens the store; it passes vacuously for a store that cannot be reopened. */
  const withReopen = (body: (store: EventStore<ContractEvent>, reopen: () => Promise<EventStore<ContractEvent>>) => Promise<void>) => async () => {
    const { store, dispose, reopen } = await open()
    try {
      if (reopen !== undefined) await body(store, reopen)
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
    'every stored event has a global position: a positive integer, unique, increasing in feed order',
    withStore(async (store) => {
      await writeInterleaved(store, 4)
      const all = rightOf(await store.readAll()())
      assert.is(all.length, 16)
      const positions = all.map((s) => s.position)
      assert.ok(
        positions.every((p) => Number.isSafeInteger(p) && p > 0),
        `positions must be positive integers: ${positions}`,
      )
      for (let i = 1; i < positions.length; i++)
        assert.ok((positions[i] as number) > (positions[i - 1] as number), `positions not increasing: ${positions}`)
      // Appended later, positioned later.
      rightOf(await store.appendToStream('d', [ev('D1', 1)], 'no_stream')())
      const after = rightOf(await store.readAll()())
      assert.equal(after.slice(0, 16), all)
      assert.ok((after[16]?.position ?? 0) > (positions[15] as number))
    }),
  )

  it(
    'paging with readAll({ after: last position, limit }) reads exactly what readAll() reads, each event once, in the same order',
    withStore(async (store) => {
      await writeInterleaved(store, 5)
      const all = rightOf(await store.readAll()())
      assert.is(all.length, 20)
      for (const limit of [1, 2, 3, 7, 20, 100, MAX_READ_LIMIT]) assert.equal(await pageUntil(store, limit, all.length), all, `limit ${limit}`)
      // From any event's position, the rest of the feed.
      for (const i of [0, 1, 9, 18, 19]) {
        assert.equal(await pageThrough(store, 4, (all[i] as StoredEvent<ContractEvent>).position), all.slice(i + 1), `after the event at index ${i}`)
      }
      assert.equal(rightOf(await store.readAll({ limit: 3 })()), all.slice(0, 3))
      assert.equal(rightOf(await store.readAll({ after: 0 })()), all)
      assert.equal(rightOf(await store.readAll({})()), all)
    }),
  )

  it(
    'after the last position a page is empty until something new is appended, which the next page reads',
    withStore(async (store) => {
      assert.equal(await store.readAll({ after: 0, limit: 10 })(), E.right([]))
      rightOf(await store.appendToStream('a', [ev('A1', 1), ev('A2', 2)], 'no_stream')())
      const first = await pageUntil(store, 10, 2)
      const last = (first[1] as StoredEvent<ContractEvent>).position
      assert.equal(await store.readAll({ after: last, limit: 10 })(), E.right([]))
      rightOf(await store.appendToStream('b', [ev('B1', 1)], 'no_stream')())
      rightOf(await store.appendToStream('a', [ev('A3', 3)], 2)())
      const next = await pageUntil(store, 10, 4)
      assert.equal(next.slice(2).map(keyOf), ['b@1:B1', 'a@3:A3'])
      assert.equal(rightOf(await store.readAll({ after: last, limit: 10 })()), next.slice(2))
    }),
  )

  it(
    'pages written by many concurrent appends still read every event once, in readAll order',
    withStore(async (store) => {
      const streams = Array.from({ length: 6 }, (_, i) => `s${i}`)
      const results = await Promise.all(streams.flatMap((s) => [0, 1, 2, 3].map((v) => store.appendToStream(s, [ev(`${s}-${v}`, v)], v)())))
      assert.ok(results.every(E.isRight))
      const all = rightOf(await store.readAll()())
      assert.is(all.length, 24)
      assert.equal(await pageUntil(store, 5, 24), all)
      assert.is(new Set(all.map((s) => s.position)).size, 24)
    }),
  )

  it(
    'readAll after a position no event ever had is a StoreFailure',
    withStore(async (store) => {
      rightOf(await store.appendToStream('a', [ev('A1', 1), ev('A2', 2)], 'no_stream')())
      const all = rightOf(await store.readAll()())
      const unknown = Math.max(...all.map((s) => s.position)) + 1_000_000
      assert.ok(isStoreFailure(await store.readAll({ after: unknown })()), `after ${unknown}`)
      assert.ok(isStoreFailure(await store.readAll({ after: unknown, limit: 5 })()), `after ${unknown}, limit 5`)
    }),
  )

  it(
    'readStream({ after, limit }) reads the events after a version, at most limit, with the current version',
    withStore(async (store) => {
      const events = Array.from({ length: 7 }, (_, i) => ev(`S${i + 1}`, i + 1))
      rightOf(await store.appendToStream('s', events, 'no_stream')())
      rightOf(await store.appendToStream('other', [ev('O1', 1)], 'no_stream')())
      assert.equal(await store.readStream('s', { after: 0, limit: 3 })(), E.right({ version: 7, events: events.slice(0, 3) }))
      assert.equal(await store.readStream('s', { after: 3, limit: 3 })(), E.right({ version: 7, events: events.slice(3, 6) }))
      assert.equal(await store.readStream('s', { after: 6, limit: 3 })(), E.right({ version: 7, events: events.slice(6) }))
      assert.equal(await store.readStream('s', { after: 2 })(), E.right({ version: 7, events: events.slice(2) }))
      assert.equal(await store.readStream('s', { limit: 2 })(), E.right({ version: 7, events: events.slice(0, 2) }))
      assert.equal(await store.readStream('s', { after: 7 })(), E.right({ version: 7, events: [] }))
      assert.equal(await store.readStream('s', { after: 50, limit: 5 })(), E.right({ version: 7, events: [] }))
      assert.equal(await store.readStream('s', {})(), E.right({ version: 7, events }))
      assert.equal(await store.readStream('nothing-here', { after: 2, limit: 5 })(), E.right({ version: 0, events: [] }))
      // Paging a stream by version reads it whole.
      const paged: ContractEvent[] = []
      for (let after = 0; ; ) {
        const page = rightOf(await store.readStream('s', { after, limit: 2 })())
        if (page.events.length === 0) break
        paged.push(...page.events)
        after += page.events.length
      }
      assert.equal(paged, events)
    }),
  )

  it(
    'bad read options throw a TypeError when the read is asked for',
    withStore(async (store) => {
      const bad: ReadonlyArray<Readonly<{ after?: number; limit?: number }>> = [
        { limit: 0 },
        { limit: -1 },
        { limit: 1.5 },
        { limit: MAX_READ_LIMIT + 1 },
        { limit: Number.NaN },
        { after: -1 },
        { after: 0.5 },
        { after: Number.POSITIVE_INFINITY },
      ]
      for (const options of bad) {
        assert.throws(() => store.readAll(options), TypeError, `readAll(${JSON.stringify(options)})`)
        assert.throws(() => store.readStream('s', options), TypeError, `readStream('s', ${JSON.stringify(options)})`)
      }
    }),
  )

  it(
    'positions survive a reopen: the same events at the same positions, paging on from a position read before, later appends after them',
    withReopen(async (store, reopen) => {
      await writeInterleaved(store, 3)
      const before = rightOf(await store.readAll()())
      const firstPage = rightOf(await store.readAll({ after: 0, limit: 5 })())
      const reopened = await reopen()
      assert.equal(rightOf(await reopened.readAll()()), before)
      const checkpoint = (firstPage[firstPage.length - 1] as StoredEvent<ContractEvent>).position
      assert.equal(await pageThrough(reopened, 4, checkpoint), before.slice(5))
      assert.equal(await reopened.readStream('b', { after: 2, limit: 2 })(), E.right({ version: 6, events: [ev('b1x', 1), ev('b1y', 1)] }))
      rightOf(await reopened.appendToStream('a', [ev('A-new', 9)], 3)())
      const after = rightOf(await reopened.readAll()())
      assert.equal(after.slice(0, before.length), before)
      const added = after[before.length] as StoredEvent<ContractEvent>
      assert.equal(keyOf(added), 'a@4:A-new')
      assert.ok(added.position > Math.max(...before.map((s) => s.position)))
      const last = (before[before.length - 1] as StoredEvent<ContractEvent>).position
      assert.equal(await pageThrough(reopened, 10, last), [added])
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
