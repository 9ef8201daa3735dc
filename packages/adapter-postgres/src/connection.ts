/**
 * The store's way to PostgreSQL: where its connections come from (your pool, or one it makes from a
 * connection string), every query it sends, and how whatever goes wrong becomes core's
 * `StoreFailure` with no password in it.
 *
 * @module
 */
import type { StoreError } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { type Limits, redact, storeFailure } from './errors.ts'
import {
  createOwnedPool,
  type PoolClientLike,
  type PoolLike,
  passwordOf,
  pooledSession,
  type QueryResultLike,
  type Session,
  timeoutsOfPool,
} from './pool.ts'
import { quoteSchema } from './schema.ts'

/**
 * Where the store's connections come from: your pool (you end it), or a connection string (the store
 * makes a `pg.Pool` and `close` ends it).
 *
 * A pool made from a connection string bounds every call's time in the store: opening a connection
 * (or waiting for a free one) takes at most `connectionTimeoutMillis`, a statement at most
 * `statementTimeoutMillis` (PostgreSQL cancels it: one waiting for a lock never released), and a
 * statement the server does not answer at all (a stopped server, a network that drops everything)
 * is given up {@link QUERY_TIMEOUT_MARGIN} later, its connection closed. Each ends in a
 * `StoreFailure` that says which limit was hit. The URL's `connect_timeout` (seconds, as libpq reads
 * it) and `statement_timeout` (milliseconds, or with a unit: `5s`) are used when the option is not
 * given.
 *
 * With your own pool, the store changes none of its settings: give it the same limits
 * (`connectionTimeoutMillis`, `statement_timeout`, `query_timeout`; see the README, "Outages and
 * timeouts").
 *
 * @example
 * import pg from 'pg'
 * import type { PostgresConnection } from '@banksocket-webhooks/adapter-postgres'
 * const mine: PostgresConnection = {
 *   pool: new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5000, statement_timeout: 5000, query_timeout: 6000 }),
 * }
 * const made: PostgresConnection = { connectionString: 'postgres://app@db.internal/app', max: 20, statementTimeoutMillis: 3000 }
 */
export type PostgresConnection =
  | Readonly<{
      /**
       * Your pool (a `pg.Pool`, or anything with its `query` and `connect`); you end it. The store
       * sets no limit on it: set `connectionTimeoutMillis`, `statement_timeout` and `query_timeout`
       * (a little longer than `statement_timeout`) on it for the same bounds as a pool the store
       * makes.
       */
      pool: PoolLike
      connectionString?: never
      /**
       * Whether the store's hot statements (a ledger write, a state read, a key lookup) are named
       * prepared statements, parsed and planned once per connection (pg's `{ name, text, values }`:
       * a `pg.Pool` takes it). Leave it off for a pool behind a pooler that does not keep prepared
       * statements (PgBouncer in transaction mode before 1.21, or with `max_prepared_statements = 0`).
       * @default false
       */
      prepare?: boolean
    }>
  | Readonly<{
      connectionString: string
      pool?: never
      /**
       * The most connections the pool opens.
       * @default 10
       */
      max?: number
      /**
       * How long opening a connection, or waiting for a free one of the pool, may take, in
       * milliseconds (0: no limit). Without it, the URL's `connect_timeout` (in seconds) if there
       * is one.
       * @default 5000
       */
      connectionTimeoutMillis?: number
      /**
       * How long one statement may run, in milliseconds: sent as the session's `statement_timeout`
       * (PostgreSQL cancels a statement that runs longer, such as one waiting for a lock), and the
       * client gives up on a statement that gets no answer at all {@link QUERY_TIMEOUT_MARGIN}
       * later. 0 turns both off. Without it, the URL's `statement_timeout` if there is one.
       * A consumer's lease (a session lock held between statements) is not affected, nor is
       * `migrate` (it runs without them).
       * @default 5000
       */
      statementTimeoutMillis?: number
      /**
       * `application_name` of the connections (shown in `pg_stat_activity`).
       * @default 'banksocket-webhooks'
       */
      applicationName?: string
      /**
       * Whether the store's hot statements (a ledger write, a state read, a key lookup) are named
       * prepared statements, parsed and planned once per connection: a duplicate then costs the
       * database about half as much. Turn it off behind a pooler that does not keep prepared
       * statements (PgBouncer in transaction mode before 1.21, or with `max_prepared_statements = 0`).
       * @default true
       */
      prepare?: boolean
    }>

/**
 * Selected by every read: `clock_timestamp()` is a volatile function, and a query cache in front of
 * the database (Cloudflare Hyperdrive caches read-only queries for up to 60 s by default, and never
 * one that calls a volatile function) must not answer a version, a state or a key's owner from the
 * past. The database would still refuse a decision made on it, but every retry would read the same
 * stale row until the attempts ran out.
 *
 * @internal
 * @example
 * const READ_VERSION = `SELECT version, ${FRESH} FROM "banksocket".streams WHERE stream = $1`
 */
export const FRESH = 'clock_timestamp() AS read_at'

/**
 * An open connection of one store: the schema (as given and quoted for SQL), `query`, a client for a
 * transaction (`connect`), a connection of its own (`session`), the two ways a task fails (`refuse`
 * for what the store itself rejects, `failure` for whatever a query threw) and `close`.
 *
 * @internal
 * @example
 * const readVersion = (c: Connection, stream: string) => c.query(`SELECT version FROM ${c.q}.streams WHERE stream = $1`, [stream])
 */
