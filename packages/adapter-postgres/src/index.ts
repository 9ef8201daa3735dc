/**
 * `@banksocket-webhooks/adapter-postgres`: a PostgreSQL `EventStore` on `pg` (node-postgres), the
 * shared store that lets several receivers hold one truth. Every event has a global position, appends
 * carry expected versions, an idempotency key is unique across all ledgers (enforced by the
 * database), a ledger's state is stored beside its stream in the same transaction, and the global
 * feed never skips a transaction still in flight. Consumers of the feed keep their checkpoints beside
 * the events (`store.checkpoints`), moved in the same transaction as their own writes, and one
 * instance per consumer name is active at a time (`store.checkpoints.acquire`).
 *
 * @example
 * import { createPostgresEventStore, migrate } from '@banksocket-webhooks/adapter-postgres'
 * import * as E from 'fp-ts/lib/Either.js'
 *
 * const url = process.env.DATABASE_URL!
 * const migrated = await migrate(url)()
 * if (E.isLeft(migrated)) throw new Error(migrated.left.message)
 * const store = createPostgresEventStore<{ type: string }>({ connectionString: url })
 * await store.record('ledger-69-TRY', { expectedVersion: 0, events: [{ type: 'Opened' }], claim: 'k-1' })()
 *
 * @packageDocumentation
 */
export type {
  AcquireOptions,
  CheckpointError,
  CheckpointStore,
  KeyConflict,
  Lease,
  ReadStreamOptions,
  RecordError,
  Recording,
  StreamState,
} from '@banksocket-webhooks/core/store-kit'
export type { PostgresCheckpoints } from './checkpoints.ts'
export type { PostgresConnection } from './connection.ts'
export { type Checkpoint, type FeedEvent, type FeedPage, type ReadAllPageOptions, START } from './feed.ts'
export { MIGRATIONS, type Migrated, type MigrateOptions, type Migration, migrate, SCHEMA_VERSION } from './migrations.ts'
export {
  DEFAULT_CONNECTION_TIMEOUT,
  DEFAULT_POOL_SIZE,
  DEFAULT_STATEMENT_TIMEOUT,
  type PoolClientLike,
  type PoolLike,
  QUERY_TIMEOUT_MARGIN,
  type Queryable,
  type QueryResultLike,
} from './pool.ts'
export type { RecordResult } from './record.ts'
export { DEFAULT_SCHEMA } from './schema.ts'
export { createPostgresEventStore, type PostgresEventStore, type PostgresEventStoreOptions } from './store.ts'
