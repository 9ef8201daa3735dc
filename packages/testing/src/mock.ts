/**
 * A mock Banksocket on `node:http`: the management API (`POST /v1/webhooks`,
 * `DELETE /v1/webhooks/:id`, `Authentication` header) and signed deliveries to the registered
 * webhooks, honouring their event and account filters, with retries and a delivery log.
 *
 * @module
 */

import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CreateWebhookInput, PayloadProblem, Sha256, Subscription, Webhook } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Delivery, type DeliveryAttempt, DeliveryEngine, type RetryOptions, resolveRetry } from './delivery.ts'
import { ENCODINGS, type Encoding } from './encode.ts'
import { handleApiRequest } from './management.ts'
import type { NotificationFields, NotificationInput, SignedNotification } from './notification.ts'
import { WebhookRegistry } from './registry.ts'
import { DEFAULT_SEND_TIMEOUT } from './send.ts'
import { signNotification } from './sign.ts'

/**
 * Options of {@link startMockBanksocket}.
 *
 * @example
 * import type { MockBanksocketOptions } from '@banksocket-webhooks/testing/node'
 * const options: MockBanksocketOptions = { token: 'test-token', secret: 'test-secret', retry: { attempts: 3, baseDelay: 10 } }
 */
export type MockBanksocketOptions = Readonly<{
  /** The API token clients must send in the `Authentication` header. */
  token: string
  /** The secret deliveries are signed with. */
  secret: string
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string
  /** Body encoding of deliveries. @default 'form' */
  encoding?: Encoding
  /** Retry schedule of failed deliveries. @default { attempts: 5, baseDelay: 1000, factor: 2, maxDelay: 30000 } */
  retry?: RetryOptions
  /** Milliseconds one delivery attempt may take. @default 10000 */
  timeout?: number
  /** The `fetch` deliveries use. @default globalThis.fetch */
  fetch?: typeof fetch
  /** The clock of the delivery log. @default () => new Date() */
  now?: () => Date
  /** SHA-256 used to sign. @default node:crypto createHash('sha256') */
  sha256?: Sha256
  /** Largest management API body, in bytes. @default 65536 */
  bodyLimit?: number
  /** Called after every delivery attempt (for live logs). A throwing listener is ignored. */
  onAttempt?: (attempt: DeliveryAttempt) => void
  /** Called when a delivery settles. A throwing listener is ignored. */
  onDelivery?: (delivery: Delivery) => void
}>

/**
 * How to send a notification: `copies` deliveries per matching webhook. `2` simulates a duplicate
 * delivery, `0` a gap (the notification is signed and returned, never sent).
 *
 * @example
 * import type { EmitOptions } from '@banksocket-webhooks/testing/node'
 * const duplicate: EmitOptions = { copies: 2 }
 */
export type EmitOptions = Readonly<{
  /** Deliveries per matching webhook; a negative or fractional count throws a `TypeError`. @default 1 */
  copies?: number
}>

/**
 * What `MockBanksocket.emit` did: the notification's id and signed fields, and its settled
 * deliveries (one per matching webhook and copy; empty for a gap or when no webhook matched).
 *
 * @example
 * import type { Emitted } from '@banksocket-webhooks/testing/node'
 * const allDelivered = (e: Emitted) => e.deliveries.every((d) => d.status === 'delivered')
 */
export type Emitted = Readonly<{
  notificationId: number
  fields: NotificationFields
  deliveries: ReadonlyArray<Delivery>
}>

/**
 * Why the mock could not start: the port was taken, the host unknown, and so on.
 *
 * @example
 * import type { MockStartError } from '@banksocket-webhooks/testing/node'
 * const explain = (e: MockStartError) => `${e.code}: ${e.message}` // 'EADDRINUSE: listen EADDRINUSE ...'
 */
export type MockStartError = Readonly<{ _tag: 'listen_failed'; code: string; message: string }>

/**
 * A running mock Banksocket.
 *
 * @example
 * import type { MockBanksocket } from '@banksocket-webhooks/testing/node'
 * const stop = (mock: MockBanksocket) => mock.close()
 */
