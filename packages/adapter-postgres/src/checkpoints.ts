/**
 * Core's checkpoint port on PostgreSQL: each consumer's checkpoint is a row of the `checkpoints`
 * table, moved by a compare-and-set in the same transaction as the consumer's own writes, and one
 * active instance per name is a session lock (`leases.ts`) (README, "Checkpoints and one active
 * consumer").
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
import { type Connection, FRESH } from './connection.ts'
import { isQueryTimeout } from './errors.ts'
import { toSafeInteger } from './internal.ts'
import type { PoolClientLike, Queryable } from './pool.ts'

type StoreFailure = Extract<CheckpointError, { _tag: 'StoreFailure' }>

/**
 * The checkpoints of a PostgreSQL store: core's `CheckpointStore`, whose work writes with the
 * transaction's connection (`Queryable`), and `list`, every checkpoint saved in the schema (what a
 * look inside the store shows: `banksocket inspect`).
 *
 * @example
 * import type { PostgresCheckpoints } from '@banksocket-webhooks/adapter-postgres'
 * const names = async (checkpoints: PostgresCheckpoints) => {
 *   const listed = await checkpoints.list()()
 *   return listed._tag === 'Right' ? [...listed.right.keys()] : [] // ['forward', 'payments']
 * }
 */
export interface PostgresCheckpoints extends CheckpointStore<Queryable> {
  /**
   * Every saved checkpoint, consumer name to position, in name order (one query; an empty map when
   * none was ever saved). A consumer whose checkpoint was never saved is not there.
   */
  list(): TE.TaskEither<StoreError, ReadonlyMap<string, number>>
}

/**
 * The transaction's connection as `work` gets it: only `query`, and only until `work` is over (a
 * query started later would run outside the transaction, on a connection back in the pool).
 * `timedOut` is the first query of the work that got no answer in time (pg's `query_timeout`): the
 * connection is then in an unknown state, so the transaction is neither committed nor rolled back
 * on it, and it is closed.
 */
const transactionOf = (client: PoolClientLike, name: string): Readonly<{ tx: Queryable; end: () => void; timedOut: () => Error | undefined }> => {
  let open = true
  let timedOut: Error | undefined
  return {
    tx: {
      query: (text, values) =>
        open
          ? client.query(text, values).catch((error: unknown) => {
              if (isQueryTimeout(error)) timedOut ??= error as Error
              throw error
            })
          : Promise.reject(
              new Error(
                `the transaction of advance('${name}') is over: a query of its work was sent after the work returned (await every query inside work)`,
              ),
            ),
    },
    end: () => {
      open = false
    },
    timedOut: () => timedOut,
  }
}

/**
 * Makes a store's checkpoints on its connection and its `acquire`. Every method checks its
 * arguments when called (a bad name or position throws a `TypeError`).
 *
 * - `read(name)`: one query.
 * - `advance(name, expected, next, work)`: one transaction on one client of the pool. Its first
 *   statement is the compare-and-set, which also locks the row until the end: `UPDATE ... WHERE
 *   position = expected AND position < next` (or, from no checkpoint, `INSERT ... ON CONFLICT DO
 *   NOTHING`, which waits for a concurrent insert of the name to end): a `SELECT ... FOR UPDATE`,
 *   the check and the write in one statement, a round trip fewer. No row changed is a
 *   `CheckpointConflict` with what is saved now, and `work` does not run. Then `work(tx)` and
 *   `COMMIT`: the work's writes and the new checkpoint commit together or not at all. A second
 *   `advance` from the same `expected` waits on the row and then finds it moved. Three round trips
 *   besides the work's own.
 *
 * @internal
 * @example
 * const checkpoints = createCheckpoints(connection, createLeases(connection).acquire)
 * await checkpoints.advance('orders', undefined, 17, (tx) => tx.query('INSERT INTO seen VALUES ($1)', [17]).then(() => {}))()
 * await checkpoints.read('orders')() // Right(17)
 */
