/**
 * The index of a long chain's fragments (`chain-index.ts`): it always counts exactly the fragments
 * of the array it is kept for, through every way a ledger moves its chain on (extend, prepend,
 * join, start, bridge, and giving up the oldest gap at the fragment limit), and a chain placed with
 * it is placed as one without it. The ledger at its limit, which gives up the oldest gap in one
 * step, ends where adding the link and then bridging does.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { addLink, type Chain, emptyChain, type Fragment, fitsChain, type Link, linkOf } from '../src/chain.ts'
import { INDEX_FROM, indexOf, tallyOf } from '../src/chain-index.ts'
import { placeLink } from '../src/chain-place.ts'
import { formatMoney, type LedgerState, ledgerDecider, type TransactionReceived, type WebhookEvent } from '../src/index.ts'
import { isUnobserved } from '../src/ledger.ts'
import { LedgerStateCodec } from '../src/ledger-state.ts'

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

/** A movement from `before` to `after` (never equal), as the ledger receives it. */
const movementData = (key: string, before: bigint, after: bigint): TransactionReceived['data'] =>
  after > before ? data(key, 'Credit', after - before, after) : data(key, 'Debit', before - after, after)

/**
 * Movements over a few hundred balances: most start a fragment of their own, so chains grow past
 * the index threshold, and enough of them meet that links extend, prepend to and join fragments.
 */
const balance = fc.bigInt({ min: 1000n, max: 1300n })
const movements = fc.array(
  fc.tuple(balance, balance).filter(([before, after]) => before !== after),
  { minLength: 100, maxLength: 400 },
)

/** The index of `fragments`, if it has one, counts exactly its fragments. */
const assertIndexExact = (fragments: ReadonlyArray<Fragment>): boolean => {
  const index = indexOf(fragments)
  if (index === undefined) return false
  const tally = tallyOf(fragments)
  assert.equal(new Map(index.ends), tally.ends)
  assert.equal(new Map(index.starts), tally.starts)
  return true
}

/** Every change a ledger's chain goes through for `moves`, each state after the last. */
const fold = (
  moves: ReadonlyArray<readonly [bigint, bigint]>,
  maxFragments: number,
  filter: WebhookEvent,
  each: (state: LedgerState, link: Link) => void,
) => {
  const decider = ledgerDecider({ maxFragments, filter })
  let state = decider.initialState
  moves.forEach(([before, after], i) => {
    const tx = movementData(`k${i}`, before, after)
    const decided = decider.decide({ type: 'RecordTransaction', data: tx }, state)
    if (E.isLeft(decided)) throw new Error('refused')
    for (const event of decided.right) state = decider.evolve(state, event)
    each(state, { key: tx.idempotencyKey, before, after })
  })
  return state
}

test('law: the index of a long chain counts exactly its fragments, whatever moved the chain on', () => {
  let indexed = 0
  fc.assert(
    fc.property(
      movements,
      fc.constantFrom(70, 100, 1000),
      fc.constantFrom<WebhookEvent>('NEW_TRANSACTION', 'NEW_CREDIT', 'NEW_DEBIT'),
      (moves, max, filter) => {
        fold(moves, max, filter, (state) => {
          if (assertIndexExact(state.chain.fragments)) indexed++
        })
      },
    ),
    { numRuns: 300, endOnFailure: true }, // shrinking 400 movements takes long: report the first failure
  )
  assert.ok(indexed > 10_000, `chains were indexed in ${indexed} states only`)
})

test('law: a link is placed with the index where it is placed without one', () => {
  fc.assert(
    fc.property(movements, fc.array(fc.tuple(balance, balance), { minLength: 20, maxLength: 20 }), (moves, probes) => {
      fold(moves, 100, 'NEW_TRANSACTION', (state) => {
        const fs = state.chain.fragments
        if (indexOf(fs) === undefined) return
        const plain = fs.slice() // a copy has no index: it is read whole
        assert.is(indexOf(plain), undefined)
        for (const [before, after] of probes) {
          const link: Link = { key: 'p', before, after }
          assert.equal(placeLink(fs, link), placeLink(plain, link))
          assert.is(fitsChain(state.chain, link), fitsChain({ fragments: plain, nextGapId: state.chain.nextGapId }, link))
        }
      })
    }),
    { numRuns: 150, endOnFailure: true },
  )
})

/** What a ledger did before it gave up the oldest gap in one step: add the link, then bridge. */
const bridgeModel = (chain: Chain, gapId: number): Chain => {
  const fs = chain.fragments
  let k = 1
  while (k < fs.length && (fs[k] as Fragment).gapId !== gapId) k++
  if (k >= fs.length) return chain
  const prev = fs[k - 1] as Fragment
  const cur = fs[k] as Fragment
  const next = fs.slice()
  next[k - 1] = { ...prev, end: cur.end, endKey: cur.endKey }
  next.splice(k, 1)
  return { fragments: next, nextGapId: chain.nextGapId }
}
const applyModel = (chain: Chain, link: Link, max: number, filter: WebhookEvent): Readonly<{ chain: Chain; abandoned: number }> => {
  let next = addLink(chain, link).chain
  let abandoned = 0
  while (next.fragments.length > max) {
    const fs = next.fragments
    let at = -1
    if (filter !== 'NEW_TRANSACTION')
      for (let k = 1; k < fs.length && at < 0; k++) if (isUnobserved(filter, (fs[k] as Fragment).start - (fs[k - 1] as Fragment).end)) at = k
    if (at < 0) {
      at = 1
      abandoned++
    }
    next = bridgeModel(next, (fs[at] as Fragment).gapId ?? 0)
  }
  return { chain: next, abandoned }
}

