// README: a receiver in an Express 5 app.
import express from 'express'
import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'

export const payments: Array<{ reference: string; kurus: bigint; from: string }> = []

const receiver = createNodeReceiver({ secrets: [process.env.BANKSOCKET_SECRET!] })
  .on('credit', async (tx) => void payments.push({ reference: tx.verified.description, kurus: tx.amount.minor, from: tx.unverified.opponent_iban }))

export const app: express.Express = express()
app.use(express.json(), express.urlencoded()) // optional: the middleware works before or after body parsers
app.post('/banksocket', receiver.middleware)
export const server = app.listen(Number(process.env.PORT ?? 3000))
