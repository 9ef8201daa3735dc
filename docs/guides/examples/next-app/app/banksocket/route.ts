/**
 * The Banksocket webhook route of a Next.js App Router app: POST /banksocket. A route handler gets
 * the standard Request, its body unread, and answers with the receiver's Response.
 */
import { createFetchReceiver, type FetchReceiver } from '@banksocket-webhooks/adapter-fetch'

let receiver: FetchReceiver | undefined // one per server process, made on the first notification (not at build time)
const receiverFor = (): FetchReceiver => {
  const secret = process.env.BANKSOCKET_SECRET
  if (!secret) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')
  return (receiver ??= createFetchReceiver({ secrets: [secret] })
    // tx.verified.amount is the exact string Banksocket sent ("1499.90"); tx.amount is exact money.
    .on('credit', (tx) => console.log(`credit ${tx.verified.amount} ${tx.verified.currency}: ${tx.verified.description}`))
    .on('gap', (gap) => console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`)))
}

/** Hands the untouched Request to the receiver: never `await request.formData()` or `request.json()` first. */
export async function POST(request: Request): Promise<Response> {
  return receiverFor().fetch(request)
}
