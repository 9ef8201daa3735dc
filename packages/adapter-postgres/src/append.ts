/**
 * Core's plain append (`appendToStream`) on the ledger write: no state stored, no key claimed. An
 * append of nothing only reads the stream's version and checks it; nothing is written.
 *
 * @module
 */
import type { StoreError } from '@banksocket-webhooks/core'
import type { SerialQueue } from '@banksocket-webhooks/core/runtime-kit'
import { type ExpectedVersion, versionMatches } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Connection, FRESH } from './connection.ts'
import { migrateHint } from './errors.ts'
import { checkExpected, type Write } from './record.ts'
import type { RowCodec } from './row-codec.ts'

/**
 * Makes `appendToStream` on a store's connection, write and per-stream queue: appends to one stream
 * reach the database in the order their tasks were started, as core's port promises. Throws a
 * `TypeError` for a bad expected version.
 *
 * @internal
 * @example
 * const appendToStream = createAppend(connection, rows, createWrite(connection, rows), new SerialQueue())
 * await appendToStream('ledger-69-TRY', [opened], 'no_stream')() // Right({ nextVersion: 1 })
 */
export const createAppend = <Ev, S>(connection: Connection, rows: Pick<RowCodec<Ev, S>, 'integer'>, write: Write<Ev, S>, serial: SerialQueue) => {
  const { schema, q, query, failure } = connection
  const READ_VERSION = `SELECT version, ${FRESH} FROM ${q}.streams WHERE stream = $1`

  const checkOnly = async (stream: string, expected: ExpectedVersion): Promise<E.Either<StoreError, Readonly<{ nextVersion: number }>>> => {
    try {
      const row = (await query(READ_VERSION, [stream])).rows[0]
      const actual = row === undefined ? 0 : rows.integer(row['version'], `the version of ${stream}`)
      return versionMatches(expected, actual) ? E.right({ nextVersion: actual }) : E.left({ _tag: 'VersionConflict', stream, expected, actual })
    } catch (error) {
      return E.left(failure(`reading the version of ${stream}`, error))
    }
  }

  /** A key conflict cannot answer a write that claimed no key, unless the schema is not this store's. */
  const unclaimedConflict = (stream: string): StoreError => ({
    _tag: 'StoreFailure',
    message: `PostgreSQL store: writing to ${stream} failed: the database answered a key conflict for an append that claimed no key${migrateHint(schema)}`,
  })

  return (stream: string, events: ReadonlyArray<Ev>, expected: ExpectedVersion): TE.TaskEither<StoreError, Readonly<{ nextVersion: number }>> => {
    checkExpected(expected)
    return () =>
      serial.run(stream, () =>
        events.length === 0
          ? checkOnly(stream, expected)
          : write(stream, expected, events, undefined, undefined).then(
              E.bimap(
                (e): StoreError => (e._tag === 'KeyConflict' ? unclaimedConflict(stream) : e),
                (r) => ({ nextVersion: r.nextVersion }),
              ),
            ),
      )
  }
}