export const createCheckpoints = (
  connection: Connection,
  acquire: (name: string, options?: AcquireOptions) => Promise<Lease>,
): PostgresCheckpoints => {
  const { q, query, refuse, failure } = connection

  const READ = `SELECT position, ${FRESH} FROM ${q}.checkpoints WHERE name = $1`
  const CURRENT = `SELECT position FROM ${q}.checkpoints WHERE name = $1`
  // Forward means later in feed order, (transaction_id, global_position), not a larger position:
  // an event of a transaction that began earlier and committed later comes after events with
  // higher positions (docs/architecture.md, "Stores and global positions").
  const MOVE = `
    UPDATE ${q}.checkpoints AS c SET position = $3, updated_at = now()
      FROM ${q}.events AS n LEFT JOIN ${q}.events AS o ON o.global_position = $2::bigint
     WHERE c.name = $1 AND c.position = $2::bigint AND n.global_position = $3::bigint
       AND ($2::bigint = 0 OR (n.transaction_id, n.global_position) > (o.transaction_id, o.global_position))`
  const CREATE = `INSERT INTO ${q}.checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`
  const LIST = `SELECT name, position, ${FRESH} FROM ${q}.checkpoints ORDER BY name COLLATE "C"`

  const positionOf = (row: Record<string, unknown> | undefined, name: string): number | undefined => {
    if (row === undefined) return undefined
    return toSafeInteger(row['position']) ?? refuse(`the checkpoint of consumer '${name}' is not a safe integer: ${String(row['position'])}`)
  }

  const storeFailure = (doing: string, error: unknown): StoreFailure => {
    const found: StoreError = failure(doing, error)
    return found._tag === 'StoreFailure' ? found : { _tag: 'StoreFailure', message: `PostgreSQL store: ${doing} failed` }
  }

  const read = (name: string): TE.TaskEither<StoreError, number | undefined> => {
    checkConsumerName(name)
    return async () => {
      try {
        return E.right(positionOf((await query(READ, [name])).rows[0], name))
      } catch (error) {
        return E.left(failure(`reading the checkpoint of consumer '${name}'`, error))
      }
    }
  }

  const list = (): TE.TaskEither<StoreError, ReadonlyMap<string, number>> => async () => {
    try {
      const listed = new Map<string, number>()
      for (const row of (await query(LIST, [])).rows) {
        const name = String(row['name'])
        const position = positionOf(row, name)
        if (position !== undefined) listed.set(name, position)
      }
      return E.right(listed)
    } catch (error) {
      return E.left(failure('listing the checkpoints', error))
    }
  }

  const advance = (
    name: string,
    expected: number | undefined,
    next: number,
    work?: (tx: Queryable) => Promise<void>,
  ): TE.TaskEither<CheckpointError, void> => {
    checkConsumerName(name)
    checkAdvance(expected, next)
    return async () => {
      const doing = `moving the checkpoint of consumer '${name}' from ${expected ?? 'none'} to ${next}`
      let client: PoolClientLike
      try {
        client = await connection.connect()
      } catch (error) {
        return E.left(storeFailure(`${doing} (connecting)`, error))
      }
      // A checked-out pg client has no pool listener: without one, a dropped connection would throw.
      const ignore = () => {}
      client.on?.('error', ignore)
      let broken: Error | undefined
      /** Ends the transaction without saving; a connection that cannot is not given back to the pool. */
      const rollback = async () => {
        await client.query('ROLLBACK').catch((error: unknown) => {
          broken = error instanceof Error ? error : new Error(String(error))
        })
      }
      try {
        await client.query('BEGIN')
        const moved = expected === undefined ? await client.query(CREATE, [name, next]) : await client.query(MOVE, [name, expected, next])
        if (moved.rowCount !== 1) {
          const actual = positionOf((await client.query(CURRENT, [name])).rows[0], name)
          await rollback()
          return E.left({ _tag: 'CheckpointConflict', name, expected, actual })
        }
        if (work !== undefined) {
          const transaction = transactionOf(client, name)
          let thrown: Readonly<{ error: unknown }> | undefined
          try {
            await work(transaction.tx)
          } catch (error) {
            thrown = { error }
          }
          transaction.end()
          const timedOut = transaction.timedOut()
          if (timedOut !== undefined) {
            // No ROLLBACK (it would wait behind the unanswered query): closing the connection ends
            // the transaction on the server, whenever the server gets to it.
            broken = timedOut
            if (thrown !== undefined) return E.left({ _tag: 'WorkFailed', error: thrown.error })
            return E.left(storeFailure(doing, timedOut))
          }
          if (thrown !== undefined) {
            await rollback()
            return E.left({ _tag: 'WorkFailed', error: thrown.error })
          }
        }
        const committed = await client.query('COMMIT')
        if (committed.command === 'ROLLBACK') {
          // A statement of the work failed and the work went on (it caught the error): PostgreSQL
          // then ends the transaction with ROLLBACK, whatever was asked.
          return E.left({
            _tag: 'WorkFailed',
            error: new Error(
              `the transaction of advance('${name}') was rolled back: a statement of its work failed and the work did not throw (use a SAVEPOINT to go on after a failed statement)`,
            ),
          })
        }
        return E.right(undefined)
      } catch (error) {
        // The connection is destroyed, not given back: its server process ends, and with it the
        // transaction (rolled back) and the row lock.
        broken = error instanceof Error ? error : new Error(String(error))
        return E.left(storeFailure(doing, error))
      } finally {
        client.removeListener?.('error', ignore)
        client.release(broken)
      }
    }
  }

  return { transactional: true, read, list, advance, acquire }
}
