/**
 * The laws of the balance chain (docs/architecture.md, "The balance chain"), as fast-check properties over
 * random chains on several accounts, in currencies with exponents 0 (JPY), 2 (TRY) and 3 (KWD):
 *
 * - any permutation of a complete chain, with re-deliveries, ends with no open gap, every movement
 *   recorded once, and the head equal to the chain's last balance;
 * - dropped movements delivered in chain order leave open gaps whose missing amounts sum to exactly
 *   what was dropped; in any order, one open gap per run of consecutive dropped movements, and
 *   none once the dropped ones arrive;
 * - a new inbox on the same store rebuilds the same state.
 *
 * The chain-level laws run the decider directly (thousands of runs); the same laws then run through
 * the whole inbox (signing, parsing, hashing, the key space) with fewer runs.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { gapsOf, headOf } from '../src/chain.ts'
import {
  createInbox,
  createInMemoryEventStore,
  encodeForm,
  fold,
  formatMoney,
  type LedgerEvent,
  type LedgerState,
  type LedgerSummary,
  ledgerDecider,
  ledgerStream,
  type SignedFields,
  sign,
  type TransactionReceived,
} from '../src/index.ts'

const SECRET = 'laws-secret'
const CURRENCIES = ['JPY', 'TRY', 'KWD'] as const

type Movement = Readonly<{ key: string; account: string; currency: string; dc: 'Credit' | 'Debit'; amount: bigint; balance: bigint }>
type Chain = Readonly<{ account: string; currency: string; opening: bigint; movements: ReadonlyArray<Movement> }>

/**
 * A chain whose balances are all distinct (so a re-delivery can never be taken for a genuine
 * repeat, and each link has one place): signed steps, skipping any step that would revisit a
 * balance. Balances may go negative (overdraft); amounts are positive.
 */
const chainArb = (account: string, currency: string, minLength: number) =>
  fc
    .record({
      opening: fc.bigInt({ min: -1_000_000n, max: 10_000_000n }),
      steps: fc.array(
        fc.bigInt({ min: -500_000n, max: 500_000n }).filter((n) => n !== 0n),
        { minLength, maxLength: 14 },
      ),
    })
    .map(({ opening, steps }): Chain => {
      const seen = new Set<bigint>([opening])
      const movements: Movement[] = []
      let balance = opening
      for (const step of steps) {
        const next = balance + step
        if (seen.has(next)) continue
        seen.add(next)
        const key = `${account}-${currency}-${movements.length}`
        movements.push({ key, account, currency, dc: step > 0n ? 'Credit' : 'Debit', amount: step > 0n ? step : -step, balance: next })
        balance = next
      }
      return { account, currency, opening, movements }
    })
    .filter((c) => c.movements.length >= minLength)

/** One to three ledgers, each an account in one of the three currencies. */
const ledgersArb = (minLength: number) =>
  fc
    .uniqueArray(fc.record({ account: fc.constantFrom('69', '70', '71'), currency: fc.constantFrom(...CURRENCIES) }), {
      minLength: 1,
      maxLength: 3,
      selector: (l) => `${l.account}-${l.currency}`,
    })
    .chain((ls) => fc.tuple(...ls.map((l) => chainArb(l.account, l.currency, minLength))))

const data = (m: Movement): TransactionReceived['data'] => ({
  idempotencyKey: m.key,
  receivedAt: '2026-11-29T10:00:00.000Z',
  hash: 'h',
  verified: {
    dc: m.dc,
    code: 'EFT',
    amount: formatMoney({ minor: m.amount, currency: m.currency }),
    balance: formatMoney({ minor: m.balance, currency: m.currency }),
    currency: m.currency,
    description: `SN:${m.key}`,
  },
  unverified: { account_id: m.account, account: '', bank: '', opponent_id: '', opponent_iban: '' },
})

/** Runs deliveries through the decider with the key space as the inbox keeps it. */
const runDecider = (deliveries: ReadonlyArray<Movement>) => {
  const decider = ledgerDecider()
  const states = new Map<string, LedgerState>()
  const recorded = new Set<string>()
  for (const m of deliveries) {
    const stream = ledgerStream(m.account, m.currency)
    const state = states.get(stream) ?? decider.initialState
    const command = recorded.has(m.key)
      ? ({ type: 'RecordTransaction', data: data(m), seen: 'recorded' } as const)
      : ({ type: 'RecordTransaction', data: data(m) } as const)
    const events = decider.decide(command, state)
    if (E.isLeft(events)) throw new Error(`refused: ${events.left.reason}`)
    for (const e of events.right) if (e.type === 'TransactionReceived') recorded.add(e.data.idempotencyKey)
    states.set(stream, fold(decider)(events.right, state))
  }
  return states
}

