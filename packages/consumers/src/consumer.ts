/**
 * A consumer: reads a store's feed by global position, hands each event (or each page) to a
 * handler, and saves its checkpoint after the handler succeeded, so that what an application does
 * with a recorded movement survives a crash, catches up after downtime and can be rebuilt from the
 * history (docs/architecture.md, "Consumers").
 *
 * @module
 */
import type { StoredEvent, StoreError } from '@banksocket-webhooks/core'
import { InFlight } from '@banksocket-webhooks/core/runtime-kit'
import { type CheckpointError, type CheckpointStore, type Lease, MAX_READ_LIMIT } from '@banksocket-webhooks/core/store-kit'
import { EventEmitter } from 'eventemitter3'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import {
  type BatchHandler,
  type ConsumerFailure,
  type ConsumerOptions,
  type ConsumerStats,
  checkOptions,
  type EventHandler,
  type FeedSource,
  type HandlerContext,
  type PartitionContext,
} from './consumer-options.ts'
import { type ConsumerEvent, consumerStream } from './failures.ts'
import { consumerMetrics } from './metrics.ts'
import { backoffDelay, retryPolicy } from './retry.ts'

/**
 * What a consumer reports:
 * - `handled`: events done and their checkpoint saved (`count`, `checkpoint`);
 * - `retrying`: an attempt failed and another follows after `delay` ms;
 * - `failed`: an event given up on, recorded, and passed;
 * - `problem`: the store could not be read or written (the consumer tries again), or the name was
 *   lost to another instance (`lost`: it waits to take it back);
 * - `active`: it holds its name and reads.
 *
 * @example
 * import type { ConsumerEvents } from '@banksocket-webhooks/consumers'
 * const onFailed: ConsumerEvents<unknown>['failed'] = (f) => console.error(f.message)
 */
export type ConsumerEvents<Ev> = {
  handled: (info: Readonly<{ count: number; checkpoint: number }>) => void
  retrying: (info: Readonly<{ positions: ReadonlyArray<number>; attempt: number; delay: number; message: string }>) => void
  failed: (failure: ConsumerFailure<Ev>) => void
  problem: (problem: Readonly<{ kind: 'read' | 'checkpoint' | 'record' | 'lost'; message: string }>) => void
  active: (info: Readonly<{ checkpoint: number | undefined; from: number }>) => void
}

/**
 * A running consumer: `start` it, wait with `whenCaughtUp`, `stop` it. Listen to its reports
 * with `on` (see {@link ConsumerEvents}).
 *
 * @example
 * import type { Consumer } from '@banksocket-webhooks/consumers'
 * const shutdown = async (consumer: Consumer<unknown>) => { await consumer.stop() }
 */
export interface Consumer<Ev> extends EventEmitter<ConsumerEvents<Ev>> {
  readonly name: string
  /**
   * Starts reading. Resolves once it holds its name and knows where it starts (or once stopped
   * before that: a second instance of a name waits here until the first is gone).
   */
  start(): Promise<void>
  /**
   * Resolves when every event written before the call has been handled (or given up on) and the
   * checkpoint saved; rejects if the consumer stops first.
   */
  whenCaughtUp(): Promise<void>
  /** Reads now instead of at the next poll (an append happened). */
  wake(): void
  /** Stops: no new events or attempts, waits for the handler calls under way, saves what is done, releases the name. Idempotent. */
  stop(): Promise<void>
  stats(): ConsumerStats
}

/** An error's message, for reports. */
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** The default failure event: a `ConsumerFailed`. */
const consumerFailed = <Ev>(failure: ConsumerFailure<Ev>): ConsumerEvent => ({
  type: 'ConsumerFailed',
  data: {
    consumer: failure.consumer,
    position: failure.event.position,
    stream: failure.event.stream,
    version: failure.event.version,
    eventType: typeOf(failure.event.event),
    attempts: failure.attempts,
    error: failure.message,
    failedAt: new Date().toISOString(),
  },
})

/**
 * The `type` of an event that has one (every domain event), else `'unknown'`.
 *
 * @example
 * typeOf({ type: 'TransactionReceived' }) // 'TransactionReceived'
 */
const typeOf = (event: unknown): string => {
  const type = (event as { type?: unknown } | null)?.type
  return typeof type === 'string' ? type : 'unknown'
}

