/**
 * The checkpoint port: where a consumer of a store's feed saves how far it has read, and how one
 * instance of a named consumer keeps the others out. Every store offers it (memory, file,
 * PostgreSQL), so a consumer's checkpoint lives beside the events it reads
 * (docs/architecture.md, "Consumers").
 *
 * @module
 */
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { StoreError } from './store.ts'

/**
 * Why a checkpoint was not moved:
 * - `CheckpointConflict`: the saved checkpoint is not the one the move started from (another
 *   instance moved it), or the move would not go forward; nothing was saved and `work` did not
 *   commit;
 * - `WorkFailed`: the work to commit with the move threw or rejected (`error`); nothing was saved
 *   and, where the store has transactions, the work's own writes were rolled back;
 * - `StoreFailure`: the store could not be read or written.
 *
 * @example
 * import type { CheckpointError } from '@banksocket-webhooks/core/store-kit'
 * const e: CheckpointError = { _tag: 'CheckpointConflict', name: 'orders', expected: 17, actual: 40 }
 */
export type CheckpointError =
  | Readonly<{ _tag: 'CheckpointConflict'; name: string; expected: number | undefined; actual: number | undefined }>
  | Readonly<{ _tag: 'WorkFailed'; error: unknown }>
  | Extract<StoreError, { _tag: 'StoreFailure' }>

/**
 * A held claim on a consumer name: while it is held, no other instance of that name (in this
 * process or, where the store can tell, in another) holds it. `lost` resolves if the claim ends
 * without `release` (the connection that held it died): the holder must stop.
 *
 * @example
 * import type { Lease } from '@banksocket-webhooks/core/store-kit'
 * const done = async (lease: Lease) => { await lease.release() }
 */
export type Lease = Readonly<{
  /** Resolves when the claim was lost without `release` (never, for a store that cannot lose it). */
  lost: Promise<void>
  /** Gives the name up; idempotent. */
  release: () => Promise<void>
}>

/**
 * Options of {@link CheckpointStore.acquire}.
 *
 * @example
 * import type { AcquireOptions } from '@banksocket-webhooks/core/store-kit'
 * const options: AcquireOptions = { retryEvery: 1000, signal: AbortSignal.timeout(30_000) }
 */
export type AcquireOptions = Readonly<{
  /** How often to try again while another instance holds the name, in milliseconds. @default 1000 */
  retryEvery?: number
  /** Gives up waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal
}>

/**
 * Where consumers keep their checkpoints: for each consumer name, the global position of the last
 * event it is done with (`undefined`: it never saved one).
 *
 * `advance` is a compare-and-set: it moves `name` from `expected` to `next` only if the saved
 * checkpoint is still `expected` and `next` is beyond it, and runs `work` first, committing its
 * effects with the move where the store has transactions (PostgreSQL: `work` gets the transaction's
 * client, `Tx`, and its writes and the checkpoint commit together or not at all). A store without
 * transactions runs `work`, then saves (at least once, for the work's effects).
 *
 * @typeParam Tx what `work` is given to write with (PostgreSQL: a client inside the transaction;
 * `undefined` elsewhere)
 * @example
 * import type { CheckpointStore } from '@banksocket-webhooks/core/store-kit'
 * const resume = async (checkpoints: CheckpointStore) => await checkpoints.read('orders')() // Right(17)
 */
export interface CheckpointStore<Tx = undefined> {
  /**
   * `true` when `work`'s writes commit with the checkpoint and roll back without it (PostgreSQL):
   * a consumer then runs again the events of a failed page that had succeeded, since their writes
   * were undone. Otherwise their effects stand and the consumer saves past them without a rerun.
   */
  readonly transactional?: boolean
  /** The checkpoint of `name`, or `undefined` if it never saved one. */
  read(name: string): TE.TaskEither<StoreError, number | undefined>
  /**
   * Runs `work` (if any) and moves `name` from `expected` to `next`, atomically with the work's
   * writes where the store can. Refused with `CheckpointConflict` when the saved checkpoint is not
   * `expected` or `next` is not beyond it. See {@link CheckpointError}.
   */
  advance(name: string, expected: number | undefined, next: number, work?: (tx: Tx) => Promise<void>): TE.TaskEither<CheckpointError, void>
  /**
   * Claims `name` for this instance, waiting while another instance holds it (one active instance
   * per consumer name). Rejects only when `options.signal` aborts or the store fails.
   */
  acquire(name: string, options?: AcquireOptions): Promise<Lease>
}

/**
 * Checks a consumer name: 1 to 200 characters, letters, digits, `.`, `_`, `-` and `:`, so it is a
 * safe file name and key everywhere. Throws a `TypeError` otherwise.
 *
 * @example
 * import { checkConsumerName } from '@banksocket-webhooks/core/store-kit'
 * checkConsumerName('forward:orders') // 'forward:orders'
 * checkConsumerName('../etc') // throws TypeError
 */
export const checkConsumerName = (name: string): string => {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._:-]{1,200}$/.test(name) || name === '.' || name === '..') {
    throw new TypeError(
      `a consumer name is 1 to 200 letters, digits, '.', '_', '-' or ':', such as 'forward' or 'orders-projection', got ${JSON.stringify(String(name).slice(0, 40))}`,
    )
  }
  return name
}

/**
 * Checks the arguments of an `advance`: `next` a non-negative safe integer, `expected` one or
 * `undefined`. Throws a `TypeError` otherwise (a programming error). A `next` that is not beyond
 * `expected` is not an error of this check: the store refuses it as a `CheckpointConflict`.
 *
 * @example
 * import { checkAdvance } from '@banksocket-webhooks/core/store-kit'
 * checkAdvance(17, 40) // fine
 * checkAdvance(17, -1) // throws TypeError
 */
export const checkAdvance = (expected: number | undefined, next: number): void => {
  if (!Number.isSafeInteger(next) || next < 0) throw new TypeError(`a checkpoint is a non-negative integer position, got ${String(next)}`)
  if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new TypeError(`the expected checkpoint is a non-negative integer position or undefined, got ${String(expected)}`)
  }
}
