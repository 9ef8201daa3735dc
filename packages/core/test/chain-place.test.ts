/**
 * Where a link goes (`placeLink`, the search behind `addLink`): its one-pass search finds exactly
 * what the plain searches find, one end at a time, on chains whose balances repeat.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { addLink, type Fragment, type Link, linkOf } from '../src/chain.ts'
import { placeLink } from '../src/chain-place.ts'
import { fold, formatMoney, type LedgerEvent, ledgerDecider, type TransactionReceived } from '../src/index.ts'

/** The search as first written: the last fragment ending at `before`, then the one starting at `after`. */
const findEnd = (fs: ReadonlyArray<Fragment>, before: bigint): number => {
  for (let i = fs.length - 1; i >= 0; i--) if ((fs[i] as Fragment).end === before) return i
  return -1
}
const findStart = (fs: ReadonlyArray<Fragment>, after: bigint, endIndex: number): number => {
  const next = fs[endIndex + 1]
  if (endIndex >= 0 && next !== undefined && next.start === after) return endIndex + 1
  for (let i = 0; i < fs.length; i++) if (i !== endIndex && (fs[i] as Fragment).start === after) return i
  return -1
}
const modelPlace = (fs: ReadonlyArray<Fragment>, link: Link) => {
  let end = findEnd(fs, link.before)
  let start = findStart(fs, link.after, end)
  if (end >= 0 && start < 0) {
    for (let k = end - 1; k >= 0; k--) {
      if ((fs[k] as Fragment).end !== link.before) continue
      const joined = findStart(fs, link.after, k)
      if (joined >= 0) {
        end = k
        start = joined
        break
      }
    }
  }
  return { end, start }
}

/** Balances from a handful of values, so that ends and starts repeat and collide often. */
const balance = fc.bigInt({ min: 0n, max: 5n })
const fragments = fc
  .array(fc.record({ start: balance, end: balance }), { maxLength: 8 })
  .map((fs) => fs.map((f, i): Fragment => ({ start: f.start, end: f.end, startKey: `s${i}`, endKey: `e${i}`, gapId: i === 0 ? undefined : i })))

test('law: placeLink finds the fragments the plain one-end-at-a-time searches find', () => {
  fc.assert(
    fc.property(fragments, balance, balance, (fs, before, after) => {
      const link: Link = { key: 'k', before, after }
      assert.equal(placeLink(fs, link), modelPlace(fs, link))
    }),
    { numRuns: 20_000 },
  )
})

const data = (key: string, dc: 'Credit' | 'Debit', amount: bigint, after: bigint): TransactionReceived['data'] => ({
  idempotencyKey: key,
  receivedAt: '2026-12-07T10:00:00.000Z',
  hash: 'h',
  verified: {
    dc,
    code: 'EFT',
    amount: formatMoney({ minor: amount, currency: 'TRY' }),
    balance: formatMoney({ minor: after, currency: 'TRY' }),
    currency: 'TRY',
    description: key,
  },
  unverified: { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' },
})

const movement = fc.record({ dc: fc.constantFrom('Credit' as const, 'Debit' as const), amount: fc.bigInt({ min: 1n, max: 4n }), after: balance })

test('law: the gaps decide reports are the changes addLink makes to the chain evolve builds', () => {
  fc.assert(
    fc.property(fc.array(movement, { minLength: 1, maxLength: 12 }), (movements) => {
      const decider = ledgerDecider({ maxFragments: 4 })
      let state = decider.initialState
      movements.forEach((m, i) => {
        const tx = data(`k${i}`, m.dc, m.amount, m.after)
        const decided = decider.decide({ type: 'RecordTransaction', data: tx }, state)
        if (E.isLeft(decided)) throw new Error('refused')
        const changes = addLink(state.chain, linkOf(tx.idempotencyKey, m.dc, m.amount, m.after)).changes
        const gapEvents = decided.right.filter((e: LedgerEvent) => e.type !== 'TransactionReceived')
        assert.equal(
          gapEvents.map((e) => [e.type, 'gapId' in e.data ? e.data.gapId : undefined]),
          changes.map((c) => [{ opened: 'BalanceGapDetected', narrowed: 'BalanceGapNarrowed', closed: 'BalanceGapClosed' }[c._tag], c.gap.id]),
        )
        state = fold(decider)(decided.right, state)
      })
    }),
    { numRuns: 3_000 },
  )
})

test.run()
