/**
 * Forwarding driven by a Durable Object's alarm: each run reads the object's feed after the
 * forwarder's checkpoint (kept in the same SQLite database), POSTs each event to the application
 * signed as Standard Webhooks, exactly as `createForwarder` of `@banksocket-webhooks/consumers` does
 * on the wire (the same message, id, headers and body bytes), and moves the checkpoint past each
 * event the application acknowledged. The first failure ends the run and says when to try again
 * (exponential backoff, jittered, capped), so the object re-arms its alarm for then: one object's
 * events go out one at a time, in feed order, at least once (docs/architecture.md, "Forwarding").
 *
 * The attempts made on the event at the checkpoint are kept in the database too
 * (`banksocket_consumer_attempts`), so the backoff and the budget of attempts survive the object
 * being evicted between two alarms. After `maxAttempts` the event is given up on: a
 * `ForwardFailed` is appended to the stream `consumer-<name>` and the checkpoint moves past it.
 *
 * @module
 */
import {
  backoffDelay,
  type ConsumerEvent,
  consumerStream,
  createWebhookSigner,
  type ForwardFailed,
  forwardMessage,
  parseWebhookSecret,
  type RetryPolicy,
  retryPolicy,
  type WebhookSigner,
  webhookIdOf,
} from '@banksocket-webhooks/consumers'
import type { BalanceGapDetected, LedgerEvent, StoredEvent, StoreError } from '@banksocket-webhooks/core'
import type { CheckpointError } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { AlarmNext, AlarmPorts, AlarmRunError } from './alarm.ts'
import { attemptsOf, failureOf } from './attempts.ts'
import { sqlFailure } from './sql.ts'

/**
 * Options of {@link createAlarmForwarder}: where to forward and how patiently. The defaults are
 * those of `createForwarder` in `@banksocket-webhooks/consumers`.
 *
 * @example
 * import type { ForwardingOptions } from '@banksocket-webhooks/adapter-durable-object'
 * const options: ForwardingOptions = { url: 'https://app.example/banksocket', secret: env.FORWARD_SECRET, maxAttempts: 50 }
 */
export type ForwardingOptions = Readonly<{
  /** The application's URL (http or https). */
  url: string
  /** The Standard Webhooks secret, `whsec_` and base64; the application verifies with it. Never logged, never in an error. */
  secret: string
  /** The consumer's name: its checkpoint and its failure stream (`consumer-<name>`). @default 'forward' */
  name?: string
  /** How long to wait for an answer, in ms; no answer in time is a failed attempt. @default 10000 */
  timeout?: number
  /** The first wait after a failed attempt, in ms; it doubles up to `maxDelay`, jittered. @default 1000 */
  initialDelay?: number
  /** The longest wait between two attempts, in ms. @default 300000 (5 minutes) */
  maxDelay?: number
  /** Attempts in all on one event before it is given up on (a `ForwardFailed` in the store). @default 20 */
  maxAttempts?: number
  /** Events sent by one run at most; a run that sent them all asks for another at once. @default 100 */
  batchSize?: number
  /** The fetch to send with. @default globalThis.fetch */
  fetch?: typeof fetch
}>

/**
 * What one run did: events the application acknowledged, events given up on, and what is next.
 *
 * @example
 * import type { ForwardRun } from '@banksocket-webhooks/adapter-durable-object'
 * const line = (r: ForwardRun) => `${r.delivered} delivered, ${r.givenUp} given up, ${r.next._tag}`
 */
export type ForwardRun = Readonly<{ delivered: number; givenUp: number; next: AlarmNext }>

/**
 * A forwarder run by the object's alarm; see {@link createAlarmForwarder}.
 *
 * @example
 * import type { AlarmForwarder } from '@banksocket-webhooks/adapter-durable-object'
 * const alarm = async (forwarder: AlarmForwarder) => await forwarder.run()()
 */
export type AlarmForwarder = Readonly<{
  /** The consumer's name. */
  name: string
  /** Sends what is due: the events after the checkpoint, in feed order, until one fails or `batchSize` were sent. */
  run(): TE.TaskEither<AlarmRunError, ForwardRun>
}>

