/**
 * How a driver error becomes core's `StoreFailure`: what the store was doing, in a user's terms, the
 * driver's message and SQLSTATE, what to do about a schema that is not migrated, and never a
 * password. (What a refused write answers, `KeyConflict` and `RecordError`, is core's:
 * `@banksocket-webhooks/core/store-kit`.)
 *
 * @module
 */
import type { StoreError } from '@banksocket-webhooks/core'
import { messageOf, sqlState } from './internal.ts'
import type { Timeouts } from './pool.ts'

/**
 * SQLSTATEs that mean "the schema is not there (yet)": undefined table, undefined function,
 * undefined schema.
 */
const NOT_MIGRATED = new Set(['42P01', '42883', '3F000'])

const URL_CREDENTIALS = /\b(postgres(?:ql)?:\/\/[^:/?#@\s]*):[^@\s]*@/gi
const KEY_VALUE_PASSWORD = /\bpassword\s*=\s*(?:'(?:[^'\\]|\\.)*'|\S+)/gi

/**
 * Removes secrets from a message: every given secret (a password), the password of any
 * `postgres://user:password@host` URL, and `password=...` of a key/value connection string.
 *
 * @internal
 * @example
 * redact('no route to postgres://app:hunter2@db/app', []) // 'no route to postgres://app:***@db/app'
 */
export const redact = (message: string, secrets: ReadonlyArray<string>): string => {
  let out = message.replace(URL_CREDENTIALS, '$1:***@').replace(KEY_VALUE_PASSWORD, 'password=***')
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***')
  return out
}

/**
 * What to do when the schema is missing or older than this package: run `migrate`.
 *
 * @internal
 * @example
 * migrateHint('banksocket') // ` (is schema "banksocket" migrated? run migrate(pool, { schema: 'banksocket' }))`
 */
export const migrateHint = (schema: string): string => ` (is schema "${schema}" migrated? run migrate(pool, { schema: '${schema}' }))`

/**
 * What the store knows of its pool's limits, to say in a message how long was waited: the time limits
 * (0: unknown or none) and the number of connections (when known).
 *
 * @internal
 * @example
 * const limits: Limits = { connection: 5000, statement: 5000, query: 6000, max: 10 }
 */
export type Limits = Timeouts & Readonly<{ max?: number }>

/** No limit known: a pool you passed that is not a `pg.Pool`, or a message made outside a store. */
const UNKNOWN: Limits = { connection: 0, statement: 0, query: 0 }

/** A duration as a person reads it: `500 ms`, `1.5 s`, `5 s`. */
const duration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`)

/** ` within 5 s` when the limit is known, else nothing. */
const within = (ms: number): string => (ms > 0 ? ` within ${duration(ms)}` : '')

/**
 * Whether pg gave up waiting for a statement's answer (its client-side `query_timeout`). The
 * connection is then in an unknown state: close it, never reuse it.
 *
 * @internal
 * @example
 * isQueryTimeout(new Error('Query read timeout')) // true
 */
export const isQueryTimeout = (error: unknown): boolean => error instanceof Error && error.message === 'Query read timeout'

/**
 * What a driver error means, in a user's terms, when the store knows: a timeout (and which), the
 * server gone, restarting or refusing, the connection dropped. `undefined` for anything else (a
 * failed statement says enough by itself).
 */
const explanation = (error: unknown, limits: Limits): string | undefined => {
  const message = messageOf(error)
  const code = sqlState(error)
  if (isQueryTimeout(error)) {
    return `PostgreSQL did not answer${within(limits.query)} (query timeout): the server is stopped, overloaded or unreachable; the connection was closed, and the statement may still complete on the server`
  }
  if (message === 'Connection terminated due to connection timeout') {
    return `no connection to PostgreSQL could be opened${within(limits.connection)} (connection timeout): the server is stopped, overloaded or unreachable`
  }
  if (message === 'timeout exceeded when trying to connect') {
    const all = limits.max === undefined ? 'all its connections' : `all ${limits.max} of its connections`
    return `no connection of the pool was ready${within(limits.connection)} (connection timeout): ${all} were busy or still opening, PostgreSQL is slow or not answering`
  }
  switch (code) {
    case '57014':
      return /statement timeout/i.test(message)
        ? `a statement ran over the statement timeout${limits.statement > 0 ? ` (${duration(limits.statement)})` : ''}, maybe waiting for a lock another transaction holds; it was rolled back`
        : 'the statement was canceled (pg_cancel_backend or a client cancel); it was rolled back'
    case '55P03':
      return 'a statement waited too long for a lock (lock_timeout); it was rolled back'
    case '57P01':
      return 'PostgreSQL ended the connection (the server is shutting down, or the connection was terminated)'
    case '57P02':
      return 'PostgreSQL ended the connection because another of its processes crashed (it restarts and recovers)'
    case '57P03':
      return 'PostgreSQL does not accept connections yet (starting up, recovering, or shutting down)'
    case '08P01':
      return /unsupported startup parameter/i.test(message)
        ? 'the server (a connection pooler such as PgBouncer) refuses a session setting the store sends when it connects: allow it there (PgBouncer: ignore_startup_parameters = statement_timeout), or pass statementTimeoutMillis: 0 (or statement_timeout=0 in the URL) and set the statement timeout on the role (ALTER ROLE ... SET statement_timeout = 5000)'
        : undefined
    case '26000':
      return 'a prepared statement the store made on this connection is gone: a pooler in front of PostgreSQL (PgBouncer in transaction mode) hands statements to other connections; enable prepared statements there (PgBouncer 1.21 or later: max_prepared_statements), or pass prepare: false'
    case 'ECONNREFUSED':
      return 'nothing accepts connections at that address (PostgreSQL is down or restarting)'
    case 'ECONNRESET':
    case 'EPIPE':
      return "the connection was reset (PostgreSQL's server process died, or the network dropped the connection)"
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host did not answer (down or unreachable from here)'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name cannot be resolved'
    default:
      break
  }
  if (message === 'Connection terminated unexpectedly') {
    return "the connection closed in the middle of the call (PostgreSQL's server process died, or the network dropped the connection)"
  }
  return undefined
}

/**
 * Turns whatever a query threw into core's `StoreFailure`: what was being done, what happened in a
 * user's terms when the store knows it (a timeout and how long was waited, the server gone or
 * restarting, the connection dropped), the driver's message (secrets removed) and the SQLSTATE or
 * system error code when there is one. A missing table or function says to migrate.
 *
 * @internal
 * @example
 * storeFailure("reading the ledgers' state", new Error('Query read timeout'), [], 'banksocket', { connection: 5000, statement: 5000, query: 6000 })
 * // { _tag: 'StoreFailure', message: "PostgreSQL store: reading the ledgers' state failed: PostgreSQL did not answer within 6 s (query timeout): ...: Query read timeout" }
 */
export const storeFailure = (doing: string, error: unknown, secrets: ReadonlyArray<string>, schema: string, limits: Limits = UNKNOWN): StoreError => {
  const state = sqlState(error)
  const hint = state !== undefined && NOT_MIGRATED.has(state) ? migrateHint(schema) : ''
  const code = state === undefined ? '' : ` [${state}]`
  const plain = explanation(error, limits)
  const what = plain === undefined ? '' : `${plain}: `
  return { _tag: 'StoreFailure', message: redact(`PostgreSQL store: ${doing} failed: ${what}${messageOf(error)}${code}${hint}`, secrets) }
}
