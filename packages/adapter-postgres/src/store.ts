/**
 * The PostgreSQL event store: core's `EventStore` port on `pg`, plus what several receivers on one
 * database need: a ledger write that claims an idempotency key unique across all ledgers and stores
 * the ledger's state in the same transaction, an O(1) read of that state, a duplicate counter, and a
 * feed of every event by global position that never skips a transaction still in flight.
 *
 * @module
 */

import type { EventStore, StoredEvent, StoreError } from '@banksocket-webhooks/core'
import { problemsOf } from '@banksocket-webhooks/core/runtime-kit'
import {
  type ReadStreamOptions as CoreReadStreamOptions,
  checkReadOptions,
  type ExpectedVersion,
  MAX_READ_LIMIT,
  type ReadAllOptions,
  type StreamRead,
  unknownPosition,
} from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import { type KeyConflict, type RecordError, redact, storeFailure } from './errors.ts'
import { createKeyedQueue, sqlState, toSafeInteger } from './internal.ts'
import { createOwnedPool, type PoolLike, passwordOf, type QueryResultLike } from './pool.ts'
import { DEFAULT_SCHEMA, quoteSchema } from './schema.ts'

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

/**
 * Options of `readStream`: core's `ReadStreamOptions` (`after` a version, at most `limit` events).
 *
 * @example
 * import type { ReadStreamOptions } from '@banksocket-webhooks/adapter-postgres'
 * const tail: ReadStreamOptions = { after: 120, limit: 100 } // versions 121 to 220
 */
export type ReadStreamOptions = CoreReadStreamOptions

/**
 * A ledger write for {@link PostgresEventStore.record}: the events, the version the stream must be
 * at, the stream's new state (any JSON value, or what `stateCodec` encodes; omitted: the stored state
 * is kept), and the idempotency key to claim (omitted: nothing claimed, as for a genuine repeat).
 *
 * @example
 * import type { Recording } from '@banksocket-webhooks/adapter-postgres'
 * const r: Recording<{ type: string }, { head: string }> = {
 *   expectedVersion: 4,
 *   events: [{ type: 'TransactionReceived' }],
 *   state: { head: '18100.00' },
 *   claim: 'k-2f1c',
 * }
 */
export type Recording<Ev, S> = Readonly<{
  expectedVersion: ExpectedVersion
  events: ReadonlyArray<Ev>
  state?: S
  claim?: string
}>

/**
 * A write that was committed: the stream's new version and each event's global position.
 *
 * @example
 * import type { Recorded } from '@banksocket-webhooks/adapter-postgres'
 * const r: Recorded = { nextVersion: 5, positions: [1041] }
 */
export type Recorded = Readonly<{ nextVersion: number; positions: ReadonlyArray<number> }>

/**
 * A stream's row, read in one query: its version, the state last stored with a `record` and the
 * version it was stored at (`stateVersion < version` when plain appends came after it; `state` is
 * `undefined` and `stateVersion` 0 when none was stored), and how many duplicates were counted on it.
 *
 * @example
 * import type { StreamState } from '@banksocket-webhooks/adapter-postgres'
 * const fresh: StreamState<unknown> = { version: 0, state: undefined, stateVersion: 0, duplicates: 0 }
 */
export type StreamState<S> = Readonly<{ version: number; state: S | undefined; stateVersion: number; duplicates: number }>

/**
 * Where the store's connections come from: your pool (you end it), or a connection string (the store
 * makes a `pg.Pool` and `close` ends it).
 *
 * @example
 * import pg from 'pg'
 * import type { PostgresConnection } from '@banksocket-webhooks/adapter-postgres'
 * const mine: PostgresConnection = { pool: new pg.Pool() }
 * const made: PostgresConnection = { connectionString: 'postgres://app@db.internal/app', max: 20 }
 */
