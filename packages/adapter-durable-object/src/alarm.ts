/**
 * What every consumer the object's alarm runs (the forwarder, each projection) shares: the ports it
 * runs on, what a run leaves to do, why a run fails, and when the alarm should ring next of what
 * several runs left (docs/architecture.md, "Consumers inside a Durable Object").
 *
 * @module
 */
import type { ConsumerEvent } from '@banksocket-webhooks/consumers'
import type { EventStore, LedgerEvent, StoreError } from '@banksocket-webhooks/core'
import type { CheckpointError } from '@banksocket-webhooks/core/store-kit'
import type * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { DurableObjectStorageLike, SqlStorageLike } from './sql.ts'

/**
 * What a consumer run by the object's alarm needs of the object: its storage (for the attempts
 * table), its event store, and checkpoints that move synchronously with other writes
 * (`createDurableObjectCheckpoints`).
 *
 * @example
 * import { createDurableObjectCheckpoints, createDurableObjectEventStore, type AlarmPorts } from '@banksocket-webhooks/adapter-durable-object'
 * const ports: AlarmPorts = { storage: ctx.storage, store: createDurableObjectEventStore(ctx.storage), checkpoints: createDurableObjectCheckpoints(ctx.storage) }
 */
export type AlarmPorts = Readonly<{
  storage: DurableObjectStorageLike
  /** The object's event store; its `head()` is where a consumer starting at the end begins. */
  store: EventStore<LedgerEvent | ConsumerEvent> & Required<Pick<EventStore<LedgerEvent | ConsumerEvent>, 'head'>>
  checkpoints: Readonly<{
    read(name: string): TE.TaskEither<StoreError, number | undefined>
    advanceSync(name: string, expected: number | undefined, next: number, work?: (sql: SqlStorageLike) => void): E.Either<CheckpointError, void>
  }>
  /** The clock, in ms since the epoch. @default Date.now */
  now?: () => number
}>

/**
 * What a run leaves to do: nothing (`caught_up`), more events than one run takes (`more`: run
 * again at once), or the event at the checkpoint failed (`retry`, at `at` ms since the epoch,
 * after `attempts` failed attempts on it; `reason` says why in words, never with a secret).
 *
 * @example
 * import type { AlarmNext } from '@banksocket-webhooks/adapter-durable-object'
 * const alarmAt = (next: AlarmNext, now: number) => (next._tag === 'retry' ? next.at : next._tag === 'more' ? now : null)
 */
export type AlarmNext =
  | Readonly<{ _tag: 'caught_up' }>
  | Readonly<{ _tag: 'more' }>
  | Readonly<{ _tag: 'retry'; at: number; attempts: number; reason: string }>

/**
 * Why a consumer's run stopped without an answer of its own: the store or the checkpoint failed
 * (a `CheckpointConflict` means another run moved it: nothing is lost, the next run reads on).
 *
 * @example
 * import type { AlarmRunError } from '@banksocket-webhooks/adapter-durable-object'
 * const e: AlarmRunError = { _tag: 'StoreFailure', message: 'Durable Object store: reading the feed failed: …' }
 */
export type AlarmRunError = StoreError | CheckpointError

/**
 * When the alarm should ring next, of what several runs left: at once if one has more, else at the
 * earliest retry, else never (`undefined`).
 *
 * @internal
 * @example
 * nextAlarm([{ _tag: 'caught_up' }, { _tag: 'retry', at: 5000, attempts: 1, reason: 'x' }], 1000) // 5000
 */
export const nextAlarm = (nexts: ReadonlyArray<AlarmNext>, now: number): number | undefined => {
  let at: number | undefined
  for (const next of nexts) {
    const due = next._tag === 'more' ? now : next._tag === 'retry' ? next.at : undefined
    if (due !== undefined && (at === undefined || due < at)) at = due
  }
  return at
}