export type Connection = Readonly<{
  /** The schema the store reads and writes. */
  schema: string
  /** The schema, quoted for SQL. */
  q: string
  /**
   * Sends one statement; a closed store refuses it. With a `name` (one per statement text of the
   * store) and prepared statements on, it is prepared once per connection and executed by name.
   */
  query: (text: string, values: unknown[], name?: string) => Promise<QueryResultLike>
  /** Takes a client from the pool (for a transaction; give it back with `release`); a closed store refuses. */
  connect: () => Promise<PoolClientLike>
  /**
   * Opens a connection no other call shares (for a session lock): a `pg.Client` with the store's
   * settings when it was made from a connection string, else a client taken out of your pool for
   * good (destroyed when the session ends). A closed store refuses.
   */
  session: () => Promise<Session>
  /** Leaves the running task with a `StoreFailure` of this message (secrets removed). */
  refuse: (message: string) => never
  /** What a task answers for what it caught while `doing` something: a refusal as it is, anything else as a `StoreFailure`. */
  failure: (doing: string, error: unknown) => StoreError
  /** Ends the pool if the store made it; later queries are refused. Idempotent. */
  close: () => Promise<E.Either<StoreError, void>>
}>

/** A pool whose `query` also takes pg's query config, as a `pg.Pool` does: for named prepared statements. */
type PreparingPool = Readonly<{ query: (config: Readonly<{ name: string; text: string; values: unknown[] }>) => Promise<QueryResultLike> }>

/** A short tag of a schema's name (FNV-1a, 8 hex digits), for prepared statements' names. */
const schemaTag = (schema: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < schema.length; i++) hash = Math.imul(hash ^ schema.charCodeAt(i), 0x01000193) >>> 0
  return hash.toString(16).padStart(8, '0')
}

/** What a call on a closed store answers. */
const CLOSED = 'the store is closed: close() was called on it; create a new store to use the database again'

/** A failure that is already a `StoreError`, thrown inside a task to leave it early. */
class Refused extends Error {
  constructor(readonly error: StoreError) {
    super(error._tag)
  }
}

/**
 * Opens a store's connection on your pool or on a pool made from a connection string; nothing
 * connects until the first query. Throws a `TypeError` for a bad schema name, for no pool and no
 * connection string, for both, and for an empty connection string.
 *
 * @internal
 * @example
 * const connection = openConnection({ connectionString: process.env.DATABASE_URL! }, 'banksocket')
 * await connection.query(`SELECT count(*) FROM ${connection.q}.streams`, [])
 */
export const openConnection = (options: PostgresConnection, schema: string): Connection => {
  const q = quoteSchema(schema)
  const hasPool = options.pool !== undefined
  const hasUrl = options.connectionString !== undefined
  if (hasPool === hasUrl) throw new TypeError('createPostgresEventStore needs exactly one of `pool` (a pg.Pool) or `connectionString`')

  const secrets: string[] = []
  let pool: PoolLike
  let endPool: (() => Promise<void>) | undefined
  let openSession: () => Promise<Session>
  let detach: () => void
  let limits: Limits
  if (options.connectionString !== undefined) {
    if (options.connectionString === '') throw new TypeError('connectionString is empty: pass a postgres:// URL')
    const password = passwordOf(options.connectionString)
    if (password !== undefined) secrets.push(password)
    const owned = createOwnedPool({
      connectionString: options.connectionString,
      ...(options.max === undefined ? {} : { max: options.max }),
      connectionTimeoutMillis: options.connectionTimeoutMillis,
      statementTimeoutMillis: options.statementTimeoutMillis,
      ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
    })
    pool = owned.pool
    endPool = owned.end
    openSession = owned.session
    detach = () => {}
    limits = { ...owned.timeouts, max: owned.max }
  } else {
    pool = options.pool as PoolLike
    openSession = () => pooledSession(pool)
    const max = (pool as { options?: { max?: unknown } }).options?.max
    limits = { ...timeoutsOfPool(pool), ...(typeof max === 'number' ? { max } : {}) }
    const configured = (pool as { options?: { password?: unknown } }).options?.password
    if (typeof configured === 'string') secrets.push(configured)
    // A pg.Pool emits `error` when the server drops an idle connection; with no listener that ends
    // the process. The store only lets the pool discard the connection.
    const ignore = () => {}
    pool.on?.('error', ignore)
    detach = () => void pool.removeListener?.('error', ignore)
  }

  let closed = false
  const prepare = options.prepare ?? options.connectionString !== undefined
  // A name per schema: two stores on one pool (two schemas) prepare different texts.
  const suffix = schemaTag(schema)
  const preparing = pool as unknown as PreparingPool

  const refuse = (message: string): never => {
    throw new Refused({ _tag: 'StoreFailure', message: redact(`PostgreSQL store: ${message}`, secrets) })
  }

  return {
    schema,
    q,
    query: (text, values, name) => {
      if (closed) refuse(CLOSED)
      return prepare && name !== undefined ? preparing.query({ name: `bsw_${name}_${suffix}`, text, values }) : pool.query(text, values)
    },
    connect: () => {
      if (closed) refuse(CLOSED)
      return pool.connect()
    },
    session: () => {
      if (closed) refuse(CLOSED)
      return openSession()
    },
    refuse,
    failure: (doing, error) => (error instanceof Refused ? error.error : storeFailure(doing, error, secrets, schema, limits)),
    close: async () => {
      if (closed) return E.right(undefined)
      closed = true
      detach()
      if (endPool === undefined) return E.right(undefined)
      try {
        await endPool()
        return E.right(undefined)
      } catch (error) {
        return E.left(storeFailure('closing the connection pool', error, secrets, schema, limits))
      }
    },
  }
}
