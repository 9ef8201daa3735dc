/**
 * Projections inside a Durable Object: an application's read model kept in the object's own SQLite
 * database, fed by the object's event feed, exactly once. Each event is handed to the projection's
 * `handle` together with the object's `sql`, and what `handle` writes commits in ONE
 * `transactionSync` with the move of the projection's checkpoint past that event (the
 * checkpoints' `advanceSync`): both or neither (docs/architecture.md, "Consumers").
 *
 * The object's alarm runs them (see `defineInboxObject`): after a delivery that recorded events,
 * and when the object opens, so a projection added later starts from the first event of the
 * history (or from the end, with `from: 'end'`) and catches up. A `handle` that throws rolls its
 * writes back; the event is tried again at the next alarm, after a backoff (counted in the
 * database, so it survives eviction), and after `maxAttempts` it is given up on: a
 * `ConsumerFailed` is appended to the stream `consumer-<name>` and the projection goes on with the
 * next event, as a consumer of `@banksocket-webhooks/consumers` does. Those records (the
 * `consumer-` streams) are passed, never handed to `handle`.
 *
 * @module
 */
import { backoffDelay, type ConsumerEvent, type ConsumerFailed, consumerStream, type RetryPolicy, retryPolicy } from '@banksocket-webhooks/consumers'
import type { LedgerEvent, StoredEvent, StoreError } from '@banksocket-webhooks/core'
import { checkConsumerName } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { AlarmNext, AlarmPorts, AlarmRunError } from './alarm.ts'
import { attemptsOf, failureOf } from './attempts.ts'
import { type SqlStorageLike, sqlFailure } from './sql.ts'

/**
 * A projection: a name (its checkpoint and its failure stream, `consumer-<name>`) and a
 * synchronous `handle` that writes its read model with the object's `sql`. `handle` must do all
 * its work synchronously (SQLite calls are): anything it starts asynchronously is outside the
 * transaction.
 *
 * @example
 * import type { Projection } from '@banksocket-webhooks/adapter-durable-object'
 * const credits: Projection = {
 *   name: 'credits',
 *   setup: (sql) => void sql.exec('CREATE TABLE IF NOT EXISTS credits (key TEXT PRIMARY KEY, amount TEXT NOT NULL)'),
 *   handle: (stored, sql) => {
 *     const event = stored.event
 *     if (event.type === 'TransactionReceived' && event.data.verified.dc === 'Credit')
 *       sql.exec('INSERT INTO credits (key, amount) VALUES (?, ?)', event.data.idempotencyKey, event.data.verified.amount)
 *   },
 * }
 */
export type Projection = Readonly<{
  /** 1 to 200 letters, digits, `.`, `_`, `-` or `:`. */
  name: string
  /** Writes what one event means to the read model, with the transaction's `sql`; a throw rolls it back. */
  handle: (event: StoredEvent<LedgerEvent>, sql: SqlStorageLike) => void
  /** Creates the read model's tables (idempotently), once per object instance, before the first event. */
  setup?: (sql: SqlStorageLike) => void
  /** Where a projection without a checkpoint starts: the first event, or after the last one. @default 'start' */
  from?: 'start' | 'end'
  /** Events handled by one run at most; a run that handled them all asks for another at once. @default 100 */
  batchSize?: number
  /** The first wait after `handle` threw, in ms; it doubles up to `maxDelay`, jittered. @default 1000 */
  initialDelay?: number
  /** The longest wait between two attempts, in ms. @default 300000 (5 minutes) */
  maxDelay?: number
  /** Attempts in all on one event before it is given up on (a `ConsumerFailed` in the store). @default 20 */
  maxAttempts?: number
}>

/**
 * What one run of a projection did: events handled, events given up on, and what is next (as for
 * the forwarder: `caught_up`, `more`, or `retry` at a time).
 *
 * @example
 * import type { ProjectionRun } from '@banksocket-webhooks/adapter-durable-object'
 * const line = (r: ProjectionRun) => `${r.name}: ${r.handled} handled, ${r.givenUp} given up, ${r.next._tag}`
 */
export type ProjectionRun = Readonly<{ name: string; handled: number; givenUp: number; next: AlarmNext }>

/**
 * A projection as the object's alarm runs it; see {@link createProjectionRunner}.
 *
 * @example
 * import type { ProjectionRunner } from '@banksocket-webhooks/adapter-durable-object'
 * const alarm = async (runner: ProjectionRunner) => await runner.run()()
 */
export type ProjectionRunner = Readonly<{
  name: string
  /** Handles what is due: the events after the checkpoint, in feed order, until one fails or `batchSize` were handled. */
  run(): TE.TaskEither<AlarmRunError, ProjectionRun>
}>

const positive = (projection: string, option: string, value: number | undefined, fallback: number): number => {
  const v = value ?? fallback
  if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`projection '${projection}': ${option} must be a positive integer, got ${String(value)}`)
  return v
}

const reasonOf = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error))

