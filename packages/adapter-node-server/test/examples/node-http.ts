// README: a receiver on node:http.
import { createServer } from 'node:http'
import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'

export const paid = new Map<string, bigint>() // payment reference -> kuruş received

export const receiver = createNodeReceiver({ secrets: [process.env.BANKSOCKET_SECRET!], path: '/banksocket' })
  .on('credit', (tx) => void paid.set(tx.verified.description, tx.amount.minor))
  .on('gap', (gap) => console.warn(`${gap.event.data.missing} ${gap.currency} never notified on account ${gap.accountId}`))

export const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, receiver.requestListener)
  .listen(Number(process.env.PORT ?? 3000))
