/**
 * Core's checkpoint port in a Durable Object: each consumer's checkpoint is a row of the
 * `banksocket_checkpoints` table, in the same SQLite database as the events it describes
 * (docs/architecture.md, "Consumers"). The store's feed order is position order, so a move goes
 * forward when its position is larger.
 *
 * @module
 */
import type { StoreError } from '@banksocket-webhooks/core'
import {
  type AcquireOptions,
  type CheckpointError,
  type CheckpointStore,
  checkAdvance,
  checkConsumerName,
  type Lease,
} from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { schemaGuard } from './schema.ts'
import { type DurableObjectStorageLike, integerOf, type SqlStorageLike } from './sql.ts'

/**
 * The checkpoints of a Durable Object: core's `CheckpointStore` (`transactional: false`) and
 * `advanceSync`, the exactly-once path.
 *
 * - `advance(name, expected, next, work?)` is asynchronous, and a Durable Object's transaction
 *   cannot wait for a promise, so `work` runs first and the checkpoint moves after it succeeded,
 *   in its own transaction (at least once for the work's effects: a crash between the two runs
 *   the work again). Hence `transactional: false`.
 * - `advanceSync(name, expected, next, work?)` runs a synchronous `work` (given the object's
 *   `sql`) and the move in ONE transaction: the work's writes and the checkpoint commit together or
 *   not at all (exactly once, for effects written in the object's own database).
 * - `acquire(name)`: one object is one single-threaded instance, and no other instance reaches its
 *   storage, so the lease is granted at once and its `lost` never resolves. Two consumers of one
 *   name inside one object are not kept apart by it; the compare-and-set of `advance` refuses the
 *   moves of the one that falls behind.
 *
 * @example
 * import type { DurableObjectCheckpoints } from '@banksocket-webhooks/adapter-durable-object'
 * const resume = (checkpoints: DurableObjectCheckpoints) => checkpoints.read('forward')
 */
export interface DurableObjectCheckpoints extends CheckpointStore<undefined> {
  /** Always `false`: `advance`'s asynchronous `work` commits before the move, not with it. */
  readonly transactional: false
  /**
   * Runs `work` (if any) and moves `name` from `expected` to `next`, in one transaction: refused
   * with `CheckpointConflict` (and `work` not run) when the saved checkpoint is not `expected` or
   * `next` is not beyond it; `WorkFailed` when `work` throws, and then neither its writes nor the
   * move commit. Throws a `TypeError` for a bad name or position.
   */
  advanceSync(name: string, expected: number | undefined, next: number, work?: (sql: SqlStorageLike) => void): E.Either<CheckpointError, void>
  /** Every saved checkpoint, consumer name to position, in name order. */
  list(): TE.TaskEither<StoreError, ReadonlyMap<string, number>>
}

/** What `work` threw inside the transaction: carried out of it so the transaction rolls back. */
class WorkThrew {
  constructor(readonly error: unknown) {}
}

/**
 * Creates the checkpoints of a Durable Object on its storage, in the same database as its event
 * store (the tables are created or upgraded first, synchronously, as `createDurableObjectEventStore`
 * does). Every method checks its arguments when called (a bad name or position throws a
 * `TypeError`); every failure of the storage is a `StoreFailure`, never a throw.
 *
 * @example
 * import { createDurableObjectCheckpoints } from '@banksocket-webhooks/adapter-durable-object'
 * const checkpoints = createDurableObjectCheckpoints(ctx.storage)
 * checkpoints.advanceSync('orders', undefined, 17, (sql) => void sql.exec('INSERT INTO paid (position) VALUES (?)', 17)) // Right(undefined)
 * await checkpoints.advance('orders', 3, 20)() // Left({ _tag: 'CheckpointConflict', name: 'orders', expected: 3, actual: 17 })
 * await checkpoints.read('orders')() // Right(17)
 */
