/**
 * How a consumer retries a handler that failed: exponential backoff, jittered and capped, within a
 * budget of attempts.
 *
 * @module
 */

/**
 * A retry policy: the first delay, the cap on any delay, and the attempts in all (the first one
 * included) before the event is recorded as failed.
 *
 * @example
 * import type { RetryPolicy } from '@banksocket-webhooks/consumers'
 * const policy: RetryPolicy = { initialDelay: 1000, maxDelay: 300_000, maxAttempts: 20 }
 */
export type RetryPolicy = Readonly<{
  /** The delay before the second attempt, in milliseconds (before jitter). */
  initialDelay: number
  /** No delay between two attempts is longer than this, in milliseconds. */
  maxDelay: number
  /** Attempts in all, the first included; then the event is recorded as failed. */
  maxAttempts: number
}>

/**
 * The default policy of a consumer: 100 ms doubling up to 30 s, 10 attempts.
 *
 * @example
 * import { DEFAULT_RETRY } from '@banksocket-webhooks/consumers'
 * DEFAULT_RETRY.maxAttempts // 10
 */
export const DEFAULT_RETRY: RetryPolicy = { initialDelay: 100, maxDelay: 30_000, maxAttempts: 10 }

/**
 * Checks a partial policy and fills in the defaults; throws a `TypeError` naming the bad field.
 *
 * @example
 * import { retryPolicy } from '@banksocket-webhooks/consumers'
 * retryPolicy({ maxAttempts: 3 }) // { initialDelay: 100, maxDelay: 30000, maxAttempts: 3 }
 */
export const retryPolicy = (given: Partial<RetryPolicy> | undefined, defaults: RetryPolicy = DEFAULT_RETRY): RetryPolicy => {
  const policy = { ...defaults, ...given }
  const positive = (name: keyof RetryPolicy, min: number) => {
    const value = policy[name]
    if (!Number.isSafeInteger(value) || value < min) throw new TypeError(`retry.${name} must be an integer of at least ${min}, got ${String(value)}`)
  }
  positive('initialDelay', 0)
  positive('maxDelay', 0)
  positive('maxAttempts', 1)
  return policy
}

/**
 * The delay after failed attempt number `attempt` (1 for the first): `initialDelay * 2^(attempt-1)`,
 * capped at `maxDelay`, then jittered to between half and all of it ("equal jitter"), so that many
 * consumers failing at once do not retry in step and every delay still grows.
 *
 * @example
 * import { backoffDelay } from '@banksocket-webhooks/consumers'
 * backoffDelay(1, { initialDelay: 100, maxDelay: 1000, maxAttempts: 5 }, () => 1) // 100
 * backoffDelay(9, { initialDelay: 100, maxDelay: 1000, maxAttempts: 5 }, () => 0) // 500
 */
export const backoffDelay = (attempt: number, policy: RetryPolicy, random: () => number = Math.random): number => {
  const exponential = policy.initialDelay * 2 ** Math.min(Math.max(attempt - 1, 0), 40)
  const capped = Math.min(policy.maxDelay, exponential)
  return Math.round(capped / 2 + (random() * capped) / 2)
}
