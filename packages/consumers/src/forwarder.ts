/**
 * The forwarder: the consumer most applications want. Every recorded transaction and gap change is
 * POSTed to the application's URL as JSON, signed as Standard Webhooks, one account's events in
 * chain order (the next only after the previous was acknowledged or given up on), other accounts
 * not held up (docs/architecture.md, "Consumers").
 *
 * @module
 */
import type { BalanceGapDetected, LedgerEvent, MeterLike, StoredEvent, StoreError } from '@banksocket-webhooks/core'
import type { CheckpointStore } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Consumer, createConsumer } from './consumer.ts'
import type { ConsumerFailure, FeedSource, StartPoint } from './consumer-options.ts'
import type { ConsumerEvent } from './failures.ts'
import { forwardMessage, webhookIdOf } from './messages.ts'
import { forwardMetrics } from './metrics.ts'
import { retryPolicy } from './retry.ts'
import { createWebhookSigner, parseWebhookSecret } from './standard-webhooks.ts'

/**
 * The application did not acknowledge a delivery: it answered `status` (not a 2xx), or did not
 * answer (`status` undefined: a timeout or a network failure, said in `message`).
 *
 * @example
 * import { ForwardRejected } from '@banksocket-webhooks/consumers'
 * new ForwardRejected('answered 503', 503).status // 503
 */
export class ForwardRejected extends Error {
  override readonly name = 'ForwardRejected'
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message)
  }
}

/**
 * Options of {@link createForwarder}.
 *
 * @example
 * import { createInMemoryEventStore, type LedgerEvent } from '@banksocket-webhooks/core'
 * import { createInMemoryCheckpoints, type ForwarderOptions } from '@banksocket-webhooks/consumers'
 * const options: ForwarderOptions = { store: createInMemoryEventStore<LedgerEvent>(), checkpoints: createInMemoryCheckpoints(),
 *   url: 'http://127.0.0.1:4000/banksocket', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }
 */
export type ForwarderOptions = Readonly<{
  /** The consumer's name: its checkpoint, and one active forwarder per name. @default 'forward' */
  name?: string
  /** The store whose events are forwarded (the receiver's; a file follower is fine). */
  store: FeedSource<LedgerEvent | ConsumerEvent>
  /** Where the checkpoint is kept: the same store's checkpoints. */
  checkpoints: CheckpointStore<unknown>
  /** The application's URL (http or https). */
  url: string
  /** The Standard Webhooks secret, `whsec_` and base64; the application verifies with it. */
  secret: string
  /** Where a forwarder with no checkpoint starts. @default 'beginning' */
  from?: StartPoint
  /** How long to wait for an answer, in ms; no answer in time is a failed attempt. @default 10000 */
  timeout?: number
  /** The longest wait between two attempts, in ms. @default 300000 (5 minutes) */
  maxDelay?: number
  /** The first wait after a failed attempt, in ms; it doubles up to `maxDelay`, jittered. @default 1000 */
  initialDelay?: number
  /** Attempts in all before the event is given up on (a `ForwardFailed` in the store). @default 20 */
  maxAttempts?: number
  /** Events read at once. @default 100 */
  batchSize?: number
  /** How often to look for new events when nothing wakes it, in ms. @default 500 */
  pollInterval?: number
  /** Events read ahead and not yet acknowledged, over every account. @default 1000 */
  maxPending?: number
  /** News of appends (see `ConsumerOptions.notify`). */
  notify?: (wake: () => void) => () => void
  /** Records a given-up event. @default appends a `ForwardFailed` to the store */
  recordFailure?: (failure: ConsumerFailure<LedgerEvent | ConsumerEvent>) => TE.TaskEither<StoreError, void>
  /** The fetch to send with (a runtime's own, or an instrumented one). @default globalThis.fetch */
  fetch?: typeof fetch
  /**
   * Where to report metrics: an OpenTelemetry `Meter` (`@opentelemetry/api`) or anything shaped
   * like one (core's `MeterLike`). Every attempt is counted (`banksocket.forward.attempts`, by
   * `result`: `delivered`, `rejected`, `timeout`, `network_error`, with the status answered), and
   * the forwarder reports what every consumer does (lag, handler duration, failures), with
   * `consumer` = `name`. @default undefined: nothing is measured
   */
  meter?: MeterLike
}>

