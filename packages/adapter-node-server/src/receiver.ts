/**
 * The receiver on node:http: a request listener and a Connect/Express middleware for any
 * runtime-neutral receiver of `@banksocket-webhooks/receiver` (`toNodeListener`,
 * `toNodeMiddleware`), and the Node receiver, which is one with a node:crypto hasher and a server
 * of its own. Nothing is decided here: the request is described to the receiver, and its answer
 * written back.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { type Fields, type HttpAnswer, InFlight } from '@banksocket-webhooks/core/runtime-kit'
import { notify, Receiver, type ReceiverOptions } from '@banksocket-webhooks/receiver'
import { clientErrorAnswer } from './client-error.ts'
import { nodeSha256 } from './hash.ts'
import { readNodeBody } from './read.ts'

/**
 * How long a client may take to send the request headers: 10 seconds. Banksocket sends a few
 * hundred bytes of headers; anything slower is a stuck or hostile client.
 *
 * @example
 * import { DEFAULT_HEADERS_TIMEOUT } from '@banksocket-webhooks/adapter-node-server'
 * DEFAULT_HEADERS_TIMEOUT // 10000
 */
export const DEFAULT_HEADERS_TIMEOUT = 10_000

/**
 * How long a client may take to send the whole request, headers and body: 30 seconds (Node's own
 * default is 5 minutes). It does not include the time your listeners take: that is bounded by
 * `handlerTimeout`.
 *
 * @example
 * import { DEFAULT_REQUEST_TIMEOUT } from '@banksocket-webhooks/adapter-node-server'
 * DEFAULT_REQUEST_TIMEOUT // 30000
 */
export const DEFAULT_REQUEST_TIMEOUT = 30_000

/**
 * Options of the Node receiver: every receiver option (see `ReceiverOptions`: `secrets`, `path`,
 * `limit`, `handlerTimeout`, `store`, `dedupeWindow`, `now`), a node:crypto default for `sha256`,
 * and the timeouts of the server `listen` starts.
 *
 * @example
 * import type { NodeReceiverOptions } from '@banksocket-webhooks/adapter-node-server'
 * const options: NodeReceiverOptions = { secrets: [process.env.BANKSOCKET_SECRET!], path: '/banksocket', requestTimeout: 15_000 }
 */
export type NodeReceiverOptions = ReceiverOptions &
  Readonly<{
    /** SHA-256 implementation. @default nodeSha256 (node:crypto) */
    sha256?: ReceiverOptions['sha256']
    /** Server started by `listen`: milliseconds to receive the request headers (`server.headersTimeout`). @default 10000 */
    headersTimeout?: number
    /** Server started by `listen`: milliseconds to receive the whole request (`server.requestTimeout`); at least `headersTimeout`. @default 30000 */
    requestTimeout?: number
  }>

/**
 * A Connect/Express middleware.
 *
 * @example
 * import type { Middleware } from '@banksocket-webhooks/adapter-node-server'
 * const passThrough: Middleware = (_req, _res, next) => next()
 */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void

const ignore = () => {}

const checkTimeouts = (options: NodeReceiverOptions): { headersTimeout: number; requestTimeout: number } => {
  const headersTimeout = options.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT
  const requestTimeout = options.requestTimeout ?? Math.max(DEFAULT_REQUEST_TIMEOUT, headersTimeout)
  for (const [name, value] of [
    ['headersTimeout', headersTimeout],
    ['requestTimeout', requestTimeout],
  ] as const) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(`receiver: \`${name}\` must be a positive integer number of milliseconds`)
    }
  }
  if (requestTimeout < headersTimeout) {
    throw new TypeError('receiver: `requestTimeout` must be at least `headersTimeout` (the headers are part of the request)')
  }
  return { headersTimeout, requestTimeout }
}

/**
 * Answers a request node:http's parser refused (malformed, too slow, headers too large) with the
 * contract's JSON body instead of Node's empty one, then closes the connection.
 */
const writeClientError = (error: Error & { code?: string }, socket: Duplex): void => {
  const inProgress = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage
  if (error.code === 'ECONNRESET' || !socket.writable || inProgress?.headersSent === true) {
    socket.destroy()
    return
  }
  const answer = clientErrorAnswer(error.code)
  const head = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`,
    ...Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(answer.body)}`,
    'connection: close',
  ]
  socket.end(`${head.join('\r\n')}\r\n\r\n${answer.body}`)
}

/** Response headers of answers core made once (frozen), computed once per answer. */
const fixedHeaders = new WeakMap<HttpAnswer, Readonly<Record<string, string | number>>>()

