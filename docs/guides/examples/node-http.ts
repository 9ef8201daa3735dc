import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'

const secret = process.env.BANKSOCKET_SECRET
if (!secret) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')

// A durable ledger: deduplication and balance continuity survive restarts and deploys.
const opened = await openFileEventStore({ path: process.env.EVENTS_FILE ?? './banksocket-events.jsonl', codec: LedgerEvent })()
if (E.isLeft(opened)) throw new Error(`cannot open the event store: ${opened.left._tag}`)
const store = opened.right

const receiver = createNodeReceiver({ secrets: [secret], path: '/banksocket', store })
  .on('credit', async (tx) => {
    // Runs before the event is stored; throw (or reject) and Banksocket gets a 500 and retries.
    console.log(
      JSON.stringify({ credit: tx.verified.amount, currency: tx.verified.currency, reference: tx.verified.description, key: tx.idempotencyKey }),
    )
  })
  .on('gap', (gap) => console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`))
  .on('error', (error) => console.error(`banksocket receiver: ${error._tag}`))

const { address, port } = await receiver.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1')
console.log(`listening on http://${address}:${port}/banksocket`)

process.once('SIGTERM', async () => {
  await receiver.close() // stop accepting, finish the requests under way
  await store.close()() // flush, sync and release the file lock
  process.exit(0)
})
