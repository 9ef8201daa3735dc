/**
 * The runtime-neutral receiver: options, routing, the inbox and the typed events. A runtime adapter
 * describes the request ({@link ReceiverRequest}), calls `handle` and writes the {@link HttpAnswer}
 * it is given: `toFetchHandler(receiver)` in adapter-fetch, `toNodeListener(receiver)` and
 * `toNodeMiddleware(receiver)` in adapter-node-server.
 *
 * @module
 */

import { createInbox, type Inbox, type InboxOptions, type Outcome, type Rejection, WebhookEvent } from '@banksocket-webhooks/core'
import {
  answerFor,
  assertSecrets,
  DEFAULT_BODY_LIMIT,
  type Dispatch,
  type Fields,
  type HttpAnswer,
  type InboxMetrics,
  inboxMetrics,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  type Recorded,
  rejectionAnswer,
} from '@banksocket-webhooks/core/runtime-kit'
import { EventEmitter } from 'eventemitter3'
import * as E from 'fp-ts/lib/Either.js'
import { type BodyProblem, type BodyReader, bodyRejection } from './body.ts'
import { dispatchTo, notify } from './dispatch.ts'
import type { ReceiverEvents } from './events.ts'

/**
 * Options of every receiver: those of core's `createInbox` (`secrets`, `sha256`, `limit`, `store`,
 * `handlerTimeout`, `dedupeWindow`, `filter`, `now`, `meter`, each documented with its default
 * there) plus `path`; the receiver's `recorded` event takes the place of `onRecorded`. Without a
 * `store` the receiver keeps no history, only each ledger's state and the dedupe window: pass
 * `createInMemoryEventStore()` (tests), a file store or a database to keep every event. With a
 * `meter` (an OpenTelemetry `Meter`), the receiver measures each request
 * (`http.server.request.duration`) and its inbox the notifications, gaps and store writes. A
 * missing, empty or blank secret throws core's `InvalidSecretError` naming its index.
 *
 * @example
 * import type { ReceiverOptions } from '@banksocket-webhooks/receiver'
 * import { metrics } from '@opentelemetry/api'
 * const options: ReceiverOptions = {
 *   secrets: ['current-secret', 'previous-secret'], // rotation: any of them verifies
 *   path: '/banksocket',
 *   limit: 64 * 1024,
 *   handlerTimeout: 10_000,
 *   meter: metrics.getMeter('banksocket-webhooks'), // optional: no SDK registered, no cost
 * }
 */
export type ReceiverOptions = Omit<InboxOptions, 'onRecorded'> &
  Readonly<{
    /**
     * The only path the receiver answers (compared with the request's pathname, query ignored);
     * other paths get 404 `{"error":"not_found"}` (a Connect middleware passes them to `next()`).
     * @default undefined: every path
     */
    path?: string
  }>

/**
 * What to do with a request, from its method and path: deliver it, or answer 404 or 405.
 *
 * @example
 * import type { Route } from '@banksocket-webhooks/receiver'
 * const r: Route = receiver.route('GET', '/') // 'method_not_allowed'
 */
export type Route = 'deliver' | 'not_found' | 'method_not_allowed'

const BASE = 'http://receiver.invalid'

/**
 * The pathname of a request target, absolute (`https://host/p?q`) or origin-form (`/p?q`), as the
 * WHATWG URL parser normalises it; `undefined` when it is not a URL at all.
 *
 * @example
 * import { pathnameOf } from '@banksocket-webhooks/receiver'
 * pathnameOf('/banksocket?x=1') // '/banksocket'
 * pathnameOf('https://shop.example/banksocket') // '/banksocket'
 */
export const pathnameOf = (target: string): string | undefined => {
  try {
    return new URL(target, BASE).pathname
  } catch {
    return undefined
  }
}

const MAX_TIMEOUT = 2 ** 31 - 1

const fail = (message: string): never => {
  throw new TypeError(message)
}

const positiveInteger = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value > 0

/** Refuses options that cannot work, saying what to pass instead. Never quotes a secret. */
const checkOptions = (options: ReceiverOptions): void => {
  assertSecrets(options.secrets)
  if (options.filter !== undefined && !WebhookEvent.is(options.filter)) {
    fail("receiver: `filter` must be the webhook's event filter: 'NEW_TRANSACTION', 'NEW_CREDIT' or 'NEW_DEBIT'")
  }
  if (options.limit !== undefined && !positiveInteger(options.limit)) {
    fail('receiver: `limit` must be a positive integer number of bytes, for example 65536')
  }
  if (options.handlerTimeout !== undefined && !(positiveInteger(options.handlerTimeout) && options.handlerTimeout <= MAX_TIMEOUT)) {
    fail(`receiver: \`handlerTimeout\` must be a positive integer number of milliseconds up to ${MAX_TIMEOUT}`)
  }
  if (options.dedupeWindow !== undefined && !positiveInteger(options.dedupeWindow)) {
    fail('receiver: `dedupeWindow` must be a positive integer number of idempotency keys')
  }
  if (options.path !== undefined && (typeof options.path !== 'string' || !options.path.startsWith('/'))) {
    fail("receiver: `path` must start with '/', for example '/banksocket'")
  }
  if (options.path !== undefined && pathnameOf(options.path) !== options.path) {
    fail('receiver: `path` must be a plain URL path without query, fragment or dot segments, for example /banksocket')
  }
  if (options.meter !== undefined && typeof (options.meter as Partial<typeof options.meter> | null)?.createHistogram !== 'function') {
    fail("receiver: `meter` must be an OpenTelemetry Meter, for example metrics.getMeter('banksocket-webhooks') from @opentelemetry/api")
  }
}

