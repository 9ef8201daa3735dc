import { createFetchReceiver, type FetchReceiver } from '@banksocket-webhooks/adapter-fetch'

/** The Worker's bindings: `npx wrangler secret put BANKSOCKET_SECRET` (and the previous one while rotating). */
export interface Env {
  BANKSOCKET_SECRET: string
  BANKSOCKET_PREVIOUS_SECRET?: string
}

let receiver: FetchReceiver | undefined // one per isolate, made on the first request (bindings come with it)
const receiverFor = (env: Env): FetchReceiver =>
  (receiver ??= createFetchReceiver({
    secrets: [env.BANKSOCKET_SECRET, ...(env.BANKSOCKET_PREVIOUS_SECRET ? [env.BANKSOCKET_PREVIOUS_SECRET] : [])],
    path: '/banksocket',
  })
    .on('credit', (tx) =>
      console.log(`credit ${tx.verified.amount} ${tx.verified.currency} to account ${tx.unverified.account_id}: ${tx.verified.description}`),
    )
    .on('gap', (gap) => console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`)))

export default { fetch: (request: Request, env: Env): Promise<Response> => receiverFor(env).fetch(request) }
