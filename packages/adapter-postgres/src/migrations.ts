/**
 * The store's schema, created and upgraded by versioned migrations: each version runs once, in its
 * own transaction, while a session advisory lock keeps two processes migrating at once from meeting.
 *
 * @module
 */
import type { StoreError } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Limits, storeFailure } from './errors.ts'
import { toSafeInteger } from './internal.ts'
import { createOwnedPool, type PoolClientLike, type PoolLike, passwordOf, timeoutsOfPool } from './pool.ts'
import { DEFAULT_SCHEMA, quoteSchema } from './schema.ts'

/**
 * One step of the schema: a version, a name, and its SQL for a given (quoted) schema.
 *
 * @example
 * import { MIGRATIONS } from '@banksocket-webhooks/adapter-postgres'
 * MIGRATIONS.map((m) => `${m.version} ${m.name}`) // ['1 streams, events, idempotency keys, append_to_stream', '2 checkpoints']
 */
export type Migration = Readonly<{ version: number; name: string; sql: (schema: string) => string }>

/**
 * The first version of the schema. Every table, column and the append function are described in the
 * package README ("Schema").
 */
const v1: Migration = {
  version: 1,
  name: 'streams, events, idempotency keys, append_to_stream',
  sql: (s) => `
CREATE TABLE ${s}.streams (
  stream            text PRIMARY KEY,
  version           bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
  state             jsonb,
  state_version     bigint NOT NULL DEFAULT 0 CHECK (state_version >= 0 AND state_version <= version),
  duplicates        bigint NOT NULL DEFAULT 0 CHECK (duplicates >= 0),
  last_duplicate_at timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 80);

CREATE TABLE ${s}.events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream          text NOT NULL,
  version         bigint NOT NULL CHECK (version >= 1),
  type            text,
  data            jsonb NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_version UNIQUE (stream, version)
);
CREATE INDEX events_feed ON ${s}.events (transaction_id, global_position);

CREATE TABLE ${s}.idempotency_keys (
  key         text PRIMARY KEY,
  stream      text NOT NULL,
  position    bigint,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- One write to one stream, atomically: compare-and-set the stream's version (and store its state),
-- append the events, claim the idempotency key. The stream row is the first row this transaction
-- writes, so its transaction id is assigned only once the previous writer of the stream has let go:
-- in (transaction_id, global_position) order a stream's events stay in version order.
CREATE FUNCTION ${s}.append_to_stream(p_stream text, p_expected bigint, p_events jsonb, p_state jsonb, p_claim text)
RETURNS TABLE (outcome text, stream_version bigint, positions bigint[], owner text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_count     bigint := jsonb_array_length(p_events);
  v_version   bigint;
  v_owner     text;
  v_positions bigint[];
BEGIN
  -- A key already recorded: nothing to write, and no lock taken (the replay path).
  IF p_claim IS NOT NULL THEN
    SELECT k.stream INTO v_owner FROM ${s}.idempotency_keys AS k WHERE k.key = p_claim;
    IF v_owner IS NOT NULL THEN
      RETURN QUERY SELECT 'key_conflict'::text, NULL::bigint, NULL::bigint[], v_owner;
      RETURN;
    END IF;
  END IF;

  UPDATE ${s}.streams AS st
     SET version = st.version + v_count,
         state = COALESCE(p_state, st.state),
         state_version = CASE WHEN p_state IS NULL THEN st.state_version ELSE st.version + v_count END,
         updated_at = now()
   WHERE st.stream = p_stream AND (p_expected IS NULL OR st.version = p_expected)
  RETURNING st.version INTO v_version;

  IF v_version IS NULL AND (p_expected IS NULL OR p_expected = 0) THEN
    INSERT INTO ${s}.streams AS st (stream, version, state, state_version)
    VALUES (p_stream, v_count, p_state, CASE WHEN p_state IS NULL THEN 0 ELSE v_count END)
    ON CONFLICT (stream) DO NOTHING
    RETURNING st.version INTO v_version;
    IF v_version IS NULL THEN
      -- Another writer created the stream in the meantime: compare with what it wrote.
      UPDATE ${s}.streams AS st
         SET version = st.version + v_count,
             state = COALESCE(p_state, st.state),
             state_version = CASE WHEN p_state IS NULL THEN st.state_version ELSE st.version + v_count END,
             updated_at = now()
       WHERE st.stream = p_stream AND (p_expected IS NULL OR st.version = p_expected)
      RETURNING st.version INTO v_version;
    END IF;
  END IF;

  IF v_version IS NULL THEN
    -- The stream moved on. If the writer that moved it recorded this very key, say so: a retry
    -- with a fresh version would only meet the key.
    IF p_claim IS NOT NULL THEN
      SELECT k.stream INTO v_owner FROM ${s}.idempotency_keys AS k WHERE k.key = p_claim;
      IF v_owner IS NOT NULL THEN
        RETURN QUERY SELECT 'key_conflict'::text, NULL::bigint, NULL::bigint[], v_owner;
        RETURN;
      END IF;
    END IF;
    SELECT st.version INTO v_version FROM ${s}.streams AS st WHERE st.stream = p_stream;
    RETURN QUERY SELECT 'version_conflict'::text, COALESCE(v_version, 0), NULL::bigint[], NULL::text;
    RETURN;
  END IF;

  WITH inserted AS (
    INSERT INTO ${s}.events (stream, version, type, data)
    SELECT p_stream, v_version - v_count + e.n,
           CASE WHEN jsonb_typeof(e.data -> 'type') = 'string' THEN e.data ->> 'type' END,
           e.data
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(data, n)
     ORDER BY e.n
    RETURNING global_position, version
  )
  SELECT array_agg(i.global_position ORDER BY i.version) INTO v_positions FROM inserted AS i;

  IF p_claim IS NOT NULL THEN
    INSERT INTO ${s}.idempotency_keys AS k (key, stream, position)
    VALUES (p_claim, p_stream, v_positions[1])
    ON CONFLICT (key) DO NOTHING;
    IF NOT FOUND THEN
      -- Claimed meanwhile by a writer of another stream. Raising undoes this whole call.
      SELECT k.stream INTO v_owner FROM ${s}.idempotency_keys AS k WHERE k.key = p_claim;
      RAISE EXCEPTION 'idempotency key already recorded' USING ERRCODE = 'BSK01', DETAIL = COALESCE(v_owner, '');
    END IF;
  END IF;

  RETURN QUERY SELECT 'ok'::text, v_version, COALESCE(v_positions, '{}'::bigint[]), NULL::text;
END;
$fn$;
`,
}

