/**
 * `@banksocket-webhooks/adapter-http`: the Banksocket management API client on ky, for every
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
 * import { createClient } from '@banksocket-webhooks/adapter-http'
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
export { createClient, type BanksocketClient } from './client.ts'
export {
  formatApiError,
  isForbidden,
  isUnauthorized,
  MAX_ERROR_BODY,
  type ApiError,
  type DecodeError,
  type HttpError,
  type InvalidInput,
  type NetworkError,
  type Timeout,
  type TokenUnavailable,
} from './errors.ts'
export {
  DEFAULT_BASE_URL,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT,
  type AttemptErrorEvent,
  type BodyEncoding,
  type ClientHooks,
  type ClientOptions,
  type FetchLike,
  type RequestEvent,
  type ResponseEvent,
  type RetryEvent,
  type RetryPolicy,
  type TokenSource,
} from './options.ts'
export { ApiRequestError, createPromiseClient, type PromiseClient } from './promise.ts'
export {
  createSubscriptionService,
  MAX_RECORD_ATTEMPTS,
  type CreatedNotRecorded,
  type DeletedNotRecorded,
  type SubscriptionService,
  type SubscriptionServiceError,
  type SubscriptionServiceOptions,
} from './subscriptions.ts'