const checkUrl = (text: string): URL => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new TypeError(`forward: the url is not a URL: '${text.slice(0, 80)}'`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`forward: the url must be http or https, got ${url.protocol}`)
  return url
}

const positive = (name: string, value: number | undefined, fallback: number): number => {
  const v = value ?? fallback
  if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`forward: ${name} must be a positive integer, got ${String(value)}`)
  return v
}

/** A failed attempt: the words for it (no secret, no query string) and the status, if there was an answer. */
type Refusal = Readonly<{ reason: string; status?: number }>

/** Sends one message; `undefined` when a 2xx acknowledged it. */
const sendOnce = async (
  send: typeof fetch,
  url: URL,
  target: string,
  signer: WebhookSigner,
  id: string,
  body: string,
  timeout: number,
  now: number,
): Promise<Refusal | undefined> => {
  const headers = await signer.headers(id, Math.floor(now / 1000), body)
  let response: Response
  try {
    response = await send(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeout) })
  } catch (error) {
    return { reason: (error as { name?: unknown }).name === 'TimeoutError' ? `no answer within ${timeout} ms` : `could not reach ${target}` }
  }
  // Read to the end, so that the connection can be reused.
  await response.arrayBuffer().catch(() => undefined)
  return response.ok ? undefined : { reason: `${target} answered ${response.status}`, status: response.status }
}

/**
 * Creates the forwarder an inbox object runs from its `alarm()`. Each run:
 *
 * 1. reads the checkpoint of `name` and the next `batchSize` events after it;
 * 2. for each, in feed order, builds the message `createForwarder` sends (`forwardMessage`, with the
 *    gap a transaction opened; an event with no message, such as a `ForwardFailed`, is passed),
 *    signs it (`webhook-id` is `webhookIdOf(event)`, the same on every attempt) and POSTs it;
 * 3. a 2xx moves the checkpoint past the event, in one transaction with forgetting its attempts;
 * 4. anything else, or no answer within `timeout`, counts an attempt in the database and ends the
 *    run with `retry` at `now + backoffDelay(attempts)`; at `maxAttempts` the event is given up on
 *    (a `ForwardFailed` appended to `consumer-<name>`, then the checkpoint moved past it).
 *
 * At least once: a crash after the application's 2xx and before the checkpoint moved sends the
 * event again, with the same `webhook-id`. Throws a `TypeError` for a bad URL, secret (never
 * echoed) or option.
 *
 * @example
 * import { createAlarmForwarder, createDurableObjectCheckpoints, createDurableObjectEventStore } from '@banksocket-webhooks/adapter-durable-object'
 * const forwarder = createAlarmForwarder(
 *   { storage: ctx.storage, store: createDurableObjectEventStore(ctx.storage), checkpoints: createDurableObjectCheckpoints(ctx.storage) },
 *   { url: 'https://app.example/banksocket', secret: env.FORWARD_SECRET },
 * )
 * const run = await forwarder.run()() // Right({ delivered: 3, givenUp: 0, next: { _tag: 'caught_up' } })
 */
