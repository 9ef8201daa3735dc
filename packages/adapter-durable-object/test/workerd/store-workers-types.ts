/**
 * Type-level check, run by `tsc` (not a test file): a real `ctx.storage` is assignable to the
 * package's structural `DurableObjectStorageLike`. The declarations below are those of
 * `@cloudflare/workers-types` (SqlStorage, SqlStorageCursor, the SQLite-backed
 * DurableObjectStorage's members the package uses), copied in their published shape so the check
 * needs no dependency.
 */
import type { DurableObjectStorageLike, SqlStorageLike } from '../../src/sql.ts'

type SqlStorageValue = ArrayBuffer | string | number | null

declare abstract class SqlStorageCursor<T extends Record<string, SqlStorageValue>> {
  next(): { done?: false; value: T } | { done: true; value?: never }
  toArray(): T[]
  one(): T
  raw<U extends SqlStorageValue[]>(): IterableIterator<U>
  columnNames: string[]
  get rowsRead(): number
  get rowsWritten(): number
  [Symbol.iterator](): IterableIterator<T>
}

declare abstract class SqlStorageStatement {}

interface SqlStorage {
  exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: any[]): SqlStorageCursor<T>
  get databaseSize(): number
  Cursor: typeof SqlStorageCursor
  Statement: typeof SqlStorageStatement
}

interface DurableObjectGetAlarmOptions {
  allowConcurrency?: boolean
}

interface DurableObjectSetAlarmOptions {
  allowConcurrency?: boolean
  allowUnconfirmed?: boolean
}

interface DurableObjectStorage {
  get<T = unknown>(key: string): Promise<T | undefined>
  put<T>(key: string, value: T): Promise<void>
  deleteAll(): Promise<void>
  transaction<T>(closure: (txn: unknown) => Promise<T>): Promise<T>
  getAlarm(options?: DurableObjectGetAlarmOptions): Promise<number | null>
  setAlarm(scheduledTime: number | Date, options?: DurableObjectSetAlarmOptions): Promise<void>
  deleteAlarm(options?: DurableObjectSetAlarmOptions): Promise<void>
  sync(): Promise<void>
  sql: SqlStorage
  transactionSync<T>(closure: () => T): T
  getCurrentBookmark(): Promise<string>
}

declare const storage: DurableObjectStorage

/** The assignments `tsc` checks. */
export const assignable: readonly [DurableObjectStorageLike, SqlStorageLike] = [storage, storage.sql]
