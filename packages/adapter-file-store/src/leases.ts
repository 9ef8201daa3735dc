/**
 * One active instance per consumer name beside a file log: the lock file
 * `<log>.checkpoints/<name>.lock`, taken as the store takes its own lock (`lock.ts`: the holder's
 * pid and a token, linked into place atomically, a lock whose pid is no longer running taken over).
 * While another live process holds it, `acquire` tries again every `retryEvery` ms; between the
 * instances of one process the name is handed on at once, without polling.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { AcquireOptions, Lease } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { describe } from './internal.ts'
import { acquireLock } from './lock.ts'

/**
 * How often `acquire` tries again while another process holds the name, by default: 1 s.
 *
 * @internal
 */
const DEFAULT_RETRY_EVERY = 1000

/**
 * The instances of this process waiting for or holding each lock file: the last one's turn, which
 * ends when it passes it on (by releasing, or by giving up waiting). A key with nobody holds no
 * entry.
 */
const turns = new Map<string, Promise<void>>()

/**
 * A place in the line for `key`: `ready` resolves when every instance before it has passed its
 * turn on; `pass` passes this one's on (at once, even before `ready`: the next one then follows the
 * one before).
 */
const takeTurn = (key: string): Readonly<{ ready: Promise<void>; pass: () => void }> => {
  const ready = turns.get(key) ?? Promise.resolve()
  let pass = (): void => {}
  const mine = new Promise<void>((resolve) => {
    pass = resolve
  })
  const tail = ready.then(() => mine)
  turns.set(key, tail)
  void tail.then(() => {
    if (turns.get(key) === tail) turns.delete(key)
  })
  return { ready, pass }
}

/** Resolves with `promise`, or rejects with the signal's reason once it aborts. */
const unlessAborted = <A>(promise: Promise<A>, signal: AbortSignal | undefined): Promise<A> => {
  if (signal === undefined) return promise
  return new Promise<A>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/** Waits `ms` milliseconds, or rejects with the signal's reason once it aborts (clearing the timer). */
const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })

const lockFailure = (name: string, doing: string, error: unknown): Error =>
  new Error(`could not ${doing} the lock file of consumer '${name}' (${describe(error)})`, { cause: error })

/**
 * Claims consumer `name` through the lock file at `lockPath` (its directory is created if needed):
 * waits for the instances of this process before it, then takes the lock file, trying again every
 * `retryEvery` ms while a live process holds it. Rejects with the signal's reason once
 * `options.signal` aborts (also when the lock was just taken: it is given back), with a `TypeError`
 * for a bad `retryEvery`, and with an `Error` naming the system error code when the file system
 * fails.
 *
 * The lease's `lost` never resolves: a lock file is not taken from a live holder (another process
 * takes it over only once the holder's pid is no longer running, and then there is nobody left to
 * tell), so it cannot be lost while its holder runs.
 *
 * @internal
 */
export const acquireFileLease = async (lockPath: string, name: string, options: AcquireOptions | undefined): Promise<Lease> => {
  const retryEvery = options?.retryEvery ?? DEFAULT_RETRY_EVERY
  if (typeof retryEvery !== 'number' || !Number.isFinite(retryEvery) || retryEvery <= 0) {
    throw new TypeError(`acquire: retryEvery is a positive number of milliseconds (default ${DEFAULT_RETRY_EVERY}), got ${String(retryEvery)}`)
  }
  const signal = options?.signal
  signal?.throwIfAborted()
  const turn = takeTurn(lockPath)
  try {
    await unlessAborted(turn.ready, signal)
    await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      throw lockFailure(name, 'create the directory of', error)
    })
    for (;;) {
      signal?.throwIfAborted()
      const taken = await acquireLock(lockPath).catch((error: unknown) => {
        throw lockFailure(name, 'take', error)
      })
      if (E.isRight(taken)) {
        const lock = taken.right
        if (signal?.aborted) {
          await lock.release().catch(() => undefined)
          throw signal.reason
        }
        let released: Promise<void> | undefined
        return {
          lost: new Promise<void>(() => {}),
          release: () =>
            (released ??= lock
              .release()
              .catch((error: unknown) => {
                throw lockFailure(name, 'remove', error)
              })
              .finally(turn.pass)),
        }
      }
      await sleep(retryEvery, signal)
    }
  } catch (error) {
    turn.pass()
    throw error
  }
}