export const createAlarmForwarder = (ports: AlarmPorts, options: ForwardingOptions): AlarmForwarder => {
  const url = checkUrl(options.url)
  const secret = parseWebhookSecret(options.secret)
  if (E.isLeft(secret)) throw new TypeError(`forward: the secret is not usable: ${secret.left.message}`)
  const signer = createWebhookSigner(secret.right)
  const name = options.name ?? 'forward'
  const timeout = positive('timeout', options.timeout, 10_000)
  const batchSize = positive('batchSize', options.batchSize, 100)
  const policy: RetryPolicy = retryPolicy({
    initialDelay: options.initialDelay ?? 1000,
    maxDelay: options.maxDelay ?? 300_000,
    maxAttempts: options.maxAttempts ?? 20,
  })
  const send = options.fetch ?? ((input, init) => fetch(input, init))
  const now = ports.now ?? Date.now
  const target = `${url.origin}${url.pathname}`
  const { storage, store, checkpoints } = ports
  const attempts = attemptsOf(storage.sql, name)

  /** The gap a transaction opened: the `BalanceGapDetected` just before it in its stream, for the same movement. */
  const gapBefore = async (
    event: StoredEvent<LedgerEvent>,
    previous: StoredEvent<LedgerEvent> | undefined,
  ): Promise<E.Either<StoreError, BalanceGapDetected['data'] | undefined>> => {
    if (event.event.type !== 'TransactionReceived' || event.version < 2) return E.right(undefined)
    const key = event.event.data.idempotencyKey
    let before: LedgerEvent | undefined
    if (previous !== undefined && previous.stream === event.stream && previous.version === event.version - 1) before = previous.event
    else {
      const read = await store.readStream(event.stream, { after: event.version - 2, limit: 1 })()
      if (E.isLeft(read)) return read
      before = read.right.events[0] as LedgerEvent | undefined
    }
    return E.right(before?.type === 'BalanceGapDetected' && before.data.idempotencyKey === key ? before.data : undefined)
  }

  const giveUp = (event: StoredEvent<LedgerEvent | ConsumerEvent>, attempts: number, refusal: Refusal): TE.TaskEither<StoreError, unknown> => {
    const failed: ForwardFailed = {
      type: 'ForwardFailed',
      data: {
        ...failureOf(name, event, attempts, refusal.reason, now()),
        url: target,
        webhookId: webhookIdOf(event),
        ...(refusal.status === undefined ? {} : { status: refusal.status }),
      },
    }
    return store.appendToStream(consumerStream(name), [failed], 'any')
  }

  const run = async (): Promise<E.Either<AlarmRunError, ForwardRun>> => {
    const read = await checkpoints.read(name)()
    if (E.isLeft(read)) return read
    let checkpoint = read.right
    const page = await store.readAll({ after: checkpoint ?? 0, limit: batchSize })()
    if (E.isLeft(page)) return page
    let delivered = 0
    let givenUp = 0
    let previous: StoredEvent<LedgerEvent> | undefined
    const advance = (position: number): E.Either<CheckpointError, void> => {
      const moved = checkpoints.advanceSync(name, checkpoint, position, attempts.forget)
      if (E.isRight(moved)) checkpoint = position
      return moved
    }
    for (const stored of page.right) {
      const event = stored as StoredEvent<LedgerEvent>
      const gap = await gapBefore(event, previous)
      if (E.isLeft(gap)) return gap
      previous = event
      let refusal: Refusal | undefined
      let message: ReturnType<typeof forwardMessage>
      try {
        message = forwardMessage(event, gap.right)
      } catch (error) {
        message = undefined
        refusal = { reason: `the event at position ${event.position} cannot be forwarded: ${error instanceof Error ? error.message : String(error)}` }
      }
      if (message !== undefined) refusal = await sendOnce(send, url, target, signer, webhookIdOf(event), message.body, timeout, now())
      if (refusal === undefined) {
        const moved = advance(event.position)
        if (E.isLeft(moved)) return moved
        if (message !== undefined) delivered++
        continue
      }
      const failed = attempts.at(event.position) + 1
      if (failed >= policy.maxAttempts) {
        const recorded = await giveUp(stored, failed, refusal)()
        if (E.isLeft(recorded)) return recorded
        const moved = advance(event.position)
        if (E.isLeft(moved)) return moved
        givenUp++
        continue
      }
      attempts.count(event.position, failed)
      return E.right({
        delivered,
        givenUp,
        next: { _tag: 'retry', at: now() + backoffDelay(failed, policy), attempts: failed, reason: refusal.reason },
      })
    }
    // A failure record this run appended is in the feed too: read on.
    return E.right({
      delivered,
      givenUp,
      next: page.right.length === batchSize || givenUp > 0 ? { _tag: 'more' } : { _tag: 'caught_up' },
    })
  }

  return {
    name,
    // A statement that throws (the attempts table) is a store failure like any other.
    run: () => () => run().catch((error: unknown) => E.left(sqlFailure('forwarding', error))),
  }
}
