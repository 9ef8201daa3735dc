import { createFetchReceiver, type FetchReceiver } from '@banksocket-webhooks/adapter-fetch'

/** The Worker's bindings. Set the secret with `npx wrangler secret put BANKSOCKET_SECRET`. */
export interface Env {
  BANKSOCKET_SECRET: string
  /** While rotating: the previous secret, still accepted until every sender has the new one. */
  BANKSOCKET_PREVIOUS_SECRET?: string
}

// One receiver per isolate, made on the first request (bindings arrive with the request).
let receiver: FetchReceiver | undefined

const receiverFor = (env: Env): FetchReceiver =>
  (receiver ??= createFetchReceiver({
    secrets: env.BANKSOCKET_PREVIOUS_SECRET ? [env.BANKSOCKET_SECRET, env.BANKSOCKET_PREVIOUS_SECRET] : [env.BANKSOCKET_SECRET],
    path: '/banksocket',
  })
    .on('credit', (tx) => {
      // tx.verified: the fields the hash covers; tx.unverified: account, bank, opponent (not proof).
      console.log(`credit ${tx.verified.amount} ${tx.verified.currency} to account ${tx.unverified.account_id}: ${tx.verified.description}`)
    })
    .on('gap', (gap) => {
      console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`)
    }))

export default {
  fetch: (request: Request, env: Env): Promise<Response> => receiverFor(env).fetch(request),
}