const permutation = <A>(items: ReadonlyArray<A>) =>
  fc.array(fc.nat(), { minLength: items.length, maxLength: items.length }).map((ranks) =>
    items
      .map((item, i) => ({ item, rank: ranks[i] ?? 0, i }))
      .sort((a, b) => a.rank - b.rank || a.i - b.i)
      .map((x) => x.item),
  )

/** Every movement, plus 0 to 5 re-deliveries of random movements, in a random order. */
const scrambledWithRedeliveries = (chains: ReadonlyArray<Chain>) => {
  const all = chains.flatMap((c) => c.movements)
  return fc.array(fc.constantFrom(...all), { maxLength: 5 }).chain((again) => permutation([...all, ...again]))
}

/** Interior drops only (the first and last movement of each chain stay: the ends of a chain have no neighbour to show a gap). */
const withDrops = (chain: Chain) =>
  fc
    .array(fc.boolean(), { minLength: chain.movements.length, maxLength: chain.movements.length })
    .map((flags) => chain.movements.map((m, i) => ({ m, dropped: i > 0 && i < chain.movements.length - 1 && (flags[i] ?? false) })))

const runsOf = (flags: ReadonlyArray<boolean>): number => flags.reduce((runs, f, i) => runs + (f && !(flags[i - 1] ?? false) ? 1 : 0), 0)

const signedMissing = (m: Movement): bigint => (m.dc === 'Credit' ? m.amount : -m.amount)

test('law: any permutation of complete chains, with re-deliveries, ends with no open gap, each movement once, head = last balance', () => {
  fc.assert(
    fc.property(
      ledgersArb(1).chain((chains) => fc.tuple(fc.constant(chains), scrambledWithRedeliveries(chains))),
      ([chains, deliveries]) => {
        const states = runDecider(deliveries)
        for (const c of chains) {
          const s = states.get(ledgerStream(c.account, c.currency))
          assert.ok(s !== undefined)
          assert.is(gapsOf(s.chain).length, 0)
          assert.is(s.count, c.movements.length)
          assert.is(headOf(s.chain), c.movements[c.movements.length - 1]?.balance)
        }
      },
    ),
    { numRuns: 1500 },
  )
})

test('law: dropped movements delivered in chain order leave gaps summing to exactly what was dropped', () => {
  fc.assert(
    fc.property(
      ledgersArb(3).chain((chains) => fc.tuple(...chains.map(withDrops))),
      (perChain) => {
        const deliveries = perChain.flatMap((c) => c.filter((x) => !x.dropped).map((x) => x.m))
        const states = runDecider(deliveries)
        for (const c of perChain) {
          const first = c[0]?.m as Movement
          const s = states.get(ledgerStream(first.account, first.currency)) as LedgerState
          const missing = gapsOf(s.chain).reduce((sum, g) => sum + (g.to - g.from), 0n)
          const dropped = c.filter((x) => x.dropped).reduce((sum, x) => sum + signedMissing(x.m), 0n)
          assert.is(missing, dropped)
          assert.is(gapsOf(s.chain).length, runsOf(c.map((x) => x.dropped)))
        }
      },
    ),
    { numRuns: 1500 },
  )
})

test('law: in any order, one open gap per run of dropped movements, and none once they arrive', () => {
  fc.assert(
    fc.property(
      ledgersArb(3)
        .chain((chains) => fc.tuple(...chains.map(withDrops)))
        .chain((perChain) => {
          const kept = perChain.flatMap((c) => c.filter((x) => !x.dropped).map((x) => x.m))
          const late = perChain.flatMap((c) => c.filter((x) => x.dropped).map((x) => x.m))
          return fc.tuple(fc.constant(perChain), permutation(kept), permutation(late))
        }),
      ([perChain, kept, late]) => {
        const before = runDecider(kept)
        for (const c of perChain) {
          const first = c[0]?.m as Movement
          const s = before.get(ledgerStream(first.account, first.currency)) as LedgerState
          assert.is(gapsOf(s.chain).length, runsOf(c.map((x) => x.dropped)))
        }
        const after = runDecider([...kept, ...late])
        for (const c of perChain) {
          const first = c[0]?.m as Movement
          const s = after.get(ledgerStream(first.account, first.currency)) as LedgerState
          assert.is(gapsOf(s.chain).length, 0)
          assert.is(headOf(s.chain), c[c.length - 1]?.m.balance)
        }
      },
    ),
    { numRuns: 1500 },
  )
})

