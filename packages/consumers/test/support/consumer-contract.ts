/**
 * The consumer contract: what a consumer does on every store (memory, file, the file follower,
 * PostgreSQL), as one uvu suite that takes a factory. Every event handed over at least once and in
 * feed order; the checkpoint after a restart; start points; batches; retries, give-ups and
 * partitions.
 */
import type { EventStore, StoredEvent } from '@banksocket-webhooks/core'
import type { CheckpointStore } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type Consumer,
  type ConsumerEvent,
  type ConsumerOptions,
  consumerStream,
  createConsumer,
  type FeedSource,
  type RetryPolicy,
  type StartPoint,
} from '../../src/index.ts'

/** The events the contract writes. */
export type TestEvent = Readonly<{ type: string; data: Readonly<{ n: number }> }> | ConsumerEvent

/**
 * A fresh store for one test: `writer` to append with, `feed` for the consumer to read (the writer
 * itself, or a follower of it), their `checkpoints`, and `restart` to let go of the feed and
 * checkpoints and open them again on the same data (as a new process would).
 */
export type ConsumerStoreUnderTest = {
  writer: EventStore<TestEvent>
  feed: FeedSource<TestEvent>
  checkpoints: CheckpointStore<unknown>
  restart: () => Promise<{ feed: FeedSource<TestEvent>; checkpoints: CheckpointStore<unknown> }>
  dispose: () => Promise<void>
}

