/**
 * What the store needs from node-postgres: a pool's `query` and `connect` (a `pg.Pool` has them; so
 * does anything shaped like one), and a pool made from a connection string when none is given.
 *
 * @module
 */
import pg from 'pg'

/**
 * A query's result, as far as the store reads it. `command` is the statement's tag (`'COMMIT'`,
 * `'INSERT'`, ...) when the driver gives it, as `pg` does: a `COMMIT` of a transaction that had
 * failed is answered `'ROLLBACK'`, not an error.
 *
 * @example
 * import type { QueryResultLike } from '@banksocket-webhooks/adapter-postgres'
 * const empty: QueryResultLike = { rows: [], rowCount: 0 }
 */
export type QueryResultLike = Readonly<{ rows: ReadonlyArray<Record<string, unknown>>; rowCount: number | null; command?: string }>

/**
 * What a checkpoint's `work` writes with: a connection inside the transaction that also moves the
 * checkpoint (`query(text, values)`, parameters as `$1`, `$2`, ...). Everything it runs commits with
 * the checkpoint or not at all. Await every query inside `work`, and do not end the transaction
 * yourself (`COMMIT`, `ROLLBACK`): after `work` returns, queries are refused.
 *
 * @example
 * import type { Queryable } from '@banksocket-webhooks/adapter-postgres'
 * const project = async (tx: Queryable) => {
 *   await tx.query('INSERT INTO movements (position, amount) VALUES ($1, $2)', [17, '100.00'])
 * }
 */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<QueryResultLike>
}

/**
 * One connection taken from a pool: run queries on it, then give it back (`release(error)` destroys it
 * instead of reusing it).
 *
 * @example
 * import type { PoolClientLike } from '@banksocket-webhooks/adapter-postgres'
 * const use = async (client: PoolClientLike) => { try { await client.query('SELECT 1') } finally { client.release() } }
 */
export interface PoolClientLike {
  query(text: string, values?: unknown[]): Promise<QueryResultLike>
  release(error?: Error | boolean): void
  on?(event: 'error', listener: (error: Error) => void): unknown
  removeListener?(event: 'error', listener: (error: Error) => void): unknown
}

/**
 * The pool the store runs on: a `pg.Pool`, or anything with its `query` and `connect`. `on('error')`
 * is used when present: an idle connection that the server drops makes a `pg.Pool` emit `error`,
 * which would end the process if nothing listened.
 *
 * @example
 * import pg from 'pg'
 * import type { PoolLike } from '@banksocket-webhooks/adapter-postgres'
 * const pool: PoolLike = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 */
export interface PoolLike {
  query(text: string, values?: unknown[]): Promise<QueryResultLike>
  connect(): Promise<PoolClientLike>
  on?(event: 'error', listener: (error: Error) => void): unknown
  removeListener?(event: 'error', listener: (error: Error) => void): unknown
}

/**
 * How long opening a connection may take, in milliseconds, for a store made from a connection
 * string (`connectionTimeoutMillis`, or the URL's `connect_timeout`): also how long a call waits for
 * a free connection when all of the pool's are busy. A database that cannot be reached, or that
 * accepts the connection and answers nothing, then answers a `StoreFailure` (and Banksocket
 * retries) instead of leaving the delivery hanging.
 *
 * @example
 * import { DEFAULT_CONNECTION_TIMEOUT } from '@banksocket-webhooks/adapter-postgres'
 * DEFAULT_CONNECTION_TIMEOUT // 5_000
 */
export const DEFAULT_CONNECTION_TIMEOUT = 5_000

/**
 * How long one statement may run, in milliseconds, for a store made from a connection string
 * (`statementTimeoutMillis`, or the URL's `statement_timeout`). Sent to PostgreSQL as the session's
 * `statement_timeout`: the server cancels a statement that runs longer (one waiting for a lock that
 * is never released, most likely), and the call answers a `StoreFailure`. The client also gives up
 * on a statement that got no answer at all {@link QUERY_TIMEOUT_MARGIN} later (a stopped server, a
 * network that drops everything), and closes that connection.
 *
 * @example
 * import { DEFAULT_STATEMENT_TIMEOUT } from '@banksocket-webhooks/adapter-postgres'
 * DEFAULT_STATEMENT_TIMEOUT // 5_000
 */
