/** A Banksocket webhook receiver on Bun: Bun.serve hands each Request, body unread, to the fetch receiver. */
import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'

const secret = process.env.BANKSOCKET_SECRET
if (!secret) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')

const receiver = createFetchReceiver({ secrets: [secret], path: '/banksocket' })
  // tx.verified.amount is the exact string Banksocket sent ("1499.90"); tx.amount is exact money.
  .on('credit', (tx) => console.log(`credit ${tx.verified.amount} ${tx.verified.currency}: ${tx.verified.description}`))
  .on('gap', (gap) => console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`))

const server = Bun.serve({ port: Number(process.env.PORT ?? 3000), hostname: process.env.HOST ?? '127.0.0.1', fetch: receiver.fetch })
console.log(`listening on http://${server.hostname}:${server.port}`)

process.once('SIGTERM', async () => {
  await server.stop() // stops accepting, waits for the requests under way
  process.exit(0)
})
