/**
 * What a repeated notification touches: the ledger its idempotency key was recorded in
 * (`keyOwner`) and the ledger's duplicate counter (`countDuplicate`, one statement; a replay stores
 * nothing else).
 *
 * @module
 */
import type { StoreError } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { type Connection, FRESH } from './connection.ts'
import type { RowCodec } from './row-codec.ts'

/**
 * Makes `keyOwner` and `countDuplicate` of a store on its connection. `countDuplicate` throws a
 * `TypeError` for a count that is not a positive integer.
 *
 * @internal
 * @example
 * const { keyOwner, countDuplicate } = createDuplicates(connection, rows)
 * const owner = await keyOwner('k-2f1c')() // Right('ledger-69-TRY')
 * await countDuplicate('ledger-69-TRY')() // Right(2)
 */
export const createDuplicates = (connection: Connection, rows: Pick<RowCodec<unknown, unknown>, 'integer'>) => {
  const { q, query, failure } = connection

  const KEY_OWNER = `SELECT stream, ${FRESH} FROM ${q}.idempotency_keys WHERE key = $1`
  const COUNT = `UPDATE ${q}.streams SET duplicates = duplicates + $2, last_duplicate_at = now() WHERE stream = $1 RETURNING duplicates`
  const COUNT_NEW = `
    INSERT INTO ${q}.streams AS st (stream, duplicates, last_duplicate_at) VALUES ($1, $2, now())
    ON CONFLICT (stream) DO UPDATE SET duplicates = st.duplicates + EXCLUDED.duplicates, last_duplicate_at = now()
    RETURNING duplicates`

  const keyOwner =
    (key: string): TE.TaskEither<StoreError, string | undefined> =>
    async () => {
      try {
        const row = (await query(KEY_OWNER, [key], 'key_owner')).rows[0]
        return E.right(row === undefined ? undefined : String(row['stream']))
      } catch (error) {
        return E.left(failure('looking up which ledger recorded a notification (its idempotency key)', error))
      }
    }

  const countDuplicate = (stream: string, count = 1): TE.TaskEither<StoreError, number> => {
    if (!Number.isSafeInteger(count) || count < 1) throw new TypeError(`countDuplicate: count must be a positive integer, got ${String(count)}`)
    return async () => {
      try {
        const updated = (await query(COUNT, [stream, count])).rows[0] ?? (await query(COUNT_NEW, [stream, count])).rows[0]
        return E.right(rows.integer(updated?.['duplicates'], `the duplicates counted on ${stream}`))
      } catch (error) {
        return E.left(failure(`counting a duplicate delivery on ${stream}`, error))
      }
    }
  }

  return { keyOwner, countDuplicate }
}