export type PostgresConnection =
  | Readonly<{ pool: PoolLike; connectionString?: never }>
  | Readonly<{
      connectionString: string
      pool?: never
      /**
       * The most connections the pool opens.
       * @default 10
       */
      max?: number
      /**
       * How long opening a connection may take, in milliseconds.
       * @default 10000
       */
      connectionTimeoutMillis?: number
      /**
       * `application_name` of the connections (shown in `pg_stat_activity`).
       * @default 'banksocket-webhooks'
       */
      applicationName?: string
    }>

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
 * Core's `EventStore` on PostgreSQL, and what a shared store adds. Every method returns a
 * `TaskEither` that never rejects: a failed or lost connection, a failed transaction, a codec that
 * refuses a row, all come back as a `StoreFailure` (with no password in its message), and nothing is
 * reported as written unless its transaction committed.
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
export interface PostgresEventStore<Ev, S = unknown> extends EventStore<Ev> {
  /** The schema this store reads and writes. */
  readonly schema: string
  /**
   * Reads a stream's events in version order, all of them or a page (`after` a version, at most
   * `limit`), with the stream's current version, in one query.
   */
  readStream(stream: string, options?: ReadStreamOptions): TE.TaskEither<StoreError, StreamRead<Ev>>
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
   * One ledger write, in one transaction: checks the stream's version, appends the events, stores
   * the state beside the stream and claims the idempotency key, or does none of it. A key recorded
   * in ANY stream is a {@link KeyConflict} naming that stream, whatever the version.
   */
  record(stream: string, recording: Recording<Ev, S>): TE.TaskEither<RecordError, Recorded>
  /** The stream's version, stored state and duplicate count, in one query. */
  readState(stream: string): TE.TaskEither<StoreError, StreamState<S>>
  /**
   * The rows of every stream whose name starts with `prefix` (`'ledger-'`: every ledger), in one
   * query: what `inbox.ledgers()` lists on a shared store.
   */
  readStates(prefix: string): TE.TaskEither<StoreError, ReadonlyMap<string, StreamState<S>>>
  /** The stream an idempotency key was recorded in, if it was. */
  keyOwner(key: string): TE.TaskEither<StoreError, string | undefined>
  /** Adds `count` (default 1) to the stream's duplicate counter and answers the new total. Appends nothing. */
  countDuplicate(stream: string, count?: number): TE.TaskEither<StoreError, number>
  /** Ends the pool if the store made it (from a connection string); later calls fail. Idempotent. */
  close(): TE.TaskEither<StoreError, void>
}

const DEFAULT_PAGE = 1000
const MAX_PAGE = MAX_READ_LIMIT

type Decode<A> = (value: unknown) => E.Either<string, A>

