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
 * Turns whatever a query threw into core's `StoreFailure`: what was being done, the driver's message
 * (secrets removed) and the SQLSTATE when there is one. A missing table or function says to migrate.
 *
 * @internal
 * @example
 * storeFailure("reading the ledgers' state", new Error('Connection terminated unexpectedly'), [], 'banksocket')
 * // { _tag: 'StoreFailure', message: "PostgreSQL store: reading the ledgers' state failed: Connection terminated unexpectedly" }
 */
export const storeFailure = (doing: string, error: unknown, secrets: ReadonlyArray<string>, schema: string): StoreError => {
  const state = sqlState(error)
  const hint = state !== undefined && NOT_MIGRATED.has(state) ? migrateHint(schema) : ''
  const code = state === undefined ? '' : ` [${state}]`
  return { _tag: 'StoreFailure', message: redact(`PostgreSQL store: ${doing} failed: ${messageOf(error)}${code}${hint}`, secrets) }
}
