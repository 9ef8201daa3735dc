/**
 * `@banksocket-webhooks/adapter-node-server`: the Banksocket webhook receiver for node:http and
 * Connect/Express, with typed events, a node:crypto hasher and a server with sensible timeouts.
 * It only translates node:http to the runtime-neutral receiver of `@banksocket-webhooks/receiver`
 * (`toNodeListener(receiver)`, `toNodeMiddleware(receiver)`), so every receiver answers the same
 * HTTP contract and emits the same events. `createNodeReceiver(options)` is a receiver with these
 * bound, a node:crypto hasher and a server of its own. The receiver's types are re-exported.
 *
 * @example
 * import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
 *
 * const receiver = createNodeReceiver({ secrets: [process.env.BANKSOCKET_SECRET!], path: '/banksocket' })
 * receiver.on('credit', async (tx) => {
 *   await orders.markPaid(tx.verified.description, tx.amount) // tx.amount: { minor: 10000n, currency: 'TRY' }
 * })
 * receiver.on('gap', (gap) => alert(`${gap.event.data.missing} ${gap.currency} never notified`))
 * await receiver.listen(3000)
 * process.on('SIGTERM', () => void receiver.close())
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
export { nodeSha256 } from './hash.ts'
export { readNodeBody } from './read.ts'
export {
  createNodeReceiver,
  DEFAULT_HEADERS_TIMEOUT,
  DEFAULT_REQUEST_TIMEOUT,
  type Middleware,
  NodeReceiver,
  type NodeReceiverOptions,
  toNodeListener,
  toNodeMiddleware,
} from './receiver.ts'
