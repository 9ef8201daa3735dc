/**
 * What a consumer is made of: where it reads, its handler, where it starts, how it retries; and the
 * checks that refuse bad options when it is created (docs/architecture.md, "Consumers").
 *
 * @module
 */
import type { EventStore, MeterLike, StoredEvent, StoreError } from '@banksocket-webhooks/core'
import { type AcquireOptions, type CheckpointStore, checkConsumerName, MAX_READ_LIMIT } from '@banksocket-webhooks/core/store-kit'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { ConsumerEvent } from './failures.ts'
import type { RetryPolicy } from './retry.ts'

/**
 * What a consumer reads: a store's `readAll` (and `head`, to start at the end without paging
 * through the feed). With `appendToStream`, failures are recorded in it unless
 * `recordFailure` says otherwise. Every store is one: the memory, file and PostgreSQL stores, and
 * the file store's read-only follower.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * import type { FeedSource } from '@banksocket-webhooks/consumers'
 * const source: FeedSource<{ type: string }> = createInMemoryEventStore<{ type: string }>()
 */
export type FeedSource<Ev> = Readonly<{
  readAll: EventStore<Ev>['readAll']
  head?: EventStore<Ev>['head']
  readStream?: EventStore<Ev>['readStream']
  watch?: EventStore<Ev>['watch']
  appendToStream?: (stream: string, events: ReadonlyArray<ConsumerEvent>, expected: 'any') => ReturnType<EventStore<Ev>['appendToStream']>
}>

/**
 * Where a consumer with no saved checkpoint starts: at the first event, after the last event
 * stored when it starts, or after the event at a given position.
 *
 * @example
 * import type { StartPoint } from '@banksocket-webhooks/consumers'
 * const replay: StartPoint = 'beginning'
 */
export type StartPoint = 'beginning' | 'end' | number

/**
 * What a handler is given besides the event: `tx` is what the checkpoint store commits with (on
 * PostgreSQL a client inside the transaction that saves the checkpoint: write with it and the
 * writes commit with the checkpoint, or not at all), `attempt` counts from 1, and `signal` aborts
 * when the consumer is asked to stop (the consumer still waits for the handler).
 *
 * @example
 * import type { HandlerContext } from '@banksocket-webhooks/consumers'
 * const firstTry = (context: HandlerContext<undefined>) => context.attempt === 1
 */
export type HandlerContext<Tx> = Readonly<{ tx: Tx; attempt: number; signal: AbortSignal }>

/**
 * What a handler of a partitioned consumer is given: partitions run at once, so there is no one
 * transaction to write with.
 *
 * @example
 * import type { PartitionContext } from '@banksocket-webhooks/consumers'
 * const retrying = (context: PartitionContext) => context.attempt > 1
 */
export type PartitionContext = Readonly<{ attempt: number; signal: AbortSignal; partition: string }>

/**
 * An event the consumer gave up on: after `attempts` failed attempts, `error` the last reason.
 *
 * @example
 * import type { ConsumerFailure } from '@banksocket-webhooks/consumers'
 * const line = (f: ConsumerFailure<unknown>) => `${f.consumer} gave up on ${f.event.position}: ${f.message}`
 */
export type ConsumerFailure<Ev> = Readonly<{ consumer: string; event: StoredEvent<Ev>; attempts: number; error: unknown; message: string }>

/**
 * The options every consumer takes, whatever its handler (see {@link ConsumerOptions}).
 *
 * @example
 * import type { ConsumerCommonOptions } from '@banksocket-webhooks/consumers'
 * const tuning: Partial<ConsumerCommonOptions<unknown>> = { batchSize: 500, pollInterval: 1000 }
 */