/**
 * Version 2: the consumers' checkpoints (README, "Checkpoints and one active consumer"). Written to
 * be safe to run again, as every migration from here on.
 */
const v2: Migration = {
  version: 2,
  name: 'checkpoints',
  sql: (s) => `
CREATE TABLE IF NOT EXISTS ${s}.checkpoints (
  name       text PRIMARY KEY,
  position   bigint NOT NULL CHECK (position >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
}

/**
 * `record_to_stream` as versions 3 and 4 create it: `outcome` is the SQL expression of the outcome
 * of a write that met a recorded key (`v_owner`), the only part version 4 changes.
 */
const recordToStream = (
  s: string,
  outcome: string,
): string => `-- append_to_stream's write, with the stream's head token stored beside its state, and a recorded
-- key counted as a duplicate on its owner in the same call when asked (outcome 'duplicate'; a
-- 'key_conflict' counted nothing).
-- The events and the state come as text, parsed as jsonb only once the key is known to be free:
-- a duplicate costs the key's lookup and its count, not the parsing of what it would have written.
CREATE OR REPLACE FUNCTION ${s}.record_to_stream(
  p_stream text, p_expected bigint, p_events_text text, p_state_text text, p_claim text,
  p_head text, p_count_duplicate boolean, p_repeat_head text)
RETURNS TABLE (outcome text, stream_version bigint, positions bigint[], owner text)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_events    jsonb;
  v_state     jsonb;
  v_count     bigint;
  v_version   bigint;
  v_owner     text;
  v_positions bigint[];
BEGIN
  -- A key already recorded: nothing written but the duplicate's count, no lock on this stream.
  IF p_claim IS NOT NULL THEN
    SELECT k.stream INTO v_owner FROM ${s}.idempotency_keys AS k WHERE k.key = p_claim;
    IF v_owner IS NOT NULL THEN
      RETURN QUERY SELECT ${outcome}, NULL::bigint, NULL::bigint[], v_owner;
      RETURN;
    END IF;
  END IF;

  v_events := p_events_text::jsonb;
  v_state := p_state_text::jsonb;
  v_count := jsonb_array_length(v_events);

  UPDATE ${s}.streams AS st
     SET version = st.version + v_count,
         state = COALESCE(v_state, st.state),
         state_version = CASE WHEN v_state IS NULL THEN st.state_version ELSE st.version + v_count END,
         head = p_head,
         head_version = CASE WHEN p_head IS NULL THEN NULL ELSE st.version + v_count END,
         updated_at = now()
   WHERE st.stream = p_stream AND (p_expected IS NULL OR st.version = p_expected)
  RETURNING st.version INTO v_version;

  IF v_version IS NULL AND (p_expected IS NULL OR p_expected = 0) THEN
    INSERT INTO ${s}.streams AS st (stream, version, state, state_version, head, head_version)
    VALUES (p_stream, v_count, v_state, CASE WHEN v_state IS NULL THEN 0 ELSE v_count END, p_head,
            CASE WHEN p_head IS NULL THEN NULL ELSE v_count END)
    ON CONFLICT (stream) DO NOTHING
    RETURNING st.version INTO v_version;
    IF v_version IS NULL THEN
      -- Another writer created the stream in the meantime: compare with what it wrote.
      UPDATE ${s}.streams AS st
         SET version = st.version + v_count,
             state = COALESCE(v_state, st.state),
             state_version = CASE WHEN v_state IS NULL THEN st.state_version ELSE st.version + v_count END,
             head = p_head,
             head_version = CASE WHEN p_head IS NULL THEN NULL ELSE st.version + v_count END,
             updated_at = now()
       WHERE st.stream = p_stream AND (p_expected IS NULL OR st.version = p_expected)
      RETURNING st.version INTO v_version;
    END IF;
  END IF;

  IF v_version IS NULL THEN
    -- The stream moved on. If the writer that moved it recorded this very key, it is that key's
    -- duplicate: a retry with a fresh version would only meet the key.
    IF p_claim IS NOT NULL THEN
      SELECT k.stream INTO v_owner FROM ${s}.idempotency_keys AS k WHERE k.key = p_claim;
      IF v_owner IS NOT NULL THEN
        RETURN QUERY SELECT ${outcome}, NULL::bigint, NULL::bigint[], v_owner;
        RETURN;
      END IF;
    END IF;
    SELECT st.version INTO v_version FROM ${s}.streams AS st WHERE st.stream = p_stream;
    RETURN QUERY SELECT 'version_conflict'::text, COALESCE(v_version, 0), NULL::bigint[], NULL::text;
    RETURN;
  END IF;

  WITH inserted AS (
    INSERT INTO ${s}.events (stream, version, type, data)
    SELECT p_stream, v_version - v_count + e.n,
           CASE WHEN jsonb_typeof(e.data -> 'type') = 'string' THEN e.data ->> 'type' END,
           e.data
      FROM jsonb_array_elements(v_events) WITH ORDINALITY AS e(data, n)
     ORDER BY e.n
    RETURNING global_position, version
  )
  SELECT array_agg(i.global_position ORDER BY i.version) INTO v_positions FROM inserted AS i;

  IF p_claim IS NOT NULL THEN
    INSERT INTO ${s}.idempotency_keys AS k (key, stream, position)
    VALUES (p_claim, p_stream, v_positions[1])
    ON CONFLICT (key) DO NOTHING;
    IF NOT FOUND THEN
      -- Claimed meanwhile by a writer of another stream. Raising undoes this whole call.
      SELECT k.stream INTO v_owner FROM ${s}.idempotency_keys AS k WHERE k.key = p_claim;
      RAISE EXCEPTION 'idempotency key already recorded' USING ERRCODE = 'BSK01', DETAIL = COALESCE(v_owner, '');
    END IF;
  END IF;

  RETURN QUERY SELECT 'ok'::text, v_version, COALESCE(v_positions, '{}'::bigint[]), NULL::text;
END;
$fn$;
`

/**
 * Version 3: a ledger write that is the only round trip of a notification (docs/architecture.md,
 * "PostgreSQL: one transaction per notification"). `streams.head` keeps a short token the writer
 * derives from the state it stores (the ledger's chain head) and `head_version` the stream version
 * it describes (a write by an older receiver leaves it behind: unknown), and `record_to_stream` is
 * `append_to_stream` plus two things: it stores that token with every write, and when the key is
 * recorded already it can count the duplicate on the owner in the same call, unless the owner's
 * head is the caller's `repeat_head` (then the caller decides: it may be a genuine repeat).
 * `append_to_stream` stays for receivers of an older version sharing the database.
 */
const v3: Migration = {
  version: 3,
  name: 'streams.head, record_to_stream',
  sql: (s) => `
ALTER TABLE ${s}.streams ADD COLUMN IF NOT EXISTS head text;
ALTER TABLE ${s}.streams ADD COLUMN IF NOT EXISTS head_version bigint;

-- Counts a duplicate of a recorded key on the stream that recorded it, unless the caller asked
-- not to (count = false) or the stream's head may make it a genuine repeat: unknown (NULL, or
-- written at another version than the stream's: a write without a head, or by append_to_stream,
-- came after it) or equal to repeat_head. True when it counted.
--
-- Called only by a transaction that writes nothing else, whose commit it makes asynchronous: a
-- count is a statistic, and waiting for the disk would make a duplicate cost as much as the
-- movement it repeats. A database crash may forget the last fraction of a second of counts; never
-- an event, a key or a state, which are committed synchronously.
CREATE OR REPLACE FUNCTION ${s}.count_recorded_duplicate(p_owner text, p_count boolean, p_repeat_head text)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
  IF NOT p_count THEN
    RETURN false;
  END IF;
  PERFORM set_config('synchronous_commit', 'off', true);
  UPDATE ${s}.streams AS st
     SET duplicates = st.duplicates + 1, last_duplicate_at = now()
   WHERE st.stream = p_owner
     AND (p_repeat_head IS NULL OR (st.head IS NOT NULL AND st.head_version = st.version AND st.head <> p_repeat_head));
  RETURN FOUND;
