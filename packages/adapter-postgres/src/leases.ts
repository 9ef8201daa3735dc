/**
 * One active instance per consumer name, across processes: a session advisory lock, taken with
 * `pg_try_advisory_lock` on a connection of its own and held while the instance runs (README,
 * "Checkpoints and one active consumer"). The lock lives as long as that connection: `release`
 * unlocks and closes it, and when the holding process dies (even by SIGKILL) its server process
 * ends and the lock with it, so a waiting instance takes over at its next try.
 *
 * @module
 */
import { type AcquireOptions, checkConsumerName, type Lease } from '@banksocket-webhooks/core/store-kit'
import type { Connection } from './connection.ts'
import type { Session } from './pool.ts'

/** How often `acquire` tries again while another instance holds the name, in milliseconds. */
const DEFAULT_RETRY_EVERY = 1000

/** The longest delay a timer takes (2^31 - 1 ms, about 24.8 days). */
const MAX_RETRY_EVERY = 2_147_483_647

/**
 * The text the lock's 64-bit key is hashed from (`hashtextextended(text, 0)`): the schema and the
 * name, so that two stores in one database keep their consumers apart. A schema name holds no `:`,
 * so the text names one pair.
 *
 * @internal
 * @example
 * leaseKey('banksocket', 'orders') // 'consumer:banksocket:orders'
 */
const leaseKey = (schema: string, name: string): string => `consumer:${schema}:${name}`

/** Where a claim is: trying to take the lock, holding it, or over (released, or ended by `close`). */
type ClaimState = 'waiting' | 'held' | 'over'

/**
 * Waits `ms`, or less: rejects with the signal's reason when it aborts, resolves early when the
 * callback handed to `interruptible` is called (the store closing).
 */
const pause = (ms: number, signal: AbortSignal | undefined, interruptible: (wake: () => void) => void): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', abort)
      interruptible(() => {})
    }
    const abort = () => {
      done()
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      done()
      resolve()
    }, ms)
    signal?.addEventListener('abort', abort, { once: true })
    interruptible(() => {
      done()
      resolve()
    })
  })

/**
 * Makes `acquire` on a store's connection, and `endAll`, which the store's `close` calls: every
 * lease it handed out is lost (its connection closed, so the lock is free) and every `acquire` still
 * waiting rejects. `acquire` throws a `TypeError` for a bad name or a bad `retryEvery` (a number
 * from 1 to 2^31 - 1); it rejects with the signal's reason when the signal aborts, and with an
 * `Error` carrying the `StoreFailure` (no password in it) when the database fails or the store is
 * closed.
 *
 * @internal
 * @example
 * const { acquire, endAll } = createLeases(connection)
 * const lease = await acquire('orders', { retryEvery: 1000 })
 * await lease.release()
 * await endAll() // in the store's close
 */
export const createLeases = (connection: Connection) => {
  const { schema, failure } = connection
  const TRY_LOCK = 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held'
  const UNLOCK = 'SELECT pg_advisory_unlock(hashtextextended($1, 0)) AS unlocked'

  /** What ends each open claim when the store closes. */
  const open = new Set<() => Promise<void>>()
  let closing = false

  const failed = (doing: string, error: unknown): Error => {
    const storeError = failure(doing, error)
    return new Error('message' in storeError ? storeError.message : `PostgreSQL store: ${doing} failed`, { cause: storeError })
  }
  const closed = (name: string): Error => {
    const message = `PostgreSQL store: claiming consumer '${name}' failed: the store was closed (close() was called on it)`
    return new Error(message, { cause: { _tag: 'StoreFailure', message } })
  }

  const claim = async (name: string, retryEvery: number, signal: AbortSignal | undefined): Promise<Lease> => {
    signal?.throwIfAborted()
    if (closing) throw closed(name)
    const key = leaseKey(schema, name)
    let session: Session
    try {
      session = await connection.session()
    } catch (error) {
      throw failed(`claiming consumer '${name}' (connecting)`, error)
    }

    const state: { now: ClaimState } = { now: 'waiting' }
    let wake = () => {}
    let markLost = () => {}
    const lost = new Promise<void>((resolve) => {
      markLost = resolve
    })
    let ended: Promise<void> | undefined
    /** Ends the claim once: unlocks if asked (a dead connection only fails to), closes the connection. */
    const end = (unlock: boolean): Promise<void> => {
      state.now = 'over'
      ended ??= (async () => {
        if (unlock) await session.query(UNLOCK, [key]).catch(() => undefined)
        await session.end()
        open.delete(endByClose)
      })()
      return ended
    }
    /** The store closes: a held lease is lost, a waiting claim stops waiting. */
    const endByClose = (): Promise<void> => {
      if (state.now === 'held') markLost()
      const ending = end(false)
      wake()
      return ending
    }
    open.add(endByClose)

    try {
      for (;;) {
        if (closing) throw closed(name)
        signal?.throwIfAborted()
        let held: boolean
        try {
          held = (await session.query(TRY_LOCK, [key])).rows[0]?.['held'] === true
        } catch (error) {
          if (closing) throw closed(name)
          throw failed(`claiming consumer '${name}'`, error)
        }
        if (closing) throw closed(name)
        signal?.throwIfAborted()
        if (held) break
        await pause(retryEvery, signal, (w) => {
          wake = w
        })
      }
    } catch (error) {
      await end(false)
      throw error
    }

    state.now = 'held'
    // The connection failed or ended while held (the server process was terminated, the network
    // dropped): the lock is gone with it.
    void session.lost.then(() => {
      if (state.now === 'held') markLost()
    })
    return { lost, release: () => end(true) }
  }

  const acquire = (name: string, options: AcquireOptions = {}): Promise<Lease> => {
    checkConsumerName(name)
    const retryEvery = options.retryEvery ?? DEFAULT_RETRY_EVERY
    if (typeof retryEvery !== 'number' || !(retryEvery >= 1 && retryEvery <= MAX_RETRY_EVERY)) {
      throw new TypeError(`acquire: retryEvery is a number of milliseconds from 1 to ${MAX_RETRY_EVERY}, got ${String(retryEvery)}`)
    }
    return claim(name, retryEvery, options.signal)
  }

  const endAll = async (): Promise<void> => {
    closing = true
    await Promise.all([...open].map((endByClose) => endByClose()))
  }

  return { acquire, endAll }
}