export type ConsumerCommonOptions<Ev> = Readonly<{
  /** The consumer's name: its checkpoint's key, and one active instance per name. See `checkConsumerName`. */
  name: string
  /** The store whose feed it reads. */
  store: FeedSource<Ev>
  /** Where it starts when no checkpoint was saved. @default 'beginning' */
  from?: StartPoint
  /** Events read per page (1 to 10,000). @default 100 */
  batchSize?: number
  /** How long to wait for new events before reading again, in ms, when nothing wakes it. @default 500 */
  pollInterval?: number
  /** How a failing handler is retried. @default DEFAULT_RETRY (100 ms doubling to 30 s, 10 attempts) */
  retry?: Partial<RetryPolicy>
  /**
   * Records an event given up on, durably, before the checkpoint moves past it; a `Left` is
   * retried. @default appends `failureEvent(failure)` to the store on the stream `consumer-<name>`
   */
  recordFailure?: (failure: ConsumerFailure<Ev>) => TE.TaskEither<StoreError, void>
  /** The event the default `recordFailure` appends. @default a `ConsumerFailed` */
  failureEvent?: (failure: ConsumerFailure<Ev>) => ConsumerEvent
  /**
   * Subscribes to news of appends: the consumer reads at once instead of at its next poll.
   * Answers the unsubscribe. @default the store's `watch` (appends through the same store object,
   * or the file follower's watcher), if it has one
   */
  notify?: (wake: () => void) => () => void
  /** How to wait for the name while another instance holds it; `false` takes no lease. @default { retryEvery: 1000 } */
  lease?: AcquireOptions | false
  /** Jitter's source of randomness (tests). @default Math.random */
  random?: () => number
  /**
   * Where to report metrics: an OpenTelemetry `Meter` (`@opentelemetry/api`, an optional peer
   * dependency) or anything shaped like one (core's `MeterLike`). The consumer reports its lag
   * behind the store's head (`banksocket.consumer.lag`, while it holds its name and when the store
   * has `head`), times each handler call (`banksocket.consumer.handler.duration`) and counts
   * failures (`banksocket.consumer.failures`: `retry`, `given_up`), each with `consumer` = `name`.
   *
   * ```ts
   * import { metrics } from '@opentelemetry/api'
   * createConsumer({ name: 'audit', store, checkpoints, handle, meter: metrics.getMeter('banksocket-webhooks') })
   * ```
   * @default undefined: nothing is measured
   */
  meter?: MeterLike
}>

/**
 * A handler of one event. Return (or resolve) when done with it; throw (or reject) to have it
 * retried.
 *
 * @example
 * import type { EventHandler } from '@banksocket-webhooks/consumers'
 * const log: EventHandler<{ type: string }, undefined> = (e) => { console.log(e.position, e.event.type) }
 */
export type EventHandler<Ev, Tx> = (event: StoredEvent<Ev>, context: HandlerContext<Tx>) => void | Promise<void>

/**
 * A handler of one page of events at a time (in feed order).
 *
 * @example
 * import type { BatchHandler } from '@banksocket-webhooks/consumers'
 * const count: BatchHandler<unknown, undefined> = (events) => { console.log(events.length) }
 */
export type BatchHandler<Ev, Tx> = (events: ReadonlyArray<StoredEvent<Ev>>, context: HandlerContext<Tx>) => void | Promise<void>

/**
 * Options of {@link createConsumer}: a name, a store, its checkpoints, and one of:
 * - `handle`: one event at a time, in feed order; a page's events and its checkpoint are committed
 *   together (on PostgreSQL, one transaction, `context.tx`);
 * - `handleBatch`: a page at a time;
 * - `handle` with `partitionBy`: events of one partition one at a time and in feed order, partitions
 *   at once (a slow or failing partition does not hold the others up, within `maxPending` events
 *   read ahead); the checkpoint is the last event before which every event is done.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * import { createInMemoryCheckpoints, type ConsumerOptions } from '@banksocket-webhooks/consumers'
 * const options: ConsumerOptions<unknown, undefined> = {
 *   name: 'audit', store: createInMemoryEventStore(), checkpoints: createInMemoryCheckpoints(), handle: (e) => console.log(e.position),
 * }
 */
