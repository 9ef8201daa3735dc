/**
 * The PostgreSQL event store: core's `SharedLedgerStore` on `pg`. Its options, its type, and the
 * store made of the modules that hold each part: the connection (`connection.ts`), the rows' JSON
 * (`row-codec.ts`), stream reads (`streams.ts`), the ledger write and `record` (`record.ts`), plain
 * appends (`append.ts`), duplicates (`duplicates.ts`), the global feed (`feed.ts`) and the
 * consumers' checkpoints (`checkpoints.ts`) and leases (`leases.ts`).
 *
 * @module
 */

import type { StoreError } from '@banksocket-webhooks/core'
import { SerialQueue } from '@banksocket-webhooks/core/runtime-kit'
import { AppendWatchers, type ReadAllOptions, type RecordError, type Recording, type SharedLedgerStore } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import { createAppend } from './append.ts'
import { createCheckpoints, type PostgresCheckpoints } from './checkpoints.ts'
import { openConnection, type PostgresConnection } from './connection.ts'
import { createDuplicates } from './duplicates.ts'
import { createFeedReads, type FeedEvent, type FeedPage, type ReadAllPageOptions } from './feed.ts'
import { createLeases } from './leases.ts'
import { createRecord, createWrite, type RecordResult } from './record.ts'
import { createRowCodec } from './row-codec.ts'
import { DEFAULT_SCHEMA } from './schema.ts'
import { createStreamReads } from './streams.ts'

/**
 * Options of {@link createPostgresEventStore}.
 *
 * @example
 * import { LedgerEvent } from '@banksocket-webhooks/core'
 * import type { PostgresEventStoreOptions } from '@banksocket-webhooks/adapter-postgres'
 * const options: PostgresEventStoreOptions<LedgerEvent> = { connectionString: process.env.DATABASE_URL ?? '', codec: LedgerEvent }
 */
export type PostgresEventStoreOptions<Ev, S = unknown> = PostgresConnection &
  Readonly<{
    /**
     * The schema {@link migrate} created.
     * @default 'banksocket'
     */
    schema?: string
    /**
     * An io-ts codec for the events: `encode` on write, `decode` (and validation) on read. Without
     * it, events are stored as `JSON.stringify` writes them and read back as `JSON.parse` gives them.
     */
    codec?: t.Type<Ev, unknown, unknown>
    /**
     * An io-ts codec for the state stored by `record`. Without it, the state is plain JSON.
     */
    stateCodec?: t.Type<S, unknown, unknown>
  }>

/**
 * Core's `SharedLedgerStore` on PostgreSQL, and what this store adds to it: `schema`, the global
 * feed by transaction (`readAll` answers each event's transaction id, `readAllPage` pages by
 * `Checkpoint`, `head` says where it ends), each event's global position from `record`, the
 * consumers' `checkpoints`, and `close`. Every method
 * returns a `TaskEither` that never rejects: a failed or lost connection, a failed transaction, a
 * codec that refuses a row, all come back as a `StoreFailure` that says what failed (with no
 * password in its message), and nothing is reported as written unless its transaction committed.
 * `readStream`, `readState` (a stream's version, stored state and duplicate count), `readStates`
 * (`'ledger-'`: every ledger, what `inbox.ledgers()` lists), `keyOwner` and `countDuplicate` are
 * one query each.
 *
 * Writes to one stream from one store are sent in the order their tasks were started (core's port
 * promises this: a second append started before the first resolved is checked against the version
 * the first produces); writes from other processes are ordered by the database (compare-and-set on
 * the stream's version).
 *
 * @example
 * import type { PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
 * const head = (store: PostgresEventStore<unknown>) => store.readState('ledger-69-TRY')
 */