/** The node:http headers of an answer: its own plus `content-length`. */
const headersOf = (answer: HttpAnswer): Readonly<Record<string, string | number>> => {
  const known = fixedHeaders.get(answer)
  if (known !== undefined) return known
  const headers = { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) }
  if (Object.isFrozen(answer)) fixedHeaders.set(answer, headers)
  return headers
}

/**
 * What a Connect body parser left on the request, if it read the stream: a Buffer or string is the
 * raw body, an object the parsed fields. Express 4's parsers leave `req.body = {}` on requests they
 * skip, with the stream still unread: that counts as nothing.
 */
const parsedBody = (req: IncomingMessage): Uint8Array | string | Fields | undefined => {
  if (!req.readableEnded) return undefined
  const body = (req as IncomingMessage & { body?: unknown }).body
  return typeof body === 'string' || (typeof body === 'object' && body !== null) ? (body as Uint8Array | string | Fields) : undefined
}

/**
 * Writes an answer unless the response is already gone; a 413 (body left unread) closes the
 * connection. node:http emits `error` on a response only for a write after its end or a pipe, both
 * ruled out here, so a response of our own needs no error listener; one a middleware shares with
 * the rest of an app (`shared`) gets one, so a later write of the app's cannot crash the process.
 */
const write = (res: ServerResponse, answer: HttpAnswer, close: boolean, shared: boolean): void => {
  // `res.socket` is null for a pipelined response until the one before it is sent: check the
  // request's socket, which is always there.
  if (res.headersSent || res.writableEnded || res.destroyed || res.req.socket.destroyed) return
  if (shared) res.on('error', ignore)
  res.writeHead(answer.status, close || answer.status === 413 ? { ...headersOf(answer), connection: 'close' } : headersOf(answer))
  res.end(answer.body)
}

/**
 * One request, start to end: describe it to `receiver.handle` (the body as a reader of the stream,
 * or what a body parser left), write its answer, then call `done` (if given). With `next` (a
 * middleware), a request for another path goes to `next()` instead of a 404.
 */
const serve = (
  receiver: Receiver,
  req: IncomingMessage,
  res: ServerResponse,
  next: ((error?: unknown) => void) | undefined,
  closing: () => boolean,
  done?: () => void,
): void => {
  const answered = (answer: HttpAnswer): void => {
    try {
      if (answer.status === 404 && next !== undefined) next()
      else write(res, answer, closing(), next !== undefined)
    } catch (error) {
      notify(receiver, 'error', { _tag: 'internal_error', error })
    }
    done?.()
  }
  // `handle` never rejects; a rejection all the same is told to `error` listeners, never lost.
  const lost = (error: unknown): void => {
    notify(receiver, 'error', { _tag: 'internal_error', error })
    done?.()
  }
  const body = parsedBody(req) ?? ((limit: number) => readNodeBody(req, limit))
  receiver.handle({ method: req.method ?? '', url: req.url ?? '/', contentType: req.headers['content-type'], body }).then(answered, lost)
}

const never = () => false

/**
 * A node:http request listener for a receiver: `http.createServer(toNodeListener(receiver))`. It
 * reads the body under the receiver's limit, hands the request to `receiver.handle` and writes the
 * answer (a 413 closes the connection, since the rest of the body was not read).
 *
 * @example
 * import { createServer } from 'node:http'
 * import { createReceiver } from '@banksocket-webhooks/receiver'
 * import { nodeSha256, toNodeListener } from '@banksocket-webhooks/adapter-node-server'
 * const receiver = createReceiver({ secrets: [process.env.BANKSOCKET_SECRET!], sha256: nodeSha256, path: '/banksocket' })
 *   .on('credit', (tx) => console.log(tx.verified.amount, tx.verified.currency))
 * createServer(toNodeListener(receiver)).listen(3000)
 */
export const toNodeListener =
  (receiver: Receiver) =>
  (req: IncomingMessage, res: ServerResponse): void =>
    serve(receiver, req, res, undefined, never)

/**
 * A Connect/Express middleware for a receiver, like octokit's `createNodeMiddleware(webhooks)`.
 * Mounted before any body parser it reads the raw body; after one, it delivers what the parser left:
 * a Buffer or string as the raw body with the request's content type, an object as already-parsed
 * fields. Requests for another path than the receiver's `path` go to `next()`.
 *
 * @example
 * import express from 'express'
 * import { createReceiver } from '@banksocket-webhooks/receiver'
 * import { nodeSha256, toNodeMiddleware } from '@banksocket-webhooks/adapter-node-server'
 * const receiver = createReceiver({ secrets: [process.env.BANKSOCKET_SECRET!], sha256: nodeSha256, path: '/banksocket' })
 * express().use(toNodeMiddleware(receiver)).listen(3000)
 */
