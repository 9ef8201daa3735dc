/**
 * The options payments are opened with ({@link PaymentsOptions}), and the check that refuses bad
 * ones where they are given.
 *
 * @module
 */
import type { EventStore } from '@banksocket-webhooks/core'
import type { PaymentsEvent } from './events.ts'

/**
 * Options of {@link createPayments}.
 *
 * @example
 * import type { PaymentsOptions } from '@banksocket-webhooks/payments'
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * const options: PaymentsOptions = { store: createInMemoryEventStore(), now: () => new Date() }
 */
export type PaymentsOptions = Readonly<{
  /**
   * Where expectations and credit outcomes are kept. In memory for tests and demos; a durable store
   * (the file store with the `PaymentsEvent` codec, a database) for idempotence across restarts.
   */
  store: EventStore<PaymentsEvent>
  /** The clock `expire` and `expireDue` read. @default () => new Date() */
  now?: () => Date
  /** Retries of a command after a version conflict (another writer on the same stream). @default 3 */
  maxRetries?: number
}>

/**
 * Bad options are programming errors: they throw a `TypeError` where they are given, saying what
 * to pass.
 *
 * @internal
 * @example
 * import { checkOptions } from './options.ts'
 * checkOptions({ store: createInMemoryEventStore(), maxRetries: -1 }) // throws TypeError: maxRetries must be a non-negative integer ...
 */
export const checkOptions = (options: PaymentsOptions): void => {
  const { store, now, maxRetries } = options
  if (typeof store?.readStream !== 'function' || typeof store.appendToStream !== 'function' || typeof store.readAll !== 'function') {
    throw new TypeError('store must be an EventStore (readStream, appendToStream, readAll), e.g. createInMemoryEventStore()')
  }
  if (now !== undefined && typeof now !== 'function') throw new TypeError('now must be a function returning the current Date')
  if (maxRetries !== undefined && (!Number.isSafeInteger(maxRetries) || maxRetries < 0)) {
    throw new TypeError(`maxRetries must be a non-negative integer (retries after a version conflict), got ${String(maxRetries)}`)
  }
}