export type ConsumerOptions<Ev, Tx> =
  | (ConsumerCommonOptions<Ev> &
      Readonly<{ checkpoints: CheckpointStore<Tx>; handle: EventHandler<Ev, Tx>; handleBatch?: undefined; partitionBy?: undefined }>)
  | (ConsumerCommonOptions<Ev> &
      Readonly<{ checkpoints: CheckpointStore<Tx>; handleBatch: BatchHandler<Ev, Tx>; handle?: undefined; partitionBy?: undefined }>)
  | (ConsumerCommonOptions<Ev> &
      Readonly<{
        checkpoints: CheckpointStore<unknown>
        handle: (event: StoredEvent<Ev>, context: PartitionContext) => void | Promise<void>
        /** The partition of an event (say its stream): events of one partition are handled one at a time, in feed order. */
        partitionBy: (event: StoredEvent<Ev>) => string
        /** The most events read ahead and not yet done. @default 1000 */
        maxPending?: number
        handleBatch?: undefined
      }>)

/**
 * A consumer's counters: its saved checkpoint, events handled and given up on since it started,
 * events read and not yet done, and whether it holds its name now.
 *
 * @example
 * import type { ConsumerStats } from '@banksocket-webhooks/consumers'
 * const behind = (s: ConsumerStats) => s.pending > 0
 */
export type ConsumerStats = Readonly<{ checkpoint: number | undefined; handled: number; failed: number; pending: number; active: boolean }>

/**
 * Refuses bad options with a `TypeError` naming what is wrong.
 *
 * @internal
 * @example
 * checkOptions({ name: '../x', store, checkpoints, handle }) // throws TypeError
 */
export const checkOptions = <Ev, Tx>(options: ConsumerOptions<Ev, Tx>): void => {
  checkConsumerName(options.name)
  if (typeof options.store?.readAll !== 'function') throw new TypeError('a consumer needs `store`, an event store (or a file follower) to read')
  const hasHandle = typeof options.handle === 'function'
  const hasBatch = typeof options.handleBatch === 'function'
  if (hasHandle === hasBatch)
    throw new TypeError('a consumer needs exactly one of `handle` (one event at a time) or `handleBatch` (a page at a time)')
  if (options.partitionBy !== undefined && !hasHandle) throw new TypeError('`partitionBy` goes with `handle`')
  const batch = options.batchSize
  if (batch !== undefined && (!Number.isSafeInteger(batch) || batch < 1 || batch > MAX_READ_LIMIT)) {
    throw new TypeError(`batchSize must be an integer from 1 to ${MAX_READ_LIMIT}, got ${String(batch)}`)
  }
  const poll = options.pollInterval
  if (poll !== undefined && (!Number.isSafeInteger(poll) || poll < 1))
    throw new TypeError(`pollInterval must be a positive integer (ms), got ${String(poll)}`)
  const from = options.from
  if (from !== undefined && from !== 'beginning' && from !== 'end' && !(Number.isSafeInteger(from) && from >= 0)) {
    throw new TypeError(`from must be 'beginning', 'end' or a non-negative integer position, got ${String(from)}`)
  }
  if (options.recordFailure === undefined && options.store.appendToStream === undefined) {
    throw new TypeError('a consumer records the events it gives up on: pass a store it can append to, or `recordFailure`')
  }
  if (options.meter !== undefined && typeof (options.meter as Partial<MeterLike> | null)?.createHistogram !== 'function') {
    throw new TypeError("`meter` must be an OpenTelemetry Meter, for example metrics.getMeter('banksocket-webhooks') from @opentelemetry/api")
  }
  const maxPending = options.partitionBy === undefined ? undefined : options.maxPending
  if (maxPending !== undefined && (!Number.isSafeInteger(maxPending) || maxPending < 1))
    throw new TypeError(`maxPending must be a positive integer, got ${String(maxPending)}`)
}