const decoderOf = <A>(codec: t.Type<A, unknown, unknown> | undefined): Decode<A> =>
  codec === undefined
    ? (value) => E.right(value as A)
    : (value) =>
        E.mapLeft((errors: t.Errors) =>
          problemsOf(errors)
            .map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`))
            .join('; '),
        )(codec.decode(value))

const encoderOf = <A>(codec: t.Type<A, unknown, unknown> | undefined) =>
  codec === undefined ? (value: A): unknown => value : (value: A): unknown => codec.encode(value)

/** A failure that is already a `StoreError`, thrown inside a task to leave it early. */
class Refused extends Error {
  constructor(readonly error: StoreError) {
    super(error._tag)
  }
}

const checkExpected = (expected: ExpectedVersion): void => {
  if (expected === 'any' || expected === 'no_stream') return
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new TypeError(`expected version must be a non-negative integer, 'no_stream' or 'any', got ${String(expected)}`)
  }
}

const checkCheckpoint = (c: Checkpoint): void => {
  if (!Number.isSafeInteger(c.transactionId) || c.transactionId < 0 || !Number.isSafeInteger(c.position) || c.position < 0) {
    throw new TypeError(`a checkpoint is { transactionId, position } with non-negative integers, got ${JSON.stringify(c)}`)
  }
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
  const schema = options.schema ?? DEFAULT_SCHEMA
  const q = quoteSchema(schema)
  const hasPool = options.pool !== undefined
  const hasUrl = options.connectionString !== undefined
  if (hasPool === hasUrl) throw new TypeError('createPostgresEventStore needs exactly one of `pool` (a pg.Pool) or `connectionString`')

  const secrets: string[] = []
  let pool: PoolLike
  let endPool: (() => Promise<void>) | undefined
  let detach: () => void
  if (options.connectionString !== undefined) {
    if (options.connectionString === '') throw new TypeError('connectionString is empty: pass a postgres:// URL')
    const password = passwordOf(options.connectionString)
    if (password !== undefined) secrets.push(password)
    const owned = createOwnedPool({
      connectionString: options.connectionString,
      ...(options.max === undefined ? {} : { max: options.max }),
      ...(options.connectionTimeoutMillis === undefined ? {} : { connectionTimeoutMillis: options.connectionTimeoutMillis }),
      ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
    })
    pool = owned.pool
    endPool = owned.end
    detach = () => {}
  } else {
    pool = options.pool as PoolLike
    const configured = (pool as { options?: { password?: unknown } }).options?.password
    if (typeof configured === 'string') secrets.push(configured)
    // A pg.Pool emits `error` when the server drops an idle connection; with no listener that ends
    // the process. The store only lets the pool discard the connection.
    const ignore = () => {}
    pool.on?.('error', ignore)
    detach = () => void pool.removeListener?.('error', ignore)
  }

  const decodeEvent = decoderOf(options.codec)
  const encodeEvent = encoderOf(options.codec)
  const decodeState = decoderOf(options.stateCodec)
  const encodeState = encoderOf(options.stateCodec)
  const serial = createKeyedQueue()
  let closed = false

  const failure = (doing: string, error: unknown): StoreError =>
    error instanceof Refused ? error.error : storeFailure(doing, error, secrets, schema)
  const refuse = (message: string): never => {
    throw new Refused({ _tag: 'StoreFailure', message: redact(`PostgreSQL store: ${message}`, secrets) })
  }

  const query = (text: string, values: unknown[]): Promise<QueryResultLike> => {
    if (closed) refuse('the store is closed')
    return pool.query(text, values)
  }

  const integer = (value: unknown, what: string): number => toSafeInteger(value) ?? refuse(`${what} is not a safe integer: ${String(value)}`)

  const parseJson = (text: unknown, what: string): unknown => {
    if (typeof text !== 'string') return refuse(`${what} is not JSON text`)
    try {
      return JSON.parse(text) as unknown
    } catch {
      return refuse(`${what} is not valid JSON`)
    }
  }

  const eventOf = (row: Record<string, unknown>, stream: string, version: number): Ev => {
    const decoded = decodeEvent(parseJson(row['data'], `event ${stream}@${version}`))
    if (E.isLeft(decoded)) return refuse(`event ${stream}@${version} does not decode: ${decoded.left}`)
    return decoded.right
  }

  const feedEventOf = (row: Record<string, unknown>): FeedEvent<Ev> => {
    const stream = String(row['stream'])
    const version = integer(row['version'], 'version')
    return {
      stream,
      version,
      event: eventOf(row, stream, version),
      position: integer(row['global_position'], 'global position'),
      transactionId: integer(row['transaction_id'], 'transaction id'),
    }
  }

  const encodeEvents = (stream: string, events: ReadonlyArray<Ev>): string => {
    try {
      return JSON.stringify(events.map(encodeEvent))
    } catch (error) {
      return refuse(`events for ${stream} could not be encoded as JSON: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  const encodeStateJson = (stream: string, state: S): string => {
    try {
      const text = JSON.stringify(encodeState(state))
      return text === undefined ? refuse(`the state of ${stream} encodes to nothing (undefined)`) : text
    } catch (error) {
      return refuse(`the state of ${stream} could not be encoded as JSON: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  const APPEND = `SELECT outcome, stream_version, positions, owner FROM ${q}.append_to_stream($1, $2, $3::jsonb, $4::jsonb, $5)`

  /** Sends one write to the database; answers what the append function answered. */
  const write = async (
    stream: string,
    expected: ExpectedVersion,
    events: ReadonlyArray<Ev>,
    state: S | undefined,
    hasState: boolean,
    claim: string | undefined,
  ): Promise<E.Either<RecordError, Recorded>> => {
    const doing = `writing to ${stream}`
    try {
      const eventsJson = encodeEvents(stream, events)
      const stateJson = hasState ? encodeStateJson(stream, state as S) : null
      const expectedParam = expected === 'any' ? null : expected === 'no_stream' ? 0 : expected
      let result: QueryResultLike
      try {
        result = await query(APPEND, [stream, expectedParam, eventsJson, stateJson, claim ?? null])
      } catch (error) {
        if (sqlState(error) === 'BSK01' && claim !== undefined) {
          const owner = (error as { detail?: unknown }).detail
          return E.left({ _tag: 'KeyConflict', key: claim, stream: typeof owner === 'string' ? owner : '' } satisfies KeyConflict)
        }
        throw error
      }
      const row = result.rows[0]
      if (row === undefined) return refuse(`${doing}: the append function answered no row`)
      switch (row['outcome']) {
        case 'ok': {
          const positions = (Array.isArray(row['positions']) ? row['positions'] : []).map((p: unknown) => integer(p, 'global position'))
          return E.right({ nextVersion: integer(row['stream_version'], 'stream version'), positions })
        }
        case 'version_conflict':
          return E.left({ _tag: 'VersionConflict', stream, expected, actual: integer(row['stream_version'], 'stream version') })
        case 'key_conflict':
          return E.left({ _tag: 'KeyConflict', key: claim ?? '', stream: String(row['owner']) })
        default:
          return refuse(`${doing}: the append function answered ${String(row['outcome'])}`)
      }
    } catch (error) {
      return E.left(failure(doing, error))
    }
  }

  // Every read selects `clock_timestamp()` (a volatile function): a query cache in front of the
  // database (Cloudflare Hyperdrive caches read-only queries for up to 60 s by default, and never one
  // that calls a volatile function) must not answer a version, a state or a key's owner from the
  // past. The database would still refuse a decision made on it, but every retry would read the
  // same stale row until the attempts ran out.
  const FRESH = 'clock_timestamp() AS read_at'

  const READ_VERSION = `SELECT version, ${FRESH} FROM ${q}.streams WHERE stream = $1`

  /** An append of nothing only checks the version: no row is written. */
  const checkOnly = async (stream: string, expected: ExpectedVersion): Promise<E.Either<StoreError, Readonly<{ nextVersion: number }>>> => {
    try {
      const row = (await query(READ_VERSION, [stream])).rows[0]
      const actual = row === undefined ? 0 : integer(row['version'], 'stream version')
      const ok = expected === 'any' || (expected === 'no_stream' ? actual === 0 : expected === actual)
      return ok ? E.right({ nextVersion: actual }) : E.left({ _tag: 'VersionConflict', stream, expected, actual })
    } catch (error) {
      return E.left(failure(`reading the version of ${stream}`, error))
    }
  }

  const READ_STREAM = `
    SELECT st.version AS stream_version, e.version, e.data::text AS data, ${FRESH}
      FROM ${q}.streams AS st
      LEFT JOIN LATERAL (
        SELECT ev.version, ev.data FROM ${q}.events AS ev
         WHERE ev.stream = st.stream AND ev.version > $2
         ORDER BY ev.version
         LIMIT $3
      ) AS e ON true
     WHERE st.stream = $1
     ORDER BY e.version`

  const READ_ALL = `
    SELECT global_position, transaction_id::text AS transaction_id, stream, version, data::text AS data, ${FRESH}
      FROM ${q}.events
     ORDER BY transaction_id, global_position`

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

  /** The events of a feed query's rows, without the empty row that says the cursor exists. */
  const feedEventsOf = (rows: ReadonlyArray<Record<string, unknown>>): FeedEvent<Ev>[] =>
    rows.filter((row) => row['global_position'] !== null && row['global_position'] !== undefined).map(feedEventOf)

  const READ_STATE = `SELECT version, state::text AS state, state_version, duplicates, ${FRESH} FROM ${q}.streams WHERE stream = $1`
  const READ_STATES = `SELECT stream, version, state::text AS state, state_version, duplicates, ${FRESH} FROM ${q}.streams WHERE starts_with(stream, $1) ORDER BY stream`
  const KEY_OWNER = `SELECT stream, ${FRESH} FROM ${q}.idempotency_keys WHERE key = $1`
  const COUNT = `UPDATE ${q}.streams SET duplicates = duplicates + $2, last_duplicate_at = now() WHERE stream = $1 RETURNING duplicates`
  const COUNT_NEW = `
    INSERT INTO ${q}.streams AS st (stream, duplicates, last_duplicate_at) VALUES ($1, $2, now())
    ON CONFLICT (stream) DO UPDATE SET duplicates = st.duplicates + EXCLUDED.duplicates, last_duplicate_at = now()
    RETURNING duplicates`

  const streamStateOf = (stream: string, row: Record<string, unknown>): StreamState<S> => {
    let state: S | undefined
    if (row['state'] !== null && row['state'] !== undefined) {
      const decoded = decodeState(parseJson(row['state'], `the state of ${stream}`))
      if (E.isLeft(decoded)) return refuse(`the state of ${stream} does not decode: ${decoded.left}`)
      state = decoded.right
    }
    return {
      version: integer(row['version'], 'stream version'),
      state,
      stateVersion: integer(row['state_version'], 'state version'),
      duplicates: integer(row['duplicates'], 'duplicates'),
    }
  }

  return {
    schema,

    readStream: (stream, readOptions) => {
      const { after, limit } = checkReadOptions('readStream', readOptions)
      return async () => {
        try {
          const { rows } = await query(READ_STREAM, [stream, after, limit ?? null])
          const first = rows[0]
          if (first === undefined) return E.right({ version: 0, events: [] })
          const events: Ev[] = []
          for (const row of rows) {
            if (row['version'] === null) continue
            events.push(eventOf(row, stream, integer(row['version'], 'version')))
          }
          return E.right({ version: integer(first['stream_version'], 'stream version'), events })
        } catch (error) {
          return E.left(failure(`reading ${stream}`, error))
        }
      }
    },

    appendToStream: (stream, events, expected) => {
      checkExpected(expected)
      return () =>
        serial(stream, () =>
          events.length === 0
            ? checkOnly(stream, expected)
            : write(stream, expected, events, undefined, false, undefined).then(
                E.bimap(
                  (e): StoreError => (e._tag === 'KeyConflict' ? { _tag: 'StoreFailure', message: 'unexpected key conflict without a claim' } : e),
                  (r) => ({ nextVersion: r.nextVersion }),
                ),
              ),
        )
    },

    readAll: (readOptions) => {
      if (readOptions === undefined) {
        return async () => {
          try {
            const { rows } = await query(READ_ALL, [])
            return E.right(rows.map(feedEventOf))
          } catch (error) {
            return E.left(failure('reading all events', error))
          }
        }
      }
      const { after, limit } = checkReadOptions('readAll', readOptions)
      return async () => {
        try {
          const { rows } = await query(READ_FEED, [limit ?? null, after])
          if (rows.length === 0) return E.left(unknownPosition(after))
          return E.right(feedEventsOf(rows))
        } catch (error) {
          return E.left(failure('reading the global feed', error))
        }
      }
    },

    readAllPage: (pageOptions = {}) => {
      const after = pageOptions.after ?? START
      const limit = pageOptions.limit ?? DEFAULT_PAGE
      checkCheckpoint(after)
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) {
        throw new TypeError(`readAllPage: limit must be an integer from 1 to ${MAX_PAGE}, got ${String(limit)}`)
      }
      return async () => {
        try {
          const { rows } = await query(READ_PAGE, [limit, String(after.transactionId), after.position])
          const events = feedEventsOf(rows)
          const last = events[events.length - 1]
          return E.right({ events, next: last === undefined ? after : { transactionId: last.transactionId, position: last.position } })
        } catch (error) {
          return E.left(failure('reading the global feed', error))
        }
      }
    },

    record: (stream, recording) => {
      checkExpected(recording.expectedVersion)
      if (recording.claim !== undefined && recording.claim === '') throw new TypeError('record: claim must be a non-empty idempotency key')
      const hasState = recording.state !== undefined
      return () => serial(stream, () => write(stream, recording.expectedVersion, recording.events, recording.state, hasState, recording.claim))
    },

    readState: (stream) => async () => {
      try {
        const row = (await query(READ_STATE, [stream])).rows[0]
        return E.right(row === undefined ? { version: 0, state: undefined, stateVersion: 0, duplicates: 0 } : streamStateOf(stream, row))
      } catch (error) {
        return E.left(failure(`reading the state of ${stream}`, error))
      }
    },

    readStates: (prefix) => async () => {
      try {
        const { rows } = await query(READ_STATES, [prefix])
        return E.right(new Map(rows.map((row) => [String(row['stream']), streamStateOf(String(row['stream']), row)] as const)))
      } catch (error) {
        return E.left(failure(`reading the states of the streams starting with ${prefix}`, error))
      }
    },

    keyOwner: (key) => async () => {
      try {
        const row = (await query(KEY_OWNER, [key])).rows[0]
        return E.right(row === undefined ? undefined : String(row['stream']))
      } catch (error) {
        return E.left(failure('looking up an idempotency key', error))
      }
    },

    countDuplicate: (stream, count = 1) => {
      if (!Number.isSafeInteger(count) || count < 1) throw new TypeError(`countDuplicate: count must be a positive integer, got ${String(count)}`)
      return async () => {
        try {
          const updated = (await query(COUNT, [stream, count])).rows[0] ?? (await query(COUNT_NEW, [stream, count])).rows[0]
          return E.right(integer(updated?.['duplicates'], 'duplicates'))
        } catch (error) {
          return E.left(failure(`counting a duplicate on ${stream}`, error))
        }
      }
    },

    close: () => async () => {
      if (closed) return E.right(undefined)
      closed = true
      detach()
      if (endPool === undefined) return E.right(undefined)
      try {
        await endPool()
        return E.right(undefined)
      } catch (error) {
        return E.left(failure('closing the pool', error))
      }
    },
  }
}
