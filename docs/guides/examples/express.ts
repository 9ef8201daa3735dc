import type { AddressInfo } from 'node:net'
import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { createInMemoryEventStore, formatMoney } from '@banksocket-webhooks/core'
import { createPayments } from '@banksocket-webhooks/payments'
import express from 'express'
import * as E from 'fp-ts/lib/Either.js'

const secret = process.env.BANKSOCKET_SECRET
if (!secret) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')

// Orders paid by bank transfer: customers write the order number in the transfer description, and
// payments finds it however they typed it ("order 1001", "Order-1001"), with the exact amount.
const opened = await createPayments({ store: createInMemoryEventStore() })()
if (E.isLeft(opened)) throw new Error(`cannot open payments: ${opened.left._tag}`)
const payments = opened.right
await payments.expect({ id: 'ORDER-1001', reference: 'ORDER-1001', amount: { minor: 149990n, currency: 'TRY' } })()
await payments.expect({ id: 'ORDER-2002', reference: 'ORDER-2002', amount: { minor: 25000n, currency: 'TRY' } })()

// Only the fields the hash covers (description, amount, currency) decide which order a credit pays;
// a credit payments cannot store is answered 500, so Banksocket retries it.
const receiver = createNodeReceiver({ secrets: [secret] }).on('credit', payments.handleCredit)

const app = express()
app.post('/banksocket', receiver.middleware) // before any body parser: it reads the raw body itself
app.use(express.json())
app.get('/orders/:order/payment', (req, res) => {
  const order = payments.get(req.params.order)
  if (order === undefined || (order.status !== 'settled' && order.status !== 'overpaid')) return void res.json({ paid: false })
  res.json({ paid: true, amount: formatMoney(order.paid), currency: order.paid.currency })
})

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo
  console.log(`listening on http://${address}:${port}`)
})

process.once('SIGTERM', () => {
  server.close(async () => {
    await receiver.close() // waits for the deliveries under way
    process.exit(0)
  })
})
