/**
 * Payments behind a real receiver (the fetch receiver, Web APIs only, so this file runs on Node and
 * Deno): signed notifications in, `receiver.on('credit', payments.handleCredit)`, typed payment
 * events out; a payments failure makes the receiver answer 500 so that Banksocket retries.
 */
import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
import { createInMemoryEventStore, type EventStore, encodeForm, sign } from '@banksocket-webhooks/core'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createPayments, type PaymentsEvent, type PaymentsEvents } from '../src/index.ts'
import { money, right } from './support/credits.ts'

const SECRET = 'whsec-ÇĞİÖŞÜ-payments'

/** A signed notification (a Credit unless `dc` says otherwise) as Banksocket POSTs it (form-encoded). */
const notification = async (amount: string, balance: string, description: string, secret = SECRET, dc = 'Credit'): Promise<Request> => {
  const fields = {
    dc,
    code: 'FAST',
    amount,
    balance,
    currency: 'TRY',
    description,
    account_id: '69',
    account: 'Kadıköy İşbank TL Hesabı',
    bank: 'Türkiye İş Bankası A.Ş.',
    opponent_id: '1234567890',
    opponent_iban: 'TR5600000111000022200023456',
  }
  const hash = await sign(fields, secret)()
  return new Request('http://localhost/banksocket', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeForm({ ...fields, hash }),
  })
}

const answer = async (response: Response) => ({ status: response.status, body: (await response.json()) as unknown })

const setUp = async (store: EventStore<PaymentsEvent> = createInMemoryEventStore()) => {
  const payments = right(await createPayments({ store })())
  right(await payments.expect({ id: 'order-1001', reference: 'SİP1001', amount: money('1499.90') })())
  right(await payments.expect({ id: 'order-1002', reference: 'SİP1002', amount: money('750.00') })())
  const receiver = createFetchReceiver({ secrets: [SECRET], path: '/banksocket' })
  receiver.on('credit', payments.handleCredit)
  const seen: Array<keyof PaymentsEvents> = []
  for (const name of ['payment_settled', 'payment_partial', 'payment_overpaid', 'credit_unmatched', 'credit_ambiguous'] as const) {
    payments.on(name, () => void seen.push(name))
  }
  return { payments, receiver, seen }
}

test('verified credits become payment events; a re-delivery is a duplicate and applies nothing', async () => {
  const { payments, receiver, seen } = await setUp()
  const first = await notification('1499.90', '19499.90', 'SN:1 SIP-1001 ödemesi')
  assert.equal(await answer(await receiver.fetch(first.clone())), { status: 200, body: { status: 'ok' } })
  assert.equal(await answer(await receiver.fetch(await notification('500.00', '19999.90', 'SN:2 sip 1002'))), { status: 200, body: { status: 'ok' } })
  assert.equal(await answer(await receiver.fetch(await notification('42.00', '20041.90', 'SN:3 kira'))), { status: 200, body: { status: 'ok' } })
  assert.equal(seen, ['payment_settled', 'payment_partial', 'credit_unmatched'])
  assert.equal(await answer(await receiver.fetch(first)), { status: 200, body: { status: 'duplicate' } })
  assert.equal(seen, ['payment_settled', 'payment_partial', 'credit_unmatched'])
  assert.is(payments.get('order-1001')?.status, 'settled')
  assert.equal(payments.get('order-1002')?.remaining, money('250.00'))
})

test('a forged notification is refused before payments sees it', async () => {
  const { payments, receiver, seen } = await setUp()
  assert.equal(await answer(await receiver.fetch(await notification('1499.90', '19499.90', 'SIP1001', 'forged'))), {
    status: 401,
    body: { error: 'invalid_hash' },
  })
  assert.equal(seen, [])
  assert.is(payments.get('order-1001')?.status, 'expected')
})

test('when payments cannot store the outcome the receiver answers 500, and the retry applies the credit once', async () => {
  const inner = createInMemoryEventStore<PaymentsEvent>()
  let down = false
  const store: EventStore<PaymentsEvent> = {
    ...inner,
    appendToStream: (stream, events, expected) =>
      down ? TE.left({ _tag: 'StoreFailure', message: 'database restarting' }) : inner.appendToStream(stream, events, expected),
  }
  const { payments, receiver, seen } = await setUp(store)
  const delivery = await notification('1499.90', '19499.90', 'SN:1 SIP1001')
  down = true
  assert.equal(await answer(await receiver.fetch(delivery.clone())), { status: 500, body: { error: 'handler_failed' } })
  assert.is(payments.get('order-1001')?.status, 'expected')
  down = false
  assert.equal(
    await answer(await receiver.fetch(delivery.clone())),
    { status: 200, body: { status: 'ok' } },
    'the receiver stored nothing on the 500, so the retry is new to it',
  )
  assert.equal(await answer(await receiver.fetch(delivery)), { status: 200, body: { status: 'duplicate' } })
  assert.equal(seen, ['payment_settled'])
  assert.is(payments.get('order-1001')?.credits.length, 1)
})

test('a genuine repeat (Credit 100 / Debit 100 / Credit 100, same description) is a second credit, applied once', async () => {
  const { payments, receiver } = await setUp()
  const instalment = await notification('100.00', '18100.00', 'SN:7 SIP1001 taksit')
  assert.equal(await answer(await receiver.fetch(instalment.clone())), { status: 200, body: { status: 'ok' } })
  assert.equal(await answer(await receiver.fetch(await notification('100.00', '18000.00', 'SN:8 iade', SECRET, 'Debit'))), {
    status: 200,
    body: { status: 'ok' },
  })
  // The same authenticated fields again, continuing the chain: the receiver records it as a repeat.
  assert.equal(await answer(await receiver.fetch(instalment.clone())), { status: 200, body: { status: 'ok' } })
  assert.equal(payments.get('order-1001')?.paid, money('200.00'))
  assert.equal(await answer(await receiver.fetch(instalment)), { status: 200, body: { status: 'duplicate' } })
  assert.equal(payments.get('order-1001')?.credits.length, 2)
})

test.run()
