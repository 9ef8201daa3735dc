/**
 * What a PostgreSQL store answers when a write is refused, and how a driver error becomes core's
 * `StoreFailure` without leaking a password.
 *
 * @module
 */
import type { StoreError } from '@banksocket-webhooks/core'
import { messageOf, sqlState } from './internal.ts'

/**
 * A `record` whose idempotency key is already recorded, in this stream or in any other: `stream` is
 * where it was recorded. Nothing was written. Keys form one space across every ledger, so a replay
 * with another (unsigned) `account_id` meets the key of the original here.
 *
 * @example
 * import type { KeyConflict } from '@banksocket-webhooks/adapter-postgres'
 * const e: KeyConflict = { _tag: 'KeyConflict', key: 'k-2f1c', stream: 'ledger-69-TRY' }
 */
export type KeyConflict = Readonly<{ _tag: 'KeyConflict'; key: string; stream: string }>

/**
 * Why a `record` wrote nothing: the key is taken ({@link KeyConflict}), the stream moved on
 * (`VersionConflict`), or the database failed (`StoreFailure`, which may hide a commit whose answer
 * was lost; the key then makes the retry a `KeyConflict`).
 *
 * @example
 * import type { RecordError } from '@banksocket-webhooks/adapter-postgres'
 * const retry = (e: RecordError) => e._tag === 'VersionConflict'
 */
export type RecordError = StoreError | KeyConflict

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
 */
export const redact = (message: string, secrets: ReadonlyArray<string>): string => {
  let out = message.replace(URL_CREDENTIALS, '$1:***@').replace(KEY_VALUE_PASSWORD, 'password=***')
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***')
  return out
}

/**
 * Turns whatever a query threw into core's `StoreFailure`: what was being done, the driver's message
 * (secrets removed) and the SQLSTATE when there is one. A missing table or function says to migrate.
 *
 * @internal
 */
export const storeFailure = (doing: string, error: unknown, secrets: ReadonlyArray<string>, schema: string): StoreError => {
  const state = sqlState(error)
  const hint = state !== undefined && NOT_MIGRATED.has(state) ? ` (is schema "${schema}" migrated? run migrate(pool, { schema: '${schema}' }))` : ''
  const code = state === undefined ? '' : ` [${state}]`
  return { _tag: 'StoreFailure', message: redact(`PostgreSQL store: ${doing} failed: ${messageOf(error)}${code}${hint}`, secrets) }
}
