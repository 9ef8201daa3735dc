/**
 * The receiver as `(request: Request) => Promise<Response>`, for Deno, Cloudflare Workers, Bun and
 * any runtime that speaks the Fetch API. Web APIs only. Nothing is decided here: the request is
 * described to the runtime-neutral receiver, and its answer becomes a `Response`.
 *
 * @module
 */
import type { HttpAnswer } from '@banksocket-webhooks/core/runtime-kit'
import { Receiver, type ReceiverOptions, readRequestBody } from '@banksocket-webhooks/receiver'

/**
 * Turns a runtime-neutral answer into a `Response`.
 *
 * @example
 * import { METHOD_NOT_ALLOWED } from '@banksocket-webhooks/core/runtime-kit'
 * import { toResponse } from '@banksocket-webhooks/adapter-fetch'
 * toResponse(METHOD_NOT_ALLOWED).headers.get('allow') // 'POST'
 */
export const toResponse = (answer: HttpAnswer): Response => new Response(answer.body, { status: answer.status, headers: answer.headers })

/**
 * A fetch handler for a receiver: reads the request under the receiver's body limit, hands it to
 * `receiver.handle` and answers with the HTTP contract. Never rejects: unexpected failures answer
 * 500 and are told to `error` listeners.
 *
 * @example
 * import { createReceiver } from '@banksocket-webhooks/receiver'
 * import { toFetchHandler } from '@banksocket-webhooks/adapter-fetch'
 * const receiver = createReceiver({ secrets: [Deno.env.get('BANKSOCKET_SECRET')!] })
 *   .on('credit', (tx) => console.log(tx.verified.amount, tx.verified.currency))
 * Deno.serve(toFetchHandler(receiver))
 */
export const toFetchHandler =
  (receiver: Receiver) =>
  (request: Request): Promise<Response> =>
    receiver
      .handle({
        method: request.method,
        url: request.url,
        contentType: request.headers.get('content-type'),
        body: (limit) => readRequestBody(request, limit),
      })
      .then(toResponse)

/**
 * A receiver for Fetch API runtimes: a {@link Receiver} (typed events, inbox) with a bound
 * `fetch(request)`, which is `toFetchHandler(receiver)`.
 *
 * @example
 * import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
 * const receiver = createFetchReceiver({ secrets: [Deno.env.get('BANKSOCKET_SECRET')!] })
 * receiver.on('credit', (tx) => console.log(tx.verified.amount, tx.verified.currency))
 * Deno.serve(receiver.fetch)
 */
export class FetchReceiver extends Receiver {
  /** Answers one request. Bound: pass it around as a plain function. */
  readonly fetch: (request: Request) => Promise<Response> = toFetchHandler(this)
}

/**
 * Creates a {@link FetchReceiver}: `createReceiver(options)` with `toFetchHandler` as its `fetch`.
 * Use `receiver.fetch` as a Worker's `fetch`, with `Deno.serve` or `Bun.serve`. Throws a
 * `TypeError` saying what to fix when the options cannot work.
 *
 * @example
 * import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
 * const receiver = createFetchReceiver({ secrets: ['s3cr3t'], path: '/banksocket' })
 *   .on('transaction', async (tx) => { await ledger.record(tx.idempotencyKey, tx.amount) })
 * const response = await receiver.fetch(request) // 200 {"status":"ok"}, 401, 413, 500, ...
 */
export const createFetchReceiver = (options: ReceiverOptions): FetchReceiver => new FetchReceiver(options)
