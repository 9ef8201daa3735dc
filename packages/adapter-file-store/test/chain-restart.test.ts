/**
 * The balance chain survives restarts on the file store (issue 12's law): random chains over
 * several accounts (currencies with exponents 0, 2 and 3) are delivered in a scrambled order with
 * re-deliveries, the receiver stopping and reopening the store at random points; the ledgers it ends
 * with are the ones an uninterrupted in-memory run ends with, and they have no open gap.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInbox, encodeForm, formatMoney, LedgerEvent, type LedgerSummary, type SignedFields, sign } from '@banksocket-webhooks/core'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openFileEventStore } from '../src/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'bsw-chain-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

const SECRET = 'chain-restart-secret'
const FORM = 'application/x-www-form-urlencoded'

type Movement = Readonly<{ account: string; currency: string; dc: 'Credit' | 'Debit'; amount: bigint; balance: bigint; n: number }>

const chainArb = (account: string, currency: string) =>
  fc
    .record({
      opening: fc.bigInt({ min: 0n, max: 5_000_000n }),
      steps: fc.array(
        fc.bigInt({ min: -300_000n, max: 300_000n }).filter((x) => x !== 0n),
        { minLength: 1, maxLength: 10 },
      ),
    })
    .map(({ opening, steps }) => {
      const seen = new Set([opening])
      const out: Movement[] = []
      let balance = opening
      for (const step of steps) {
        if (seen.has(balance + step)) continue
        balance += step
        seen.add(balance)
        out.push({ account, currency, dc: step > 0n ? 'Credit' : 'Debit', amount: step > 0n ? step : -step, balance, n: out.length })
      }
      return out
    })

const scenario = fc.tuple(chainArb('69', 'TRY'), chainArb('70', 'JPY'), chainArb('71', 'KWD')).chain((chains) => {
  const all = chains.flat()
  return fc.tuple(
    fc.shuffledSubarray([...all, ...all.slice(0, 3)], {
      minLength: all.length + Math.min(3, all.length),
      maxLength: all.length + Math.min(3, all.length),
    }),
    fc.uniqueArray(fc.nat({ max: all.length + 3 }), { maxLength: 3 }),
    fc.constant(chains),
  )
})

const bodyOf = async (m: Movement): Promise<string> => {
  const fields = {
    dc: m.dc,
    code: 'EFT',
    amount: formatMoney({ minor: m.amount, currency: m.currency }),
    balance: formatMoney({ minor: m.balance, currency: m.currency }),
    currency: m.currency,
    description: `SN:${m.account}-${m.n}`,
    account_id: m.account,
  }
  return encodeForm({ ...fields, hash: await sign(fields as unknown as SignedFields, SECRET)() })
}

const view = (s: LedgerSummary | undefined) => s && { balance: s.balance, count: s.count, credits: s.credits, debits: s.debits, openGaps: s.openGaps }

let run = 0

test('law: restarts on the file store rebuild the same balance chains as an uninterrupted run', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ([deliveries, cuts, chains]) => {
      const path = join(dir, `events-${run++}.jsonl`)
      const bodies = await Promise.all(deliveries.map(bodyOf))
      const reference = createInbox({ secrets: [SECRET] })
      for (const body of bodies) await reference.deliver({ body, contentType: FORM }, () => {})
      let at = 0
      for (const cut of [...cuts.filter((c) => c < bodies.length).sort((a, b) => a - b), bodies.length]) {
        const opened = await openFileEventStore({ path, codec: LedgerEvent })()
        if (E.isLeft(opened)) throw new Error(opened.left.message)
        const inbox = createInbox({ secrets: [SECRET], store: opened.right })
        for (; at < cut; at++) await inbox.deliver({ body: bodies[at] as string, contentType: FORM }, () => {})
        await inbox.drain()
        const closed = await opened.right.close()()
        assert.ok(E.isRight(closed))
      }
      const reopened = await openFileEventStore({ path, codec: LedgerEvent })()
      if (E.isLeft(reopened)) throw new Error(reopened.left.message)
      const rebuilt = await createInbox({ secrets: [SECRET], store: reopened.right }).ledgers()
      const expected = await reference.ledgers()
      await reopened.right.close()()
      assert.ok(E.isRight(rebuilt) && E.isRight(expected))
      for (const chain of chains) {
        const first = chain[0]
        if (first === undefined) continue
        const stream = `ledger-${first.account}-${first.currency}`
        assert.equal(view(rebuilt.right.get(stream)), view(expected.right.get(stream)))
        assert.equal(rebuilt.right.get(stream)?.openGaps, [])
        assert.is(rebuilt.right.get(stream)?.balance?.minor, chain[chain.length - 1]?.balance)
      }
    }),
    { numRuns: 40 },
  )
})

test.run()