const rightOf = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected Right, got ${JSON.stringify(either.left)}`)
  return either.right
}

const ev = (n: number): TestEvent => ({ type: 'Numbered', data: { n } })
const numberOf = (e: StoredEvent<TestEvent>): number => (e.event.type === 'Numbered' ? (e.event as { data: { n: number } }).data.n : -1)

/** Appends events 1..count (or from `first`) spread over `streams` streams, one append each. */
const fill = async (store: EventStore<TestEvent>, count: number, first = 1, streams = 3): Promise<void> => {
  for (let n = first; n < first + count; n++) rightOf(await store.appendToStream(`s-${n % streams}`, [ev(n)], 'any')())
}

/** Every event of the store in feed order. */
const feedOf = async (store: EventStore<TestEvent>): Promise<StoredEvent<TestEvent>[]> => [...rightOf(await store.readAll()())]

/** What a test gives `createConsumer` besides the store and its checkpoints. */
type StartOptions = Readonly<{
  name: string
  pollInterval?: number
  from?: StartPoint
  batchSize?: number
  retry?: Partial<RetryPolicy>
  handle?: (event: StoredEvent<TestEvent>, context: Readonly<{ partition?: string }>) => void | Promise<void>
  handleBatch?: (events: ReadonlyArray<StoredEvent<TestEvent>>) => void | Promise<void>
  partitionBy?: (event: StoredEvent<TestEvent>) => string
}>

const quick = { initialDelay: 1, maxDelay: 5, maxAttempts: 3 }

/**
 * The consumer contract against stores from `open`.
 *
 * @example
 * consumerContract('in memory', async () => ({ writer, feed: writer, checkpoints, restart, dispose })).run()
 */
export const consumerContract = (label: string, open: () => Promise<ConsumerStoreUnderTest>) => {
  const test = suite(`consumer contract: ${label}`)
  const running: Consumer<TestEvent>[] = []
  let under: ConsumerStoreUnderTest
  const start = async (options: StartOptions) => {
    const consumer = createConsumer<TestEvent, unknown>({
      store: under.feed,
      checkpoints: under.checkpoints,
      pollInterval: 20,
      ...options,
    } as unknown as ConsumerOptions<TestEvent, unknown>)
    running.push(consumer)
    await consumer.start()
    return consumer
  }
  test.before.each(async () => {
    under = await open()
  })
  test.after.each(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()))
    await under.dispose()
  })

  test('hands every event over once, in feed order, across pages, and saves the checkpoint', async () => {
    await fill(under.writer, 250)
    const seen: StoredEvent<TestEvent>[] = []
    const consumer = await start({ name: 'all', batchSize: 40, handle: (e) => void seen.push(e) })
    await consumer.whenCaughtUp()
    const feed = await feedOf(under.writer)
    assert.equal(
      seen.map((e) => e.position),
      feed.map((e) => e.position),
    )
    assert.equal(rightOf(await under.checkpoints.read('all')()), feed[feed.length - 1]?.position)
    assert.is(consumer.stats().handled, 250)
  })

  test('follows events appended after it caught up', async () => {
    await fill(under.writer, 5)
    const seen: number[] = []
    const consumer = await start({ name: 'follow', handle: (e) => void seen.push(numberOf(e)) })
    await consumer.whenCaughtUp()
    await fill(under.writer, 5, 6)
    consumer.wake()
    await consumer.whenCaughtUp()
    assert.equal(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    // Without a wake: the polling interval finds them.
    await fill(under.writer, 2, 11)
    await consumer.whenCaughtUp()
    assert.equal(seen.slice(-2), [11, 12])
  })

  test('an append through the store wakes it at once, long before its next poll', async () => {
    await fill(under.writer, 1)
    const seen: number[] = []
    const consumer = await start({ name: 'woken', pollInterval: 60_000, handle: (e) => void seen.push(numberOf(e)) })
    await consumer.whenCaughtUp()
    await fill(under.writer, 1, 2)
    const deadline = Date.now() + 5_000
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    assert.equal(seen, [1, 2])
  })

  test('a restarted consumer resumes after its checkpoint', async () => {
    await fill(under.writer, 20)
    const first: number[] = []
    const a = await start({ name: 'resume', batchSize: 7, handle: (e) => void first.push(numberOf(e)) })
    await a.whenCaughtUp()
    await a.stop()
    await fill(under.writer, 10, 21)
    const reopened = await under.restart()
    under.feed = reopened.feed
    under.checkpoints = reopened.checkpoints
    const second: number[] = []
    const b = await start({ name: 'resume', batchSize: 7, handle: (e) => void second.push(numberOf(e)) })
    await b.whenCaughtUp()
    assert.is(first.length, 20)
    assert.equal(second, [21, 22, 23, 24, 25, 26, 27, 28, 29, 30])
  })

  test('start points: beginning, end, after a position; a saved checkpoint wins over them', async () => {
    await fill(under.writer, 10)
    const feed = await feedOf(under.writer)
    const fromEnd: number[] = []
    const end = await start({ name: 'from-end', from: 'end', handle: (e) => void fromEnd.push(numberOf(e)) })
    const fromSix: number[] = []
    const six = await start({ name: 'from-six', from: (feed[5] as StoredEvent<TestEvent>).position, handle: (e) => void fromSix.push(numberOf(e)) })
    const fromStart: number[] = []
    const beginning = await start({ name: 'from-start', from: 'beginning', handle: (e) => void fromStart.push(numberOf(e)) })
    await fill(under.writer, 2, 11)
    for (const c of [end, six, beginning]) {
      c.wake()
      await c.whenCaughtUp()
    }
    assert.equal(fromEnd, [11, 12])
    assert.equal(fromSix, [7, 8, 9, 10, 11, 12])
    assert.is(fromStart.length, 12)
    // A restart of the 'end' consumer resumes where it was, not at the new end.
    await end.stop()
    await fill(under.writer, 1, 13)
    const again: number[] = []
    const restarted = await start({ name: 'from-end', from: 'end', handle: (e) => void again.push(numberOf(e)) })
    await restarted.whenCaughtUp()
    assert.equal(again, [13])
  })

  test('an "end" consumer that saw nothing yet still starts there after a restart', async () => {
    await fill(under.writer, 3)
    const first = await start({ name: 'quiet', from: 'end', handle: () => {} })
    await first.whenCaughtUp()
    await first.stop()
    await fill(under.writer, 2, 4)
    const seen: number[] = []
    const second = await start({ name: 'quiet', from: 'end', handle: (e) => void seen.push(numberOf(e)) })
    await second.whenCaughtUp()
    assert.equal(seen, [4, 5])
  })

  test('batches: pages of at most batchSize events, in feed order, each with its checkpoint', async () => {
    await fill(under.writer, 23)
    const batches: number[][] = []
    const consumer = await start({ name: 'batches', batchSize: 10, handleBatch: (events) => void batches.push(events.map(numberOf)) })
    await consumer.whenCaughtUp()
    assert.equal(
      batches.map((b) => b.length),
      [10, 10, 3],
    )
    assert.equal(batches.flat(), (await feedOf(under.writer)).map(numberOf))
  })

  test('a failing handler is retried, and the events after it wait for it', async () => {
    await fill(under.writer, 6)
    const calls: number[] = []
    let failures = 0
    const consumer = await start({
      name: 'retry',
      retry: { ...quick, maxAttempts: 5 },
      handle: (e) => {
        calls.push(numberOf(e))
        if (numberOf(e) === 3 && failures < 2) {
          failures++
          throw new Error('not yet')
        }
      },
    })
    await consumer.whenCaughtUp()
    const done = [...new Set(calls)]
    assert.equal(done, [1, 2, 3, 4, 5, 6])
    assert.is(calls.filter((n) => n === 3).length, 3)
    assert.is(consumer.stats().failed, 0)
  })

  test('after its budget an event is recorded as failed and the consumer moves on', async () => {
    await fill(under.writer, 5)
    const handled: number[] = []
    const failed: number[] = []
    const consumer = await start({
      name: 'budget',
      retry: quick,
      handle: (e) => {
        if (numberOf(e) === 2) throw new Error('order service answered 503')
        handled.push(numberOf(e))
      },
    })
    consumer.on('failed', (f) => failed.push(numberOf(f.event)))
    await consumer.whenCaughtUp()
    // On a transactional store, 1 runs again: the failed page's transaction undid its first run.
    assert.equal([...new Set(handled)], [1, 3, 4, 5])
    assert.equal(failed, [2])
    const recorded = rightOf(await under.writer.readStream(consumerStream('budget'))())
    assert.is(recorded.events.length, 1)
    const record = recorded.events[0] as ConsumerEvent
    assert.is(record.type, 'ConsumerFailed')
    assert.is(record.data.attempts, 3)
    assert.is(record.data.error, 'order service answered 503')
    assert.is(record.data.version, 1)
  })

  test('the checkpoint never passes an event neither done nor recorded as failed', async () => {
    await fill(under.writer, 4)
    let attempts = 0
    const consumer = await start({
      name: 'stuck',
      retry: { initialDelay: 5, maxDelay: 5, maxAttempts: 1000 },
      handle: (e) => {
        if (numberOf(e) === 3) {
          attempts++
          throw new Error('down')
        }
      },
    })
    while (attempts < 3) await new Promise((r) => setTimeout(r, 5))
    await consumer.stop()
    const feed = await feedOf(under.writer)
    assert.is(rightOf(await under.checkpoints.read('stuck')()), feed[1]?.position)
    const seen: number[] = []
    const reopened = await under.restart()
    under.feed = reopened.feed
    under.checkpoints = reopened.checkpoints
    const again = await start({ name: 'stuck', handle: (e) => void seen.push(numberOf(e)) })
    await again.whenCaughtUp()
    assert.equal(seen, [3, 4])
  })

  test('a batch that fails its budget is split, so only the culprit is given up on', async () => {
    await fill(under.writer, 4)
    const done: number[] = []
    const consumer = await start({
      name: 'split',
      retry: quick,
      handleBatch: (events) => {
        if (events.some((e) => numberOf(e) === 2)) throw new Error('bad event in batch')
        done.push(...events.map(numberOf))
      },
    })
    await consumer.whenCaughtUp()
    assert.equal(done, [1, 3, 4])
    assert.is(consumer.stats().failed, 1)
  })

  test('partitions: one at a time within a partition, a stuck partition does not hold the others up', async () => {
    await fill(under.writer, 30, 1, 3)
    const byPartition = new Map<string, number[]>()
    let release = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    let blocked = 0
    const consumer = await start({
      name: 'partitioned',
      partitionBy: (e) => e.stream,
      handle: async (e, context) => {
        if (e.stream === 's-1' && numberOf(e) === 1) {
          blocked++
          await gate
        }
        const list = byPartition.get(context.partition ?? '') ?? []
        list.push(numberOf(e))
        byPartition.set(context.partition ?? '', list)
      },
    })
    while ((byPartition.get('s-0')?.length ?? 0) < 10 || (byPartition.get('s-2')?.length ?? 0) < 10 || blocked === 0) {
      await new Promise((r) => setTimeout(r, 5))
    }
    assert.is(byPartition.get('s-1'), undefined, 'the stuck partition did nothing else')
    assert.equal(byPartition.get('s-0'), [3, 6, 9, 12, 15, 18, 21, 24, 27, 30])
    // The checkpoint stays before the stuck event.
    const feed = await feedOf(under.writer)
    const saved = rightOf(await under.checkpoints.read('partitioned')())
    assert.ok(saved === undefined || feed.findIndex((e) => e.position === saved) < feed.findIndex((e) => numberOf(e) === 1))
    release()
    await consumer.whenCaughtUp()
    assert.equal(byPartition.get('s-1'), [1, 4, 7, 10, 13, 16, 19, 22, 25, 28])
    assert.is(rightOf(await under.checkpoints.read('partitioned')()), feed[feed.length - 1]?.position)
  })

  test('one active instance per name: a second waits until the first stops, then resumes from its checkpoint', async () => {
    await fill(under.writer, 5)
    const seenA: number[] = []
    const a = await start({ name: 'single', handle: (e) => void seenA.push(numberOf(e)) })
    await a.whenCaughtUp()
    const seenB: number[] = []
    const b = createConsumer<TestEvent, unknown>({
      name: 'single',
      store: under.feed,
      checkpoints: under.checkpoints,
      pollInterval: 20,
      lease: { retryEvery: 20 },
      handle: (e) => void seenB.push(numberOf(e)),
    })
    running.push(b)
    let bActive = false
    const bStarted = b.start().then(() => {
      bActive = true
    })
    await new Promise((r) => setTimeout(r, 150))
    assert.is(bActive, false, 'the second instance waits')
    await fill(under.writer, 2, 6)
    a.wake()
    await a.whenCaughtUp()
    await a.stop()
    await bStarted
    await fill(under.writer, 1, 8)
    await b.whenCaughtUp()
    assert.equal(seenA, [1, 2, 3, 4, 5, 6, 7])
    assert.equal(seenB, [8])
  })

  test('stop waits for the handler under way and saves what it finished', async () => {
    await fill(under.writer, 3)
    let finish = () => {}
    let entered = () => {}
    const inside = new Promise<void>((r) => {
      entered = r
    })
    const done: number[] = []
    const consumer = await start({
      name: 'slow',
      batchSize: 1,
      handle: async (e) => {
        if (numberOf(e) === 2) {
          entered()
          await new Promise<void>((r) => {
            finish = r
          })
        }
        done.push(numberOf(e))
      },
    })
    await inside
    let stopped = false
    const stopping = consumer.stop().then(() => {
      stopped = true
    })
    await new Promise((r) => setTimeout(r, 30))
    assert.is(stopped, false)
    finish()
    await stopping
    assert.equal(done, [1, 2])
    const feed = await feedOf(under.writer)
    assert.is(rightOf(await under.checkpoints.read('slow')()), feed[1]?.position)
  })

  return test
}