END;
$fn$;

${recordToStream(
  s,
  `CASE WHEN ${s}.count_recorded_duplicate(v_owner, p_count_duplicate, p_repeat_head)
                               THEN 'duplicate' ELSE 'key_conflict' END`,
)}`,
}

/**
 * Version 4: a duplicate whose count the caller keeps (docs/architecture.md, "PostgreSQL: one
 * transaction per notification"). `duplicate_outcome` answers what a write that met a recorded key
 * does about the count: with `p_count` true it counts it (as version 3 does: 'duplicate'); with
 * `p_count` NULL it writes nothing and says whether the owner's head allows counting it
 * ('countable'), so that a receiver counts duplicates in its process and writes the counts in
 * batches, and a duplicate costs the database a read; otherwise 'key_conflict'. `record_to_stream`
 * is version 3's with that outcome. A receiver of version 3 passes true or false and sees what it
 * saw; one of version 4 on a database still at version 3 passes NULL, which version 3's function
 * counts at once ('duplicate'), so nothing is counted twice.
 */
const v4: Migration = {
  version: 4,
  name: 'duplicate_outcome: a duplicate counted later',
  sql: (s) => `
CREATE OR REPLACE FUNCTION ${s}.duplicate_outcome(p_owner text, p_count boolean, p_repeat_head text)
RETURNS text
LANGUAGE plpgsql AS $fn$
BEGIN
  IF p_count IS NULL THEN
    PERFORM 1 FROM ${s}.streams AS st
     WHERE st.stream = p_owner
       AND (p_repeat_head IS NULL OR (st.head IS NOT NULL AND st.head_version = st.version AND st.head <> p_repeat_head));
    RETURN CASE WHEN FOUND THEN 'countable' ELSE 'key_conflict' END;
  END IF;
  RETURN CASE WHEN ${s}.count_recorded_duplicate(p_owner, p_count, p_repeat_head) THEN 'duplicate' ELSE 'key_conflict' END;
