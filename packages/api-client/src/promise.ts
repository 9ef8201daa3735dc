/**
 * A Promise facade for code that does not use fp-ts: the same client, whose methods resolve with
 * the value or reject with an {@link ApiRequestError} carrying the typed {@link ApiError}.
 *
 * @module
 */
import type { CreateWebhookInput, DeleteWebhookResponse, Webhook } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { createClient } from './client.ts'
import { type ApiError, formatApiError } from './errors.ts'
import type { ClientOptions } from './options.ts'

/**
 * The rejection of a {@link PromiseClient} call. `error` is the typed {@link ApiError}; the message
 * is {@link formatApiError} of it. Neither contains the token.
 *
 * @example
 * import { ApiRequestError } from '@banksocket-webhooks/api-client'
 * try {
 *   await client.deleteWebhook(1233)
 * } catch (e) {
 *   if (e instanceof ApiRequestError && e.error._tag === 'HttpError') console.error(e.error.status)
 * }
 */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError'
  /** What went wrong, as data. */
  readonly error: ApiError

  constructor(error: ApiError) {
    super(formatApiError(error))
    this.error = error
  }
}

/**
 * The management API client with Promise methods.
 *
 * @example
 * import { createPromiseClient } from '@banksocket-webhooks/api-client'
 * const client: PromiseClient = createPromiseClient({ token: 'my-token' })
 */
export interface PromiseClient {
  /** `POST /webhooks`; see `BanksocketClient.createWebhook`. */
  createWebhook(input: CreateWebhookInput): Promise<Webhook>
  /** `DELETE /webhooks/:id`; see `BanksocketClient.deleteWebhook`. */
  deleteWebhook(id: number): Promise<DeleteWebhookResponse>
}

const run = async <A>(task: TE.TaskEither<ApiError, A>): Promise<A> => {
  const result = await task()
  if (E.isLeft(result)) throw new ApiRequestError(result.left)
  return result.right
}

/**
 * Creates a client whose methods return Promises. Same options, checks and behaviour as
 * {@link createClient}.
 *
 * @example
 * import { createPromiseClient } from '@banksocket-webhooks/api-client'
 * const client = createPromiseClient({ token: process.env.BANKSOCKET_TOKEN ?? '' })
 * const webhook = await client.createWebhook({ title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' })
 */
export const createPromiseClient = (options: ClientOptions): PromiseClient => {
  const client = createClient(options)
  return {
    createWebhook: (input) => run(client.createWebhook(input)),
    deleteWebhook: (id) => run(client.deleteWebhook(id)),
  }
}
