/**
 * The PostgreSQL schema (namespace) that holds the store's tables: its name, checked once, and the
 * quoted form that goes into SQL.
 *
 * @module
 */

/**
 * The schema used when none is given.
 *
 * @example
 * import { DEFAULT_SCHEMA } from '@banksocket-webhooks/adapter-postgres'
 * DEFAULT_SCHEMA // 'banksocket'
 */
export const DEFAULT_SCHEMA = 'banksocket'

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Checks a schema name and returns it quoted for SQL. Only lower-case letters, digits and `_`, not
 * starting with a digit, at most 63 characters (PostgreSQL's limit), and not `pg_...`: such a name
 * means the same thing quoted or not, so `psql` users can type it as it is.
 *
 * @internal
 * @example
 * quoteSchema('banksocket') // '"banksocket"'
 * quoteSchema('Bank') // throws TypeError
 */
export const quoteSchema = (schema: string): string => {
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new TypeError(
      `schema must be a lower-case PostgreSQL name (letters, digits, _; not starting with a digit or pg_; at most 63 characters), got ${JSON.stringify(schema)}`,
    )
  }
  return `"${schema}"`
}
