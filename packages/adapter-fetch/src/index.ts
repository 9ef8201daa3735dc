/**
 * `@banksocket-webhooks/adapter-fetch`: the Banksocket webhook receiver as
 * `(request: Request) => Promise<Response>`, for Deno, Cloudflare Workers, Bun and any Fetch API
 * runtime, with typed events. Web APIs only.
 *
 * It only translates: `toFetchHandler(receiver)` turns a `Request` into the description the
 * runtime-neutral receiver of `@banksocket-webhooks/receiver` handles, and its answer into a
 * `Response`. `createFetchReceiver(options)` is both in one. The receiver's types are re-exported.
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
export type {
  BalanceGap,
  BalanceGapChange,
  DuplicateDelivery,
  ReceivedTransaction,
  ReceiverError,
  ReceiverEventName,
  ReceiverEvents,
  ReceiverOptions,
  Recorded,
  SuspectedReplayDelivery,
  Unobserved,
} from '@banksocket-webhooks/receiver'
// Moved to the receiver, where every adapter with a fetch API `Request` finds it; still exported here.
export { readRequestBody } from '@banksocket-webhooks/receiver'
export { createFetchReceiver, FetchReceiver, toFetchHandler, toResponse } from './fetch.ts'
