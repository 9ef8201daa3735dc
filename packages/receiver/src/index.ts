/**
 * `@banksocket-webhooks/receiver`: the runtime-neutral Banksocket webhook receiver. One receiver
 * holds the whole pipeline (routing, body limit, verification, deduplication, the balance chain,
 * the store) and the typed events; each runtime adapter only translates its I/O to it and back:
 * `toFetchHandler(receiver)` (`@banksocket-webhooks/adapter-fetch`, for Deno, Workers, Bun),
 * `toNodeListener(receiver)` and `toNodeMiddleware(receiver)`
 * (`@banksocket-webhooks/adapter-node-server`, for node:http, Connect and Express). Web APIs only.
 *
 * @example
 * import { createReceiver } from '@banksocket-webhooks/receiver'
 *
 * const receiver = createReceiver({ secrets: [secret], path: '/banksocket' })
 * receiver.on('credit', async (tx) => {
 *   await orders.markPaid(tx.verified.description, tx.amount) // tx.amount: { minor: 10000n, currency: 'TRY' }
 * })
 * receiver.on('recorded', (r) => console.log(`${r.stream} at version ${r.events.at(-1)?.version}`))
 * const answer = await receiver.handle({ method: 'POST', url: '/banksocket', contentType, body })
 * answer.status // 200, with answer.headers and answer.body to write back
 *
 * @packageDocumentation
 */
export type { Recorded } from '@banksocket-webhooks/core/runtime-kit'
export { type BodyProblem, type BodyReader, bodyRejection, concatBytes, declaredTooLarge, readRequestBody } from './body.ts'
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
export {
  createReceiver,
  pathnameOf,
  Receiver,
  type ReceiverOptions,
  type ReceiverRequest,
  type Route,
} from './receiver.ts'