END;
$fn$;

${recordToStream(s, `${s}.duplicate_outcome(v_owner, p_count_duplicate, p_repeat_head)`)}`,
}

/**
 * Every migration, in order. {@link migrate} applies those a database has not had yet.
 *
 * @example
 * import { MIGRATIONS } from '@banksocket-webhooks/adapter-postgres'
 * const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version // 4
 */
export const MIGRATIONS: ReadonlyArray<Migration> = [v1, v2, v3, v4]

/**
 * The schema version this package's store needs.
 *
 * @example
 * import { SCHEMA_VERSION } from '@banksocket-webhooks/adapter-postgres'
 * SCHEMA_VERSION // 4
 */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0

/** First key of the advisory lock taken while migrating ('bskt'); the second is the schema's hash. */
const LOCK_CLASS = 0x62736b74

/**
 * Run first in each transaction of `migrate`: a migration may run long on a big table, and waiting for
 * another process's migration may too, whatever statement timeout the pool's sessions have. Only for
 * the transaction: the connection goes back to your pool as it was.
 */
const NO_STATEMENT_TIMEOUT = 'SET LOCAL statement_timeout = 0'

/**
 * Options of {@link migrate}.
 *
 * @example
 * import type { MigrateOptions } from '@banksocket-webhooks/adapter-postgres'
 * const options: MigrateOptions = { schema: 'banksocket' }
 */
export type MigrateOptions = Readonly<{
  /**
   * The PostgreSQL schema to create the tables in (created if missing).
   * @default 'banksocket'
   */
  schema?: string
}>

/**
 * What {@link migrate} did: the versions it applied now (empty when the schema was up to date) and
 * the version the schema is at.
 *
 * @example
 * import type { Migrated } from '@banksocket-webhooks/adapter-postgres'
 * const m: Migrated = { schema: 'banksocket', applied: [1, 2, 3], version: 3 }
 */
export type Migrated = Readonly<{ schema: string; applied: ReadonlyArray<number>; version: number }>

const runMigrations = async (
  pool: PoolLike,
  schema: string,
  secrets: ReadonlyArray<string>,
  limits: Limits,
): Promise<E.Either<StoreError, Migrated>> => {
  const q = quoteSchema(schema)
  let client: PoolClientLike
  try {
    client = await pool.connect()
  } catch (error) {
    return E.left(storeFailure(`migrating schema "${schema}" (connecting)`, error, secrets, schema, limits))
  }
  // A checked-out pg client has no pool listener: without one, a dropped connection would throw.
  const ignore = () => {}
  client.on?.('error', ignore)
  let broken: Error | undefined
  const applied: number[] = []
  let step = 'taking the migration lock'
  try {
    // Another process may be migrating a big table: wait for it whatever the pool's statement
    // timeout. A session lock taken inside a transaction outlives its end; SET LOCAL does not.
    await client.query('BEGIN')
    await client.query(NO_STATEMENT_TIMEOUT)
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, schema])
    await client.query('COMMIT')
    try {
      step = 'creating the schema'
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${q}`)
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${q}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      )
      step = 'reading applied migrations'
      const done = new Set((await client.query(`SELECT version FROM ${q}.schema_migrations`)).rows.map((r) => toSafeInteger(r['version'])))
      for (const migration of MIGRATIONS) {
        if (done.has(migration.version)) continue
        step = `applying migration ${migration.version} (${migration.name})`
        await client.query('BEGIN')
        try {
          await client.query(NO_STATEMENT_TIMEOUT)
          await client.query(migration.sql(q))
          await client.query(`INSERT INTO ${q}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name])
          await client.query('COMMIT')
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined)
          throw error
        }
        applied.push(migration.version)
        done.add(migration.version)
      }
      const version = Math.max(0, ...[...done].filter((v): v is number => v !== undefined))
      return E.right({ schema, applied, version })
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, schema]).catch((error: unknown) => {
        broken = error instanceof Error ? error : new Error(String(error))
      })
    }
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error))
    return E.left(storeFailure(`migrating schema "${schema}" (${step})`, error, secrets, schema, limits))
  } finally {
    client.removeListener?.('error', ignore)
    client.release(broken)
  }
}

/**
 * Creates or upgrades the store's schema: the tables, indexes and the append function, in the schema
 * named by `options.schema` (default `banksocket`). Idempotent: each version is applied once, in its
 * own transaction, and recorded in `<schema>.schema_migrations`; running it again applies nothing.
 * Safe when several processes run it at once (a session advisory lock per schema serialises them).
 * Give it a pool, or a connection string (a connection is opened and closed for it, with the URL's
 * `connect_timeout` or a 5 s connection timeout, and no statement timeout). A migration is never cut
 * by a statement timeout (each of its transactions turns it off for itself), nor is the wait for
 * another process's migration; a pool with a client-side `query_timeout` would cut them: migrate
 * with a connection string, or a pool without one. Throws a `TypeError` only for an invalid schema
 * name (an unreadable `connect_timeout` in the URL is a `StoreFailure`).
 *
 * @example
 * import pg from 'pg'
 * import { migrate } from '@banksocket-webhooks/adapter-postgres'
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * const migrated = await migrate(pool, { schema: 'banksocket' })()
 * // Right({ schema: 'banksocket', applied: [1, 2, 3], version: 3 }), then applied: [] on later runs
 */
export const migrate = (target: PoolLike | string, options: MigrateOptions = {}): TE.TaskEither<StoreError, Migrated> => {
  const schema = options.schema ?? DEFAULT_SCHEMA
  quoteSchema(schema)
  return async () => {
    if (typeof target !== 'string') return runMigrations(target, schema, [], timeoutsOfPool(target))
    const secret = passwordOf(target)
    const secrets = secret === undefined ? [] : [secret]
    let owned: ReturnType<typeof createOwnedPool>
    try {
      // No statement or query timeout for migrations (they may run long on a big table); the
      // connection timeout, from the URL's connect_timeout or the default, stays.
      owned = createOwnedPool({ connectionString: target, max: 1, statementTimeoutMillis: 0 })
    } catch (error) {
      return E.left(storeFailure(`migrating schema "${schema}" (opening a pool)`, error, secrets, schema))
    }
    try {
      return await runMigrations(owned.pool, schema, secrets, owned.timeouts)
    } finally {
      await owned.end().catch(() => undefined)
    }
  }
}