test('law at length: a fully shuffled chain of 600 movements ends with no open gap and the right head', () => {
  fc.assert(
    fc.property(
      fc.array(fc.bigInt({ min: 1n, max: 1_000_000n }), { minLength: 600, maxLength: 600 }).chain((amounts) => {
        // strictly rising balances: every balance distinct, so every link has one place
        let balance = 0n
        const chain: Chain = {
          account: '69',
          currency: 'TRY',
          opening: 0n,
          movements: amounts.map((amount, n) => {
            balance += amount
            return { key: `long-${n}`, account: '69', currency: 'TRY', dc: 'Credit' as const, amount, balance }
          }),
        }
        return fc.tuple(fc.constant(chain), permutation(chain.movements))
      }),
      ([chain, deliveries]) => {
        const s = runDecider(deliveries).get(ledgerStream('69', 'TRY')) as LedgerState
        assert.equal([gapsOf(s.chain).length, s.count, s.gapsAbandoned, headOf(s.chain)], [0, 600, 0, chain.movements[599]?.balance])
      },
    ),
    { numRuns: 20 },
  )
})

const bodyOf = async (m: Movement): Promise<string> => {
  const d = data(m)
  const fields = { ...d.verified, account_id: m.account }
  const hash = await sign(fields as unknown as SignedFields, SECRET)()
  return encodeForm({ ...fields, hash })
}

const FORM = 'application/x-www-form-urlencoded'

const summaryFor = (summaries: ReadonlyMap<string, LedgerSummary>, c: Chain) => summaries.get(ledgerStream(c.account, c.currency))

test('law, through the inbox: scrambled complete chains with re-deliveries end gap-free; a new inbox on the same store agrees', async () => {
  await fc.assert(
    fc.asyncProperty(
      ledgersArb(1).chain((chains) => fc.tuple(fc.constant(chains), scrambledWithRedeliveries(chains), fc.nat())),
      async ([chains, deliveries, cut]) => {
        const store = createInMemoryEventStore<LedgerEvent>()
        const first = createInbox({ secrets: [SECRET], store })
        const at = deliveries.length === 0 ? 0 : cut % deliveries.length
        const tags: string[] = []
        for (const m of deliveries.slice(0, at)) tags.push((await first.deliver({ body: await bodyOf(m), contentType: FORM }, () => {}))._tag)
        // A restart: a second inbox on the same store takes over.
        const second = createInbox({ secrets: [SECRET], store })
        for (const m of deliveries.slice(at)) tags.push((await second.deliver({ body: await bodyOf(m), contentType: FORM }, () => {}))._tag)
        const total = chains.reduce((n, c) => n + c.movements.length, 0)
        assert.is(tags.filter((t) => t === 'accepted').length, total)
        assert.is(tags.filter((t) => t === 'duplicate').length, deliveries.length - total)
        const summaries = await second.ledgers()
        const rebuilt = await createInbox({ secrets: [SECRET], store }).ledgers()
        assert.ok(E.isRight(summaries) && E.isRight(rebuilt))
        for (const c of chains) {
          const s = summaryFor(summaries.right, c)
          assert.equal([s?.openGaps.length, s?.count, s?.balance?.minor], [0, c.movements.length, c.movements[c.movements.length - 1]?.balance])
          const r = summaryFor(rebuilt.right, c)
          assert.equal([r?.openGaps, r?.count, r?.balance, r?.credits, r?.debits], [s?.openGaps, s?.count, s?.balance, s?.credits, s?.debits])
        }
      },
    ),
    { numRuns: 150 },
  )
})

test('law, through the inbox: dropped movements in chain order leave gaps summing to what was dropped, closed when they arrive', async () => {
  await fc.assert(
    fc.asyncProperty(
      ledgersArb(3).chain((chains) => fc.tuple(...chains.map(withDrops))),
      async (perChain) => {
        const inbox = createInbox({ secrets: [SECRET] })
        for (const c of perChain) for (const x of c) if (!x.dropped) await inbox.deliver({ body: await bodyOf(x.m), contentType: FORM }, () => {})
        const before = await inbox.ledgers()
        assert.ok(E.isRight(before))
        for (const c of perChain) {
          const first = c[0]?.m as Movement
          const s = before.right.get(ledgerStream(first.account, first.currency))
          const missing = (s?.openGaps ?? []).reduce((sum, g) => sum + g.missing.minor, 0n)
          assert.is(
            missing,
            c.filter((x) => x.dropped).reduce((sum, x) => sum + signedMissing(x.m), 0n),
          )
        }
        for (const c of perChain) for (const x of c) if (x.dropped) await inbox.deliver({ body: await bodyOf(x.m), contentType: FORM }, () => {})
        const after = await inbox.ledgers()
        assert.ok(E.isRight(after))
        for (const c of perChain) {
          const first = c[0]?.m as Movement
          assert.is(after.right.get(ledgerStream(first.account, first.currency))?.openGaps.length, 0)
        }
      },
    ),
    { numRuns: 150 },
  )
})

test.run()
