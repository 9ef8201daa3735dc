/**
 * Reading streams: a stream's events with its version (`readStream`), its row with the state
 * stored beside it (`readState`), and the rows of every stream of a prefix (`readStates`, what
 * `inbox.ledgers()` lists). Each is one query.
 *
 * @module
 */
import type { StoreError } from '@banksocket-webhooks/core'
import { checkReadOptions, type ReadStreamOptions, type StreamRead, type StreamState } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Connection, FRESH } from './connection.ts'
import type { RowCodec } from './row-codec.ts'

/** The prefix of the ledgers' streams, as the inbox names them. */
const LEDGERS = 'ledger-'

/**
 * Makes the stream reads of a store on its connection. Bad options to `readStream` throw a
 * `TypeError` when it is called.
 *
 * @internal
 * @example
 * const { readState } = createStreamReads(connection, rows)
 * await readState('ledger-69-TRY')() // Right({ version: 4, state, stateVersion: 4, duplicates: 1 })
 */
export const createStreamReads = <Ev, S>(connection: Connection, rows: Omit<RowCodec<Ev, S>, 'encodeEvents' | 'encodeState'>) => {
  const { q, query, failure } = connection

  const READ_STREAM = `
    SELECT st.version AS stream_version, e.version, e.data::text AS data, ${FRESH}
      FROM ${q}.streams AS st
      LEFT JOIN LATERAL (
        SELECT ev.version, ev.data FROM ${q}.events AS ev
         WHERE ev.stream = st.stream AND ev.version > $2
         ORDER BY ev.version
         LIMIT $3
      ) AS e ON true
     WHERE st.stream = $1
     ORDER BY e.version`
  const READ_STATE = `SELECT version, state::text AS state, state_version, duplicates, ${FRESH} FROM ${q}.streams WHERE stream = $1`
  const READ_STATES = `SELECT stream, version, state::text AS state, state_version, duplicates, ${FRESH} FROM ${q}.streams WHERE starts_with(stream, $1) ORDER BY stream`

  const streamStateOf = (stream: string, row: Record<string, unknown>): StreamState<S> => {
    const state = rows.stateOf(row, stream)
    return {
      version: rows.integer(row['version'], `the version of ${stream}`),
      state,
      stateVersion: rows.integer(row['state_version'], `the version of the state of ${stream}`),
      duplicates: rows.integer(row['duplicates'], `the duplicates counted on ${stream}`),
    }
  }

  const readStream = (stream: string, options?: ReadStreamOptions): TE.TaskEither<StoreError, StreamRead<Ev>> => {
    const { after, limit } = checkReadOptions('readStream', options)
    return async () => {
      try {
        const found = (await query(READ_STREAM, [stream, after, limit ?? null])).rows
        const first = found[0]
        if (first === undefined) return E.right({ version: 0, events: [] })
        const events: Ev[] = []
        for (const row of found) {
          if (row['version'] === null) continue
          events.push(rows.eventOf(row, stream, rows.integer(row['version'], `the version of an event of ${stream}`)))
        }
        return E.right({ version: rows.integer(first['stream_version'], `the version of ${stream}`), events })
      } catch (error) {
        return E.left(failure(`reading the events of ${stream}`, error))
      }
    }
  }

  const readState =
    (stream: string): TE.TaskEither<StoreError, StreamState<S>> =>
    async () => {
      try {
        const row = (await query(READ_STATE, [stream], 'read_state')).rows[0]
        return E.right(row === undefined ? { version: 0, state: undefined, stateVersion: 0, duplicates: 0 } : streamStateOf(stream, row))
      } catch (error) {
        return E.left(failure(`reading the state of ${stream}`, error))
      }
    }

  const readStates =
    (prefix: string): TE.TaskEither<StoreError, ReadonlyMap<string, StreamState<S>>> =>
    async () => {
      try {
        const found = (await query(READ_STATES, [prefix])).rows
        return E.right(new Map(found.map((row) => [String(row['stream']), streamStateOf(String(row['stream']), row)] as const)))
      } catch (error) {
        const which = prefix === LEDGERS ? "the ledgers' state" : `the state of every stream whose name starts with ${JSON.stringify(prefix)}`
        return E.left(failure(`reading ${which}`, error))
      }
    }

  return { readStream, readState, readStates }
}