/**
 * A forwarder's counts: events acknowledged by the application, given up on, and read but not yet
 * done.
 *
 * @example
 * import type { ForwardCounts } from '@banksocket-webhooks/consumers'
 * const line = (c: ForwardCounts) => `${c.forwarded} forwarded, ${c.failed} failed, ${c.pending} pending`
 */
export type ForwardCounts = Readonly<{ forwarded: number; failed: number; pending: number }>

/**
 * A running forwarder: a {@link Consumer} with its counts.
 *
 * @example
 * import type { Forwarder } from '@banksocket-webhooks/consumers'
 * const report = (f: Forwarder) => f.counts()
 */
export interface Forwarder extends Consumer<LedgerEvent | ConsumerEvent> {
  counts(): ForwardCounts
}

/** The URL without credentials, query or fragment: what a failure record says about the target. */
const displayUrl = (url: URL): string => `${url.origin}${url.pathname}`

const checkUrl = (text: string): URL => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new TypeError(`the forwarding URL is not a URL: '${text.slice(0, 80)}'`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`the forwarding URL must be http or https, got ${url.protocol}`)
  return url
}

const positive = (name: string, value: number | undefined, fallback: number): number => {
  const v = value ?? fallback
  if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`${name} must be a positive integer, got ${String(value)}`)
  return v
}

/**
 * Creates a forwarder (not started). Each event that has a message (transactions, gap openings,
 * narrowings and closings, unobserved movements, suspected replays; see `forwardMessage`) is POSTed
 * to `url` with the Standard Webhooks headers: `webhook-id` is the event's own id (the same on every
 * retry and after any restart, different for a genuine repeat), the body the same bytes every time;
 * only `webhook-timestamp` and the signature change. A 2xx acknowledges it; anything else, or no
 * answer within `timeout`, is retried with backoff up to `maxDelay` between attempts and
 * `maxAttempts` in all, then recorded as a `ForwardFailed` in the store and reported as `failed`,
 * and the account moves on. Throws a `TypeError` for a bad URL, secret (never echoed) or option.
 *
 * @example
 * import { createInMemoryEventStore, type LedgerEvent } from '@banksocket-webhooks/core'
 * import { createForwarder, createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
 *
 * const store = createInMemoryEventStore<LedgerEvent>()
 * const forwarder = createForwarder({
 *   store,
 *   checkpoints: createInMemoryCheckpoints(),
 *   url: 'http://127.0.0.1:4000/banksocket',
 *   secret: process.env.BANKSOCKET_FORWARD_SECRET ?? '',
 * })
 * forwarder.on('failed', (f) => console.error(`gave up on ${f.event.position}: ${f.message}`))
 * await forwarder.start()
 * // ... on shutdown:
 * await forwarder.stop()
 * forwarder.counts() // { forwarded: …, failed: …, pending: 0 }
 */