export const DEFAULT_STATEMENT_TIMEOUT = 5_000

/**
 * How much longer than the statement timeout the client waits for an answer before it gives up on
 * the statement and closes its connection (pg's `query_timeout`), in milliseconds. The server's
 * statement timeout answers first whenever the server still answers; this is for one that does
 * not. Use the same margin when you set both on your own pool.
 *
 * @example
 * import { DEFAULT_STATEMENT_TIMEOUT, QUERY_TIMEOUT_MARGIN } from '@banksocket-webhooks/adapter-postgres'
 * const query_timeout = DEFAULT_STATEMENT_TIMEOUT + QUERY_TIMEOUT_MARGIN // 6_000
 */
export const QUERY_TIMEOUT_MARGIN = 1_000

/** The longest timeout a timer can take (2^31 - 1 ms, about 24.8 days); also PostgreSQL's limit. */
const MAX_TIMEOUT = 2_147_483_647

/**
 * The most connections a pool made from a connection string opens.
 *
 * @example
 * import { DEFAULT_POOL_SIZE } from '@banksocket-webhooks/adapter-postgres'
 * DEFAULT_POOL_SIZE // 10
 */
export const DEFAULT_POOL_SIZE = 10

/**
 * A connection of its own, outside any pool's rotation: what holds a session advisory lock (a
 * consumer's lease). `lost` resolves when the connection fails or ends without `end` having been
 * called; `end` closes it (a pool's client is destroyed, never reused), is idempotent and never
 * rejects.
 *
 * @internal
 * @example
 * const session = await openSession()
 * void session.lost.then(() => console.log('the connection died'))
 * await session.query('SELECT pg_try_advisory_lock(17)', [])
 * await session.end()
 */
export type Session = Readonly<{
  query: (text: string, values: unknown[]) => Promise<QueryResultLike>
  lost: Promise<void>
  end: () => Promise<void>
}>

/**
 * A connection as a session: `listen` hands it the callback to call when the connection fails or
 * ends (its `error` listener also keeps a failure from ending the process).
 */
const sessionOf = (
  query: (text: string, values: unknown[]) => Promise<QueryResultLike>,
  listen: (gone: () => void) => void,
  close: () => Promise<void>,
): Session => {
  let ending = false
  let markLost = () => {}
  const lost = new Promise<void>((resolve) => {
    markLost = resolve
  })
  // The listeners stay: a connection that fails while it ends must not throw an unhandled `error`.
  listen(() => {
    if (!ending) markLost()
  })
  let ended: Promise<void> | undefined
  return {
    query,
    lost,
    end: () => {
      ending = true
      ended ??= close().catch(() => undefined)
      return ended
    },
  }
}

/**
 * A session on a client taken from your pool: kept out of the pool while it is open, and destroyed
 * (`release(true)`) when it ends, so whatever it held (a session lock) ends with it.
 *
 * @internal
 * @example
 * const session = await pooledSession(pool)
 */
export const pooledSession = async (pool: PoolLike): Promise<Session> => {
  const client = await pool.connect()
  return sessionOf(
    (text, values) => client.query(text, values),
    // A pool's client tells its failure by `error`, also when the server ends the connection.
    (gone) => void client.on?.('error', gone),
    async () => client.release(true),
  )
}

/**
 * A pool this package made, how to end it, how to open a session with the same settings (a
 * `pg.Client` of its own, with TCP keepalive so that a connection that silently died is noticed),
 * its time limits and its size.
 *
 * @internal
 * @example
 * const owned: OwnedPool = createOwnedPool({ connectionString: 'postgres://app@db.internal/app' })
 * owned.timeouts // { connection: 5000, statement: 5000, query: 6000 }
 * await owned.end()
 */
