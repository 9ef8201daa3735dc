/**
 * The global feed: every event of every stream by `(transactionId, position)`, read whole
 * (`readAll()`) or in pages after a checkpoint (`readAllPage`) or a position (`readAll({ after })`),
 * and where it ends now (`head`).
 * A page holds only events whose transaction is older than every transaction still running, so a
 * transaction in flight holds the feed back instead of being skipped (README.md, The global feed).
 *
 * @module
 */
import type { StoredEvent, StoreError } from '@banksocket-webhooks/core'
import { checkReadOptions, MAX_READ_LIMIT, type ReadAllOptions, unknownPosition } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Connection, FRESH } from './connection.ts'
import type { RowCodec } from './row-codec.ts'

/**
 * Where a reader of the global feed stands: the transaction id and global position of the last event
 * it has read. Both are needed: the feed is ordered by `(transactionId, position)`, and a position
 * alone would skip an event of an older transaction that committed later with a lower position.
 * Plain numbers, so a checkpoint can be stored as JSON.
 *
 * @example
 * import { START, type Checkpoint } from '@banksocket-webhooks/adapter-postgres'
 * const saved: Checkpoint = START // { transactionId: 0, position: 0 }
 */
export type Checkpoint = Readonly<{ transactionId: number; position: number }>

/**
 * The checkpoint before the first event.
 *
 * @example
 * import { START } from '@banksocket-webhooks/adapter-postgres'
 * const page = await store.readAllPage({ after: START, limit: 100 })()
 */
export const START: Checkpoint = { transactionId: 0, position: 0 }

/**
 * An event of the global feed: its stream and version, its global position (unique, increasing in
 * the order events were inserted, which is not quite the order they were committed in) and the id
 * of the transaction that wrote it.
 *
 * @example
 * import type { FeedEvent } from '@banksocket-webhooks/adapter-postgres'
 * const e: FeedEvent<{ type: string }> = { stream: 'ledger-69-TRY', version: 1, event: { type: 'TransactionReceived' }, position: 17, transactionId: 912 }
 */
export type FeedEvent<Ev> = StoredEvent<Ev> & Readonly<{ transactionId: number }>

/**
 * A page of the global feed and the checkpoint to read the next one after (`after` itself when the
 * page is empty).
 *
 * @example
 * import type { FeedPage } from '@banksocket-webhooks/adapter-postgres'
 * const empty: FeedPage<never> = { events: [], next: { transactionId: 0, position: 0 } }
 */
export type FeedPage<Ev> = Readonly<{ events: ReadonlyArray<FeedEvent<Ev>>; next: Checkpoint }>

/**
 * Options of `readAllPage`.
 *
 * @example
 * import type { ReadAllPageOptions } from '@banksocket-webhooks/adapter-postgres'
 * const options: ReadAllPageOptions = { after: { transactionId: 912, position: 17 }, limit: 500 }
 */
export type ReadAllPageOptions = Readonly<{
  /**
   * Read the events after this checkpoint.
   * @default START
   */
  after?: Checkpoint
  /**
   * The most events in one page (1 to 10,000).
   * @default 1000
   */
  limit?: number
}>

const DEFAULT_PAGE = 1000
const MAX_PAGE = MAX_READ_LIMIT

const checkCheckpoint = (c: Checkpoint): void => {
  if (!Number.isSafeInteger(c.transactionId) || c.transactionId < 0 || !Number.isSafeInteger(c.position) || c.position < 0) {
    throw new TypeError(`a checkpoint is { transactionId, position } with non-negative integers, got ${JSON.stringify(c)}`)
  }
}

/**
 * The feed's reads on one connection: `readAll` (every event, or the feed after a position),
 * `readAllPage` (the feed after a checkpoint) and `head` (the position of its last event now). Bad
 * options throw a `TypeError` when the method is called.
 *
 * @internal
 * @example
 * const { readAllPage, head } = createFeedReads(connection, rows)
 * const page = await readAllPage({ after: START, limit: 100 })()
 * const end = await head()() // Right(1041)
 */