test('law: a ledger at its fragment limit ends where adding the link and then bridging ends', () => {
  fc.assert(
    fc.property(
      movements,
      fc.constantFrom(2, 3, 70, 100),
      fc.constantFrom<WebhookEvent>('NEW_TRANSACTION', 'NEW_CREDIT', 'NEW_DEBIT'),
      (moves, max, filter) => {
        let model: Chain = emptyChain
        let abandoned = 0
        fold(moves, max, filter, (state, link) => {
          const step = applyModel(model, link, max, filter)
          model = step.chain
          abandoned += step.abandoned
          assert.equal(state.chain, model)
          assert.is(state.gapsAbandoned, abandoned)
        })
      },
    ),
    { numRuns: 300, endOnFailure: true }, // shrinking 400 movements takes long: report the first failure
  )
})

test('a ledger whose every movement breaks the chain keeps 1,000 fragments, indexed, and gives up one gap a movement', () => {
  const moves: Array<readonly [bigint, bigint]> = []
  for (let i = 1; i <= 3000; i++) moves.push([BigInt(i) * 1_000_000n - 500n, BigInt(i) * 1_000_000n])
  const state = fold(moves, 1000, 'NEW_TRANSACTION', () => {})
  assert.is(state.chain.fragments.length, 1000)
  assert.is(state.gapsAbandoned, 2000)
  assert.is(state.gapsDetected, 2999)
  assert.ok(assertIndexExact(state.chain.fragments))
  assert.equal(state.chain.fragments[999], { start: 2_999_999_500n, end: 3_000_000_000n, startKey: 'k2999', endKey: 'k2999', gapId: 2999 })
})

test('an older chain keeps its answers after a newer one took its index over', () => {
  const moves: Array<readonly [bigint, bigint]> = []
  for (let i = 1; i <= 2 * INDEX_FROM; i++) moves.push([BigInt(i) * 100n - 50n, BigInt(i) * 100n])
  const decider = ledgerDecider()
  let state = decider.initialState
  const states: LedgerState[] = []
  moves.forEach(([before, after], i) => {
    const decided = decider.decide({ type: 'RecordTransaction', data: movementData(`k${i}`, before, after) }, state)
    if (E.isLeft(decided)) throw new Error('refused')
    for (const event of decided.right) state = decider.evolve(state, event)
    states.push(state)
  })
  const older = states[states.length - 5] as LedgerState
  assert.is(indexOf(older.chain.fragments), undefined) // handed over to the newer chains
  assert.ok(assertIndexExact(state.chain.fragments))
  for (const fs of [older.chain.fragments, state.chain.fragments]) {
    const last = fs[fs.length - 1] as Fragment
    const extendsLast: Link = { key: 'x', before: last.end, after: last.end + 1n }
    assert.equal(placeLink(fs, extendsLast), placeLink(fs.slice(), extendsLast))
    assert.equal(placeLink(fs, extendsLast), { end: fs.length - 1, start: -1 })
  }
  // Forking from the older state works on the older chain's own fragments.
  const forked = addLink(older.chain, { key: 'y', before: 100n, after: 150n }) // fills the first gap
  assert.is(forked.placement, 'joined')
  assert.is(forked.chain.fragments.length, older.chain.fragments.length - 1)
})

test('a chain decoded from a store row is read whole, and is indexed once it is extended movement after movement', () => {
  let chain: Chain = emptyChain
  for (let i = 1; i <= 2 * INDEX_FROM; i++) chain = addLink(chain, linkOf(`k${i}`, 'Credit', 50n, BigInt(i) * 100n)).chain
  const state: LedgerState = { ...ledgerDecider().initialState, chain }
  const decoded = LedgerStateCodec.decode(JSON.parse(JSON.stringify(LedgerStateCodec.encode(state))))
  if (E.isLeft(decoded)) throw new Error('did not decode')
  const fresh = decoded.right.chain
  assert.equal(fresh, chain)
  assert.is(indexOf(fresh.fragments), undefined)
  const once = addLink(fresh, linkOf('m1', 'Credit', 50n, 1_000_000n)).chain
  assert.is(indexOf(once.fragments), undefined) // what a shared store does per delivery: no index made
  const twice = addLink(once, linkOf('m2', 'Credit', 50n, 2_000_000n)).chain
  assert.ok(assertIndexExact(twice.fragments))
})

test.run()
