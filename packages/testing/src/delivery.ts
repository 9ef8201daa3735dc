/**
 * The mock's delivery engine: one ordered queue per webhook, each notification POSTed with `fetch`
 * and retried with exponential backoff on a network error or a non-2xx answer, every attempt
 * logged. A failed delivery is retried before later notifications go to the same webhook.
 *
 * @module
 */
import type { Subscription } from '@banksocket-webhooks/core'
import type { Encoding } from './encode.ts'
import type { NotificationFields } from './notification.ts'
import { type SendError, sendNotification } from './send.ts'

/**
 * How failed deliveries are retried: attempt `k + 1` starts `min(maxDelay, baseDelay * factor ** (k - 1))`
 * milliseconds after attempt `k` failed. No jitter, so tests can assert the schedule.
 *
 * @example
 * import type { RetryOptions } from '@banksocket-webhooks/testing/node'
 * const fastForTests: RetryOptions = { attempts: 3, baseDelay: 10 }
 */
export type RetryOptions = Readonly<{
  /** Attempts per delivery, the first included. @default 5 */
  attempts?: number
  /** Delay before the second attempt, in milliseconds. @default 1000 */
  baseDelay?: number
  /** Multiplier from one delay to the next. @default 2 */
  factor?: number
  /** Longest delay between two attempts, in milliseconds. @default 30000 */
  maxDelay?: number
}>

/**
 * What one attempt got: an HTTP answer (`answered`, any status) or why there was none (see
 * `SendError`: `network_error`, `timeout`, `aborted` when the mock closed, `invalid_url`).
 *
 * @example
 * import type { AttemptOutcome } from '@banksocket-webhooks/testing/node'
 * const statusOf = (o: AttemptOutcome) => (o._tag === 'answered' ? o.status : undefined)
 */
export type AttemptOutcome = Readonly<{ _tag: 'answered'; status: number; ok: boolean; body: string }> | SendError

/**
 * One POST of one notification to one webhook.
 *
 * @example
 * import type { DeliveryAttempt } from '@banksocket-webhooks/testing/node'
 * const failed = (a: DeliveryAttempt) => a.outcome._tag !== 'answered' || !a.outcome.ok
 */
export type DeliveryAttempt = Readonly<{
  deliveryId: number
  notificationId: number
  webhookId: number
  endpoint: string
  /** 1 for the first try. */
  attempt: number
  /** Milliseconds waited after the previous attempt (0 for the first). */
  delay: number
  outcome: AttemptOutcome
  /** `true` when no further attempt follows (delivered, out of attempts, or cancelled). */
  final: boolean
  /** ISO 8601. */
  startedAt: string
  /** ISO 8601. */
  finishedAt: string
}>

/**
 * A settled delivery of one notification to one webhook: `delivered` (a 2xx answer), `failed`
 * (every attempt failed) or `cancelled` (the webhook was deleted or the mock closed first).
 *
 * @example
 * import type { Delivery } from '@banksocket-webhooks/testing/node'
 * const tries = (d: Delivery) => d.attempts.length
 */
export type Delivery = Readonly<{
  deliveryId: number
  notificationId: number
  webhookId: number
  endpoint: string
  status: 'delivered' | 'failed' | 'cancelled'
  encoding: Encoding
  /** The fields as sent (with their `hash`). */
  fields: NotificationFields
  attempts: ReadonlyArray<DeliveryAttempt>
  /** ISO 8601: when the delivery was queued. */
  queuedAt: string
  /** ISO 8601: when it settled. */
  settledAt: string
}>

/**
 * The default retry schedule: 5 attempts, 1 s, 2 s, 4 s, 8 s apart.
 *
 * @example
 * import { DEFAULT_RETRY } from '@banksocket-webhooks/testing/node'
 * DEFAULT_RETRY.attempts // 5
 */
export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 5, baseDelay: 1000, factor: 2, maxDelay: 30_000 }

/**
 * Fills in and checks retry options; throws a `TypeError` naming the bad option.
 *
 * @internal
 * @example
 * resolveRetry({ attempts: 3 }) // { attempts: 3, baseDelay: 1000, factor: 2, maxDelay: 30000 }
 */
export const resolveRetry = (retry: RetryOptions = {}): Required<RetryOptions> => {
  const resolved = { ...DEFAULT_RETRY, ...retry }
  if (!Number.isSafeInteger(resolved.attempts) || resolved.attempts < 1) {
    throw new TypeError(`retry.attempts must be an integer of at least 1, got ${String(resolved.attempts)}`)
  }
  for (const name of ['baseDelay', 'factor', 'maxDelay'] as const) {
    const value = resolved[name]
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`retry.${name} must be a number >= 0, got ${String(value)}`)
  }
  return resolved
}

/**
 * The delay before attempt `attempt + 1`, after attempt `attempt` failed.
 *
 * @internal
 * @example
 * backoffDelay(DEFAULT_RETRY, 3) // 4000
 */
const backoffDelay = (retry: Required<RetryOptions>, attempt: number): number =>
  Math.min(retry.maxDelay, retry.baseDelay * retry.factor ** (attempt - 1))

type Job = Readonly<{
  deliveryId: number
  notificationId: number
  subscription: Subscription
  fields: NotificationFields
  queuedAt: string
  settle: (delivery: Delivery) => void
}>

/**
 * Settings of the delivery engine.
 *
 * @internal
 */
export type EngineSettings = Readonly<{
  encoding: Encoding
  retry: Required<RetryOptions>
  timeout: number
  fetch: typeof fetch | undefined
  now: () => Date
  isActive: (webhookId: number) => boolean
  onAttempt: (attempt: DeliveryAttempt) => void
  onDelivery: (delivery: Delivery) => void
}>