export type OwnedPool = Readonly<{ pool: PoolLike; end: () => Promise<void>; session: () => Promise<Session>; timeouts: Timeouts; max: number }>

/**
 * The password of a connection string (URL or key/value form), to keep it out of messages.
 *
 * @internal
 * @example
 * passwordOf('postgres://app:s3cret@db.internal/app') // 's3cret'
 * passwordOf('host=db password=s3cret') // 's3cret'
 */
export const passwordOf = (connectionString: string): string | undefined => {
  try {
    const url = new URL(connectionString)
    if (url.password !== '') return decodeURIComponent(url.password)
  } catch {
    // not a URL: maybe the key/value form
  }
  const kv = /\bpassword\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/i.exec(connectionString)
  return kv === null ? undefined : (kv[1] ?? kv[2])
}

/**
 * The time limits of a pool made from a connection string, in milliseconds (0: none): opening a
 * connection (or waiting for a free one), a statement on the server (`statement_timeout`), and the
 * client's wait for any answer (pg's `query_timeout`, the statement timeout plus
 * {@link QUERY_TIMEOUT_MARGIN}, or 0 with it).
 *
 * @internal
 * @example
 * const defaults: Timeouts = { connection: 5000, statement: 5000, query: 6000 }
 */
export type Timeouts = Readonly<{ connection: number; statement: number; query: number }>

/**
 * The time limits a pool made from a connection string takes when asked: an option given, else the
 * connection string's parameter, else the default. `undefined` leaves the choice to the next.
 *
 * @internal
 * @example
 * const asked: TimeoutOptions = { statementTimeoutMillis: 0 } // migrations: no statement timeout
 */
export type TimeoutOptions = Readonly<{ connectionTimeoutMillis?: number | undefined; statementTimeoutMillis?: number | undefined }>

/** Checks a timeout given as an option: whole milliseconds from 0 to 2^31 - 1. */
const checkMillis = (name: string, value: unknown): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_TIMEOUT) {
    throw new TypeError(`${name} is a whole number of milliseconds from 0 (no limit) to ${MAX_TIMEOUT}, got ${String(value)}`)
  }
  return value
}

/** PostgreSQL's units for a time setting given in milliseconds. */
const UNIT_MILLIS: Readonly<Record<string, number>> = { '': 1, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * The URL's `statement_timeout`: milliseconds, or a number with one of PostgreSQL's units (`5s`,
 * `2min`). Throws a `TypeError` naming the parameter (never the rest of the URL).
 */
const statementTimeoutOf = (value: string): number => {
  const match = /^\s*(\d+)\s*(ms|s|min|h|d)?\s*$/.exec(value)
  const millis = match === null ? Number.NaN : Number(match[1]) * (UNIT_MILLIS[match[2] ?? ''] ?? Number.NaN)
  if (!Number.isSafeInteger(millis) || millis > MAX_TIMEOUT) {
    throw new TypeError(
      `the connection string's statement_timeout is milliseconds (5000) or a number with a unit (5s), up to ${MAX_TIMEOUT} ms, got ${JSON.stringify(value)}`,
    )
  }
  return millis
}

/**
 * The URL's `connect_timeout`, as libpq reads it: whole seconds, 0 or less for no limit, and 1 taken
 * as 2 (libpq's minimum). Throws a `TypeError` naming the parameter (never the rest of the URL).
 */
const connectTimeoutOf = (value: string): number => {
  const seconds = /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isSafeInteger(seconds) || seconds * 1000 > MAX_TIMEOUT) {
    throw new TypeError(`the connection string's connect_timeout is whole seconds (5; 0: no limit), got ${JSON.stringify(value)}`)
  }
  if (seconds <= 0) return 0
  return Math.max(seconds, 2) * 1000
}

/** A URL, as pg reads one (postgres://, postgresql://, socket:...): the only form with parameters here. */
const URL_FORM = /^[a-z][a-z0-9+.-]*:/i

/**
 * Takes `statement_timeout` and `connect_timeout` out of a connection string's query (so that pg does
 * not send or read them itself: the store decides) and answers what they said. Everything else of
 * the string is kept as it was, byte for byte. A string that is not a URL, or has no query, is
 * answered as it is.
 */
