/**
 * What the stores of this package need from a Durable Object's storage, as structural types: the
 * SQLite API (`ctx.storage.sql`), synchronous transactions and, for the alarm-driven parts, the
 * alarm. A real `ctx.storage` of a Durable Object class with SQLite storage is assignable to
 * {@link DurableObjectStorageLike}, so the package needs no `@cloudflare/workers-types`.
 *
 * @module
 */

/**
 * A value SQLite hands to JavaScript or takes from it in a Durable Object: a number (an INTEGER or
 * a REAL), text, a blob or NULL.
 *
 * @example
 * import type { SqlValue } from '@banksocket-webhooks/adapter-durable-object'
 * const bindings: SqlValue[] = ['ledger-69-TRY', 4, null]
 */
export type SqlValue = ArrayBuffer | string | number | null

/**
 * A row of a query's answer, column name to value.
 *
 * @example
 * import type { SqlRow } from '@banksocket-webhooks/adapter-durable-object'
 * const row: SqlRow = { stream: 'ledger-69-TRY', version: 4 }
 */
export type SqlRow = Record<string, SqlValue>

/**
 * The answer of `exec`, as workerd's `SqlStorageCursor` gives it: the rows (iterated, all at once
 * with `toArray()`, or exactly one with `one()`, which throws otherwise) and how many rows the
 * statement wrote.
 *
 * @example
 * import type { SqlCursorLike } from '@banksocket-webhooks/adapter-durable-object'
 * const count = (cursor: SqlCursorLike<{ n: number }>) => cursor.one().n
 */
export interface SqlCursorLike<T extends SqlRow = SqlRow> {
  /** Every remaining row. */
  toArray(): T[]
  /** The one row of the answer; throws when there is none or more than one. */
  one(): T
  /** Rows written by the statement (inserted, updated or deleted), once it has run. */
  readonly rowsWritten: number
  /** The rows, one at a time. */
  [Symbol.iterator](): Iterator<T>
}

/**
 * A Durable Object's SQLite database (`ctx.storage.sql`): `exec` runs one statement with its `?`
 * bindings, synchronously, and answers its cursor; a failing statement throws.
 *
 * @example
 * import type { SqlStorageLike } from '@banksocket-webhooks/adapter-durable-object'
 * const streams = (sql: SqlStorageLike) => sql.exec<{ n: number }>('SELECT count(*) AS n FROM banksocket_streams').one().n
 */
export interface SqlStorageLike {
  exec<T extends SqlRow = SqlRow>(query: string, ...bindings: SqlValue[]): SqlCursorLike<T>
}

/**
 * What the stores need of a Durable Object's storage (`ctx.storage` of a class with SQLite
 * storage): `sql`, and `transactionSync(fn)`, which runs `fn` in one SQLite transaction, commits
 * what it wrote when it returns and rolls it all back when it throws (rethrowing). The alarm
 * methods are optional: only what drives work by the object's alarm uses them.
 *
 * @example
 * import type { DurableObjectStorageLike } from '@banksocket-webhooks/adapter-durable-object'
 * class Ledger {
 *   constructor(readonly ctx: { storage: DurableObjectStorageLike }) {}
 * }
 */
export interface DurableObjectStorageLike {
  /** The object's SQLite database. */
  readonly sql: SqlStorageLike
  /** Runs `fn` in one transaction: all of its writes commit when it returns, none when it throws. */
  transactionSync<T>(fn: () => T): T
  /** When the object's alarm is set for, in milliseconds since the epoch, or `null`. */
  getAlarm?(): Promise<number | null>
  /** Sets the object's alarm (replacing one already set). */
  setAlarm?(scheduledTime: number | Date): Promise<void>
  /** Cancels the object's alarm. */
  deleteAlarm?(): Promise<void>
}

/**
 * The `StoreFailure` of core's `StoreError`: what every failure of the object's storage is answered
 * as.
 *
 * @example
 * import type { SqlFailure } from '@banksocket-webhooks/adapter-durable-object'
 * const f: SqlFailure = { _tag: 'StoreFailure', message: 'Durable Object store: reading the feed from the start failed: disk I/O error' }
 */
export type SqlFailure = Readonly<{ _tag: 'StoreFailure'; message: string }>

/**
 * A `StoreFailure` for something the object's storage threw while `doing` something (a failing SQL
 * statement, a row that is not what the store wrote), with its message.
 *
 * @internal
 * @example
 * sqlFailure('reading the events of L', new Error('no such table: banksocket_events'))
 * // { _tag: 'StoreFailure', message: 'Durable Object store: reading the events of L failed: no such table: banksocket_events' }
 */
export const sqlFailure = (doing: string, error: unknown): SqlFailure => ({
  _tag: 'StoreFailure',
  message: `Durable Object store: ${doing} failed: ${error instanceof Error ? error.message : String(error)}`,
})

/**
 * A column read as a safe integer (positions, versions, counts), or a throw naming `what` when it
 * is not one: the row is not what the store wrote.
 *
 * @internal
 * @example
 * integerOf(4, 'the version of L') // 4
 * integerOf('4', 'the version of L') // throws
 */
export const integerOf = (value: unknown, what: string): number => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  throw new Error(`${what} read from storage is not a safe integer: ${String(value)}`)
}
