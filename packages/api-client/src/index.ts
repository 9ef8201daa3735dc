/**
 * `@banksocket-webhooks/api-client`: the Banksocket management API client on ky, for every
 * runtime that has `fetch` (Web APIs only).
 *
 * - {@link createClient}: `createWebhook` and `deleteWebhook` as `TaskEither<ApiError, ...>`, input
 *   checked with the core codecs, answers decoded with io-ts, the token sent as `Authentication`.
 * - {@link ApiError}: `InvalidInput`, `TokenUnavailable`, `HttpError`, `NetworkError`, `Timeout`,
 *   `DecodeError`. No error ever contains the token.
 * - Retries: `DELETE` after network errors, 429 and 5xx (exponential backoff, `Retry-After`
 *   honoured); `POST` never, since a repeated POST could create a second webhook.
 * - {@link createSubscriptionService}: subscriptions as events (`WebhookCreated`,
 *   `WebhookDeleted`) through the core subscription decider; idempotent `ensureSubscribed`.
 * - {@link createPromiseClient}: the same client with Promises, rejecting with {@link ApiRequestError}.
 *
 * @example
 * import { createClient } from '@banksocket-webhooks/api-client'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as TE from 'fp-ts/lib/TaskEither.js'
 *
 * const client = createClient({ token: process.env.BANKSOCKET_TOKEN ?? '' })
 * const id = await pipe(
 *   client.createWebhook({ title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' }),
 *   TE.map((webhook) => webhook.id),
 * )()
 *
 * @packageDocumentation
 */
export { type BanksocketClient, createClient } from './client.ts'
export {
  type ApiError,
  type DecodeError,
  formatApiError,
  type HttpError,
  type InvalidInput,
  isForbidden,
  isUnauthorized,
  MAX_ERROR_BODY,
  type NetworkError,
  type Timeout,
  type TokenUnavailable,
} from './errors.ts'
export {
  type AttemptErrorEvent,
  type BodyEncoding,
  type ClientHooks,
  type ClientOptions,
  DEFAULT_BASE_URL,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT,
  type FetchLike,
  type RequestEvent,
  type ResponseEvent,
  type RetryEvent,
  type RetryPolicy,
  type TokenSource,
} from './options.ts'
export { ApiRequestError, createPromiseClient, type PromiseClient } from './promise.ts'
export {
  type CreatedNotRecorded,
  createSubscriptionService,
  type DeletedNotRecorded,
  MAX_RECORD_ATTEMPTS,
  type SubscriptionService,
  type SubscriptionServiceError,
  type SubscriptionServiceOptions,
} from './subscriptions.ts'
