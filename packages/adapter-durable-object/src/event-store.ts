/**
 * The event store of a Durable Object: core's `SharedLedgerStore` on the object's SQLite storage
 * (docs/architecture.md, "Stores and global positions"). Every write is one `transactionSync`
 * that checks the stream's version, appends the events, stores the state and its head beside the
 * stream and claims the idempotency key, or does none of it; the semantics are the PostgreSQL
 * store's (its `record_to_stream`), so the inbox's shared path runs on it unchanged.
 *
 * One object is one single-threaded writer, and the storage API is synchronous: a call runs to its
 * end when its task starts, so writes are applied in the order their tasks were started, and the
 * global position (the events table's INTEGER PRIMARY KEY) has no holes and no late commits.
 *
 * @module
 */
import type { StoredEvent, StoreError } from '@banksocket-webhooks/core'
import { problemsOf } from '@banksocket-webhooks/core/runtime-kit'
import {
  AppendWatchers,
  checkReadOptions,
  type ExpectedVersion,
  type KeyConflict,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordError,
  type Recording,
  type SharedLedgerStore,
  type StreamRead,
  type StreamState,
  unknownPosition,
  versionMatches,
} from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { schemaGuard } from './schema.ts'
import { type DurableObjectStorageLike, integerOf, type SqlValue, sqlFailure } from './sql.ts'

/**
 * How a value is written as JSON and read back: `encode` to a JSON value, `decode` (with its
 * checks) from one. An io-ts codec (`t.Type<A, unknown, unknown>`) is one, such as core's
 * `LedgerEvent` and `LedgerStateCodec`.
 *
 * @example
 * import * as E from 'fp-ts/lib/Either.js'
 * import type { DurableObjectCodec } from '@banksocket-webhooks/adapter-durable-object'
 * const Cents: DurableObjectCodec<bigint> = {
 *   encode: (cents) => cents.toString(),
 *   decode: (json) => (typeof json === 'string' && /^-?\d+$/.test(json) ? E.right(BigInt(json)) : E.left('not cents')),
 * }
 */
export type DurableObjectCodec<A> = Readonly<{
  encode: (value: A) => unknown
  decode: (json: unknown) => E.Either<unknown, A>
}>

/**
 * Options of {@link createDurableObjectEventStore}.
 *
 * @example
 * import { LedgerEvent, type LedgerState } from '@banksocket-webhooks/core'
 * import { LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
 * import type { DurableObjectEventStoreOptions } from '@banksocket-webhooks/adapter-durable-object'
 * const options: DurableObjectEventStoreOptions<LedgerEvent, LedgerState> = { codec: LedgerEvent, stateCodec: LedgerStateCodec }
 */
export type DurableObjectEventStoreOptions<Ev, S> = Readonly<{
  /**
   * The events' codec: `encode` on write, `decode` (and its checks) on read.
   * @default plain JSON: events stored as `JSON.stringify` writes them, read as `JSON.parse` gives them
   */
  codec?: DurableObjectCodec<Ev>
  /**
   * The codec of the state stored by `record` (core's `LedgerStateCodec` for the inbox's ledgers,
   * whose amounts are bigints: plain JSON cannot hold them).
   * @default plain JSON
   */
  stateCodec?: DurableObjectCodec<S>
}>

/**
 * What a committed `record` answers: the stream's new version and each event's global position, in
 * the order of the events.
 *
 * @example
 * import type { DurableObjectRecordResult } from '@banksocket-webhooks/adapter-durable-object'
 * const r: DurableObjectRecordResult = { nextVersion: 5, positions: [1041] }
 */
export type DurableObjectRecordResult = Readonly<{ nextVersion: number; positions: ReadonlyArray<number> }>

/**
 * Core's `SharedLedgerStore` in a Durable Object: `shared: true`, so an inbox in the object lets
 * the store decide (one key space across every ledger, the ledger's state kept beside its stream,
 * duplicates counted in the write). `record` answers each event's global position; `head` is the
 * last position; `watch` tells listeners in the object of each write through this store object.
 *
 * Every method answers a `TaskEither` that never rejects: a statement that throws (a full disk, a
 * table changed under the store) or a row its codec refuses is a `StoreFailure` saying what failed,
 * and nothing is reported as written unless its transaction committed. Bad arguments (a negative
 * version, a read limit out of range, an empty claim) throw a `TypeError` when the method is called.
 *
 * @example
 * import type { DurableObjectEventStore } from '@banksocket-webhooks/adapter-durable-object'
 * const ledger = (store: DurableObjectEventStore<unknown>) => store.readState('ledger-69-TRY')
 */
