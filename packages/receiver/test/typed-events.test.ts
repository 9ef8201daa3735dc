/**
 * The events are typed per name: TypeScript checks each listener's payload (`tsc -p tsconfig.json`
 * compiles this file; every `@ts-expect-error` below must be an error or the typecheck fails), and
 * at run time each listener gets the payload its type promises.
 */
import type { Money, Rejection } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodings, SECRET, signed } from '../../test-support/src/encodings.ts'
import type { WireRequest } from '../../test-support/src/http.ts'
import {
  type BalanceGap,
  type BalanceGapChange,
  createReceiver,
  type DuplicateDelivery,
  type ReceivedTransaction,
  type ReceiverError,
  type ReceiverRequest,
  type SuspectedReplayDelivery,
  type Unobserved,
} from '../src/index.ts'

const post = (wire: WireRequest): ReceiverRequest => ({ method: 'POST', url: '/', contentType: wire.contentType, body: String(wire.body) })

const receiver = createReceiver({ secrets: [SECRET] })

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
  const r = createReceiver({ secrets: [SECRET] })
    .on('gap', (gap) => void seen.push(`gap ${gap.missing.minor} ${gap.missing.currency}`))
    .on('transaction', (tx) => void seen.push(`transaction ${tx.verified.dc} ${tx.amount.minor}`))
    .on('credit', (tx) => void seen.push(`credit ${tx.verified.dc}`))
    .on('debit', (tx) => void seen.push(`debit ${tx.verified.dc}`))
    .on('duplicate', (d) => void seen.push(`duplicate ${d.event.type}`))
  const deliver = async (overrides: Record<string, string>) => {
    return (await r.handle(post(encodings.form(await signed(overrides))))).status
  }
  assert.is(await deliver({ amount: '100.00', balance: '1100.00', description: 'a' }), 200)
  assert.is(await deliver({ dc: 'Debit', amount: '0.50', balance: '999.00', description: 'b' }), 200)
  assert.is(await deliver({ amount: '100.00', balance: '1100.00', description: 'a' }), 200)
  assert.equal(seen, [
    'transaction Credit 10000',
    'credit Credit',
    'gap -10050 TRY',
    'transaction Debit 50',
    'debit Debit',
    'duplicate DuplicateIgnored',
  ])
})

test('a late notification closes the gap it fills: transaction, then gap_closed naming the gap and the delivery', async () => {
  const seen: string[] = []
  const r = createReceiver({ secrets: [SECRET] })
    .on('gap', (gap) => void seen.push(`gap ${gap.gapId} ${gap.from.minor}->${gap.to.minor} missing ${gap.missing.minor}`))
    .on('transaction', (tx) => void seen.push(`transaction ${tx.verified.amount}${tx.repeat ? ' repeat' : ''}`))
    .on('gap_narrowed', (c) => void seen.push(`narrowed ${c.gapId} missing ${c.missing.minor}`))
    .on('gap_closed', (c: BalanceGapChange) => void seen.push(`closed ${c.gapId} by ${c.transaction.verified.amount} (was ${c.missing.minor})`))
  const deliver = async (overrides: Record<string, string>) => (await r.handle(post(encodings.form(await signed(overrides))))).status
  await deliver({ amount: '100.00', balance: '1100.00', description: 'a' })
  await deliver({ dc: 'Debit', amount: '30.00', balance: '1120.00', description: 'c' })
  await deliver({ amount: '20.00', balance: '1120.00', description: 'b1' })
  await deliver({ amount: '30.00', balance: '1150.00', description: 'b2' })
  await deliver({ amount: '10.00', balance: '1130.00', description: 'd' })
  assert.equal(seen, [
    'transaction 100.00',
    'gap 1 110000->115000 missing 5000',
    'transaction 30.00',
    'transaction 20.00',
    'narrowed 1 missing 3000',
    'transaction 30.00',
    'closed 1 by 30.00 (was 3000)',
    'transaction 10.00',
  ])
})

test('a credits-only receiver reports unseen debits as unobserved, not as a gap', async () => {
  const seen: string[] = []
  const r = createReceiver({ secrets: [SECRET], filter: 'NEW_CREDIT' })
    .on('gap', (gap) => void seen.push(`gap ${gap.missing.minor}`))
    .on('unobserved', (u: Unobserved) => void seen.push(`unobserved ${u.net.minor} ${u.filter}`))
  const deliver = async (overrides: Record<string, string>) => (await r.handle(post(encodings.form(await signed(overrides))))).status
  await deliver({ amount: '100.00', balance: '1100.00', description: 'a' })
  await deliver({ amount: '10.00', balance: '1060.00', description: 'b' })
  await deliver({ amount: '10.00', balance: '1500.00', description: 'c' })
  assert.equal(seen, ['unobserved -5000 NEW_CREDIT', 'gap 43000'])
})

test('a genuine repeat reaches transaction listeners marked repeat; a stale re-delivery is a duplicate', async () => {
  const seen: string[] = []
  const r = createReceiver({ secrets: [SECRET] })
    .on('transaction', (tx) => void seen.push(`${tx.verified.dc} ${tx.verified.amount}${tx.repeat ? ' repeat' : ''}`))
    .on('duplicate', () => void seen.push('duplicate'))
  const credit = await signed({ amount: '100.00', balance: '18100.00', description: 'SN:1 AIDAT' })
  const debit = await signed({ dc: 'Debit', amount: '100.00', balance: '18000.00', description: 'SN:1 AIDAT' })
  const statuses: string[] = []
  for (const fields of [credit, debit, credit, credit]) statuses.push((await r.handle(post(encodings.form(fields)))).body)
  assert.equal(seen, ['Credit 100.00', 'Debit 100.00', 'Credit 100.00 repeat', 'duplicate'])
  assert.equal(statuses, ['{"status":"ok"}', '{"status":"ok"}', '{"status":"ok"}', '{"status":"duplicate"}'])
})

test('an old notification replayed past the dedupe window is held back as suspected_replay', async () => {
  const seen: string[] = []
  const r = createReceiver({ secrets: [SECRET], dedupeWindow: 2 })
    .on('transaction', (tx) => void seen.push(`transaction ${tx.verified.description}`))
    .on('suspected_replay', (d: SuspectedReplayDelivery) => void seen.push(`suspected ${d.verified.description}`))
  const deliver = async (fields: Record<string, string>) => (await r.handle(post(encodings.form(fields)))).body
  const old = await signed({ amount: '100.00', balance: '1100.00', description: 'old' })
  await deliver(old)
  await deliver(await signed({ amount: '10.00', balance: '1110.00', description: 'n1' }))
  await deliver(await signed({ amount: '10.00', balance: '1120.00', description: 'n2' }))
  assert.is(await deliver(old), '{"status":"suspected_replay"}')
  assert.is(await deliver(old), '{"status":"duplicate"}')
  assert.equal(seen, ['transaction old', 'transaction n1', 'transaction n2', 'suspected old'])
})

test('once listeners run once, like EventEmitter#emit', async () => {
  let calls = 0
  const r = createReceiver({ secrets: [SECRET] }).once('transaction', () => void calls++)
  for (const description of ['x', 'y']) {
    await r.handle(post(encodings.json(await signed({ description }))))
  }
  assert.is(calls, 1)
  assert.is(r.listenerCount('transaction'), 0)
})

test.run()
