import type { AddressInfo } from 'node:net'
import express from 'express'
import { Webhook } from 'standardwebhooks'

const secret = process.env.BANKSOCKET_FORWARD_SECRET
if (!secret) throw new Error('set BANKSOCKET_FORWARD_SECRET to the whsec_… secret banksocket forwards with')
const webhook = new Webhook(secret)

// Each event has its own webhook-id, the same on every redelivery: remember what was done (in your
// database, with a unique constraint, in a real application) and acknowledge a repeat at once.
const done = new Set<string>()

const app = express()
// The signature covers the exact body: read it as text, verify, then parse.
app.post('/banksocket', express.text({ type: 'application/json' }), (req, res) => {
  let message: { type: string; position: number; accountId?: string; amount?: string; currency?: string }
  try {
    message = webhook.verify(req.body, req.headers as Record<string, string>) as typeof message
  } catch {
    return void res.status(401).end() // not signed with our secret, or too old: never acted on
  }
  const id = req.header('webhook-id') as string
  if (!done.has(id)) {
    if (message.type === 'transaction')
      console.log(JSON.stringify({ id, account: message.accountId, amount: message.amount, currency: message.currency }))
    else console.log(JSON.stringify({ id, type: message.type }))
    done.add(id)
  }
  res.status(204).end() // a 2xx acknowledges; anything else is delivered again later
})

const server = app.listen(Number(process.env.PORT ?? 4000), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo
  console.log(`listening on http://${address}:${port}`)
})
process.once('SIGTERM', () => server.close(() => process.exit(0)))