/**
 * Makes the runner of one projection over the object's store and checkpoints (the ports the
 * forwarder takes). Each run reads the checkpoint and the next `batchSize` events after it, and for
 * each calls `handle` inside the `advanceSync` that moves the checkpoint past it. A `handle` that
 * throws ends the run with `retry` at the backoff's time (the attempt counted in the database);
 * at `maxAttempts` a `ConsumerFailed` is appended to `consumer-<name>` and the checkpoint moves on.
 * Throws a `TypeError` for a bad name or option; runs `setup` (synchronously) when made.
 *
 * @example
 * import { createDurableObjectCheckpoints, createDurableObjectEventStore, createProjectionRunner } from '@banksocket-webhooks/adapter-durable-object'
 * const runner = createProjectionRunner(
 *   { storage: ctx.storage, store: createDurableObjectEventStore(ctx.storage), checkpoints: createDurableObjectCheckpoints(ctx.storage) },
 *   { name: 'count', setup: (sql) => void sql.exec('CREATE TABLE IF NOT EXISTS seen (n INTEGER)'), handle: (_, sql) => void sql.exec('INSERT INTO seen VALUES (1)') },
 * )
 * await runner.run()() // Right({ name: 'count', handled: 3, givenUp: 0, next: { _tag: 'caught_up' } })
 */
export const createProjectionRunner = (ports: AlarmPorts, projection: Projection): ProjectionRunner => {
  const name = checkConsumerName(projection.name)
  const batchSize = positive(name, 'batchSize', projection.batchSize, 100)
  const policy: RetryPolicy = retryPolicy({
    initialDelay: projection.initialDelay ?? 1000,
    maxDelay: projection.maxDelay ?? 300_000,
    maxAttempts: projection.maxAttempts ?? 20,
  })
  if (projection.from !== undefined && projection.from !== 'start' && projection.from !== 'end') {
    throw new TypeError(`projection '${name}': from must be 'start' or 'end', got ${String(projection.from)}`)
  }
  const { storage, store, checkpoints } = ports
  const now = ports.now ?? Date.now
  const attempts = attemptsOf(storage.sql, name)
  projection.setup?.(storage.sql)

  /** The checkpoint, or where a projection without one starts: 0, or the head of the feed with `from: 'end'`. */
  const startingPoint = async (): Promise<E.Either<AlarmRunError, Readonly<{ saved: number | undefined; after: number }>>> => {
    const read = await checkpoints.read(name)()
    if (E.isLeft(read)) return read
    if (read.right !== undefined || projection.from !== 'end') return E.right({ saved: read.right, after: read.right ?? 0 })
    const head = await store.head()()
    if (E.isLeft(head)) return head
    if (head.right === 0) return E.right({ saved: undefined, after: 0 })
    // Start after the last event: save that as the checkpoint, so the start is fixed once.
    const moved = checkpoints.advanceSync(name, undefined, head.right)
    return E.isLeft(moved) ? moved : E.right({ saved: head.right, after: head.right })
  }

  const giveUp = (event: StoredEvent<LedgerEvent | ConsumerEvent>, failed: number, error: unknown): TE.TaskEither<StoreError, unknown> => {
    const record: ConsumerFailed = { type: 'ConsumerFailed', data: failureOf(name, event, failed, reasonOf(error), now()) }
    return store.appendToStream(consumerStream(name), [record], 'any')
  }

  const run = async (): Promise<E.Either<AlarmRunError, ProjectionRun>> => {
    const start = await startingPoint()
    if (E.isLeft(start)) return start
    let checkpoint = start.right.saved
    const page = await store.readAll({ after: start.right.after, limit: batchSize })()
    if (E.isLeft(page)) return page
    let handled = 0
    let givenUp = 0
    for (const event of page.right) {
      // A record about a failure (the `consumer-` streams) is not a movement: passed, not handed
      // to `handle`, whose failing on it would record failures without end.
      const movement = event.stream.startsWith('consumer-') ? undefined : (event as StoredEvent<LedgerEvent>)
      const moved = checkpoints.advanceSync(name, checkpoint, event.position, (sql) => {
        if (movement !== undefined) projection.handle(movement, sql)
        attempts.forget(sql)
      })
      if (E.isRight(moved)) {
        checkpoint = event.position
        if (movement !== undefined) handled++
        continue
      }
      if (moved.left._tag !== 'WorkFailed') return moved
      const failed = attempts.at(event.position) + 1
      if (failed >= policy.maxAttempts) {
        const recorded = await giveUp(event, failed, moved.left.error)()
        if (E.isLeft(recorded)) return recorded
        const past = checkpoints.advanceSync(name, checkpoint, event.position, attempts.forget)
        if (E.isLeft(past)) return past
        checkpoint = event.position
        givenUp++
        continue
      }
      attempts.count(event.position, failed)
      const reason = `handling the event at position ${event.position} threw ${reasonOf(moved.left.error)}`
      return E.right({ name, handled, givenUp, next: { _tag: 'retry', at: now() + backoffDelay(failed, policy), attempts: failed, reason } })
    }
    // A failure record this run appended is in the feed too: read on.
    return E.right({
      name,
      handled,
      givenUp,
      next: page.right.length === batchSize || givenUp > 0 ? { _tag: 'more' } : { _tag: 'caught_up' },
    })
  }

  return {
    name,
    run: () => () => run().catch((error: unknown) => E.left(sqlFailure(`running projection '${name}'`, error))),
  }
}
