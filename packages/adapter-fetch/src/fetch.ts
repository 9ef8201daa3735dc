/**
 * The receiver as `(request: Request) => Promise<Response>`, for Deno, Cloudflare Workers, Bun and
 * any runtime that speaks the Fetch API. Web APIs only.
 *
 * @module
 */
import { answerFor, type HttpAnswer, METHOD_NOT_ALLOWED, NOT_FOUND } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { bodyRejection, readRequestBody } from './body.ts'
import { notify } from './dispatch.ts'
import { pathnameOf, Receiver, type ReceiverOptions } from './receiver.ts'

/**
 * Turns a runtime-neutral answer into a `Response`.
 *
 * @example
 * import { METHOD_NOT_ALLOWED } from '@banksocket-webhooks/core'
 * import { toResponse } from '@banksocket-webhooks/adapter-fetch'
 * toResponse(METHOD_NOT_ALLOWED).headers.get('allow') // 'POST'
 */
export const toResponse = (answer: HttpAnswer): Response => new Response(answer.body, { status: answer.status, headers: answer.headers })

/**
 * A receiver for Fetch API runtimes: a {@link Receiver} (typed events, inbox) with a bound
 * `fetch(request)` that reads the request under the body limit, delivers it and answers with the
 * HTTP contract. Never rejects: unexpected failures answer 500 and are told to `error` listeners.
 *
 * @example
 * import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
 * const receiver = createFetchReceiver({ secrets: [Deno.env.get('BANKSOCKET_SECRET')!] })
 * receiver.on('credit', (tx) => console.log(tx.verified.amount, tx.verified.currency))
 * Deno.serve(receiver.fetch)
 */
export class FetchReceiver extends Receiver {
  /** Answers one request. Bound: pass it around as a plain function. */
  readonly fetch = async (request: Request): Promise<Response> => {
    try {
      return toResponse(await this.#answer(request))
    } catch (error) {
      notify(this, 'error', { _tag: 'internal_error', error })
      return toResponse(answerFor({ _tag: 'internal_error', error }))
    }
  }

  async #answer(request: Request): Promise<HttpAnswer> {
    switch (this.route(request.method, pathnameOf(request.url))) {
      case 'not_found':
        return NOT_FOUND
      case 'method_not_allowed':
        return METHOD_NOT_ALLOWED
      case 'deliver': {
        const body = await readRequestBody(request, this.limit)
        if (E.isLeft(body)) return this.refuse(bodyRejection(body.left))
        return this.deliver({ body: body.right, contentType: request.headers.get('content-type') })
      }
    }
  }
}

/**
 * Creates a {@link FetchReceiver}. Use `receiver.fetch` as a Worker's `fetch`, with `Deno.serve`
 * or `Bun.serve`. Throws a `TypeError` saying what to fix when the options cannot work.
 *
 * @example
 * import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
 * const receiver = createFetchReceiver({ secrets: ['s3cr3t'], path: '/banksocket' })
 *   .on('transaction', async (tx) => { await ledger.record(tx.idempotencyKey, tx.amount) })
 * const response = await receiver.fetch(request) // 200 {"status":"ok"}, 401, 413, 500, ...
 */
export const createFetchReceiver = (options: ReceiverOptions): FetchReceiver => new FetchReceiver(options)