const takeTimeoutParameters = (
  connectionString: string,
): Readonly<{ rest: string; statementTimeout: string | undefined; connectTimeout: string | undefined }> => {
  const queryAt = connectionString.indexOf('?')
  if (!URL_FORM.test(connectionString) || queryAt < 0) return { rest: connectionString, statementTimeout: undefined, connectTimeout: undefined }
  const fragmentAt = connectionString.indexOf('#', queryAt)
  const end = fragmentAt < 0 ? connectionString.length : fragmentAt
  let statementTimeout: string | undefined
  let connectTimeout: string | undefined
  const kept: string[] = []
  for (const part of connectionString.slice(queryAt + 1, end).split('&')) {
    // Decoded as URLSearchParams does, which is how pg reads them; the last one of a name wins, as in pg.
    const [entry] = [...new URLSearchParams(part)]
    if (entry?.[0] === 'statement_timeout') statementTimeout = entry[1]
    else if (entry?.[0] === 'connect_timeout') connectTimeout = entry[1]
    else kept.push(part)
  }
  const query = kept.length === 0 ? '' : `?${kept.join('&')}`
  return { rest: `${connectionString.slice(0, queryAt)}${query}${connectionString.slice(end)}`, statementTimeout, connectTimeout }
}

/**
 * The connection string to hand to pg and the time limits of a pool made from it: each from the
 * option if given, else from the URL's parameter (`connect_timeout` in seconds, `statement_timeout`
 * in milliseconds or with a unit), else the default ({@link DEFAULT_CONNECTION_TIMEOUT},
 * {@link DEFAULT_STATEMENT_TIMEOUT}). A statement timeout of 0 turns the client's query timeout off
 * too. Throws a `TypeError` for a value out of range or unreadable.
 *
 * @internal
 * @example
 * resolveTimeouts('postgres://app@db/app?connect_timeout=10&statement_timeout=2s', {})
 * // { connectionString: 'postgres://app@db/app', timeouts: { connection: 10000, statement: 2000, query: 3000 } }
 */
export const resolveTimeouts = (connectionString: string, options: TimeoutOptions): Readonly<{ connectionString: string; timeouts: Timeouts }> => {
  const { rest, statementTimeout, connectTimeout } = takeTimeoutParameters(connectionString)
  const connection =
    options.connectionTimeoutMillis !== undefined
      ? checkMillis('connectionTimeoutMillis', options.connectionTimeoutMillis)
      : connectTimeout !== undefined
        ? connectTimeoutOf(connectTimeout)
        : DEFAULT_CONNECTION_TIMEOUT
  const statement =
    options.statementTimeoutMillis !== undefined
      ? checkMillis('statementTimeoutMillis', options.statementTimeoutMillis)
      : statementTimeout !== undefined
        ? statementTimeoutOf(statementTimeout)
        : DEFAULT_STATEMENT_TIMEOUT
  const query = statement === 0 ? 0 : Math.min(statement + QUERY_TIMEOUT_MARGIN, MAX_TIMEOUT)
  return { connectionString: rest, timeouts: { connection, statement, query } }
}

/**
 * What the store knows of the time limits of a pool you passed, read from its settings when it is a
 * `pg.Pool` (`connectionTimeoutMillis`, `statement_timeout`, `query_timeout`; 0 when not set), to
 * say in a failure's message how long was waited.
 *
 * @internal
 * @example
 * timeoutsOfPool(new pg.Pool({ statement_timeout: 5000, query_timeout: 6000 })) // { connection: 0, statement: 5000, query: 6000 }
 */
export const timeoutsOfPool = (pool: PoolLike): Timeouts => {
  const options = (pool as { options?: Record<string, unknown> }).options ?? {}
  const millis = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0)
  return {
    connection: millis(options['connectionTimeoutMillis']),
    statement: millis(options['statement_timeout']),
    query: millis(options['query_timeout']),
  }
}

