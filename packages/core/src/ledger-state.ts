/**
 * The ledger state as JSON: what a shared store keeps beside a ledger's stream, so that a receiver
 * reads one row instead of folding the whole history. Bigints (balances, totals) travel as decimal
 * strings, `undefined` as `null`.
 *
 * @module
 */
import * as t from 'io-ts'
import type { Chain, Fragment } from './chain.ts'
import type { LedgerState } from './ledger.ts'

const BIGINT = /^-?\d{1,40}$/

/** A bigint as its decimal string (`"-1250"`), so that it survives JSON. */
const BigIntString = new t.Type<bigint, string, unknown>(
  'BigIntString',
  (u): u is bigint => typeof u === 'bigint',
  (u, c) =>
    typeof u === 'string' && BIGINT.test(u) ? t.success(BigInt(u)) : t.failure(u, c, 'expected an integer as a decimal string, such as "1810000"'),
  (b) => b.toString(),
)

const Count = new t.Type<number, number, unknown>(
  'Count',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c, 'expected a non-negative integer')),
  t.identity,
)

/** `undefined` in memory, `null` in JSON. */
const optional = <A, O>(codec: t.Type<A, O, unknown>, name: string) =>
  new t.Type<A | undefined, O | null, unknown>(
    name,
    (u): u is A | undefined => u === undefined || codec.is(u),
    (u, c) => (u === null || u === undefined ? t.success(undefined) : codec.validate(u, c)),
    (a) => (a === undefined ? null : codec.encode(a)),
  )

const FragmentCodec = t.type(
  {
    start: BigIntString,
    end: BigIntString,
    startKey: t.string,
    endKey: t.string,
    gapId: optional(Count, 'GapId'),
  },
  'Fragment',
)

const ChainCodec = t.type({ fragments: t.readonlyArray(FragmentCodec), nextGapId: Count }, 'Chain')

const LedgerStateJson = t.type(
  {
    accountId: optional(t.string, 'AccountId'),
    currency: optional(t.string, 'Currency'),
    chain: ChainCodec,
    count: Count,
    creditCount: Count,
    debitCount: Count,
    credits: BigIntString,
    debits: BigIntString,
    repeats: Count,
    duplicates: Count,
    suspectedReplays: Count,
    gapsDetected: Count,
    gapsAbandoned: Count,
  },
  'LedgerState',
)

/**
 * The JSON form of a {@link LedgerState}: bigints as decimal strings, absent values as `null`.
 *
 * @example
 * import { LedgerStateCodec, type LedgerStateJson } from '@banksocket-webhooks/core/store-kit'
 * const json: LedgerStateJson = LedgerStateCodec.encode(state)
 */
export type LedgerStateJson = Readonly<{
  accountId: string | null
  currency: string | null
  chain: Readonly<{
    fragments: ReadonlyArray<Readonly<{ start: string; end: string; startKey: string; endKey: string; gapId: number | null }>>
    nextGapId: number
  }>
  count: number
  creditCount: number
  debitCount: number
  credits: string
  debits: string
  repeats: number
  duplicates: number
  suspectedReplays: number
  gapsDetected: number
  gapsAbandoned: number
}>

/**
 * The io-ts codec of a ledger's state, for stores that keep it beside the stream (a shared store's
 * `stateCodec`): `encode` gives plain JSON (balances and totals as decimal strings), `decode`
 * validates it and gives back the same state, bigints and all. Round-trips exactly (a property
 * test says so).
 *
 * @example
 * import { LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
 * import { ledgerDecider } from '@banksocket-webhooks/core'
 * const json = JSON.stringify(LedgerStateCodec.encode(ledgerDecider().initialState))
 * LedgerStateCodec.decode(JSON.parse(json)) // Right(initialState)
 */
export const LedgerStateCodec: t.Type<LedgerState, LedgerStateJson, unknown> = new t.Type<LedgerState, LedgerStateJson, unknown>(
  'LedgerState',
  (u): u is LedgerState => LedgerStateJson.is(u),
  (u, c) => {
    const decoded = LedgerStateJson.validate(u, t.appendContext(c, '', LedgerStateJson))
    if (decoded._tag === 'Left') return decoded
    const s = decoded.right
    const fragments: Fragment[] = s.chain.fragments.map((f) => ({
      start: f.start,
      end: f.end,
      startKey: f.startKey,
      endKey: f.endKey,
      gapId: f.gapId,
    }))
    const chain: Chain = { fragments, nextGapId: s.chain.nextGapId }
    return t.success({ ...s, chain })
  },
  (state) => LedgerStateJson.encode(state),
)