export type MockBanksocket = Readonly<{
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string
  /** Management API base, `url + '/v1'` (what the API client takes). */
  apiUrl: string
  port: number
  /** The active webhooks with the input each was created with. */
  webhooks: () => ReadonlyArray<Subscription>
  /** Registers a webhook without HTTP (validated as `POST /v1/webhooks` does). */
  createWebhook: (input: CreateWebhookInput) => E.Either<ReadonlyArray<PayloadProblem>, Webhook>
  /** Deletes a webhook without HTTP; `false` when the id is unknown. Its queued deliveries are cancelled. */
  deleteWebhook: (id: number) => boolean
  /** Completes `movement` with sample defaults, signs it with the secret, and delivers it to every matching webhook. */
  emit: (movement: NotificationInput, options?: EmitOptions) => Promise<Emitted>
  /** Delivers `fields` exactly as given (not re-signed): a re-delivery, or a tampered notification. */
  deliver: (fields: NotificationFields, options?: EmitOptions) => Promise<Emitted>
  /** Settled deliveries, in settling order. */
  readonly deliveries: ReadonlyArray<Delivery>
  /** Every attempt so far, including those of deliveries still retrying. */
  readonly attempts: ReadonlyArray<DeliveryAttempt>
  /**
   * Resolves with `deliveries` once `n` deliveries have settled (delivered,
   * failed or cancelled). Rejects with an `Error` after `timeout` milliseconds (default 5000) or
   * when the mock closes first: in a test, that is the failure to report.
   */
  waitForDeliveries: (n: number, options?: Readonly<{ timeout?: number }>) => Promise<ReadonlyArray<Delivery>>
  /** Stops the server and all deliveries (in-flight requests aborted, retries cancelled). Idempotent. */
  close: () => Promise<void>
}>

const nodeSha256: Sha256 = (message) => createHash('sha256').update(message, 'utf8').digest('hex')

const safely =
  <A>(listener: ((a: A) => void) | undefined) =>
  (a: A): void => {
    try {
      listener?.(a)
    } catch {
      // a listener's failure must not stop deliveries
    }
  }

const readBody = (request: IncomingMessage, limit: number): Promise<Uint8Array | 'too_large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > limit) tooLarge = true
      else chunks.push(chunk)
    })
    request.on('end', () => resolve(tooLarge ? 'too_large' : new Uint8Array(Buffer.concat(chunks))))
    request.on('error', reject)
  })

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

const checkOptions = (options: MockBanksocketOptions): void => {
  if (typeof options.token !== 'string' || options.token === '') throw new TypeError('token must be a non-empty string')
  if (typeof options.secret !== 'string' || options.secret === '') throw new TypeError('secret must be a non-empty string')
  if (options.encoding !== undefined && !ENCODINGS.includes(options.encoding)) {
    throw new TypeError(`encoding must be one of ${ENCODINGS.join(', ')}, got "${String(options.encoding)}"`)
  }
  const port = options.port ?? 0
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new TypeError(`port must be 0..65535, got ${String(port)}`)
  const timeout = options.timeout ?? DEFAULT_SEND_TIMEOUT
  if (!Number.isSafeInteger(timeout) || timeout <= 0) throw new TypeError(`timeout must be a positive integer, got ${String(timeout)}`)
  const limit = options.bodyLimit ?? 65536
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new TypeError(`bodyLimit must be a positive integer, got ${String(limit)}`)
}

const checkCopies = (options: EmitOptions | undefined): number => {
  const copies = options?.copies ?? 1
  if (!Number.isSafeInteger(copies) || copies < 0) throw new TypeError(`copies must be an integer >= 0, got ${String(copies)}`)
  return copies
}

const hostForUrl = (host: string): string => (host.includes(':') ? `[${host}]` : host)

/**
 * Starts a mock Banksocket. Options are checked at once (a `TypeError` says which one is wrong);
 * failing to listen is a {@link MockStartError}. The token and secret never appear in answers,
 * logs or errors.
 *
 * @example
 * import { startMockBanksocket } from '@banksocket-webhooks/testing/node'
 * const started = await startMockBanksocket({ token: 'test-token', secret: 'test-secret', retry: { baseDelay: 10 } })()
 * if (started._tag === 'Left') throw new Error(started.left.message)
 * const mock = started.right
 * // POST `${mock.apiUrl}/webhooks` with { title, endpoint, event, account } and `Authentication: test-token`,
 * // then: await mock.emit({ dc: 'Credit', amount: '100.00', balance: '18100.00' })
 * await mock.close()
 */