/**
 * Whether `promise` settled within `ms` (0: waits as long as it takes), without rejecting.
 */
const settled = async (promise: Promise<unknown>, ms: number): Promise<'settled' | 'late'> => {
  const done = promise.then(
    () => 'settled' as const,
    () => 'settled' as const,
  )
  if (ms === 0) return done
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms)
  })
  try {
    return await Promise.race([done, late])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Closes a connection's socket at once: what ending it does when the server never says goodbye (its
 * processes stopped, the network dropping everything), where a polite end waits for the server.
 * pg's client keeps its socket as `connection.stream`, which pg-pool destroys the same way when a
 * connection times out.
 */
const dropConnection = (client: pg.Client): void => {
  const stream = (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream
  stream?.destroy?.()
}

/**
 * The message pg-pool gives when opening a connection took longer than `connectionTimeoutMillis`;
 * a session's own connection that times out is given the same one, so one rule explains both.
 */
const CONNECTION_TIMEOUT_MESSAGE = 'Connection terminated due to connection timeout'

/**
 * Makes a `pg.Pool` for a connection string: `application_name` set, the time limits of
 * {@link resolveTimeouts} (a connection timeout; a `statement_timeout` sent when the session starts
 * and a client-side `query_timeout` a little longer, unless the statement timeout is 0), and an
 * `error` listener so a dropped idle connection is only discarded. A client whose query got no answer
 * in time is closed, never given back to the pool (`pool.query` does so on any error; a transaction
 * passes the error to `release`). Throws a `TypeError` for a timeout out of range or unreadable.
 *
 * @internal
 * @example
 * const { pool, end, timeouts } = createOwnedPool({ connectionString: process.env.DATABASE_URL!, max: 4 })
 */
export const createOwnedPool = (
  options: Readonly<{ connectionString: string; max?: number; applicationName?: string }> & TimeoutOptions,
): OwnedPool => {
  const { connectionString, timeouts } = resolveTimeouts(options.connectionString, options)
  const settings = {
    connectionString,
    connectionTimeoutMillis: timeouts.connection,
    application_name: options.applicationName ?? 'banksocket-webhooks',
    // A session lock is held between statements, never during one: these limits do not touch it.
    ...(timeouts.statement === 0 ? {} : { statement_timeout: timeouts.statement, query_timeout: timeouts.query }),
  }
  const max = options.max ?? DEFAULT_POOL_SIZE
  const pool = new pg.Pool({ ...settings, max })
  // The listener stays after `end`: on Deno, a connection the pool has ended can still report the
  // server's goodbye (57P01 when the server shuts down) through the pool, and nobody else listens.
  pool.on('error', () => {})
  // The pool's connections, until they have ended: what `end` drops if the server does not answer.
  const open = new Set<pg.PoolClient>()
  pool.on('connect', (client) => void open.add(client))
  pool.on('remove', (client) => void open.delete(client))
  const end = async (): Promise<void> => {
    const ended = pool.end()
    if ((await settled(ended, timeouts.connection)) === 'late') {
      for (const client of open) dropConnection(client)
      await ended
    }
  }
  const session = async (): Promise<Session> => {
    const client = new pg.Client({ ...settings, keepAlive: true })
    // Before `connect`: a failure while connecting must not be an unhandled `error` event.
    const opened = sessionOf(
      (text, values) => client.query(text, values),
      (gone) => client.on('error', gone).on('end', gone),
      async () => {
        const ended = client.end()
        if ((await settled(ended, timeouts.connection)) === 'late') {
          dropConnection(client)
          await ended
        }
      },
    )
    const started = Date.now()
    try {
      await client.connect()
    } catch (error) {
      await opened.end()
      // pg's client says only 'timeout expired' (or that the connection ended): say it as the pool does.
      const timedOut = timeouts.connection > 0 && Date.now() - started >= timeouts.connection
      throw timedOut ? new Error(CONNECTION_TIMEOUT_MESSAGE, { cause: error }) : error
    }
    return opened
  }
  return { pool: pool as unknown as PoolLike, end, session, timeouts, max }
}
