/**
 * `@banksocket-webhooks/adapter-fetch`: the Banksocket webhook receiver as
 * `(request: Request) => Promise<Response>`, for Deno, Cloudflare Workers, Bun and any Fetch API
 * runtime, with typed events. Web APIs only.
 *
 * It also holds the runtime-neutral pieces every receiver shares (options, routing, typed events and
 * the listener dispatch), which the Node receiver (`@banksocket-webhooks/adapter-node-server`) reuses.
 *
 * @example
 * import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
 *
 * const receiver = createFetchReceiver({ secrets: [secret], path: '/banksocket' })
 * receiver.on('credit', async (tx) => {
 *   await orders.markPaid(tx.verified.description, tx.amount) // tx.amount: { minor: 10000n, currency: 'TRY' }
 * })
 * Deno.serve(receiver.fetch)
 *
 * @packageDocumentation
 */
export { type BodyProblem, bodyRejection, concatBytes, declaredTooLarge, readRequestBody } from './body.ts'
export { dispatchTo, notify, type ReceiverEmitter } from './dispatch.ts'
export type {
  BalanceGap,
  BalanceGapChange,
  DuplicateDelivery,
  ReceivedTransaction,
  ReceiverError,
  ReceiverEventName,
  ReceiverEvents,
  SuspectedReplayDelivery,
  Unobserved,
} from './events.ts'
export { createFetchReceiver, FetchReceiver, toResponse } from './fetch.ts'
export {
  createReceiver,
  pathnameOf,
  Receiver,
  type ReceiverOptions,
  type Route,
} from './receiver.ts'
