/**
 * What the store needs from node-postgres: a pool's `query` and `connect` (a `pg.Pool` has them; so
 * does anything shaped like one), and a pool made from a connection string when none is given.
 *
 * @module
 */
import pg from 'pg'

/**
 * A query's result, as far as the store reads it.
 *
 * @example
 * import type { QueryResultLike } from '@banksocket-webhooks/adapter-postgres'
 * const empty: QueryResultLike = { rows: [], rowCount: 0 }
 */
export type QueryResultLike = Readonly<{ rows: ReadonlyArray<Record<string, unknown>>; rowCount: number | null }>

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
 * A pool this package made, and how to end it.
 *
 * @internal
 * @example
 * const owned: OwnedPool = createOwnedPool({ connectionString: 'postgres://app@db.internal/app' })
 * await owned.end()
 */
export type OwnedPool = Readonly<{ pool: PoolLike; end: () => Promise<void> }>

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
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? DEFAULT_POOL_SIZE,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? DEFAULT_CONNECTION_TIMEOUT,
    application_name: options.applicationName ?? 'banksocket-webhooks',
  })
  // The listener stays after `end`: on Deno, a connection the pool has ended can still report the
  // server's goodbye (57P01 when the server shuts down) through the pool, and nobody else listens.
  pool.on('error', () => {})
  return { pool: pool as unknown as PoolLike, end: () => pool.end() }
}
