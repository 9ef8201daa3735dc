/**
 * Small helpers shared by the modules of this package.
 *
 * @internal
 * @module
 */

/**
 * Reads a PostgreSQL `bigint`/`xid8` (node-postgres hands them over as decimal strings) as a number,
 * or `undefined` when it is not a safe integer. Positions, versions and transaction ids stay far below
 * 2^53 in practice (that is nine quadrillion events), so numbers are exact here.
 *
 * @internal
 * @example
 * toSafeInteger('9007199254740991') // 9007199254740991
 * toSafeInteger('9007199254740992') // undefined
 */
export const toSafeInteger = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : Number.NaN
  return Number.isSafeInteger(n) ? n : undefined
}

/**
 * The SQLSTATE of a node-postgres error, if any (`23505`, `57P01`, ...).
 *
 * @internal
 * @example
 * sqlState(Object.assign(new Error('duplicate key'), { code: '23505' })) // '23505'
 */
export const sqlState = (error: unknown): string | undefined => {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  const code = (error as { code: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/**
 * An error's message, or what it is when it has none.
 *
 * @internal
 * @example
 * messageOf(new Error('Connection terminated')) // 'Connection terminated'
 */
export const messageOf = (error: unknown): string => {
  if (error instanceof Error) return error.message === '' ? error.name : error.message
  if (typeof error === 'string') return error
  return 'unknown error'
}
