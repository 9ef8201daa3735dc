/**
 * `@banksocket-webhooks/adapter-node-server`: the Banksocket webhook receiver for node:http and
 * Connect/Express, with typed events, a node:crypto hasher and a server with sensible timeouts.
 * It is a thin layer over the runtime-neutral receiver of `@banksocket-webhooks/adapter-fetch`, so
 * both answer exactly the same HTTP contract and emit the same events.
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
  SuspectedReplayDelivery,
  Unobserved,
} from '@banksocket-webhooks/adapter-fetch'
export { nodeSha256 } from './hash.ts'
export { readNodeBody } from './read.ts'
export {
  createNodeReceiver,
  DEFAULT_HEADERS_TIMEOUT,
  DEFAULT_REQUEST_TIMEOUT,
  type Middleware,
  NodeReceiver,
  type NodeReceiverOptions,
} from './receiver.ts'