export interface PostgresEventStore<Ev, S = unknown> extends SharedLedgerStore<Ev, S> {
  /** Always `true`: a store several receivers share, so the inbox lets the database decide. */
  readonly shared: true
  /** The schema this store reads and writes. */
  readonly schema: string
  /**
   * Without options, every committed event of every stream, in `(transactionId, position)` order,
   * from one snapshot. With options, the feed: the events after the event at position `after` (0:
   * from the start), at most `limit`, in `(transactionId, position)` order and only those whose
   * transaction is older than every transaction still running, as {@link PostgresEventStore.readAllPage} reads them
   * (the transaction id is looked up from the position). Paging on with the last event's position
   * is then safe: an event committed late with a lower position is read, not skipped. A position
   * no event has is a `StoreFailure`.
   *
   * Page from a position a paged read gave you, not from the last event of `readAll()` taken while
   * writers run: that read may include a transaction that committed before an older one did.
   */
  readAll(options?: ReadAllOptions): TE.TaskEither<StoreError, ReadonlyArray<FeedEvent<Ev>>>
  /**
   * A page of the global feed after a checkpoint, in `(transactionId, position)` order, holding only
   * events whose transaction is older than every transaction still running
   * (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`): a transaction in flight holds the
   * feed back instead of being skipped.
   */
  readAllPage(options?: ReadAllPageOptions): TE.TaskEither<StoreError, FeedPage<Ev>>
  /**
   * The position of the last event of the feed a paged `readAll` started now would return, in
   * `(transactionId, position)` order and below the oldest transaction still running (0 when
   * there is none), in one query: `readAll({ after: head })` then reads only events that were not
   * visible yet. (The last event of `readAll()` without options may be later: it reads past
   * transactions in flight.)
   */
  head(): TE.TaskEither<StoreError, number>
  /**
   * Where consumers of this store's feed keep their checkpoints, in the `checkpoints` table of this
   * schema: `read`, `advance` (a compare-and-set in one transaction, with `work` given the
   * transaction's connection so that its writes commit with the checkpoint or not at all),
   * `acquire` (one active instance per name across processes, a session advisory lock on a
   * connection of its own) and `list` (every saved checkpoint by name). See core's
   * `CheckpointStore` and the README, "Checkpoints and one active consumer".
   */
  readonly checkpoints: PostgresCheckpoints
  /**
   * One ledger write, in one transaction: checks the stream's version, appends the events, stores
   * the state beside the stream and claims the idempotency key, or does none of it. A key recorded
   * in ANY stream is a `KeyConflict` naming that stream, whatever the version. Answers the new
   * version and each event's global position.
   */
  record(stream: string, recording: Recording<Ev, S>): TE.TaskEither<RecordError, RecordResult>
  /**
   * Ends the leases of `checkpoints.acquire` (their `lost` resolves, their connections close, and an
   * `acquire` still waiting rejects), then the pool if the store made it (from a connection string);
   * later calls fail. Idempotent. On a store made from a connection string, a server that does not
   * answer the goodbye within the connection timeout (its processes stopped) does not hold it up:
   * the connections are then dropped.
   */
  close(): TE.TaskEither<StoreError, void>
}

/**
 * Creates a PostgreSQL event store on your pool or on a pool it makes from a connection string. The
 * schema must exist: run {@link migrate} first (a missing table answers a `StoreFailure` that says so).
 * Nothing connects until the first call. Throws a `TypeError` for invalid options (no pool and no
 * connection string, both, a bad schema name); bad arguments to a method (a negative version, a
 * page limit out of range) also throw a `TypeError` when the method is called.
 *
 * @example
 * import { LedgerEvent } from '@banksocket-webhooks/core'
 * import { createPostgresEventStore, migrate } from '@banksocket-webhooks/adapter-postgres'
 *
 * const url = process.env.DATABASE_URL!
 * await migrate(url)()
 * const store = createPostgresEventStore({ connectionString: url, codec: LedgerEvent })
 * const written = await store.record('ledger-69-TRY', { expectedVersion: 0, events, state, claim: key })()
 * // Right({ nextVersion: 1, positions: [1] }), or Left(KeyConflict | VersionConflict | StoreFailure)
 * await store.close()()
 */
export const createPostgresEventStore = <Ev, S = unknown>(options: PostgresEventStoreOptions<Ev, S>): PostgresEventStore<Ev, S> => {
  const connection = openConnection(options, options.schema ?? DEFAULT_SCHEMA)
  const rows = createRowCodec<Ev, S>(options, connection.refuse)
  const serial = new SerialQueue()
  const write = createWrite(connection, rows)
  const leases = createLeases(connection)
  // Consumers in this process are told of what this store object wrote; other processes' writes
  // are found by polling.
  const watchers = new AppendWatchers()
  const append = createAppend(connection, rows, write, serial)
  const record = createRecord(write, serial)
  return {
    shared: true,
    schema: connection.schema,
    ...createStreamReads(connection, rows),
    appendToStream: (stream, events, expected) => {
      const appending = append(stream, events, expected)
      return async () => {
        const result = await appending()
        if (E.isRight(result) && events.length > 0) watchers.notify()
        return result
      }
    },
    ...createFeedReads(connection, rows),
    record: (stream, recording) => {
      const recorded = record(stream, recording)
      return async () => {
        const result = await recorded()
        if (E.isRight(result)) watchers.notify()
        return result
      }
    },
    watch: watchers.watch,
    ...createDuplicates(connection, rows),
    checkpoints: createCheckpoints(connection, leases.acquire),
    close: () => async () => {
      await leases.endAll()
      return connection.close()
    },
  }
}