/**
 * Whether a handler is given `event`: every event but the consumers' own records (the streams
 * `consumer-<name>`), which are reports about the feed, not part of it; a handler that failed on
 * them would otherwise record a failure about a failure, without end.
 */
const isForHandlers = (event: StoredEvent<unknown>): boolean => !event.stream.startsWith('consumer-')

/** One event read by a partitioned consumer, until it is done. */
type Entry<Ev> = { readonly event: StoredEvent<Ev>; done: boolean }

/**
 * Creates a consumer (not started). At least once for any effect; exactly once for effects written
 * with `context.tx` on a store whose checkpoints are transactional (PostgreSQL). A failing handler
 * is retried with exponential backoff (jittered, capped); after `retry.maxAttempts` attempts the
 * event is recorded as failed (in the store, and reported as `failed`) and the consumer moves on.
 * The checkpoint never passes an event that neither succeeded nor was recorded as failed.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * import { createConsumer, createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
 *
 * const store = createInMemoryEventStore<{ type: string }>()
 * const consumer = createConsumer({
 *   name: 'audit',
 *   store,
 *   checkpoints: createInMemoryCheckpoints(),
 *   handle: async ({ position, event }) => console.log(position, event.type),
 * })
 * await consumer.start()
 * await store.appendToStream('s', [{ type: 'A' }], 'any')()
 * consumer.wake()
 * await consumer.whenCaughtUp() // logged "1 A"
 * await consumer.stop()
 */
