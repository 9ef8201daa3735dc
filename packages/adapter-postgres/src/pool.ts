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
 * How long a new connection may take before the attempt fails: a database that cannot be reached
 * then answers a `StoreFailure` (and Banksocket retries) instead of leaving the delivery hanging.
 *
 * @example
 * import { DEFAULT_CONNECTION_TIMEOUT } from '@banksocket-webhooks/adapter-postgres'
 * DEFAULT_CONNECTION_TIMEOUT // 10_000
 */
export const DEFAULT_CONNECTION_TIMEOUT = 10_000

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
 * A pool this package made, how to end it, and how to open a session with the same settings (a
 * `pg.Client` of its own, with TCP keepalive so that a connection that silently died is noticed).
 *
 * @internal
 * @example
 * const owned: OwnedPool = createOwnedPool({ connectionString: 'postgres://app@db.internal/app' })
 * await owned.end()
 */
export type OwnedPool = Readonly<{ pool: PoolLike; end: () => Promise<void>; session: () => Promise<Session> }>

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
 * Makes a `pg.Pool` for a connection string: `application_name` set, a connection timeout, and an
 * `error` listener so a dropped idle connection is only discarded.
 *
 * @internal
 * @example
 * const { pool, end } = createOwnedPool({ connectionString: process.env.DATABASE_URL!, max: 4 })
 */
export const createOwnedPool = (
  options: Readonly<{ connectionString: string; max?: number; connectionTimeoutMillis?: number; applicationName?: string }>,
): OwnedPool => {
  const settings = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? DEFAULT_CONNECTION_TIMEOUT,
    application_name: options.applicationName ?? 'banksocket-webhooks',
  }
  const pool = new pg.Pool({ ...settings, max: options.max ?? DEFAULT_POOL_SIZE })
  // The listener stays after `end`: on Deno, a connection the pool has ended can still report the
  // server's goodbye (57P01 when the server shuts down) through the pool, and nobody else listens.
  pool.on('error', () => {})
  const session = async (): Promise<Session> => {
    const client = new pg.Client({ ...settings, keepAlive: true })
    // Before `connect`: a failure while connecting must not be an unhandled `error` event.
    const opened = sessionOf(
      (text, values) => client.query(text, values),
      (gone) => client.on('error', gone).on('end', gone),
      () => client.end(),
    )
    try {
      await client.connect()
    } catch (error) {
      await opened.end()
      throw error
    }
    return opened
  }
  return { pool: pool as unknown as PoolLike, end: () => pool.end(), session }
}