export interface DurableObjectEventStore<Ev, S = unknown> extends SharedLedgerStore<Ev, S> {
  /** Always `true`: the store decides, so the inbox takes its shared path. */
  readonly shared: true
  /**
   * One ledger write, in one transaction: checks the stream's version, appends the events, stores
   * the state and its head beside the stream and claims the idempotency key, or does none of it. A
   * key recorded in ANY stream is a `KeyConflict` naming that stream, whatever the version, and
   * counted there as a duplicate (`counted: true`) when `recording.duplicate` asks and that stream's
   * head allows it. Answers the new version and each event's global position.
   */
  record(stream: string, recording: Recording<Ev, S>): TE.TaskEither<RecordError, DurableObjectRecordResult>
  /** The position of the last event (0 for none): every event is in the feed once committed. */
  head(): TE.TaskEither<StoreError, number>
  /** Calls `onChange` after writes through this store object; answers the function that stops it. */
  watch(onChange: () => void): () => void
}

/** Checks an expected version as every write takes it; throws a `TypeError` otherwise. */
const checkExpected = (expected: ExpectedVersion): void => {
  if (expected === 'any' || expected === 'no_stream') return
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new TypeError(`expected version must be a non-negative integer, 'no_stream' or 'any', got ${String(expected)}`)
  }
}