export const createDurableObjectCheckpoints = (storage: DurableObjectStorageLike): DurableObjectCheckpoints => {
  const { sql } = storage
  /** Runs `body` once the schema is there; a throw is a `StoreFailure` saying what was being done. */
  const attempt = schemaGuard(storage)

  const current = (name: string): number | undefined => {
    const row = sql.exec<{ position: number }>('SELECT position FROM banksocket_checkpoints WHERE name = ?', name).toArray()[0]
    return row === undefined ? undefined : integerOf(row.position, `the checkpoint of consumer '${name}'`)
  }

  /** The compare-and-set, inside a transaction: a `CheckpointConflict`, or the move written. */
  const moveSync = (name: string, expected: number | undefined, next: number): E.Either<CheckpointError, void> => {
    const actual = current(name)
    if (actual !== expected || (actual !== undefined && next <= actual)) return E.left({ _tag: 'CheckpointConflict', name, expected, actual })
    if (actual === undefined) sql.exec('INSERT INTO banksocket_checkpoints (name, position) VALUES (?, ?)', name, next)
    else sql.exec('UPDATE banksocket_checkpoints SET position = ? WHERE name = ?', next, name)
    return E.right(undefined)
  }

  const doingOf = (name: string, expected: number | undefined, next: number) =>
    `moving the checkpoint of consumer '${name}' from ${expected ?? 'none'} to ${next}`

  const read = (name: string): TE.TaskEither<StoreError, number | undefined> => {
    checkConsumerName(name)
    return async () => attempt(`reading the checkpoint of consumer '${name}'`, () => E.right(current(name)))
  }

  const list = (): TE.TaskEither<StoreError, ReadonlyMap<string, number>> => async () =>
    attempt('listing the checkpoints', () => {
      const listed = new Map<string, number>()
      for (const row of sql.exec<{ name: string; position: number }>('SELECT name, position FROM banksocket_checkpoints ORDER BY name')) {
        listed.set(String(row.name), integerOf(row.position, `the checkpoint of consumer '${String(row.name)}'`))
      }
      return E.right(listed)
    })

  const advanceSync = (
    name: string,
    expected: number | undefined,
    next: number,
    work?: (sql: SqlStorageLike) => void,
  ): E.Either<CheckpointError, void> => {
    checkConsumerName(name)
    checkAdvance(expected, next)
    return attempt(doingOf(name, expected, next), () => {
      try {
        return storage.transactionSync(() => {
          const actual = current(name)
          if (actual !== expected || (actual !== undefined && next <= actual)) {
            return E.left<CheckpointError, void>({ _tag: 'CheckpointConflict', name, expected, actual })
          }
          if (work !== undefined) {
            try {
              work(sql)
            } catch (error) {
              throw new WorkThrew(error)
            }
          }
          return moveSync(name, expected, next)
        })
      } catch (error) {
        if (error instanceof WorkThrew) return E.left({ _tag: 'WorkFailed', error: error.error })
        throw error
      }
    })
  }

  const advance = (
    name: string,
    expected: number | undefined,
    next: number,
    work?: (tx: undefined) => Promise<void>,
  ): TE.TaskEither<CheckpointError, void> => {
    checkConsumerName(name)
    checkAdvance(expected, next)
    return async () => {
      const doing = doingOf(name, expected, next)
      if (work !== undefined) {
        // Refused before the work runs, as every store does; checked again when saving, since
        // another advance may have moved it while the work awaited.
        const before = attempt(doing, () => {
          const actual = current(name)
          return actual !== expected || (actual !== undefined && next <= actual)
            ? E.left<CheckpointError, void>({ _tag: 'CheckpointConflict', name, expected, actual })
            : E.right(undefined)
        })
        if (E.isLeft(before)) return before
        try {
          await work(undefined)
        } catch (error) {
          return E.left({ _tag: 'WorkFailed', error })
        }
      }
      return attempt(doing, () => storage.transactionSync(() => moveSync(name, expected, next)))
    }
  }

  const acquire = async (name: string, options?: AcquireOptions): Promise<Lease> => {
    checkConsumerName(name)
    options?.signal?.throwIfAborted()
    return { lost: new Promise<void>(() => {}), release: async () => {} }
  }

  return { transactional: false, read, advance, advanceSync, acquire, list }
}
