/**
 * The ledger state codec (what a shared store keeps beside a ledger's stream): encode, JSON and
 * decode give back the same state, bigints, gaps and all; what is not a state is refused with a path.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { addLink, type Chain, emptyChain, linkOf } from '../src/chain.ts'
import { fold, type LedgerState, ledgerDecider } from '../src/index.ts'
import { emptyLedgerState } from '../src/ledger.ts'
import { LedgerStateCodec } from '../src/ledger-state.ts'
import { problemsOf } from '../src/receive.ts'

const minor = fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n })
const count = fc.nat({ max: 1_000_000 })

/** Chains as addLink builds them: random links, so fragments, gap ids and keys are realistic. */
const chain: fc.Arbitrary<Chain> = fc
  .array(
    fc.record({
      key: fc.string({ minLength: 1, maxLength: 12 }),
      credit: fc.boolean(),
      amount: fc.bigInt({ min: 1n, max: 10n ** 9n }),
      balance: minor,
    }),
    { maxLength: 30 },
  )
  .map((links) => links.reduce((c, l) => addLink(c, linkOf(l.key, l.credit ? 'Credit' : 'Debit', l.amount, l.balance)).chain, emptyChain))

const state: fc.Arbitrary<LedgerState> = fc.record({
  accountId: fc.option(fc.string(), { nil: undefined }),
  currency: fc.option(fc.constantFrom('TRY', 'USD', 'JPY', 'KWD'), { nil: undefined }),
  chain,
  count,
  creditCount: count,
  debitCount: count,
  credits: fc.bigInt({ min: 0n, max: 10n ** 25n }),
  debits: fc.bigInt({ min: 0n, max: 10n ** 25n }),
  repeats: count,
  duplicates: count,
  suspectedReplays: count,
  gapsDetected: count,
  gapsAbandoned: count,
})

const roundTrip = (s: LedgerState) => LedgerStateCodec.decode(JSON.parse(JSON.stringify(LedgerStateCodec.encode(s))))

test('encode, JSON.stringify, JSON.parse and decode give back the same state', () => {
  fc.assert(
    fc.property(state, (s) => {
      const back = roundTrip(s)
      assert.ok(E.isRight(back))
      assert.equal(back.right, { ...s }) // fast-check's records have no prototype
    }),
    { numRuns: 500 },
  )
})

test('the initial state round-trips, and encodes to plain JSON (bigints as strings, undefined as null)', () => {
  const json = LedgerStateCodec.encode(emptyLedgerState)
  assert.equal(json.credits, '0')
  assert.equal(json.accountId, null)
  assert.equal(roundTrip(emptyLedgerState), E.right(emptyLedgerState))
})

test('a state the decider built (gaps opened, then closed) round-trips and decides the same', () => {
  const ledger = ledgerDecider()
  const tx = (key: string, dc: 'Credit' | 'Debit', amount: string, balance: string) => ({
    type: 'RecordTransaction' as const,
    data: {
      idempotencyKey: key,
      receivedAt: '2025-01-01T00:00:00.000Z',
      hash: 'h',
      verified: { transaction_id: key, dc, amount, balance, currency: 'TRY', description: 'x', date: '2025-01-01' },
      unverified: { account_id: '69', account: 'a', bank: 'b', opponent_id: '', opponent_iban: '' },
    },
  })
  let s = ledger.initialState
  for (const c of [tx('a', 'Credit', '100.00', '1100.00'), tx('c', 'Debit', '30.00', '1120.00')]) {
    const events = ledger.decide(c as never, s)
    assert.ok(E.isRight(events))
    s = fold(ledger)(events.right, s)
  }
  assert.is(s.chain.fragments.length, 2)
  const back = roundTrip(s)
  assert.ok(E.isRight(back))
  assert.equal(back.right, s)
  assert.equal(
    ledger.decide(tx('b', 'Credit', '50.00', '1150.00') as never, back.right),
    ledger.decide(tx('b', 'Credit', '50.00', '1150.00') as never, s),
  )
})

test('what is not a ledger state is refused with the field path', () => {
  const json = LedgerStateCodec.encode(emptyLedgerState)
  const bad = LedgerStateCodec.decode({ ...json, credits: 12 })
  assert.ok(E.isLeft(bad))
  assert.match(
    problemsOf(bad.left)
      .map((p) => p.path)
      .join(','),
    'credits',
  )
  assert.ok(
    E.isLeft(
      LedgerStateCodec.decode({ ...json, chain: { fragments: [{ start: '1.5', end: '2', startKey: 'a', endKey: 'a', gapId: null }], nextGapId: 1 } }),
    ),
  )
})

test.run()
