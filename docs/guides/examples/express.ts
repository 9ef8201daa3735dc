import express from 'express'
import type { AddressInfo } from 'node:net'
import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { formatMoney, type Money } from '@banksocket-webhooks/core'

const secret = process.env.BANKSOCKET_SECRET
if (!secret) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')

// Orders paid by bank transfer: customers write the order number in the transfer description.
const payments = new Map<string, Money>()

const receiver = createNodeReceiver({ secrets: [secret] }).on('credit', (tx) => {
  // The description is covered by the hash; the sender's name and IBAN (tx.unverified) are not.
  const order = /ORDER-\d+/.exec(tx.verified.description)?.[0]
  if (order !== undefined) payments.set(order, tx.amount)
})

const app = express()
app.post('/banksocket', receiver.middleware) // before any body parser: it reads the raw body itself
app.use(express.json())
app.get('/orders/:order/payment', (req, res) => {
  const paid = payments.get(req.params.order)
  res.json(paid === undefined ? { paid: false } : { paid: true, amount: formatMoney(paid), currency: paid.currency })
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
