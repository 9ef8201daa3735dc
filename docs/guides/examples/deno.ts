import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'

const secret = Deno.env.get('BANKSOCKET_SECRET')
if (!secret) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')

// tx.verified: the exact strings the hash covers; tx.amount: exact money ({ minor: 25000n, currency: 'TRY' }).
const receiver = createFetchReceiver({ secrets: [secret], path: '/banksocket' })
  .on('credit', (tx) =>
    console.log(`credit ${tx.verified.amount} ${tx.verified.currency} to account ${tx.unverified.account_id}: ${tx.verified.description}`),
  )
  .on('debit', (tx) => console.log(`debit ${tx.verified.amount} ${tx.verified.currency} from account ${tx.unverified.account_id}`))
  .on('gap', (gap) => console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`))
  .on('rejected', (rejection) => console.warn(`refused: ${rejection._tag}`))

Deno.serve({ hostname: Deno.env.get('HOST') ?? '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 8000) }, receiver.fetch)