export const createConsumer = <Ev, Tx = undefined>(options: ConsumerOptions<Ev, Tx>): Consumer<Ev> => {
  checkOptions(options)
  const { name, store } = options
  const batchSize = options.batchSize ?? 100
  const pollInterval = options.pollInterval ?? 500
  const policy = retryPolicy(options.retry)
  const random = options.random ?? Math.random
  const partitioned = options.partitionBy !== undefined
  const maxPending = options.partitionBy === undefined ? 0 : (options.maxPending ?? 1000)
  const failureEvent = options.failureEvent ?? consumerFailed
  const recordFailure =
    options.recordFailure ??
    ((failure: ConsumerFailure<Ev>): TE.TaskEither<StoreError, void> =>
      async () => {
        const appended = await (store.appendToStream as NonNullable<FeedSource<Ev>['appendToStream']>)(
          consumerStream(name),
          [failureEvent(failure)],
          'any',
        )()
        return E.map(() => undefined)(appended)
      })
  const checkpoints = options.checkpoints as CheckpointStore<Tx>
  const emitter = new EventEmitter<ConsumerEvents<Ev>>()
  const metrics = consumerMetrics(options.meter, name)

  let stopping = false
  let stopped: Promise<void> | undefined
  let running: Promise<void> | undefined
  const stopController = new AbortController()
  /** Handler calls and checkpoint saves under way: `stop` waits for them. */
  const working = new InFlight()

  // Where it stands.
  let expected: number | undefined
  let active = false
  let lost = false
  let handled = 0
  let failed = 0
  let pending = 0

  // Caught-up bookkeeping: reads are numbered; `shortRead` is the latest read that found the end
  // of the feed, and `readUpTo` how many events had been read by then; `done` how many events are
  // handled (or given up on) with their checkpoint saved.
  let reads = 0
  let read = 0
  let done = 0
  let shortRead = 0
  let readUpTo = 0
  const waiters: Array<{ after: number; resolve: () => void; reject: (error: Error) => void }> = []
  const settleWaiters = () => {
    if (shortRead === 0 || done < readUpTo) return
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i] as (typeof waiters)[number]
      if (waiter.after < shortRead) {
        waiters.splice(i, 1)
        waiter.resolve()
      }
    }
  }

  // Halting: `stop`, or the name lost, aborts the session's signal; every wait ends on it, and
  // handlers are given it.
  let halt = new AbortController()
  const loseName = (message: string) => {
    if (lost) return
    lost = true
    emitter.emit('problem', { kind: 'lost', message })
    halt.abort(new Error(message))
  }

  // Waking: an idle wait ends early on `wake`; every wait ends on a halt.
  let wakeIdle: (() => void) | undefined
  let woken = false
  const wake = () => {
    woken = true
    wakeIdle?.()
  }
  const pause = (ms: number, wakeable: boolean, signal: AbortSignal = halt.signal): Promise<void> =>
    new Promise((resolve) => {
      if (signal.aborted || (wakeable && woken)) return resolve()
      const end = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', end)
        if (wakeIdle === end) wakeIdle = undefined
        resolve()
      }
      const timer = setTimeout(end, ms)
      signal.addEventListener('abort', end, { once: true })
      if (wakeable) wakeIdle = end
    })

  const halted = () => stopping || lost

  /** Runs a store operation until it succeeds or the consumer halts (`undefined`); failures are reported and retried with backoff. */
  const persist = async <A>(
    kind: 'read' | 'checkpoint' | 'record',
    operation: () => Promise<E.Either<{ message: string }, A>>,
  ): Promise<A | undefined> => {
    for (let attempt = 1; ; attempt++) {
      const result = await operation()
      if (E.isRight(result)) return result.right
      emitter.emit('problem', { kind, message: result.left.message })
      await pause(backoffDelay(attempt, { ...policy, initialDelay: Math.max(policy.initialDelay, 50) }, random), false)
      if (halted()) return undefined
    }
  }

  const storeMessage = (error: StoreError): { message: string } => ({
    message: error._tag === 'StoreFailure' ? error.message : `${error._tag} on ${error.stream}`,
  })

  /** Moves the checkpoint to `next` after `work`; `'conflict'` marks the name lost. */
  const advance = async (
    next: number,
    work: ((tx: Tx) => Promise<void>) | undefined,
  ): Promise<'saved' | 'halted' | Readonly<{ failed: unknown }>> => {
    for (let attempt = 1; ; attempt++) {
      working.enter()
      let result: E.Either<CheckpointError, void>
      try {
        result = await checkpoints.advance(name, expected, next, work)()
      } finally {
        working.leave()
      }
      if (E.isRight(result)) {
        expected = next
        return 'saved'
      }
      const error = result.left
      if (error._tag === 'WorkFailed') return { failed: error.error }
      if (error._tag === 'CheckpointConflict') {
        loseName(
          `the checkpoint of '${name}' is at ${String(error.actual)}, not ${String(error.expected)}: another instance moved it; waiting to take the name back`,
        )
        return 'halted'
      }
      emitter.emit('problem', { kind: 'checkpoint', message: error.message })
      await pause(backoffDelay(attempt, policy, random), false)
      if (halted()) return 'halted'
    }
  }

  /** Records `event` as given up on and moves the checkpoint past it (`false`: halted first). */
  const giveUp = async (event: StoredEvent<Ev>, attempts: number, error: unknown, move: boolean): Promise<boolean> => {
    const failure: ConsumerFailure<Ev> = { consumer: name, event, attempts, error, message: messageOf(error) }
    const recorded = await persist('record', async () => E.mapLeft(storeMessage)(await recordFailure(failure)()))
    if (recorded === undefined && halted()) return false
    if (move && (await advance(event.position, undefined)) !== 'saved') return false
    failed++
    metrics.givenUp()
    emitter.emit('failed', failure)
    return true
  }

  const retrying = (events: ReadonlyArray<StoredEvent<Ev>>, attempt: number, error: unknown): Promise<void> => {
    const delay = backoffDelay(attempt, policy, random)
    metrics.retrying(events.length)
    emitter.emit('retrying', { positions: events.map((e) => e.position), attempt, delay, message: messageOf(error) })
    return pause(delay, false)
  }

  // --- Sequential: a page (or a part of it) and its checkpoint at once. ---

  /** Handles `events` and saves the checkpoint after the last; `false` when halted first. */
  const runUnit = async (events: ReadonlyArray<StoredEvent<Ev>>, attempt = 1): Promise<boolean> => {
    const last = events[events.length - 1] as StoredEvent<Ev>
    {
      if (halted()) return false
      let failedAt = -1
      const context = (tx: Tx): HandlerContext<Tx> => ({ tx, attempt, signal: halt.signal })
      const work =
        options.handleBatch !== undefined
          ? async (tx: Tx) => {
              const start = metrics.now()
              try {
                await (options.handleBatch as BatchHandler<Ev, Tx>)(events, context(tx))
              } catch (error) {
                metrics.handled(start, false)
                throw error
              }
              metrics.handled(start, true)
            }
          : async (tx: Tx) => {
              const ctx = context(tx)
              for (let i = 0; i < events.length; i++) {
                failedAt = i
                const start = metrics.now()
                try {
                  await (options.handle as EventHandler<Ev, Tx>)(events[i] as StoredEvent<Ev>, ctx)
                } catch (error) {
                  metrics.handled(start, false)
                  throw error
                }
                metrics.handled(start, true)
              }
              failedAt = -1
            }
      const outcome = await advance(last.position, work)
      if (outcome === 'saved') {
        handled += events.length
        done += events.length
        emitter.emit('handled', { count: events.length, checkpoint: last.position })
        settleWaiters()
        return true
      }
      if (outcome === 'halted') return false
      if (options.handleBatch === undefined && events.length > 1 && failedAt >= 0) {
        // One event failed: what came before it is done on its own, the culprit is retried alone.
        const k = failedAt
        if (k > 0) {
          // Their writes were rolled back with the checkpoint where the store has transactions:
          // run them again; elsewhere their effects stand, and only the checkpoint moves.
          const before = events.slice(0, k)
          if (checkpoints.transactional === true ? !(await runUnit(before)) : !(await passed(before))) return false
        }
        if (!(await retryAlone(events[k] as StoredEvent<Ev>, attempt, outcome.failed))) return false
        return k + 1 < events.length ? runUnit(events.slice(k + 1)) : true
      }
      if (attempt >= policy.maxAttempts && events.length > 1) {
        // A batch that used up its budget: each event gets its own, so only the culprits are given up on.
        for (const event of events) if (!(await runUnit([event]))) return false
        return true
      }
      if (events.length > 1) {
        await retrying(events, attempt, outcome.failed)
        return runUnit(events, attempt + 1)
      }
      return retryAlone(last, attempt, outcome.failed)
    }
  }

  /** Saves the checkpoint after `events`, already handled (their effects stand), without running them again. */
  const passed = async (events: ReadonlyArray<StoredEvent<Ev>>): Promise<boolean> => {
    const last = events[events.length - 1] as StoredEvent<Ev>
    if ((await advance(last.position, undefined)) !== 'saved') return false
    handled += events.length
    done += events.length
    emitter.emit('handled', { count: events.length, checkpoint: last.position })
    return true
  }

  /** After `attempts` failed attempts at `event` alone: the next attempt after a backoff, or, with the budget used up, give up on it. */
  const retryAlone = async (event: StoredEvent<Ev>, attempts: number, error: unknown): Promise<boolean> => {
    if (attempts >= policy.maxAttempts) {
      if (!(await giveUp(event, attempts, error, true))) return false
      done += 1
      settleWaiters()
      return true
    }
    await retrying([event], attempts, error)
    return runUnit([event], attempts + 1)
  }

  const sequentialLoop = async (start: number): Promise<void> => {
    let after = start
    while (!halted()) {
      const seq = ++reads
      woken = false
      const page = await persist('read', async () => E.mapLeft(storeMessage)(await store.readAll({ after, limit: batchSize })()))
      if (page === undefined) return
      read += page.length
      if (page.length > 0) {
        const last = page[page.length - 1] as StoredEvent<Ev>
        const mine = page.filter(isForHandlers)
        if (mine.length > 0 && !(await runUnit(mine))) return
        if (mine[mine.length - 1] !== last) {
          // Consumers' own records end the page: the checkpoint passes them too.
          if ((await advance(last.position, undefined)) !== 'saved') return
        }
        done += page.length - mine.length
        after = last.position
      }
      if (page.length < batchSize) {
        shortRead = seq
        readUpTo = read
        settleWaiters()
        if (page.length === 0) await pause(pollInterval, true)
      }
    }
  }

  // --- Partitioned: partitions at once, the checkpoint at the low-water mark. ---

  const partitionedLoop = async (start: number): Promise<void> => {
    const handle = options.handle as (event: StoredEvent<Ev>, context: PartitionContext) => void | Promise<void>
    const partitionOf = options.partitionBy as (event: StoredEvent<Ev>) => string
    // The events read and not yet passed by the checkpoint, in feed order; `front` is the first
    // not done. The checkpoint may move to the last done event before `front`.
    let feed: Entry<Ev>[] = []
    let front = 0
    let passed = 0
    let lastDone: number | undefined
    const partitions = new Map<string, Entry<Ev>[]>()
    const workers = new Set<Promise<void>>()
    let room: (() => void) | undefined

    let saving: Promise<void> | undefined
    const save = async (): Promise<void> => {
      while (lastDone !== undefined && lastDone !== expected && !lost) {
        const target = lastDone
        const count = passed + front - done
        if ((await advance(target, undefined)) !== 'saved') return
        done += count
        emitter.emit('handled', { count, checkpoint: target })
        settleWaiters()
      }
    }
    const scheduleSave = () => {
      saving ??= save().finally(() => {
        saving = undefined
        // Work finished between the loop's last check and here is saved by a new round.
        if (lastDone !== undefined && lastDone !== expected && !halted()) scheduleSave()
      })
    }
    const finish = (entry: Entry<Ev> | undefined) => {
      if (entry !== undefined) {
        entry.done = true
        pending--
      }
      while (front < feed.length && (feed[front] as Entry<Ev>).done) {
        lastDone = (feed[front] as Entry<Ev>).event.position
        front++
      }
      if (front > 4096 && front * 2 > feed.length) {
        passed += front
        feed = feed.slice(front)
        front = 0
      }
      scheduleSave()
      room?.()
    }

    const attempt = async (entry: Entry<Ev>, partition: string): Promise<boolean> => {
      for (let n = 1; ; n++) {
        if (halted()) return false
        working.enter()
        let error: unknown
        let ok = true
        const start = metrics.now()
        try {
          await handle(entry.event, { attempt: n, signal: halt.signal, partition })
        } catch (thrown) {
          ok = false
          error = thrown
        } finally {
          working.leave()
        }
        metrics.handled(start, ok)
        if (ok) {
          handled++
          return true
        }
        if (n >= policy.maxAttempts) return giveUp(entry.event, n, error, false)
        await retrying([entry.event], n, error)
      }
    }
    const work = async (partition: string, queue: Entry<Ev>[]): Promise<void> => {
      while (queue.length > 0) {
        const entry = queue[0] as Entry<Ev>
        if (!(await attempt(entry, partition))) break
        queue.shift()
        finish(entry)
      }
      // Halted with events left: they are read again from the checkpoint by the next session.
      partitions.delete(partition)
    }

    let after = start
    while (!halted()) {
      // Read on once a whole page fits, so that a full read-ahead refills in pages, not event by event.
      const pageSize = Math.min(batchSize, maxPending)
      if (pending > maxPending - pageSize) {
        const signal = halt.signal
        await new Promise<void>((resolve) => {
          const done = () => {
            signal.removeEventListener('abort', done)
            resolve()
          }
          room = () => {
            if (pending <= maxPending - pageSize) done()
          }
          signal.addEventListener('abort', done, { once: true })
        })
        room = undefined
        continue
      }
      const seq = ++reads
      woken = false
      const limit = pageSize
      const page = await persist('read', async () => E.mapLeft(storeMessage)(await store.readAll({ after, limit })()))
      if (page === undefined) break
      read += page.length
      for (const event of page) {
        after = event.position
        if (!isForHandlers(event)) {
          // A consumer's record: done as soon as read; the checkpoint passes it with its neighbours.
          feed.push({ event, done: true })
          if (front === feed.length - 1) finish(undefined)
          continue
        }
        const entry: Entry<Ev> = { event, done: false }
        feed.push(entry)
        pending++
        const partition = partitionOf(event)
        const queue = partitions.get(partition)
        if (queue !== undefined) {
          queue.push(entry)
          continue
        }
        const fresh = [entry]
        partitions.set(partition, fresh)
        const worker = work(partition, fresh)
        workers.add(worker)
        void worker.finally(() => workers.delete(worker))
      }
      if (page.length < limit) {
        shortRead = seq
        readUpTo = read
        settleWaiters()
        if (page.length === 0) await pause(pollInterval, true)
      }
    }
    while (workers.size > 0) await Promise.allSettled([...workers])
    while (saving !== undefined) await saving
    await save()
    pending = 0
  }

  // --- Sessions: hold the name, find the start, read. ---

  const startPosition = async (): Promise<number | undefined> => {
    const from = options.from ?? 'beginning'
    if (from === 'beginning') return 0
    if (typeof from === 'number') return from
    if (store.head !== undefined) {
      const head = store.head
      return persist('read', async () => E.mapLeft(storeMessage)(await head()()))
    }
    let after = 0
    for (;;) {
      const page = await persist('read', async () => E.mapLeft(storeMessage)(await store.readAll({ after, limit: MAX_READ_LIMIT })()))
      if (page === undefined) return undefined
      if (page.length === 0) return after
      after = (page[page.length - 1] as StoredEvent<Ev>).position
    }
  }

  const session = async (onActive: () => void): Promise<void> => {
    const saved = await persist('checkpoint', async () => E.mapLeft(storeMessage)(await checkpoints.read(name)()))
    if (halted()) return
    expected = saved
    let start = saved
    if (start === undefined) {
      start = await startPosition()
      if (start === undefined) return
      // A start after the beginning is saved at once, so that a restart begins there too.
      if (start > 0 && (await advance(start, undefined)) !== 'saved') return
    }
    active = true
    read = 0
    done = 0
    readUpTo = 0
    shortRead = 0
    emitter.emit('active', { checkpoint: saved, from: start })
    onActive()
    try {
      await (partitioned ? partitionedLoop(start) : sequentialLoop(start))
    } finally {
      active = false
    }
  }

  /** Events between the checkpoint and the store's head, while the consumer holds its name (the lag gauge's reading). */
  const lagOf = (head: NonNullable<FeedSource<Ev>['head']>) => async (): Promise<number | undefined> => {
    if (!active) return undefined
    const end = await head()()
    if (E.isLeft(end) || !active) return undefined
    return Math.max(0, end.right - (expected ?? 0))
  }

  const main = async (onActive: () => void): Promise<void> => {
    const unsubscribe = (options.notify ?? store.watch)?.(wake)
    const unwatch = store.head === undefined ? undefined : metrics.watchLag(lagOf(store.head))
    try {
      while (!stopping) {
        lost = false
        halt = new AbortController()
        let lease: Lease | undefined
        if (options.lease !== false) {
          try {
            lease = await checkpoints.acquire(name, { ...options.lease, signal: stopController.signal })
          } catch (error) {
            if (stopping) break
            emitter.emit('problem', { kind: 'checkpoint', message: `could not claim '${name}': ${messageOf(error)}` })
            await pause(1000, false, stopController.signal)
            continue
          }
          const held = halt
          void lease.lost.then(() => {
            if (halt === held) loseName(`the claim on '${name}' was lost (its connection ended); waiting to take it back`)
          })
        }
        try {
          await session(onActive)
        } finally {
          await working.idle()
          await lease?.release()
        }
        // Not the session's signal: a lost name aborted it, and the wait must still happen.
        if (!stopping) await pause(1000, false, stopController.signal)
      }
    } finally {
      unsubscribe?.()
      unwatch?.()
      onActive()
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`consumer '${name}' stopped before it caught up`))
    }
  }
  const consumer = Object.assign(emitter, {
    name,
    start: (): Promise<void> => {
      if (stopping) return Promise.reject(new Error(`consumer '${name}' was stopped; create a new one`))
      if (running !== undefined) return started
      running = main(startedResolve)
      return started
    },
    whenCaughtUp: (): Promise<void> =>
      stopping
        ? Promise.reject(new Error(`consumer '${name}' is stopped`))
        : new Promise<void>((resolve, reject) => {
            waiters.push({ after: reads, resolve, reject })
            wake()
          }),
    wake,
    stop: (): Promise<void> => {
      stopped ??= (async () => {
        stopping = true
        const reason = new Error(`consumer '${name}' stopped`)
        stopController.abort(reason)
        halt.abort(reason)
        await running
      })()
      return stopped
    },
    stats: (): ConsumerStats => ({ checkpoint: expected, handled, failed, pending, active }),
  })
  let startedResolve = () => {}
  const started = new Promise<void>((resolve) => {
    startedResolve = resolve
  })
  return consumer as Consumer<Ev>
}