export const startMockBanksocket = (options: MockBanksocketOptions): TE.TaskEither<MockStartError, MockBanksocket> => {
  checkOptions(options)
  const retry = resolveRetry(options.retry)
  const host = options.host ?? '127.0.0.1'
  const limit = options.bodyLimit ?? 65536
  const registry = new WebhookRegistry((id) => engine.wake(id))
  const deliveries: Delivery[] = []
  const attempts: DeliveryAttempt[] = []
  const waiters = new Set<Readonly<{ n: number; resolve: () => void; reject: (e: Error) => void }>>()
  const onAttempt = safely(options.onAttempt)
  const onDelivery = safely(options.onDelivery)
  const engine = new DeliveryEngine({
    encoding: options.encoding ?? 'form',
    retry,
    timeout: options.timeout ?? DEFAULT_SEND_TIMEOUT,
    fetch: options.fetch,
    now: options.now ?? (() => new Date()),
    isActive: (id) => registry.has(id),
    onAttempt: (attempt) => {
      attempts.push(attempt)
      onAttempt(attempt)
    },
    onDelivery: (delivery) => {
      deliveries.push(delivery)
      onDelivery(delivery)
      for (const waiter of waiters) if (deliveries.length >= waiter.n) waiter.resolve()
    },
  })
  let notificationId = 0
  let closed = false
  let closing: Promise<void> | undefined

  const send = async (fields: NotificationFields, copies: number): Promise<Emitted> => {
    const id = ++notificationId
    const targets = closed ? [] : registry.matching(fields)
    const pending: Array<Promise<Delivery>> = []
    for (const subscription of targets) {
      for (let i = 0; i < copies; i++) pending.push(engine.enqueue(subscription, id, fields))
    }
    return { notificationId: id, fields, deliveries: await Promise.all(pending) }
  }

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    readBody(request, limit)
      .then((body) => {
        const answer = handleApiRequest(
          {
            method: request.method ?? 'GET',
            path: request.url ?? '/',
            authentication: header(request, 'authentication'),
            contentType: header(request, 'content-type'),
            body,
          },
          { token: options.token, registry },
        )
        response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) })
        response.end(answer.body)
      })
      .catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
        response.end(JSON.stringify({ error: 'internal_error' }))
      })
  })
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    else socket.destroy()
  })

  const close = (): Promise<void> => {
    if (closing !== undefined) return closing
    closed = true
    for (const waiter of waiters) waiter.reject(new Error('the mock Banksocket was closed before the deliveries settled'))
    waiters.clear()
    const stopped = new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
    closing = Promise.all([stopped, engine.close()]).then(() => undefined)
    return closing
  }

  const mock = (port: number): MockBanksocket => {
    const url = `http://${hostForUrl(host)}:${port}`
    return {
      url,
      apiUrl: `${url}/v1`,
      port,
      webhooks: () => registry.list(),
      createWebhook: (input) => E.map((s: Subscription) => s.webhook)(registry.create(input)),
      deleteWebhook: (id) => registry.delete(id),
      emit: (movement, emitOptions) => {
        const copies = checkCopies(emitOptions)
        const signing = signNotification(movement, options.secret, { sha256: options.sha256 ?? nodeSha256 })
        return signing().then((signed: SignedNotification) => send(signed, copies))
      },
      deliver: (fields, emitOptions) => send(fields, checkCopies(emitOptions)),
      get deliveries() {
        return [...deliveries]
      },
      get attempts() {
        return [...attempts]
      },
      waitForDeliveries: (n, waitOptions) => {
        if (deliveries.length >= n) return Promise.resolve([...deliveries])
        if (closed) return Promise.reject(new Error('the mock Banksocket is closed'))
        const timeout = waitOptions?.timeout ?? 5000
        return new Promise((resolve, reject) => {
          const waiter = {
            n,
            resolve: () => {
              clearTimeout(timer)
              waiters.delete(waiter)
              resolve([...deliveries])
            },
            reject: (error: Error) => {
              clearTimeout(timer)
              waiters.delete(waiter)
              reject(error)
            },
          }
          const timer = setTimeout(() => waiter.reject(new Error(`${deliveries.length} of ${n} deliveries settled within ${timeout} ms`)), timeout)
          waiters.add(waiter)
        })
      },
      close,
    }
  }

  return () =>
    new Promise((resolve) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        resolve(E.left({ _tag: 'listen_failed', code: error.code ?? 'UNKNOWN', message: error.message }))
      }
      server.once('error', onError)
      server.listen(options.port ?? 0, host, () => {
        server.off('error', onError)
        resolve(E.right(mock((server.address() as AddressInfo).port)))
      })
    })
}
