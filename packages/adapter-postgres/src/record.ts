/**
 * The ledger write: one statement (the schema's `record_to_stream`) that checks the stream's
 * version, appends the events, stores the state and its head beside the stream and claims the
 * idempotency key, or does none of it (a recorded key may be counted as a duplicate instead); and
 * `record`, the shared store's write made of it.
 *
 * @module
 */

import type { SerialQueue } from '@banksocket-webhooks/core/runtime-kit'
import type { ExpectedVersion, KeyConflict, RecordError, Recording } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Connection } from './connection.ts'
import { migrateHint } from './errors.ts'
import { sqlState } from './internal.ts'
import type { QueryResultLike } from './pool.ts'
import type { RowCodec } from './row-codec.ts'

/**
 * What a committed `record` answers: the stream's new version (what core's `SharedLedgerStore`
 * answers) and, beyond it, each event's global position, in the order of the events.
 *
 * @example
 * import type { RecordResult } from '@banksocket-webhooks/adapter-postgres'
 * const r: RecordResult = { nextVersion: 5, positions: [1041] }
 */
export type RecordResult = Readonly<{ nextVersion: number; positions: ReadonlyArray<number> }>

/**
 * Checks an expected version as every write takes it: a non-negative integer, `'no_stream'` or
 * `'any'`; anything else throws a `TypeError`.
 *
 * @internal
 * @example
 * checkExpected('no_stream') // fine
 * checkExpected(-1) // throws TypeError
 */
export const checkExpected = (expected: ExpectedVersion): void => {
  if (expected === 'any' || expected === 'no_stream') return
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new TypeError(`expected version must be a non-negative integer, 'no_stream' or 'any', got ${String(expected)}`)
  }
}

/**
 * What a ledger write adds to an append: the head token stored beside the state, and whether a
 * recorded key is counted as a duplicate in the same call (core's `Recording`).
 *
 * @internal
 */
type WriteExtras = Readonly<Pick<Recording<unknown, unknown>, 'head' | 'duplicate'>>

/**
 * Sends one write to the database and answers what it did: the events appended if the stream is at
 * `expected`, `state` stored beside the stream unless it is `undefined`, `claim` claimed unless it is
 * `undefined`, `extras.head` stored as the stream's head (unknown without it), and a recorded
 * `claim` counted as a duplicate when `extras.duplicate` asks. Never rejects.
 *
 * @internal
 * @example
 * const written: E.Either<RecordError, RecordResult> = await write('ledger-69-TRY', 0, [opened], undefined, undefined)
 */
export type Write<Ev, S> = (
  stream: string,
  expected: ExpectedVersion,
  events: ReadonlyArray<Ev>,
  state: S | undefined,
  claim: string | undefined,
  extras?: WriteExtras,
) => Promise<E.Either<RecordError, RecordResult>>

/**
 * Makes the write of a store on its connection.
 *
 * @internal
 * @example
 * const write = createWrite(connection, rows)
 * await write('ledger-69-TRY', 'no_stream', [opened], state, 'k-2f1c')
 */
export const createWrite = <Ev, S>(connection: Connection, rows: RowCodec<Ev, S>): Write<Ev, S> => {
  const { schema, q, query, refuse, failure } = connection
  // A plain append goes through version 1's function (a schema not migrated to version 3 still takes
  // it); a ledger write through version 3's, which keeps the head and may count a duplicate (or,
  // from version 4, say whether to count it later).
  const APPEND = `SELECT outcome, stream_version, positions, owner FROM ${q}.append_to_stream($1, $2, $3::jsonb, $4::jsonb, $5)`
  const RECORD = `SELECT outcome, stream_version, positions, owner FROM ${q}.record_to_stream($1, $2, $3, $4, $5, $6, $7, $8)`

  return async (stream, expected, events, state, claim, extras) => {
    const doing = `writing to ${stream}`
    try {
      const eventsJson = rows.encodeEvents(stream, events)
      const stateJson = state === undefined ? null : rows.encodeState(stream, state)
      const expectedParam = expected === 'any' ? null : expected === 'no_stream' ? 0 : expected
      let result: QueryResultLike
      try {
        const duplicate = extras?.duplicate
        result =
          extras === undefined
            ? await query(APPEND, [stream, expectedParam, eventsJson, stateJson, claim ?? null])
            : await query(
                RECORD,
                [
                  stream,
                  expectedParam,
                  eventsJson,
                  stateJson,
                  claim ?? null,
                  extras.head ?? null,
                  // true: count it now; NULL (schema version 4): say whether to count it, write nothing.
                  duplicate === undefined ? false : duplicate.later === true ? null : true,
                  duplicate?.unlessHead ?? null,
                ],
                'record',
              )
      } catch (error) {
        if (sqlState(error) === 'BSK01' && claim !== undefined) {
          const owner = (error as { detail?: unknown }).detail
          // Claimed meanwhile by another stream's writer: the call was undone, nothing counted.
          return E.left({ _tag: 'KeyConflict', key: claim, stream: typeof owner === 'string' ? owner : '' } satisfies KeyConflict)
        }
        throw error
      }
      const row = result.rows[0]
      if (row === undefined) return refuse(`${doing} failed: the database answered nothing${migrateHint(schema)}`)
      const version = () => rows.integer(row['stream_version'], `the version of ${stream}`)
      switch (row['outcome']) {
        case 'ok': {
          const positions = (Array.isArray(row['positions']) ? row['positions'] : []).map((p: unknown) =>
            rows.integer(p, `a global position written to ${stream}`),
          )
          return E.right({ nextVersion: version(), positions })
        }
        case 'version_conflict':
          return E.left({ _tag: 'VersionConflict', stream, expected, actual: version() })
        case 'key_conflict':
          return E.left({ _tag: 'KeyConflict', key: claim ?? '', stream: String(row['owner']) })
        case 'duplicate':
          return E.left({ _tag: 'KeyConflict', key: claim ?? '', stream: String(row['owner']), counted: true })
        case 'countable':
          return E.left({ _tag: 'KeyConflict', key: claim ?? '', stream: String(row['owner']), countable: true })
        default:
          return refuse(
            `${doing} failed: the database answered ${JSON.stringify(row['outcome'])}, which this store does not know${migrateHint(schema)}`,
          )
      }
    } catch (error) {
      return E.left(failure(doing, error))
    }
  }
}

/**
 * Makes `record` on a write and the store's per-stream queue: one ledger write, in one transaction,
 * reaching the database after every write to the stream started before it. A key recorded in ANY
 * stream is a `KeyConflict` naming that stream, whatever the version. Throws a `TypeError` for a bad
 * expected version or an empty claim.
 *
 * @internal
 * @example
 * const record = createRecord(createWrite(connection, rows), new SerialQueue())
 * await record('ledger-69-TRY', { expectedVersion: 0, events: [opened], state, claim: 'k-2f1c' })()
 */
export const createRecord =
  <Ev, S>(write: Write<Ev, S>, serial: SerialQueue) =>
  (stream: string, recording: Recording<Ev, S>): TE.TaskEither<RecordError, RecordResult> => {
    checkExpected(recording.expectedVersion)
    if (recording.claim !== undefined && recording.claim === '') throw new TypeError('record: claim must be a non-empty idempotency key')
    return () => serial.run(stream, () => write(stream, recording.expectedVersion, recording.events, recording.state, recording.claim, recording))
  }