export const createForwarder = (options: ForwarderOptions): Forwarder => {
  const url = checkUrl(options.url)
  const secret = parseWebhookSecret(options.secret)
  if (E.isLeft(secret)) throw new TypeError(`the forwarding secret is not usable: ${secret.left.message}`)
  const signer = createWebhookSigner(secret.right)
  const timeout = positive('timeout', options.timeout, 10_000)
  const policy = retryPolicy({
    initialDelay: options.initialDelay ?? 1000,
    maxDelay: options.maxDelay ?? 300_000,
    maxAttempts: options.maxAttempts ?? 20,
  })
  const { store } = options
  // The runtime's fetch, not ky: ky 2 needs Node 22 while this package (and payments, which depends
  // on it) runs on Node 20, and the forwarder uses nothing of ky (it retries itself, sends a string,
  // reads no JSON): with ky each request cost 40 % more (docs/benchmarks.md, "Consumers").
  const send = options.fetch ?? fetch
  const target = displayUrl(url)
  const lastStatus = new Map<number, number>()
  const name = options.name ?? 'forward'
  const attempts = forwardMetrics(options.meter, name)

  // The gap a transaction line carries is the BalanceGapDetected recorded just before it in its
  // stream (docs/architecture.md, "The balance chain"): remembered per stream as events go by, and
  // read from the store after a restart that begins between the two.
  const gaps = new Map<string, Readonly<{ version: number; data: BalanceGapDetected['data'] }>>()
  /** The version of the last event of each stream handed to `deliver`. */
  const handedOver = new Map<string, number>()
  const gapBefore = async (event: StoredEvent<LedgerEvent>): Promise<BalanceGapDetected['data'] | undefined> => {
    if (event.event.type !== 'TransactionReceived' || event.version < 2) return undefined
    const key = event.event.data.idempotencyKey
    const known = gaps.get(event.stream)
    if (known !== undefined && known.version === event.version - 1) return known.data.idempotencyKey === key ? known.data : undefined
    // The event before it was handed over here and was no gap: nothing to read.
    if (handedOver.get(event.stream) === event.version - 1) return undefined
    if (store.readStream === undefined) return undefined
    const read = await store.readStream(event.stream, { after: event.version - 2, limit: 1 })()
    if (E.isLeft(read))
      throw new Error(
        `could not read the event before ${event.stream}@${event.version}: ${read.left._tag === 'StoreFailure' ? read.left.message : read.left._tag}`,
      )
    const before = read.right.events[0]
    return before?.type === 'BalanceGapDetected' && before.data.idempotencyKey === key ? before.data : undefined
  }

  let forwarded = 0
  const deliver = async (stored: StoredEvent<LedgerEvent | ConsumerEvent>): Promise<void> => {
    const event = stored as StoredEvent<LedgerEvent>
    if (event.event.type === 'BalanceGapDetected') gaps.set(event.stream, { version: event.version, data: event.event.data })
    const message = forwardMessage(event, await gapBefore(event))
    handedOver.set(event.stream, event.version)
    if (message === undefined) return
    const id = webhookIdOf(event)
    const headers = await signer.headers(id, Math.floor(Date.now() / 1000), message.body)
    let response: Response
    try {
      response = await send(url, { method: 'POST', body: message.body, headers, signal: AbortSignal.timeout(timeout) })
    } catch (error) {
      lastStatus.delete(event.position)
      const timedOut = (error as { name?: unknown }).name === 'TimeoutError'
      attempts.unanswered(timedOut ? 'timeout' : 'network_error')
      throw new ForwardRejected(timedOut ? `no answer within ${timeout} ms` : `could not reach ${target}`)
    }
    attempts.answered(response.status, response.ok)
    // Read to the end, so that the connection goes back to the pool (keep-alive).
    await response.arrayBuffer().catch(() => undefined)
    if (!response.ok) {
      lastStatus.set(event.position, response.status)
      throw new ForwardRejected(`${target} answered ${response.status}`, response.status)
    }
    lastStatus.delete(event.position)
    forwarded++
  }

  const forwardFailed = (failure: ConsumerFailure<LedgerEvent | ConsumerEvent>): ConsumerEvent => {
    const status = lastStatus.get(failure.event.position)
    lastStatus.delete(failure.event.position)
    return {
      type: 'ForwardFailed',
      data: {
        consumer: failure.consumer,
        position: failure.event.position,
        stream: failure.event.stream,
        version: failure.event.version,
        eventType: (failure.event.event as { type: string }).type,
        attempts: failure.attempts,
        error: failure.message,
        failedAt: new Date().toISOString(),
        url: target,
        webhookId: webhookIdOf(failure.event),
        ...(status === undefined ? {} : { status }),
      },
    }
  }

  const consumer = createConsumer<LedgerEvent | ConsumerEvent, unknown>({
    name,
    store,
    checkpoints: options.checkpoints,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.pollInterval === undefined ? {} : { pollInterval: options.pollInterval }),
    ...(options.maxPending === undefined ? {} : { maxPending: options.maxPending }),
    ...(options.notify === undefined ? {} : { notify: options.notify }),
    ...(options.recordFailure === undefined ? {} : { recordFailure: options.recordFailure }),
    ...(options.meter === undefined ? {} : { meter: options.meter }),
    failureEvent: forwardFailed,
    retry: policy,
    partitionBy: (event) => event.stream,
    handle: deliver,
  })
  return Object.assign(consumer, {
    counts: (): ForwardCounts => ({ forwarded, failed: consumer.stats().failed, pending: consumer.stats().pending }),
  }) as Forwarder
}
