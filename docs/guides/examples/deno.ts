import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'

const secret = Deno.env.get('BANKSOCKET_SECRET')
if (!secret) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')

const receiver = createFetchReceiver({ secrets: [secret], path: '/banksocket' })

receiver.on('credit', (tx) => {
  // tx.amount is exact: { minor: 25000n, currency: 'TRY' }; tx.verified holds the strings as received.
  console.log(`credit ${tx.verified.amount} ${tx.verified.currency} to account ${tx.unverified.account_id}: ${tx.verified.description}`)
})
receiver.on('debit', (tx) => {
  console.log(`debit ${tx.verified.amount} ${tx.verified.currency} from account ${tx.unverified.account_id}`)
})
receiver.on('gap', (gap) => {
  console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`)
})
receiver.on('rejected', (rejection) => {
  console.warn(`refused: ${rejection._tag}`)
})

Deno.serve(
  { hostname: Deno.env.get('HOST') ?? '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 8000) },
  receiver.fetch,
)
