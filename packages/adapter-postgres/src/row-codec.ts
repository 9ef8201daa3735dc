/**
 * How the store turns events and states into the JSON its rows hold and back: the io-ts codecs of
 * the options (or plain JSON without them), and the checks that refuse a row that is not what the
 * store wrote, naming where it is (stream and version) and never its content.
 *
 * @module
 */
import { problemsOf } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { toSafeInteger } from './internal.ts'

type Decode<A> = (value: unknown) => E.Either<string, A>

const decoderOf = <A>(codec: t.Type<A, unknown, unknown> | undefined): Decode<A> =>
  codec === undefined
    ? (value) => E.right(value as A)
    : (value) =>
        E.mapLeft((errors: t.Errors) =>
          problemsOf(errors)
            .map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`))
            .join('; '),
        )(codec.decode(value))

const encoderOf = <A>(codec: t.Type<A, unknown, unknown> | undefined) =>
  codec === undefined ? (value: A): unknown => value : (value: A): unknown => codec.encode(value)

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * Reads and writes the JSON of the store's rows. Every method leaves the running task through
 * `refuse` (a `StoreFailure`) when a value does not fit.
 *
 * @internal
 * @example
 * const rows: RowCodec<LedgerEvent, LedgerState> = createRowCodec({ codec: LedgerEvent, stateCodec: LedgerStateCodec }, connection.refuse)
 * const version = rows.integer(row['version'], 'the stream version')
 */
export type RowCodec<Ev, S> = Readonly<{
  /** A `bigint` column as a number, or a refusal naming `what` when it is not a safe integer. */
  integer: (value: unknown, what: string) => number
  /** The event in the `data` column of a row of `stream` at `version`. */
  eventOf: (row: Record<string, unknown>, stream: string, version: number) => Ev
  /** The state in the `state` column of the row of `stream` (`undefined` when none was stored). */
  stateOf: (row: Record<string, unknown>, stream: string) => S | undefined
  /** The events of a write to `stream`, as one JSON array. */
  encodeEvents: (stream: string, events: ReadonlyArray<Ev>) => string
  /** The state of a write to `stream`, as JSON. */
  encodeState: (stream: string, state: S) => string
}>

/**
 * Makes the row codec of a store from its options' codecs (none: plain JSON).
 *
 * @internal
 * @example
 * const rows = createRowCodec<{ type: string }, unknown>({}, connection.refuse)
 * rows.encodeEvents('ledger-69-TRY', [{ type: 'Opened' }]) // '[{"type":"Opened"}]'
 */
export const createRowCodec = <Ev, S>(
  codecs: Readonly<{ codec?: t.Type<Ev, unknown, unknown> | undefined; stateCodec?: t.Type<S, unknown, unknown> | undefined }>,
  refuse: (message: string) => never,
): RowCodec<Ev, S> => {
  const decodeEvent = decoderOf(codecs.codec)
  const encodeEvent = encoderOf(codecs.codec)
  const decodeState = decoderOf(codecs.stateCodec)
  const encodeState = encoderOf(codecs.stateCodec)

  const parseJson = (text: unknown, what: string): unknown => {
    if (typeof text !== 'string') return refuse(`${what} read from the database is not JSON text`)
    try {
      return JSON.parse(text) as unknown
    } catch {
      return refuse(`${what} read from the database is not valid JSON`)
    }
  }

  return {
    integer: (value, what) => toSafeInteger(value) ?? refuse(`${what} read from the database is not a safe integer: ${String(value)}`),

    eventOf: (row, stream, version) => {
      const decoded = decodeEvent(parseJson(row['data'], `event ${stream}@${version}`))
      if (E.isLeft(decoded)) return refuse(`event ${stream}@${version} does not decode: ${decoded.left} (does the codec fit the events stored?)`)
      return decoded.right
    },

    stateOf: (row, stream) => {
      if (row['state'] === null || row['state'] === undefined) return undefined
      const decoded = decodeState(parseJson(row['state'], `the state of ${stream}`))
      if (E.isLeft(decoded)) return refuse(`the state of ${stream} does not decode: ${decoded.left} (does stateCodec fit the states stored?)`)
      return decoded.right
    },

    encodeEvents: (stream, events) => {
      try {
        return JSON.stringify(events.map(encodeEvent))
      } catch (error) {
        const hint = codecs.codec === undefined ? ' (a bigint, a Map, ... needs a codec that encodes it)' : ''
        return refuse(`the events for ${stream} could not be encoded as JSON: ${reasonOf(error)}${hint}`)
      }
    },

    encodeState: (stream, state) => {
      try {
        const text = JSON.stringify(encodeState(state))
        return text === undefined
          ? refuse(`the state of ${stream} encodes to nothing (undefined): give stateCodec an encode that answers JSON`)
          : text
      } catch (error) {
        const hint = codecs.stateCodec === undefined ? ' (a bigint, a Map, ... needs a stateCodec that encodes it)' : ''
        return refuse(`the state of ${stream} could not be encoded as JSON: ${reasonOf(error)}${hint}`)
      }
    },
  }
}
