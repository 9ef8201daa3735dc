/**
 * The runtime-neutral receiver: options, routing, the inbox and the typed events, shared by the
 * fetch receiver here and by the Node receiver (adapter-node-server). A runtime adapter only reads
 * the request and writes the {@link HttpAnswer} it is given.
 *
 * @module
 */
import {
  answerFor,
  assertSecrets,
  createInbox,
  DEFAULT_BODY_LIMIT,
  type Dispatch,
  type Fields,
  type HttpAnswer,
  type Inbox,
  type InboxOptions,
  type Outcome,
  type Rejection,
  rejectionAnswer,
  WebhookEvent,
} from '@banksocket-webhooks/core'
import { EventEmitter } from 'eventemitter3'
import { dispatchTo, notify } from './dispatch.ts'
import type { ReceiverEvents } from './events.ts'

/**
 * Options of every receiver: those of core's `createInbox` (`secrets`, `sha256`, `limit`, `store`,
 * `handlerTimeout`, `dedupeWindow`, `filter`, `now`, each documented with its default there) plus
 * `path`. A missing, empty or blank secret throws core's `InvalidSecretError` naming its index.
 *
 * @example
 * import type { ReceiverOptions } from '@banksocket-webhooks/adapter-fetch'
 * const options: ReceiverOptions = {
 *   secrets: ['current-secret', 'previous-secret'], // rotation: any of them verifies
 *   path: '/banksocket',
 *   limit: 64 * 1024,
 *   handlerTimeout: 10_000,
 * }
 */
export type ReceiverOptions = InboxOptions &
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
 * import type { Route } from '@banksocket-webhooks/adapter-fetch'
 * const r: Route = receiver.route('GET', '/') // 'method_not_allowed'
 */
export type Route = 'deliver' | 'not_found' | 'method_not_allowed'

const BASE = 'http://receiver.invalid'

/**
 * The pathname of a request target, absolute (`https://host/p?q`) or origin-form (`/p?q`), as the
 * WHATWG URL parser normalises it; `undefined` when it is not a URL at all.
 *
 * @example
 * import { pathnameOf } from '@banksocket-webhooks/adapter-fetch'
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
}

/**
 * A receiver independent of any runtime: a typed event emitter ({@link ReceiverEvents}) around
 * core's inbox. `route` says whether to deliver a request; `deliver`/`deliverFields` run the
 * inbox and return the answer after telling the listeners; `refuse` answers a request the adapter
 * refused itself (too large, cut off). The fetch and Node receivers are this plus HTTP I/O.
 *
 * @example
 * import { createReceiver } from '@banksocket-webhooks/adapter-fetch'
 * const receiver = createReceiver({ secrets: ['s3cr3t'] })
 * receiver.on('credit', async (tx) => { await orders.markPaid(tx.verified.description, tx.amount) })
 * const answer = await receiver.deliver({ body, contentType: 'application/x-www-form-urlencoded' })
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

  constructor(options: ReceiverOptions) {
    super()
    checkOptions(options)
    this.inbox = createInbox(options)
    this.path = options.path
    this.limit = options.limit ?? DEFAULT_BODY_LIMIT
    this.#dispatch = dispatchTo(this)
  }

  /** Whether a request with this method and pathname is delivered, or answered 404 or 405. */
  route(method: string, pathname: string | undefined): Route {
    if (pathname === undefined || (this.path !== undefined && pathname !== this.path)) return 'not_found'
    return method === 'POST' ? 'deliver' : 'method_not_allowed'
  }

  /** Delivers a raw body with its content type; resolves with the answer once listeners were told. */
  deliver(input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>): Promise<HttpAnswer> {
    return this.inbox.deliver(input, this.#dispatch).then(this.#settle)
  }

  /** Delivers fields a framework's body parser already parsed. */
  deliverFields(fields: Fields): Promise<HttpAnswer> {
    return this.inbox.deliverFields(fields, this.#dispatch).then(this.#settle)
  }

  /** Answers a request the adapter refused before delivering it, telling `rejected` listeners. */
  refuse(rejection: Rejection): HttpAnswer {
    this.#rejected(rejection)
    return rejectionAnswer(rejection)
  }

  /** Resolves when every delivery under way has finished. */
  drain(): Promise<void> {
    return this.inbox.drain()
  }

  #rejected(rejection: Rejection): void {
    notify(this, 'rejected', rejection, (error) => notify(this, 'error', { _tag: 'listener_failed', event: 'rejected', error }))
  }

  readonly #settle = (outcome: Outcome): HttpAnswer => {
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
  }
}

/**
 * Creates a runtime-neutral {@link Receiver}. Throws a `TypeError` saying what to fix when the
 * options cannot work (no secret, a negative limit, a path without a leading slash).
 *
 * @example
 * import { createReceiver } from '@banksocket-webhooks/adapter-fetch'
 * const receiver = createReceiver({ secrets: [secret], path: '/banksocket' })
 * receiver.route('POST', '/banksocket') // 'deliver'
 */
export const createReceiver = (options: ReceiverOptions): Receiver => new Receiver(options)
