import type { AddressInfo } from 'node:net'
import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { formatMoney, parseAmount } from '@banksocket-webhooks/core'
import { createPayments, type Expectation, PaymentsEvent } from '@banksocket-webhooks/payments'
import express from 'express'
import * as E from 'fp-ts/lib/Either.js'

const secret = process.env.BANKSOCKET_SECRET
if (!secret) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')

// Orders and payments are event streams in their own durable store: the store is the truth, so a
// credit applied before a restart is never applied again.
const opened = await openFileEventStore({ path: process.env.PAYMENTS_FILE ?? './payments.jsonl', codec: PaymentsEvent })()
if (E.isLeft(opened)) throw new Error(`cannot open the payments store: ${opened.left._tag}`)
const store = opened.right
const ready = await createPayments({ store })()
if (E.isLeft(ready)) throw new Error(`cannot read the payments store: ${ready.left._tag}`)
const payments = ready.right

payments
  .on('payment_settled', ({ expectation }) => console.log(JSON.stringify({ paid: expectation.id })))
  .on('payment_overpaid', ({ expectation, event }) => console.log(JSON.stringify({ overpaid: expectation.id, excess: event.data.excess })))
  .on('credit_unmatched', ({ credit, event }) =>
    console.warn(JSON.stringify({ review: credit.key, amount: event.data.amount, reason: event.data.reason, description: credit.description })),
  )
  .on('credit_ambiguous', ({ credit, event }) => console.warn(JSON.stringify({ review: credit.key, candidates: event.data.candidates })))

// Verified credits go to payments. If it cannot store the outcome, Banksocket gets a 500 and retries.
const receiver = createNodeReceiver({ secrets: [secret] }).on('credit', payments.handleCredit)

/** An order's payment state as JSON: exact amounts as decimal strings. */
const paymentOf = (e: Expectation) => ({
  order: e.id,
  reference: e.reference,
  status: e.status, // expected, partially_paid, settled, overpaid, cancelled or expired
  amount: formatMoney(e.amount),
  paid: formatMoney(e.paid),
  remaining: formatMoney(e.remaining),
  excess: formatMoney(e.excess),
  currency: e.amount.currency,
})

const app = express()
app.post('/banksocket', receiver.middleware) // before any body parser: it reads the raw body itself
app.use(express.json())

// A new order: the customer is told to write its number (the reference) in the transfer description.
app.post('/orders', async (req, res) => {
  const { order, amount } = (req.body ?? {}) as { order?: unknown; amount?: unknown }
  if (typeof order !== 'string' || typeof amount !== 'string') return void res.status(400).json({ error: 'expected { order, amount } as strings' })
  const money = parseAmount(amount, 'TRY')
  if (E.isLeft(money)) return void res.status(400).json({ error: 'invalid_amount', reason: money.left.reason })
  const expected = await payments.expect({ id: order, reference: order, amount: money.right })()
  if (E.isLeft(expected)) return void res.status(expected.left._tag === 'StoreFailed' ? 503 : 409).json({ error: expected.left._tag })
  res.status(201).json(paymentOf(expected.right))
})

app.get('/orders/:order/payment', (req, res) => {
  const expectation = payments.get(req.params.order)
  if (expectation === undefined) return void res.status(404).json({ error: 'unknown_order' })
  res.json(paymentOf(expectation))
})

// After review: send a credit that matched no order (or several) to one.
app.post('/credits/:credit/assign', async (req, res) => {
  const { order } = (req.body ?? {}) as { order?: unknown }
  if (typeof order !== 'string') return void res.status(400).json({ error: 'expected { order }' })
  const assigned = await payments.assignCredit(req.params.credit, order)()
  if (E.isLeft(assigned)) return void res.status(assigned.left._tag === 'StoreFailed' ? 503 : 409).json({ error: assigned.left._tag })
  res.json(assigned.right._tag === 'Applied' ? paymentOf(assigned.right.expectation) : { credit: req.params.credit, outcome: assigned.right._tag })
})

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo
  console.log(`listening on http://${address}:${port}`)
})

process.once('SIGTERM', () => {
  server.close(async () => {
    await receiver.close() // waits for the deliveries under way
    await store.close()() // flush, sync and release the file lock
    process.exit(0)
  })
})