export const toNodeMiddleware =
  (receiver: Receiver): Middleware =>
  (req, res, next) =>
    serve(receiver, req, res, next, never)

/**
 * The Node receiver: a {@link Receiver} (typed events, inbox) with node:crypto as its default
 * hasher, `toNodeListener` and `toNodeMiddleware` bound to it, and a server of its own.
 *
 * - `requestListener(req, res)`: for `http.createServer` / `https.createServer`.
 * - `middleware(req, res, next)`: for Connect and Express, before or after a body parser. Requests
 *   for another path than `path` go to `next()`.
 * - `listen(port, host?)`: starts a server of its own with `headersTimeout` and `requestTimeout` set.
 * - `close()`: stops accepting, lets requests under way finish, then resolves.
 *
 * @example
 * import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
 * const receiver = createNodeReceiver({ secrets: [process.env.BANKSOCKET_SECRET!] })
 * receiver.on('credit', async (tx) => { await orders.markPaid(tx.verified.description, tx.amount) })
 * const { port } = await receiver.listen(3000)
 */
export class NodeReceiver extends Receiver {
  /** The server `listen` started, if any. */
  server: Server | undefined
  readonly #timeouts: { headersTimeout: number; requestTimeout: number }
  /** Requests under way, and who waits for there to be none. */
  readonly #requests = new InFlight()
  #closing: Promise<void> | undefined

  constructor(options: NodeReceiverOptions) {
    const timeouts = checkTimeouts(options)
    super({ ...options, sha256: options.sha256 ?? nodeSha256 })
    this.#timeouts = timeouts
  }

  /** A node:http request listener: `http.createServer(receiver.requestListener)`. */
  readonly requestListener = (req: IncomingMessage, res: ServerResponse): void => {
    this.#requests.enter()
    serve(this, req, res, undefined, this.#isClosing, this.#done)
  }

  /**
   * A Connect/Express middleware. Mounted before any body parser it reads the raw body; after one,
   * it delivers what the parser left: a Buffer or string as the raw body with the request's content
   * type, an object as already-parsed fields.
   */
  readonly middleware: Middleware = (req, res, next) => {
    this.#requests.enter()
    serve(this, req, res, next, this.#isClosing, this.#done)
  }

  /**
   * Starts a node:http server for this receiver on `port` (0 for any free port) and `host`
   * (all interfaces when omitted), with `headersTimeout` and `requestTimeout` set. Resolves with the
   * bound address.
   */
  listen(port = 0, host?: string): Promise<AddressInfo> {
    if (this.server !== undefined) return Promise.reject(new Error('receiver: listen was already called; create another receiver for another server'))
    const server = createServer(
      { ...this.#timeouts, connectionsCheckingInterval: Math.min(1_000, this.#timeouts.headersTimeout) },
      this.requestListener,
    )
    this.server = server
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        this.server = undefined
        reject(error)
      }
      server.once('error', failed)
      server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => writeClientError(error, socket))
      const ready = () => {
        server.off('error', failed)
        server.on('error', (error) => notify(this, 'error', { _tag: 'internal_error', error }))
        resolve(server.address() as AddressInfo)
      }
      if (host === undefined) server.listen(port, ready)
      else server.listen(port, host, ready)
    })
  }

  /**
   * Stops accepting connections, waits for the requests under way (their listeners, the store
   * append and the answer), closes idle keep-alive connections, then resolves. Answers written while
   * closing carry `Connection: close`. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close()
    return this.#closing
  }

  async #close(): Promise<void> {
    const server = this.server
    const closed = new Promise<void>((resolve) => {
      if (server === undefined || !server.listening) resolve()
      else server.close(() => resolve())
    })
    // A keep-alive connection may still bring a request after the last one ended: wait until none is left.
    while (this.#requests.size > 0) await this.#requests.idle()
    await this.drain()
    server?.closeIdleConnections()
    await closed
  }

  readonly #isClosing = (): boolean => this.#closing !== undefined

  readonly #done = (): void => this.#requests.leave()
}

/**
 * Creates a {@link NodeReceiver}. Throws a `TypeError` saying what to fix when the options cannot
 * work.
 *
 * @example
 * import { createServer } from 'node:http'
 * import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
 * const receiver = createNodeReceiver({ secrets: [process.env.BANKSOCKET_SECRET!], path: '/banksocket' })
 *   .on('transaction', (tx) => console.log(tx.verified.dc, tx.verified.amount, tx.verified.currency))
 * createServer(receiver.requestListener).listen(3000)
 */
export const createNodeReceiver = (options: NodeReceiverOptions): NodeReceiver => new NodeReceiver(options)
