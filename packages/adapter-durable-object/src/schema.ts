/**
 * The tables of the store in a Durable Object's SQLite database, created and upgraded by versioned
 * migrations, synchronously, when a store or its checkpoints are made (docs/architecture.md,
 * "Stores and global positions"). Every table is `STRICT` and named with a `banksocket_` prefix,
 * so an application's own tables can live in the same database.
 *
 * - `banksocket_events`: one row per event; its `position` (the INTEGER PRIMARY KEY, never reused)
 *   is the event's global position. One object is one writer, and each write is one transaction,
 *   so positions have no holes and an event is never committed after a later one: the feed's order
 *   is position order.
 * - `banksocket_streams`: a stream's version, the state stored by the last `record` that gave one
 *   (JSON text) and the version it describes, the head token (text) and the version it was written
 *   at, and the duplicates counted on it.
 * - `banksocket_idempotency_keys`: each claimed key, the stream that claimed it and the position of
 *   the first event written with it.
 * - `banksocket_checkpoints`: each consumer's checkpoint.
 * - `banksocket_consumer_attempts`: for each consumer run by the object's alarm (the forwarder,
 *   projections), the failed attempts on the event at its checkpoint, so that its backoff and its
 *   budget of attempts survive the object being evicted.
 * - `banksocket_schema`: the versions applied.
 *
 * Positions, versions and counts are integers far below 2^53. Nothing else is a number: events and
 * states are JSON text, so an amount of money stays the decimal text its codec wrote.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { type DurableObjectStorageLike, integerOf, type SqlFailure, sqlFailure } from './sql.ts'

/**
 * One step of the schema: its version, a name, and its statements (run in order, in one
 * transaction with the row that records the version).
 *
 * @example
 * import { DURABLE_OBJECT_MIGRATIONS } from '@banksocket-webhooks/adapter-durable-object'
 * DURABLE_OBJECT_MIGRATIONS.map((m) => `${m.version} ${m.name}`) // ['1 events, streams, idempotency keys, checkpoints, consumer attempts']
 */
export type DurableObjectMigration = Readonly<{ version: number; name: string; statements: ReadonlyArray<string> }>

const v1: DurableObjectMigration = {
  version: 1,
  name: 'events, streams, idempotency keys, checkpoints, consumer attempts',
  statements: [
    `CREATE TABLE IF NOT EXISTS banksocket_events (
       position INTEGER PRIMARY KEY AUTOINCREMENT,
       stream   TEXT NOT NULL,
       version  INTEGER NOT NULL CHECK (version >= 1),
       type     TEXT,
       data     TEXT NOT NULL,
       UNIQUE (stream, version)
     ) STRICT`,
    `CREATE TABLE IF NOT EXISTS banksocket_streams (
       stream        TEXT PRIMARY KEY,
       version       INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),
       state         TEXT,
       state_version INTEGER NOT NULL DEFAULT 0 CHECK (state_version >= 0 AND state_version <= version),
       head          TEXT,
       head_version  INTEGER,
       duplicates    INTEGER NOT NULL DEFAULT 0 CHECK (duplicates >= 0)
     ) STRICT`,
    `CREATE TABLE IF NOT EXISTS banksocket_idempotency_keys (
       key      TEXT PRIMARY KEY,
       stream   TEXT NOT NULL,
       position INTEGER
     ) STRICT`,
    `CREATE TABLE IF NOT EXISTS banksocket_checkpoints (
       name     TEXT PRIMARY KEY,
       position INTEGER NOT NULL CHECK (position >= 0)
     ) STRICT`,
    `CREATE TABLE IF NOT EXISTS banksocket_consumer_attempts (
       name     TEXT PRIMARY KEY,
       position INTEGER NOT NULL,
       attempts INTEGER NOT NULL CHECK (attempts >= 1)
     ) STRICT`,
  ],
}

/**
 * Every migration, in order; {@link ensureSchema} applies those the database has not had yet.
 *
 * @example
 * import { DURABLE_OBJECT_MIGRATIONS } from '@banksocket-webhooks/adapter-durable-object'
 * DURABLE_OBJECT_MIGRATIONS.length // 1
 */
export const DURABLE_OBJECT_MIGRATIONS: ReadonlyArray<DurableObjectMigration> = [v1]

/**
 * The schema version this package's stores need.
 *
 * @example
 * import { DURABLE_OBJECT_SCHEMA_VERSION } from '@banksocket-webhooks/adapter-durable-object'
 * DURABLE_OBJECT_SCHEMA_VERSION // 1
 */
export const DURABLE_OBJECT_SCHEMA_VERSION: number = DURABLE_OBJECT_MIGRATIONS[DURABLE_OBJECT_MIGRATIONS.length - 1]?.version ?? 0

const VERSIONS = `CREATE TABLE IF NOT EXISTS banksocket_schema (
  version INTEGER PRIMARY KEY,
  name    TEXT NOT NULL
) STRICT`

/**
 * Creates or upgrades the store's tables in the object's database, in one transaction:
 * idempotent (a database already at the latest version gets one read), and synchronous, so a store
 * made in the object's constructor is ready before its first request. Answers the version the
 * database is at, or a `StoreFailure` when a statement failed (nothing of the upgrade is then
 * applied) or the database was written by a newer version of this package.
 *
 * @example
 * import { ensureSchema } from '@banksocket-webhooks/adapter-durable-object'
 * ensureSchema(ctx.storage) // Right(1)
 */
export const ensureSchema = (storage: DurableObjectStorageLike): E.Either<SqlFailure, number> => {
  try {
    return storage.transactionSync(() => {
      storage.sql.exec(VERSIONS)
      const applied = storage.sql.exec<{ version: number | null }>('SELECT max(version) AS version FROM banksocket_schema').one().version
      const current = applied === null ? 0 : integerOf(applied, 'the schema version')
      if (current > DURABLE_OBJECT_SCHEMA_VERSION) {
        return E.left(
          sqlFailure(
            'opening the schema',
            `the database is at schema version ${current}, written by a newer version of @banksocket-webhooks/adapter-durable-object than this one (which knows ${DURABLE_OBJECT_SCHEMA_VERSION}): deploy that version or a later one`,
          ),
        )
      }
      for (const migration of DURABLE_OBJECT_MIGRATIONS) {
        if (migration.version <= current) continue
        for (const statement of migration.statements) storage.sql.exec(statement)
        storage.sql.exec('INSERT INTO banksocket_schema (version, name) VALUES (?, ?)', migration.version, migration.name)
      }
      return E.right(DURABLE_OBJECT_SCHEMA_VERSION)
    })
  } catch (error) {
    return E.left(sqlFailure('creating the schema', error))
  }
}

/**
 * Runs a store's calls once its schema is there: the schema is ensured when the guard is made and,
 * if that failed, again before each call (a call then answers the failure), and a statement that
 * throws becomes a `StoreFailure` saying what was being done. What the event store and the
 * checkpoints both wrap their calls in.
 *
 * @internal
 * @example
 * const attempt = schemaGuard(ctx.storage)
 * attempt('reading the head', () => E.right(0)) // Right(0)
 */
export const schemaGuard = (
  storage: DurableObjectStorageLike,
): (<L, A>(doing: string, body: () => E.Either<L, A>) => E.Either<L | SqlFailure, A>) => {
  let schema = ensureSchema(storage)
  return (doing, body) => {
    if (E.isLeft(schema)) schema = ensureSchema(storage)
    if (E.isLeft(schema)) return schema
    try {
      return body()
    } catch (error) {
      return E.left(sqlFailure(doing, error))
    }
  }
}