/**
 * A request as a runtime adapter describes it to {@link Receiver.handle}: its method, its URL (for
 * the path), its content type, and its body in whichever form the adapter has it.
 *
 * - `body` as a `Uint8Array` or a string: the raw body, exactly as received;
 * - a {@link BodyReader}: read under the receiver's `limit`, only when the request is delivered (a
 *   404 or a 405 never reads it);
 * - any other object: fields a framework's body parser already parsed (Express, say).
 *
 * @example
 * import type { ReceiverRequest } from '@banksocket-webhooks/receiver'
 * const request: ReceiverRequest = {
 *   method: 'POST',
 *   url: '/banksocket?attempt=2',
 *   contentType: 'application/x-www-form-urlencoded',
 *   body: 'dc=Credit&code=EFT&amount=100.00&...',
 * }
 */
export type ReceiverRequest = Readonly<{
  method: string
  /** The request URL: absolute (`https://host/p?q`, as a fetch `Request` has it) or origin-form (`/p?q`, as node:http has it). */
  url: string
  /** The `Content-Type` header, if any. */
  contentType: string | null | undefined
  /** The raw body, a reader of it, or already-parsed fields. */
  body: Uint8Array | string | BodyReader | Fields
}>

/**
 * A receiver independent of any runtime: a typed event emitter ({@link ReceiverEvents}) around
 * core's inbox. `handle` takes a request as an adapter describes it and resolves with the answer
 * once the listeners were told; `deliver`/`deliverFields` do the same for a body already in hand.
 * Runtime adapters only translate I/O to it: `toFetchHandler(receiver)`,
 * `toNodeListener(receiver)`, `toNodeMiddleware(receiver)`.
 *
 * @example
 * import { createReceiver } from '@banksocket-webhooks/receiver'
 * const receiver = createReceiver({ secrets: ['s3cr3t'] })
 * receiver.on('credit', async (tx) => { await orders.markPaid(tx.verified.description, tx.amount) })
 * const answer = await receiver.handle({ method: 'POST', url: '/', contentType: 'application/x-www-form-urlencoded', body })
 * answer.status // 200
 */
export class Receiver extends EventEmitter<ReceiverEvents, never> {
  /** The inbox: ledgers, store and `drain()`. */
  readonly inbox: Inbox
  /** The path answered, or `undefined` for every path. */
  readonly path: string | undefined
  /** The body limit in bytes. */
  readonly limit: number
  readonly #dispatch: Dispatch
  /** The metrics on the `meter` option (the same instruments as the inbox's), no-ops without one. */
  readonly #metrics: InboxMetrics

  constructor(options: ReceiverOptions) {
    super()
    checkOptions(options)
    this.inbox = createInbox({ ...options, onRecorded: this.#recorded })
    this.path = options.path
    this.limit = options.limit ?? DEFAULT_BODY_LIMIT
    this.#dispatch = dispatchTo(this)
    this.#metrics = inboxMetrics(options.meter)
  }

  /**
   * Answers one request: 404 for another path than `path`, 405 for another method than POST,
   * otherwise the body is read (under `limit`), verified, decided, handed to the listeners, stored,
   * and answered with the HTTP contract. Never rejects: an unexpected failure answers 500 and is
   * told to `error` listeners. With a `meter`, the time from the call to the answer is recorded
   * (`http.server.request.duration`, by method and status), every answer included.
   */
  handle(request: ReceiverRequest): Promise<HttpAnswer> {
    const metrics = this.#metrics
    if (!metrics.enabled) return this.#handle(request)
    const start = metrics.now()
    return this.#handle(request).then((answer) => {
      metrics.answered(request?.method, answer.status, start)
      return answer
    })
  }

  /** {@link handle}, unmeasured. */
  #handle(request: ReceiverRequest): Promise<HttpAnswer> {
    try {
      switch (this.#routeUrl(request.method, request.url)) {
        case 'not_found':
          return Promise.resolve(NOT_FOUND)
        case 'method_not_allowed':
          return Promise.resolve(METHOD_NOT_ALLOWED)
        case 'deliver':
          break
      }
      const { body, contentType } = request
      if (typeof body === 'function') return body(this.limit).then((read) => this.#deliverRead(read, contentType), this.#readFailed)
      return typeof body === 'string' || body instanceof Uint8Array ? this.#deliver({ body, contentType }) : this.#deliverFields(body)
    } catch (error) {
      return Promise.resolve(this.#failed(error))
    }
  }

  /**
   * `route` for a request URL as {@link ReceiverRequest} has it (absolute or
   * origin-form): `'/'` and the configured path are their own pathnames, anything else is parsed.
   */
  #routeUrl(method: string, url: string): Route {
    return this.route(method, url === '/' || url === this.path ? url : pathnameOf(url))
  }

