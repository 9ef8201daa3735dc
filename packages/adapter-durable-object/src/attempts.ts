/**
 * The failed attempts of a consumer run by the object's alarm (the forwarder, a projection) on the
 * event at its checkpoint, kept in the `banksocket_consumer_attempts` table (see schema.ts), so
 * that the backoff and the budget of attempts survive the object being evicted between two alarms.
 * One row per consumer: moving past an event forgets its attempts, in the same transaction.
 *
 * @internal
 * @module
 */
import type { ConsumerFailed } from '@banksocket-webhooks/consumers'
import type { StoredEvent } from '@banksocket-webhooks/core'
import type { SqlStorageLike } from './sql.ts'

/**
 * The attempts of one consumer.
 *
 * @internal
 */
export type Attempts = Readonly<{
  /** Failed attempts so far on the event at `position` (0: none, or another event's). */
  at: (position: number) => number
  /** Records that the event at `position` has now failed `attempts` times. */
  count: (position: number, attempts: number) => void
  /** Forgets them, with the `sql` of the transaction that moves the checkpoint. */
  forget: (sql: SqlStorageLike) => void
}>

/**
 * The attempts of consumer `name` in the object's database.
 *
 * @internal
 * @example
 * const attempts = attemptsOf(ctx.storage.sql, 'forward')
 * attempts.count(17, attempts.at(17) + 1)
 */
export const attemptsOf = (sql: SqlStorageLike, name: string): Attempts => ({
  at: (position) =>
    sql.exec<{ attempts: number }>('SELECT attempts FROM banksocket_consumer_attempts WHERE name = ? AND position = ?', name, position).toArray()[0]
      ?.attempts ?? 0,
  count: (position, attempts) => {
    sql.exec(
      'INSERT INTO banksocket_consumer_attempts (name, position, attempts) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position, attempts = excluded.attempts',
      name,
      position,
      attempts,
    )
  },
  forget: (tx) => {
    tx.exec('DELETE FROM banksocket_consumer_attempts WHERE name = ?', name)
  },
})

/**
 * What a `ConsumerFailed` (and a `ForwardFailed`, which adds to it) says of the event a consumer
 * gave up on: the consumer, the event's place and type, the attempts made, why, and when.
 *
 * @internal
 * @example
 * failureOf('credits', stored, 20, 'TypeError: boom', Date.now()) // { consumer: 'credits', position: 17, ... }
 */
export const failureOf = (
  consumer: string,
  event: StoredEvent<Readonly<{ type: string }>>,
  attempts: number,
  error: string,
  now: number,
): ConsumerFailed['data'] => ({
  consumer,
  position: event.position,
  stream: event.stream,
  version: event.version,
  eventType: event.event.type,
  attempts,
  error,
  failedAt: new Date(now).toISOString(),
})
