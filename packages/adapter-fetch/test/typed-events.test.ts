/**
 * The events are typed per name: TypeScript checks each listener's payload (`tsc -p tsconfig.json`
 * compiles this file; every `@ts-expect-error` below must be an error or the typecheck fails), and
 * at run time each listener gets the payload its type promises.
 */
import type { Money, Rejection } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createFetchReceiver,
  type BalanceGap,
  type DuplicateDelivery,
  type ReceivedTransaction,
  type ReceiverError,
} from '../src/index.ts'
import { encodings, SECRET, signed } from './support/encodings.ts'
import type { WireRequest } from './support/http.ts'

const post = (wire: WireRequest) =>
  new Request('http://receiver.test/', { method: 'POST', body: String(wire.body), headers: { 'content-type': wire.contentType ?? '' } })

const receiver = createFetchReceiver({ secrets: [SECRET] })

// Right payload types compile.
receiver.on('transaction', (tx: ReceivedTransaction) => void tx.verified.amount)
receiver.on('credit', (tx: ReceivedTransaction<'Credit'>) => void tx.amount.minor)
receiver.on('debit', async (tx) => {
  const dc: 'Debit' = tx.verified.dc
  void dc
})
receiver.on('duplicate', (d: DuplicateDelivery) => void d.event.data.idempotencyKey)
receiver.on('gap', (gap: BalanceGap) => {
  const missing: Money = gap.missing
  void missing
})
receiver.on('rejected', (r: Rejection) => void r._tag)
receiver.on('error', (e: ReceiverError) => void e._tag)

// @ts-expect-error a credit listener does not get debits
receiver.on('credit', (tx: ReceivedTransaction<'Debit'>) => void tx)
// @ts-expect-error a gap is not a transaction
receiver.on('gap', (tx: ReceivedTransaction) => void tx)
// @ts-expect-error a rejection is not a string
receiver.on('rejected', (r: string) => void r)
// @ts-expect-error money is exact: never a number
receiver.on('transaction', (tx) => void ((n: number) => n)(tx.amount.minor))
// @ts-expect-error the verified fields are read-only
receiver.on('transaction', (tx) => void (tx.verified.amount = '0'))
// @ts-expect-error no such event
receiver.on('transactions', () => {})
// @ts-expect-error emitting needs the right payload
receiver.emit('credit', { amount: '100.00' })
// @ts-expect-error listeners get no `this` context argument (dispatch calls them as plain functions)
receiver.on('error', () => {}, {})

test('each listener gets the payload its type promises, gap before transaction before credit', async () => {
  const seen: string[] = []
  const r = createFetchReceiver({ secrets: [SECRET] })
    .on('gap', (gap) => void seen.push(`gap ${gap.missing.minor} ${gap.missing.currency}`))
    .on('transaction', (tx) => void seen.push(`transaction ${tx.verified.dc} ${tx.amount.minor}`))
    .on('credit', (tx) => void seen.push(`credit ${tx.verified.dc}`))
    .on('debit', (tx) => void seen.push(`debit ${tx.verified.dc}`))
    .on('duplicate', (d) => void seen.push(`duplicate ${d.event.type}`))
  const deliver = async (overrides: Record<string, string>) => {
    return (await r.fetch(post(encodings.form(await signed(overrides))))).status
  }
  assert.is(await deliver({ amount: '100.00', balance: '1100.00', description: 'a' }), 200)
  assert.is(await deliver({ dc: 'Debit', amount: '0.50', balance: '1000.00', description: 'b' }), 200)
  assert.is(await deliver({ amount: '100.00', balance: '1100.00', description: 'a' }), 200)
  assert.equal(seen, [
    'transaction Credit 10000',
    'credit Credit',
    'gap -9950 TRY',
    'transaction Debit 50',
    'debit Debit',
    'duplicate DuplicateIgnored',
  ])
})

test('once listeners run once, like EventEmitter#emit', async () => {
  let calls = 0
  const r = createFetchReceiver({ secrets: [SECRET] }).once('transaction', () => void calls++)
  for (const description of ['x', 'y']) {
    await r.fetch(post(encodings.json(await signed({ description }))))
  }
  assert.is(calls, 1)
  assert.is(r.listenerCount('transaction'), 0)
})

test.run()