  /**
   * Delivers a body read under `limit`: a body that could not be read whole is refused (413 or 400,
   * told to `rejected` listeners).
   */
  #deliverRead(read: E.Either<BodyProblem, Uint8Array>, contentType: string | null | undefined): Promise<HttpAnswer> {
    try {
      return E.isLeft(read) ? Promise.resolve(this.#refuse(bodyRejection(read.left))) : this.#deliver({ body: read.right, contentType })
    } catch (error) {
      return Promise.resolve(this.#failed(error))
    }
  }

  /** Whether a request with this method and pathname is delivered, or answered 404 or 405. */
  route(method: string, pathname: string | undefined): Route {
    if (pathname === undefined || (this.path !== undefined && pathname !== this.path)) return 'not_found'
    return method === 'POST' ? 'deliver' : 'method_not_allowed'
  }

  /**
   * Delivers a raw body with its content type; resolves with the answer once listeners were told.
   * Never rejects.
   */
  deliver(input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>): Promise<HttpAnswer> {
    return this.#deliver(input)
  }

  /** Delivers fields a framework's body parser already parsed. Never rejects. */
  deliverFields(fields: Fields): Promise<HttpAnswer> {
    return this.#deliverFields(fields)
  }

  /** The inbox's delivery of a body, and its answer: what `handle` and `deliver` do once the body is in hand. */
  #deliver(input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>): Promise<HttpAnswer> {
    try {
      return this.inbox.deliver(input, this.#dispatch).then(this.#reply, this.#failed)
    } catch (error) {
      return Promise.resolve(this.#failed(error))
    }
  }

  /** The inbox's delivery of parsed fields, and its answer. */
  #deliverFields(fields: Fields): Promise<HttpAnswer> {
    try {
      return this.inbox.deliverFields(fields, this.#dispatch).then(this.#reply, this.#failed)
    } catch (error) {
      return Promise.resolve(this.#failed(error))
    }
  }

  /** Resolves when every delivery under way has finished. */
  drain(): Promise<void> {
    return this.inbox.drain()
  }

  /** Answers a body that could not be read whole, telling `rejected` listeners (and counting it: the inbox never had it). */
  #refuse(rejection: Rejection): HttpAnswer {
    this.#metrics.refused(rejection)
    this.#rejected(rejection)
    return rejectionAnswer(rejection)
  }

  /** Answers a body whose reader failed: a notification the inbox never had, counted as failed here. */
  readonly #readFailed = (error: unknown): HttpAnswer => {
    this.#metrics.failed()
    return this.#failed(error)
  }

  readonly #failed = (error: unknown): HttpAnswer => {
    notify(this, 'error', { _tag: 'internal_error', error })
    return answerFor({ _tag: 'internal_error', error })
  }

  readonly #recorded = (recorded: Recorded): void => {
    notify(this, 'recorded', recorded, this.#recordedFailed)
  }

  readonly #recordedFailed = (error: unknown): void => notify(this, 'error', { _tag: 'listener_failed', event: 'recorded', error })

  #rejected(rejection: Rejection): void {
    notify(this, 'rejected', rejection, this.#rejectedFailed)
  }

  readonly #rejectedFailed = (error: unknown): void => notify(this, 'error', { _tag: 'listener_failed', event: 'rejected', error })

  /** The answer to an outcome, telling the listeners what went wrong, if anything; an unexpected throw answers 500. */
  readonly #reply = (outcome: Outcome): HttpAnswer => {
    try {
      switch (outcome._tag) {
        case 'rejected':
          this.#rejected(outcome.rejection)
          break
        case 'handler_failed':
          notify(this, 'error', { _tag: 'handler_failed', error: outcome.error, transaction: outcome.transaction })
          break
        case 'store_failed':
          notify(this, 'error', { _tag: 'store_failed', error: outcome.error, transaction: outcome.transaction })
          break
        case 'internal_error':
          notify(this, 'error', { _tag: 'internal_error', error: outcome.error })
          break
        case 'accepted':
        case 'duplicate':
        case 'suspected_replay':
          break
      }
      return answerFor(outcome)
    } catch (error) {
      return this.#failed(error)
    }
  }
}

/**
 * Creates a runtime-neutral {@link Receiver}. Throws a `TypeError` saying what to fix when the
 * options cannot work (no secret, a negative limit, a path without a leading slash).
 *
 * @example
 * import { createReceiver } from '@banksocket-webhooks/receiver'
 * const receiver = createReceiver({ secrets: [secret], path: '/banksocket' })
 * receiver.route('POST', '/banksocket') // 'deliver'
 */
export const createReceiver = (options: ReceiverOptions): Receiver => new Receiver(options)