const reasonOf = (error: unknown): string => {
  if (Array.isArray(error)) {
    return problemsOf(error as Parameters<typeof problemsOf>[0])
      .map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`))
      .join('; ')
  }
  return error instanceof Error ? error.message : String(error)
}

/** A JSON text column as the value it holds, or a throw naming `what`. */
const parseJson = (text: unknown, what: string): unknown => {
  if (typeof text !== 'string') throw new Error(`${what} read from storage is not JSON text`)
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new Error(`${what} read from storage is not valid JSON`)
  }
}

/** A value as the JSON value its codec writes and as JSON text, or a throw naming `what`. */
const jsonOf = <A>(
  value: A,
  codec: DurableObjectCodec<A> | undefined,
  what: string,
  codecName: string,
): Readonly<{ json: unknown; text: string }> => {
  let json: unknown
  let text: string | undefined
  try {
    json = codec === undefined ? value : codec.encode(value)
    text = JSON.stringify(json)
  } catch (error) {
    const hint = codec === undefined ? ` (a bigint, a Map, ... needs a ${codecName} that encodes it)` : ''
    throw new Error(`${what} could not be encoded as JSON: ${reasonOf(error)}${hint}`)
  }
  if (text === undefined) throw new Error(`${what} encodes to nothing (undefined): give ${codecName} an encode that answers JSON`)
  return { json, text }
}

type StreamRow = Readonly<{ version: number; state: string | null; state_version: number; duplicates: number }>

/**
 * Creates the event store of a Durable Object on its storage (`ctx.storage` of a class with SQLite
 * storage), creating or upgrading its tables first, synchronously (see `ensureSchema`): make it in
 * the object's constructor. A schema that cannot be created is not a throw: every call answers its
 * `StoreFailure`, and tries again. Several store objects on one storage share one truth (the
 * database); `watch` hears only the writes of its own store object.
 *
 * @example
 * import { LedgerEvent, type LedgerState } from '@banksocket-webhooks/core'
 * import { LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
 * import { createDurableObjectEventStore, type DurableObjectEventStore, type DurableObjectStorageLike } from '@banksocket-webhooks/adapter-durable-object'
 *
 * export class Ledger {
 *   readonly store: DurableObjectEventStore<LedgerEvent, LedgerState>
 *   constructor(ctx: { storage: DurableObjectStorageLike }) {
 *     this.store = createDurableObjectEventStore<LedgerEvent, LedgerState>(ctx.storage, { codec: LedgerEvent, stateCodec: LedgerStateCodec })
 *   }
 * }
 * // await store.record('ledger-69-TRY', { expectedVersion: 0, events, state, claim: key })()
 * // Right({ nextVersion: 1, positions: [1] }), or Left(KeyConflict | VersionConflict | StoreFailure)
 */
export const createDurableObjectEventStore = <Ev, S = unknown>(
  storage: DurableObjectStorageLike,
  options: DurableObjectEventStoreOptions<Ev, S> = {},
): DurableObjectEventStore<Ev, S> => {
  const { sql } = storage
  const { codec, stateCodec } = options
  const watchers = new AppendWatchers()
  /** Runs `body` once the schema is there; a throw is a `StoreFailure` saying what was being done. */
  const attempt = schemaGuard(storage)

  const eventOf = (data: unknown, stream: string, version: number): Ev => {
    const json = parseJson(data, `event ${stream}@${version}`)
    if (codec === undefined) return json as Ev
    const decoded = codec.decode(json)
    if (E.isLeft(decoded))
      throw new Error(`event ${stream}@${version} does not decode: ${reasonOf(decoded.left)} (does the codec fit the events stored?)`)
    return decoded.right
  }

  const stateOf = (row: StreamRow, stream: string): StreamState<S> => {
    let state: S | undefined
    if (row.state !== null) {
      const json = parseJson(row.state, `the state of ${stream}`)
      if (stateCodec === undefined) state = json as S
      else {
        const decoded = stateCodec.decode(json)
        if (E.isLeft(decoded)) {
          throw new Error(`the state of ${stream} does not decode: ${reasonOf(decoded.left)} (does stateCodec fit the states stored?)`)
        }
        state = decoded.right
      }
    }
    return {
      version: integerOf(row.version, `the version of ${stream}`),
      state,
      stateVersion: integerOf(row.state_version, `the version of the state of ${stream}`),
      duplicates: integerOf(row.duplicates, `the duplicates counted on ${stream}`),
    }
  }

  /** The events of a write, each as JSON text with its `type` (when it has a string one). */
  const encodeEvents = (stream: string, events: ReadonlyArray<Ev>): ReadonlyArray<Readonly<{ data: string; type: string | null }>> =>
    events.map((event) => {
      const { json, text } = jsonOf(event, codec, `an event for ${stream}`, 'codec')
      const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined
      return { data: text, type: typeof type === 'string' ? type : null }
    })

  /**
   * Counts a duplicate of a recorded key on `owner`, as PostgreSQL's `count_recorded_duplicate`:
   * only when asked, and unless `unlessHead` is given and the owner's head is unknown (none, or
   * written at another version than the stream's) or equal to it. True when it counted.
   */
  const countRecordedDuplicate = (owner: string, duplicate: Recording<Ev, S>['duplicate']): boolean => {
    if (duplicate === undefined) return false
    const unlessHead = duplicate.unlessHead ?? null
    return (
      sql
        .exec(
          `UPDATE banksocket_streams SET duplicates = duplicates + 1
            WHERE stream = ? AND (? IS NULL OR (head IS NOT NULL AND head_version = version AND head <> ?))
           RETURNING duplicates`,
          owner,
          unlessHead,
          unlessHead,
        )
        .toArray().length > 0
    )
  }

  /**
   * One write, inside a transaction: the events appended if the stream is at `expected`, `state`
   * (JSON text) stored unless `null`, `claim` claimed unless `undefined`. A `record` (`ledger`
   * given) also stores its head token, or leaves the head unknown without one, and may count a
   * recorded key as a duplicate; a plain append leaves the head where it was (then unknown, since
   * its version is behind).
   */
  const writeSync = (
    stream: string,
    expected: ExpectedVersion,
    events: ReadonlyArray<Readonly<{ data: string; type: string | null }>>,
    state: string | null,
    claim: string | undefined,
    ledger: Pick<Recording<Ev, S>, 'head' | 'duplicate'> | undefined,
  ): E.Either<RecordError, DurableObjectRecordResult> => {
    if (claim !== undefined) {
      const owner = sql.exec<{ stream: string }>('SELECT stream FROM banksocket_idempotency_keys WHERE key = ?', claim).toArray()[0]
      if (owner !== undefined) {
        const conflict: KeyConflict = { _tag: 'KeyConflict', key: claim, stream: String(owner.stream) }
        return E.left(countRecordedDuplicate(conflict.stream, ledger?.duplicate) ? { ...conflict, counted: true } : conflict)
      }
    }
    const row = sql.exec<{ version: number }>('SELECT version FROM banksocket_streams WHERE stream = ?', stream).toArray()[0]
    const current = row === undefined ? 0 : integerOf(row.version, `the version of ${stream}`)
    if (!versionMatches(expected, current)) return E.left({ _tag: 'VersionConflict', stream, expected, actual: current })
    const next = current + events.length
    const stateVersion = state === null ? null : next
    if (ledger === undefined) {
      if (row === undefined) {
        sql.exec('INSERT INTO banksocket_streams (stream, version, state, state_version) VALUES (?, ?, ?, ?)', stream, next, state, stateVersion ?? 0)
      } else {
        sql.exec(
          'UPDATE banksocket_streams SET version = ?, state = coalesce(?, state), state_version = coalesce(?, state_version) WHERE stream = ?',
          next,
          state,
          stateVersion,
          stream,
        )
      }
    } else {
      const head = ledger.head ?? null
      const headVersion = head === null ? null : next
      if (row === undefined) {
        sql.exec(
          'INSERT INTO banksocket_streams (stream, version, state, state_version, head, head_version) VALUES (?, ?, ?, ?, ?, ?)',
          stream,
          next,
          state,
          stateVersion ?? 0,
          head,
          headVersion,
        )
      } else {
        sql.exec(
          `UPDATE banksocket_streams
              SET version = ?, state = coalesce(?, state), state_version = coalesce(?, state_version), head = ?, head_version = ?
            WHERE stream = ?`,
          next,
          state,
          stateVersion,
          head,
          headVersion,
          stream,
        )
      }
    }
    const positions = events.map((event, i) => {
      const version = current + i + 1
      const inserted = sql
        .exec<{ position: number }>(
          'INSERT INTO banksocket_events (stream, version, type, data) VALUES (?, ?, ?, ?) RETURNING position',
          stream,
          version,
          event.type,
          event.data,
        )
        .one()
      return integerOf(inserted.position, `the global position of event ${stream}@${version}`)
    })
    if (claim !== undefined) {
      sql.exec('INSERT INTO banksocket_idempotency_keys (key, stream, position) VALUES (?, ?, ?)', claim, stream, positions[0] ?? null)
    }
    return E.right({ nextVersion: next, positions })
  }

  const readStream = (stream: string, readOptions?: ReadStreamOptions): TE.TaskEither<StoreError, StreamRead<Ev>> => {
    const { after, limit } = checkReadOptions('readStream', readOptions)
    return async () =>
      attempt(`reading the events of ${stream}`, () => {
        const row = sql.exec<{ version: number }>('SELECT version FROM banksocket_streams WHERE stream = ?', stream).toArray()[0]
        if (row === undefined) return E.right({ version: 0, events: [] })
        const events: Ev[] = []
        for (const found of sql.exec<{ version: number; data: string }>(
          'SELECT version, data FROM banksocket_events WHERE stream = ? AND version > ? ORDER BY version LIMIT ?',
          stream,
          after,
          limit ?? -1,
        )) {
          events.push(eventOf(found.data, stream, integerOf(found.version, `the version of an event of ${stream}`)))
        }
        return E.right({ version: integerOf(row.version, `the version of ${stream}`), events })
      })
  }

  const storedEventsOf = (query: string, ...bindings: SqlValue[]): StoredEvent<Ev>[] => {
    const events: StoredEvent<Ev>[] = []
    for (const row of sql.exec<{ position: number; stream: string; version: number; data: string }>(query, ...bindings)) {
      const stream = String(row.stream)
      const version = integerOf(row.version, `the version of an event of ${stream}`)
      events.push({
        stream,
        version,
        event: eventOf(row.data, stream, version),
        position: integerOf(row.position, `the global position of event ${stream}@${version}`),
      })
    }
    return events
  }

  const readAll = (readOptions?: ReadAllOptions): TE.TaskEither<StoreError, ReadonlyArray<StoredEvent<Ev>>> => {
    if (readOptions === undefined) {
      return async () =>
        attempt('reading every event of every stream', () =>
          E.right(storedEventsOf('SELECT position, stream, version, data FROM banksocket_events ORDER BY position')),
        )
    }
    const { after, limit } = checkReadOptions('readAll', readOptions)
    return async () =>
      attempt(after === 0 ? 'reading the feed from the start' : `reading the feed after position ${after}`, () => {
        if (after > 0 && sql.exec('SELECT 1 AS found FROM banksocket_events WHERE position = ?', after).toArray().length === 0) {
          return E.left(unknownPosition(after))
        }
        return E.right(
          storedEventsOf(
            'SELECT position, stream, version, data FROM banksocket_events WHERE position > ? ORDER BY position LIMIT ?',
            after,
            limit ?? -1,
          ),
        )
      })
  }

  const appendToStream = (
    stream: string,
    events: ReadonlyArray<Ev>,
    expected: ExpectedVersion,
  ): TE.TaskEither<StoreError, Readonly<{ nextVersion: number }>> => {
    checkExpected(expected)
    return async () => {
      const appended = attempt(`writing to ${stream}`, (): E.Either<StoreError, Readonly<{ nextVersion: number }>> => {
        if (events.length === 0) {
          const row = sql.exec<{ version: number }>('SELECT version FROM banksocket_streams WHERE stream = ?', stream).toArray()[0]
          const actual = row === undefined ? 0 : integerOf(row.version, `the version of ${stream}`)
          return versionMatches(expected, actual) ? E.right({ nextVersion: actual }) : E.left({ _tag: 'VersionConflict', stream, expected, actual })
        }
        const encoded = encodeEvents(stream, events)
        const written = storage.transactionSync(() => writeSync(stream, expected, encoded, null, undefined, undefined))
        if (E.isRight(written)) return E.right({ nextVersion: written.right.nextVersion })
        // A plain append claims no key, so a conflict is the version's.
        const error = written.left
        return E.left(error._tag === 'KeyConflict' ? sqlFailure(`writing to ${stream}`, 'a key conflict for an append that claimed no key') : error)
      })
      if (E.isRight(appended) && events.length > 0) watchers.notify()
      return appended
    }
  }

  const record = (stream: string, recording: Recording<Ev, S>): TE.TaskEither<RecordError, DurableObjectRecordResult> => {
    checkExpected(recording.expectedVersion)
    if (recording.claim !== undefined && recording.claim === '') throw new TypeError('record: claim must be a non-empty idempotency key')
    return async () => {
      const recorded = attempt(`writing to ${stream}`, () => {
        const encoded = encodeEvents(stream, recording.events)
        const state = recording.state === undefined ? null : jsonOf(recording.state, stateCodec, `the state of ${stream}`, 'stateCodec').text
        return storage.transactionSync(() => writeSync(stream, recording.expectedVersion, encoded, state, recording.claim, recording))
      })
      if (E.isRight(recorded)) watchers.notify()
      return recorded
    }
  }

  const readState =
    (stream: string): TE.TaskEither<StoreError, StreamState<S>> =>
    async () =>
      attempt(`reading the state of ${stream}`, () => {
        const row = sql
          .exec<StreamRow>('SELECT version, state, state_version, duplicates FROM banksocket_streams WHERE stream = ?', stream)
          .toArray()[0]
        return E.right(row === undefined ? { version: 0, state: undefined, stateVersion: 0, duplicates: 0 } : stateOf(row, stream))
      })

  const readStates =
    (prefix: string): TE.TaskEither<StoreError, ReadonlyMap<string, StreamState<S>>> =>
    async () =>
      attempt(`reading the state of every stream whose name starts with ${JSON.stringify(prefix)}`, () => {
        const states = new Map<string, StreamState<S>>()
        for (const row of sql.exec<StreamRow & { stream: string }>(
          'SELECT stream, version, state, state_version, duplicates FROM banksocket_streams WHERE substr(stream, 1, length(?)) = ? ORDER BY stream',
          prefix,
          prefix,
        )) {
          states.set(String(row.stream), stateOf(row, String(row.stream)))
        }
        return E.right(states)
      })

  const keyOwner =
    (key: string): TE.TaskEither<StoreError, string | undefined> =>
    async () =>
      attempt('looking up which ledger recorded a notification (its idempotency key)', () => {
        const row = sql.exec<{ stream: string }>('SELECT stream FROM banksocket_idempotency_keys WHERE key = ?', key).toArray()[0]
        return E.right(row === undefined ? undefined : String(row.stream))
      })

  const countDuplicate = (stream: string, count = 1): TE.TaskEither<StoreError, number> => {
    if (!Number.isSafeInteger(count) || count < 1) throw new TypeError(`countDuplicate: count must be a positive integer, got ${String(count)}`)
    return async () =>
      attempt(`counting a duplicate delivery on ${stream}`, () => {
        const row = sql
          .exec<{ duplicates: number }>(
            `INSERT INTO banksocket_streams (stream, duplicates) VALUES (?, ?)
             ON CONFLICT (stream) DO UPDATE SET duplicates = duplicates + excluded.duplicates
             RETURNING duplicates`,
            stream,
            count,
          )
          .one()
        return E.right(integerOf(row.duplicates, `the duplicates counted on ${stream}`))
      })
  }

  const head = (): TE.TaskEither<StoreError, number> => async () =>
    attempt('reading the position of the end of the feed', () =>
      E.right(
        integerOf(sql.exec<{ head: number }>('SELECT coalesce(max(position), 0) AS head FROM banksocket_events').one().head, 'the last position'),
      ),
    )

  return { shared: true, readStream, readAll, appendToStream, record, readState, readStates, keyOwner, countDuplicate, head, watch: watchers.watch }
}
