/**
 * `@banksocket-webhooks/consumers`: act once on every recorded movement. A consumer reads a
 * store's feed by global position with a checkpoint in the same store (memory, file, PostgreSQL),
 * retries a failing handler with backoff and records what it gives up on; the forwarder is the
 * consumer most applications want: every recorded event POSTed to an application, signed as
 * Standard Webhooks, in order per account. Web APIs only.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * import { createConsumer, createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
 * const consumer = createConsumer({ name: 'audit', store: createInMemoryEventStore(), checkpoints: createInMemoryCheckpoints(), handle: (e) => console.log(e.position) })
 * await consumer.start()
 *
 * @packageDocumentation
 */
export { type Consumer, type ConsumerEvents, createConsumer } from './consumer.ts'
export type {
  BatchHandler,
  ConsumerCommonOptions,
  ConsumerFailure,
  ConsumerOptions,
  ConsumerStats,
  EventHandler,
  FeedSource,
  HandlerContext,
  PartitionContext,
  StartPoint,
} from './consumer-options.ts'
export { type InvalidDuration, parseDuration } from './durations.ts'
export { ConsumerEvent, ConsumerFailed, consumerStream, ForwardFailed, withConsumerEvents } from './failures.ts'
export { createForwarder, type ForwardCounts, type Forwarder, type ForwarderOptions, ForwardRejected } from './forwarder.ts'
export { createInMemoryCheckpoints } from './memory-checkpoints.ts'
export {
  directionOf,
  type ForwardMessage,
  type ForwardMessageType,
  forwardMessage,
  type GapLine,
  gapChangeLine,
  suspectedReplayLine,
  transactionLine,
  transactionLineJson,
  unobservedLine,
  webhookIdOf,
} from './messages.ts'
export { backoffDelay, DEFAULT_RETRY, type RetryPolicy, retryPolicy } from './retry.ts'
export {
  createWebhookSigner,
  type InvalidWebhookSecret,
  parseWebhookSecret,
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  type WebhookRequestHeaders,
  type WebhookSecret,
  type WebhookSigner,
  type WebhookVerificationFailure,
} from './standard-webhooks.ts'
