/**
 * The Banksocket management API client: create and delete webhooks, as `TaskEither`s typed by the
 * core codecs. Runs wherever `fetch` exists (Node 20+, Deno, Bun, Cloudflare Workers, browsers).
 *
 * @module
 */
import { CreateWebhookInput, CreateWebhookResponse, DeleteWebhookResponse, encodeForm, type Webhook, WebhookId } from '@banksocket-webhooks/core'
import { problemsOf } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import type { ApiError, InvalidInput } from './errors.ts'
import { type ClientOptions, normalizeOptions, type Settings } from './options.ts'
import { type Call, send } from './transport.ts'

/**
 * A management API client. Every method validates its input with the core codecs first (bad
 * input never leaves the process), and never throws: failures are {@link ApiError} values.
 *
 * @example
 * import { createClient } from '@banksocket-webhooks/api-client'
 * const client: BanksocketClient = createClient({ token: 'my-token' })
 */
export interface BanksocketClient {
  /**
   * `POST /webhooks`: registers a webhook and resolves with the one Banksocket created. Never
   * retried (a repeated POST could create a second webhook).
   */
  createWebhook(input: CreateWebhookInput): TE.TaskEither<ApiError, Webhook>
  /**
   * `DELETE /webhooks/:id`: deletes a webhook; resolves with `{ status: 'success' }`. Retried after
   * a network error, 429 or 5xx, per the client's retry policy.
   */
  deleteWebhook(id: number): TE.TaskEither<ApiError, DeleteWebhookResponse>
}

const invalidInput = (errors: t.Errors): InvalidInput => ({ _tag: 'InvalidInput', problems: problemsOf(errors) })

const invalidId: InvalidInput = {
  _tag: 'InvalidInput',
  problems: [{ path: 'id', message: 'expected a positive integer webhook id' }],
}

/**
 * Checks a webhook id with the core `WebhookId` codec (a positive integer; `"7"` is 7).
 *
 * @internal
 */
export const decodeWebhookId = (id: unknown): E.Either<InvalidInput, number> => E.mapLeft(() => invalidId)(WebhookId.decode(id))

/**
 * Checks a create input with the core `CreateWebhookInput` codec.
 *
 * @internal
 */
export const decodeCreateInput = (input: unknown): E.Either<InvalidInput, CreateWebhookInput> =>
  E.mapLeft(invalidInput)(CreateWebhookInput.decode(input))

const createBody = (settings: Settings, input: CreateWebhookInput): NonNullable<Call['body']> => {
  const { title, endpoint, event, account } = input
  return settings.bodyEncoding === 'form'
    ? { contentType: 'application/x-www-form-urlencoded', text: encodeForm({ title, endpoint, event, account: String(account) }) }
    : { contentType: 'application/json', text: JSON.stringify({ title, endpoint, event, account: String(account) }) }
}

/**
 * Creates a client. Throws a `TypeError` at once for bad options (unknown option, empty token, a
 * relative or credentialed `baseUrl`, a negative timeout, ...), with a message naming the option
 * and what to pass instead; the message never quotes the token.
 *
 * @example
 * import { createClient } from '@banksocket-webhooks/api-client'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as TE from 'fp-ts/lib/TaskEither.js'
 *
 * const client = createClient({ token: process.env.BANKSOCKET_TOKEN ?? '' })
 * const result = await pipe(
 *   client.createWebhook({ title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' }),
 *   TE.map((webhook) => webhook.id),
 * )()
 */
export const createClient = (options: ClientOptions): BanksocketClient => {
  const settings = normalizeOptions(options)
  return {
    createWebhook: (input) =>
      pipe(
        TE.fromEither(decodeCreateInput(input)),
        TE.chain((valid) => send(settings, { method: 'POST', path: 'webhooks', body: createBody(settings, valid) }, CreateWebhookResponse)),
        TE.map((response) => response.webhook),
      ),
    deleteWebhook: (id) =>
      pipe(
        TE.fromEither(decodeWebhookId(id)),
        TE.chain((valid) => send(settings, { method: 'DELETE', path: `webhooks/${valid}` }, DeleteWebhookResponse)),
      ),
  }
}