/**
 * Per-webhook ordered delivery with retries.
 *
 * @internal
 * @example
 * const engine = new DeliveryEngine(settings)
 * const delivery = await engine.enqueue(subscription, 1, signedFields)
 */
export class DeliveryEngine {
  private readonly queues = new Map<number, Job[]>()
  private readonly running = new Set<number>()
  private readonly controller = new AbortController()
  private readonly sleepers = new Map<number, Set<() => void>>()
  private nextDeliveryId = 1
  private closed = false

  constructor(private readonly settings: EngineSettings) {}

  /** Queues one delivery; the promise settles when it is delivered, failed or cancelled (never rejects). */
  enqueue(subscription: Subscription, notificationId: number, fields: NotificationFields): Promise<Delivery> {
    return new Promise((resolve) => {
      const job: Job = {
        deliveryId: this.nextDeliveryId++,
        notificationId,
        subscription,
        fields,
        queuedAt: this.settings.now().toISOString(),
        settle: resolve,
      }
      if (this.closed) {
        this.finish(job, 'cancelled', [])
        return
      }
      const id = subscription.webhook.id
      const queue = this.queues.get(id) ?? []
      queue.push(job)
      this.queues.set(id, queue)
      if (!this.running.has(id)) void this.drain(id)
    })
  }

  /** Stops everything: in-flight requests are aborted, waits cut short, queued deliveries cancelled. */
  close(): Promise<void> {
    this.closed = true
    this.controller.abort()
    for (const wakes of this.sleepers.values()) for (const wake of wakes) wake()
    const idle = [...this.running].map((id) => this.whenIdle(id))
    return Promise.all(idle).then(() => undefined)
  }

  /** Cuts short the backoff waits of a webhook's deliveries (after it was deleted), so they cancel now. */
  wake(webhookId: number): void {
    for (const wake of this.sleepers.get(webhookId) ?? []) wake()
  }

  private readonly idleWaiters = new Map<number, Array<() => void>>()

  private whenIdle(id: number): Promise<void> {
    if (!this.running.has(id)) return Promise.resolve()
    return new Promise((resolve) => {
      const waiters = this.idleWaiters.get(id) ?? []
      waiters.push(resolve)
      this.idleWaiters.set(id, waiters)
    })
  }

  private async drain(id: number): Promise<void> {
    this.running.add(id)
    try {
      for (let job = this.queues.get(id)?.shift(); job !== undefined; job = this.queues.get(id)?.shift()) {
        await this.run(job)
      }
    } finally {
      this.queues.delete(id)
      this.running.delete(id)
      for (const wake of this.idleWaiters.get(id) ?? []) wake()
      this.idleWaiters.delete(id)
    }
  }

  private cancelled(job: Job): boolean {
    return this.closed || !this.settings.isActive(job.subscription.webhook.id)
  }

  private async run(job: Job): Promise<void> {
    const { retry } = this.settings
    const attempts: DeliveryAttempt[] = []
    let delay = 0
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (this.cancelled(job)) return this.finish(job, 'cancelled', attempts)
      const startedAt = this.settings.now().toISOString()
      const result = await sendNotification(job.subscription.webhook.endpoint, job.fields, {
        encoding: this.settings.encoding,
        timeout: this.settings.timeout,
        signal: this.controller.signal,
        headers: { 'user-agent': 'banksocket-webhooks-mock' },
        ...(this.settings.fetch === undefined ? {} : { fetch: this.settings.fetch }),
      })()
      const outcome: AttemptOutcome =
        result._tag === 'Right' ? { _tag: 'answered', status: result.right.status, ok: result.right.ok, body: result.right.body } : result.left
      const delivered = outcome._tag === 'answered' && outcome.ok
      const givesUp = outcome._tag === 'invalid_url' || outcome._tag === 'aborted'
      const final = delivered || givesUp || attempt === retry.attempts || this.cancelled(job)
      const record: DeliveryAttempt = {
        deliveryId: job.deliveryId,
        notificationId: job.notificationId,
        webhookId: job.subscription.webhook.id,
        endpoint: job.subscription.webhook.endpoint,
        attempt,
        delay,
        outcome,
        final,
        startedAt,
        finishedAt: this.settings.now().toISOString(),
      }
      attempts.push(record)
      this.settings.onAttempt(record)
      if (delivered) return this.finish(job, 'delivered', attempts)
      if (final) return this.finish(job, this.cancelled(job) || outcome._tag === 'aborted' ? 'cancelled' : 'failed', attempts)
      delay = backoffDelay(retry, attempt)
      await this.sleep(job.subscription.webhook.id, delay)
    }
    this.finish(job, 'failed', attempts)
  }

  private sleep(webhookId: number, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wakes = this.sleepers.get(webhookId) ?? new Set()
      this.sleepers.set(webhookId, wakes)
      const wake = (): void => {
        clearTimeout(timer)
        wakes.delete(wake)
        if (wakes.size === 0) this.sleepers.delete(webhookId)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      wakes.add(wake)
    })
  }

  private finish(job: Job, status: Delivery['status'], attempts: ReadonlyArray<DeliveryAttempt>): void {
    const delivery: Delivery = {
      deliveryId: job.deliveryId,
      notificationId: job.notificationId,
      webhookId: job.subscription.webhook.id,
      endpoint: job.subscription.webhook.endpoint,
      status,
      encoding: this.settings.encoding,
      fields: job.fields,
      attempts,
      queuedAt: job.queuedAt,
      settledAt: this.settings.now().toISOString(),
    }
    this.settings.onDelivery(delivery)
    job.settle(delivery)
  }
}