export const createFeedReads = <Ev>(connection: Connection, rows: Pick<RowCodec<Ev, unknown>, 'integer' | 'eventOf'>) => {
  const { q, query, failure } = connection

  const feedEventOf = (row: Record<string, unknown>): FeedEvent<Ev> => {
    const stream = String(row['stream'])
    const version = rows.integer(row['version'], `the version of an event of ${stream}`)
    return {
      stream,
      version,
      event: rows.eventOf(row, stream, version),
      position: rows.integer(row['global_position'], `the global position of event ${stream}@${version}`),
      transactionId: rows.integer(row['transaction_id'], `the transaction id of event ${stream}@${version}`),
    }
  }

  // Ordered by the table's columns (`ev.`): a bare `transaction_id` would name the output column,
  // the id as text, and put transaction 1000 before 999.
  const READ_ALL = `
    SELECT ev.global_position, ev.transaction_id::text AS transaction_id, ev.stream, ev.version, ev.data::text AS data, ${FRESH}
      FROM ${q}.events AS ev
     ORDER BY ev.transaction_id, ev.global_position`

  /**
   * The feed after a cursor (a row of `transaction_id, global_position`; none: the cursor's event
   * does not exist), at most `$1` events (NULL: no bound), below the oldest transaction still
   * running. One row with NULL columns when the cursor exists but nothing follows it yet.
   */
  const feedAfter = (cursor: string) => `
    WITH cursor AS (${cursor})
    SELECT e.global_position, e.transaction_id::text AS transaction_id, e.stream, e.version, e.data::text AS data, ${FRESH}
      FROM cursor AS c
      LEFT JOIN LATERAL (
        SELECT ev.global_position, ev.transaction_id, ev.stream, ev.version, ev.data FROM ${q}.events AS ev
         WHERE ev.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
           AND (ev.transaction_id, ev.global_position) > (c.transaction_id, c.global_position)
         ORDER BY ev.transaction_id, ev.global_position
         LIMIT $1
      ) AS e ON true
     ORDER BY e.transaction_id, e.global_position`

  const READ_PAGE = feedAfter('SELECT $2::text::xid8 AS transaction_id, $3::bigint AS global_position')

  const READ_FEED = feedAfter(`
    SELECT transaction_id, global_position FROM ${q}.events WHERE global_position = $2::bigint
    UNION ALL
    SELECT '0'::xid8, 0::bigint WHERE $2::bigint = 0`)

  /**
   * The last event of the feed as a paged read started now sees it: below the oldest transaction
   * still running, last in `(transaction_id, global_position)` order (the feed index, read
   * backwards). 0 when there is none.
   */
  const HEAD = `
    SELECT COALESCE((
      SELECT global_position FROM ${q}.events
       WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id DESC, global_position DESC
       LIMIT 1
    ), 0) AS head, ${FRESH}`

  /** The events of a feed query's rows, without the empty row that says the cursor exists. */
  const feedEventsOf = (found: ReadonlyArray<Record<string, unknown>>): FeedEvent<Ev>[] =>
    found.filter((row) => row['global_position'] !== null && row['global_position'] !== undefined).map(feedEventOf)

  const readAll = (options?: ReadAllOptions): TE.TaskEither<StoreError, ReadonlyArray<FeedEvent<Ev>>> => {
    if (options === undefined) {
      return async () => {
        try {
          return E.right((await query(READ_ALL, [])).rows.map(feedEventOf))
        } catch (error) {
          return E.left(failure('reading every event of every stream', error))
        }
      }
    }
    const { after, limit } = checkReadOptions('readAll', options)
    return async () => {
      try {
        const found = (await query(READ_FEED, [limit ?? null, after])).rows
        if (found.length === 0) return E.left(unknownPosition(after))
        return E.right(feedEventsOf(found))
      } catch (error) {
        return E.left(failure(after === 0 ? 'reading the feed from the start' : `reading the feed after position ${after}`, error))
      }
    }
  }

  const readAllPage = (options: ReadAllPageOptions = {}): TE.TaskEither<StoreError, FeedPage<Ev>> => {
    const after = options.after ?? START
    const limit = options.limit ?? DEFAULT_PAGE
    checkCheckpoint(after)
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new TypeError(`readAllPage: limit must be an integer from 1 to ${MAX_PAGE}, got ${String(limit)}`)
    }
    return async () => {
      try {
        const events = feedEventsOf((await query(READ_PAGE, [limit, String(after.transactionId), after.position])).rows)
        const last = events[events.length - 1]
        return E.right({ events, next: last === undefined ? after : { transactionId: last.transactionId, position: last.position } })
      } catch (error) {
        const from =
          after.position === 0 && after.transactionId === 0
            ? 'from the start'
            : `after transaction ${after.transactionId}, position ${after.position}`
        return E.left(failure(`reading the feed ${from}`, error))
      }
    }
  }

  const head = (): TE.TaskEither<StoreError, number> => async () => {
    try {
      return E.right(rows.integer((await query(HEAD, [])).rows[0]?.['head'], 'the position of the end of the feed'))
    } catch (error) {
      return E.left(failure('reading the position of the end of the feed', error))
    }
  }

  return { readAll, readAllPage, head }
}
