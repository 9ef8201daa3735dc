/**
 * The laws of payments, for random expectations and credits (fast-check):
 *
 * - every credit ends somewhere: money applied to expectations + unmatched + ambiguous = total credited;
 * - where credits end does not depend on the order they arrive in (nor on running them concurrently);
 * - applying everything twice changes nothing, also after a restart on the same store.
 */
import { addMoney, createInMemoryEventStore, type EventStore, formatMoney, type Money, zero } from '@banksocket-webhooks/core'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type CreditTransaction, createPayments, creditTotals, type Payments, type PaymentsEvent, summarizePayments } from '../src/index.ts'
import { right } from './support/credits.ts'

type Order = Readonly<{ id: string; key: string; reference: string; amount: Money; accountId: string | null; cancelled: boolean }>

const currency = fc.constantFrom('TRY', 'TRY', 'TRY', 'USD')
const minor = (max: number) => fc.bigInt({ min: 1n, max: BigInt(max) })
/** Keys start with R, so that no noise word of a description (SN, 123, ODEME) can be one. */
const key = fc.stringMatching(/^R[0-9A-Z]{2,4}$/)

/** A reference as the business writes it, from its key. */
const referenceOf = (k: string, style: number): string =>
  style === 0 ? k : style === 1 ? `${k.slice(0, 2)}-${k.slice(2)}` : `${k.slice(0, 1)} ${k.slice(1).replaceAll('I', 'İ').replaceAll('S', 'Ş')}`

const orders = fc.uniqueArray(key, { minLength: 1, maxLength: 6 }).chain((keys) =>
  fc.tuple(
    ...keys.map((k, i) =>
      fc.record({
        id: fc.constant(`order-${i}`),
        key: fc.constant(k),
        reference: fc.integer({ min: 0, max: 2 }).map((style) => referenceOf(k, style)),
        amount: fc.tuple(minor(50_000), currency).map(([m, c]) => ({ minor: m, currency: c })),
        accountId: fc.constantFrom(null, null, '69', '70'),
        cancelled: fc.boolean().map((b) => b && i % 3 === 0),
      }),
    ),
  ),
)

/** How a customer types a key in a description: any case, separators inside, Turkish letters. */
const typed = (k: string) =>
  fc.constantFrom(
    k,
    k.toLowerCase(),
    `${k.slice(0, 1)}-${k.slice(1)}`,
    `${k.slice(0, 2)} ${k.slice(2).toLowerCase()}`,
    k.replaceAll('I', 'ı').replaceAll('S', 'ş'),
  )

const credits = (os: ReadonlyArray<Order>) =>
  fc
    .array(
      fc.record({
        names: fc.array(fc.oneof(fc.constantFrom(...os.map((o) => o.key)), key), { maxLength: 2 }).chain((ks) => fc.tuple(...ks.map(typed))),
        noise: fc.constantFrom('', 'SN:123 ', 'ödeme ', 'SN:9/2019 '),
        amount: minor(60_000),
        currency,
        accountId: fc.constantFrom('69', '70'),
      }),
      { maxLength: 14 },
    )
    .map((cs) =>
      cs.map(
        (c, i): CreditTransaction => ({
          idempotencyKey: `credit-${i}`,
          amount: { minor: c.amount, currency: c.currency },
          verified: { dc: 'Credit', description: `${c.noise}${c.names.join(' ve ')}`, currency: c.currency },
          unverified: { account_id: c.accountId },
        }),
      ),
    )

const scenario = orders.chain((os) => fc.tuple(fc.constant(os), credits(os)))

const openWith = async (store: EventStore<PaymentsEvent>, os: ReadonlyArray<Order>): Promise<Payments> => {
  const payments = right(await createPayments({ store })())
  for (const o of os) {
    right(
      await payments.expect({ id: o.id, reference: o.reference, amount: o.amount, ...(o.accountId === null ? {} : { accountId: o.accountId }) })(),
    )
    if (o.cancelled) right(await payments.cancel(o.id)())
  }
  return payments
}

/** Where everything ended, as the store says, in a form that does not depend on arrival order. */
const outcome = async (store: EventStore<PaymentsEvent>) => {
  const summary = summarizePayments(right(await store.readAll()()))
  return {
    expectations: [...summary.expectations.values()].map((e) => `${e.id} ${e.status} ${formatMoney(e.paid)} ${e.paid.currency}`).sort(),
    credits: [...summary.credits.values()].map((c) => `${c.credit.key} ${JSON.stringify(c.route)} ${c.applied}`).sort(),
  }
}

const run = async (os: ReadonlyArray<Order>, txs: ReadonlyArray<CreditTransaction>, concurrently = false) => {
  const store = createInMemoryEventStore<PaymentsEvent>()
  const payments = await openWith(store, os)
  if (concurrently) for (const r of await Promise.all(txs.map((tx) => payments.applyCredit(tx)()))) right(r)
  else for (const tx of txs) right(await payments.applyCredit(tx)())
  return { store, payments }
}

const sum = (ms: Iterable<Money>, c: string): Money => {
  let total = zero(c)
  for (const m of ms) if (m.currency === c) total = addMoney(total, m)
  return total
}

test('law: money applied + unmatched + ambiguous = total credited, per currency; every credit ends in exactly one place', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ([os, txs]) => {
      const { store } = await run(os, txs)
      const summary = summarizePayments(right(await store.readAll()()))
      assert.is(summary.credits.size, txs.length)
      const totals = creditTotals(summary)
      for (const c of ['TRY', 'USD']) {
        const credited = sum(
          txs.map((tx) => tx.amount),
          c,
        )
        const applied = sum(
          [...summary.expectations.values()].map((e) => e.paid),
          c,
        )
        const t = totals.get(c)
        const unmatched = t?.unmatched ?? zero(c)
        const ambiguous = t?.ambiguous ?? zero(c)
        assert.is(applied.minor + unmatched.minor + ambiguous.minor, credited.minor, `${c}: applied + unmatched + ambiguous`)
        assert.is(t?.pending.minor ?? 0n, 0n)
        assert.is(t?.applied.minor ?? 0n, applied.minor)
      }
    }),
    { numRuns: 150 },
  )
})

test('law: where credits end does not depend on the order they arrive in, nor on arriving at once', async () => {
  await fc.assert(
    fc.asyncProperty(
      scenario.chain(([os, txs]) =>
        fc.tuple(fc.constant(os), fc.constant(txs), fc.shuffledSubarray([...txs], { minLength: txs.length, maxLength: txs.length })),
      ),
      async ([os, txs, shuffled]) => {
        const inOrder = await outcome((await run(os, txs)).store)
        assert.equal(await outcome((await run(os, shuffled)).store), inOrder)
        assert.equal(await outcome((await run(os, shuffled, true)).store), inOrder)
      },
    ),
    { numRuns: 100 },
  )
})

test('law: applying everything twice changes nothing, in the same process or after a restart on the same store', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ([os, txs]) => {
      const { store, payments } = await run(os, txs)
      const once = right(await store.readAll()()).length
      const before = await outcome(store)
      for (const tx of txs) assert.ok(right(await payments.applyCredit(tx)()).replayed)
      const restarted = right(await createPayments({ store })())
      for (const tx of [...txs].reverse()) assert.ok(right(await restarted.applyCredit(tx)()).replayed)
      assert.is(right(await store.readAll()()).length, once)
      assert.equal(await outcome(store), before)
    }),
    { numRuns: 100 },
  )
})

test.run()
