/// <reference types="node" />
/**
 * Payments on a durable store (the file store, Node): the store is the truth, so after a restart
 * (a new process opening the same file) old credits change nothing and the index comes back.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPayments, PaymentsEvent } from '../src/index.ts'
import { creditTx, money, right } from './support/credits.ts'

const withLog = async (body: (path: string) => Promise<void>) => {
  const dir = mkdtempSync(join(tmpdir(), 'bsw-payments-'))
  try {
    await body(join(dir, 'payments.jsonl'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** One process's life: open the log, open payments, do `work`, close the log. */
const life = async <A>(path: string, work: (payments: Awaited<ReturnType<typeof openPayments>>) => Promise<A>): Promise<A> => {
  const store = right(await openFileEventStore({ path, codec: PaymentsEvent })())
  try {
    return await work(await openPayments(store))
  } finally {
    right(await store.close()())
  }
}
const openPayments = async (store: Parameters<typeof createPayments>[0]['store']) => right(await createPayments({ store })())

test('across a restart on the file store, applying old credits again changes nothing and the index is rebuilt', async () => {
  await withLog(async (path) => {
    const credits = [
      creditTx({ key: 'k-settle', amount: '1499.90', description: 'SN:1 SİP1001' }),
      creditTx({ key: 'k-part', amount: '500.00', description: 'SN:2 sip-1002' }),
      creditTx({ key: 'k-none', amount: '42.00', description: 'SN:3 kira' }),
    ]
    const firstLife = await life(path, async (payments) => {
      right(await payments.expect({ id: 'order-1001', reference: 'SİP1001', amount: money('1499.90') })())
      right(await payments.expect({ id: 'order-1002', reference: 'SİP1002', amount: money('750.00') })())
      const outcomes = []
      for (const tx of credits) outcomes.push(right(await payments.applyCredit(tx)())._tag)
      return outcomes
    })
    assert.equal(firstLife, ['Applied', 'Applied', 'Unmatched'])

    await life(path, async (payments) => {
      assert.equal(
        payments.expectations().map((e) => [e.id, e.status]),
        [
          ['order-1001', 'settled'],
          ['order-1002', 'partially_paid'],
        ],
      )
      let emitted = 0
      for (const name of ['payment_settled', 'payment_partial', 'payment_overpaid', 'credit_unmatched', 'credit_ambiguous'] as const) {
        payments.on(name, () => void emitted++)
      }
      for (const tx of credits) assert.ok(right(await payments.applyCredit(tx)()).replayed)
      assert.is(emitted, 0)
      // and the rest of order-1002 settles it, in this life
      const rest = right(await payments.applyCredit(creditTx({ key: 'k-rest', amount: '250.00', description: 'SIP 1002' }))())
      assert.ok(rest._tag === 'Applied' && rest.expectation.status === 'settled')
    })

    const third = await life(path, async (payments) => payments.get('order-1002'))
    assert.equal([third?.status, third?.credits], ['settled', ['k-part', 'k-rest']])
  })
})

test.run()
