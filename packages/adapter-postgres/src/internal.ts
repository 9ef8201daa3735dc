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
 * Runs `task` after every task of the same key started before it; tasks of other keys run at once.
 *
 * @internal
 * @example
 * const serial: KeyedQueue = createKeyedQueue()
 * await serial('ledger-69-TRY', () => Promise.resolve(1)) // 1
 */
export type KeyedQueue = <A>(key: string, task: () => Promise<A>) => Promise<A>

/**
 * Runs tasks one after another per key, in the order they were started, while tasks of different keys
 * run at once. The store uses it so that a second append to a stream, started before the first one
 * resolved, reaches the database after it (as core's port promises), even over a pool of connections.
 *
 * @internal
 * @example
 * const serial = createKeyedQueue()
 * await Promise.all([serial('s', async () => 'first'), serial('s', async () => 'second')]) // the second runs after the first
 */
export const createKeyedQueue = (): KeyedQueue => {
  const tails = new Map<string, Promise<unknown>>()
  return <A>(key: string, task: () => Promise<A>): Promise<A> => {
    const previous = tails.get(key)
    const run = previous === undefined ? task() : previous.then(task, task)
    tails.set(key, run)
    const forget = () => {
      if (tails.get(key) === run) tails.delete(key)
    }
    run.then(forget, forget)
    return run
  }
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
