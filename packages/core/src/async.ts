/**
 * The asynchronous plumbing a receiver needs, each piece written once: telling a Promise-like value
 * from a plain one ({@link isThenable}), running application code under a timeout
 * ({@link runWithTimeout}), counting work under way so that a shutdown can wait for it
 * ({@link InFlight}), and running work one at a time per key, in call order ({@link SerialQueue}).
 * Web APIs only. See docs/architecture.md for where each is used on a request's way.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

/**
 * Whether a value is Promise-like (has a `then` method): what an application's listener or handler
 * returned when it did its work asynchronously.
 *
 * @example
 * import { isThenable } from '@banksocket-webhooks/core/runtime-kit'
 * isThenable(Promise.resolve(1)) // true
 * isThenable({ then: 1 }) // false
 * isThenable(undefined) // false
 */
export const isThenable = <A>(value: A | PromiseLike<A>): value is PromiseLike<A> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'

/**
 * A handler ran longer than the timeout.
 *
 * @example
 * import { HandlerTimeoutError } from '@banksocket-webhooks/core/runtime-kit'
 * new HandlerTimeoutError(10_000).message // 'handler did not finish within 10000 ms'
 */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError'
  constructor(readonly timeout: number) {
    super(`handler did not finish within ${timeout} ms`)
  }
}

/**
 * A value now, or a Promise of it when something had to be waited for: what the steps of a delivery
 * answer inside core, so that one with nothing to wait for (a synchronous hasher such as
 * node:crypto, synchronous listeners, no store) goes through without a trip through the microtask
 * queue. It ends at the inbox: `deliver` answers with a Promise, always.
 *
 * @example
 * const half = (n: number): Step<number> => (n % 2 === 0 ? n / 2 : Promise.resolve(n / 2))
 */
export type Step<A> = A | Promise<A>

const DONE: E.Either<unknown, void> = E.right(undefined)

/**
 * Runs `work`, an application's handler: `Right` at once when it returned without a Promise (no
 * timer, no trip through the microtask queue), `Left` of what it threw; when it returned a
 * Promise-like, a Promise that resolves with `Right` when that fulfils, `Left` of the reason when it
 * rejects, or `Left` of a {@link HandlerTimeoutError} after `timeout` milliseconds, whichever comes
 * first. Never throws, never rejects.
 *
 * @internal
 * @example
 * runWithTimeout(() => {}, 1_000) // Right(undefined), at once
 * await runWithTimeout(() => new Promise(() => {}), 50) // Left(HandlerTimeoutError), after 50 ms
 */
export const runWithTimeout = (work: () => unknown, timeout: number): Step<E.Either<unknown, void>> => {
  let result: unknown
  try {
    result = work()
  } catch (error) {
    return E.left(error)
  }
  if (!isThenable(result)) return DONE
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(E.left(new HandlerTimeoutError(timeout))), timeout)
    Promise.resolve(result).then(
      () => {
        clearTimeout(timer)
        resolve(DONE)
      },
      (error: unknown) => {
        clearTimeout(timer)
        resolve(E.left(error))
      },
    )
  })
}

/**
 * A count of work under way (deliveries in an inbox, requests in a server) and a way to wait until
 * there is none: `enter` when a piece starts, `leave` when it ends, `idle()` to wait.
 *
 * @example
 * import { InFlight } from '@banksocket-webhooks/core/runtime-kit'
 * const requests = new InFlight()
 * requests.enter()
 * const closed = requests.idle().then(() => 'closed')
 * requests.leave() // `closed` resolves
 */
export class InFlight {
  #count = 0
  #waiting: Array<() => void> = []

  /** How many pieces of work are under way. */
  get size(): number {
    return this.#count
  }

  /** A piece of work starts. */
  enter(): void {
    this.#count++
  }

  /** A piece of work ended: when it was the last one, whoever waits in {@link InFlight.idle} goes on. */
  leave(): void {
    if (--this.#count > 0 || this.#waiting.length === 0) return
    const waiting = this.#waiting
    this.#waiting = []
    for (const resolve of waiting) resolve()
  }

  /** Resolves at once when nothing is under way, else when the count next drops to zero. */
  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.#waiting.push(resolve))
  }
}

/**
 * Runs tasks one at a time per key, in the order they were given, while tasks of different keys run
 * at once: a task starts once the previous task of its key has settled (fulfilled or rejected). A
 * key with nothing under way holds no entry. A task given a free key runs at once; when it answers
 * without a Promise (it had nothing to wait for), that answer is returned as it is and the key
 * stays free.
 *
 * @example
 * import { SerialQueue } from '@banksocket-webhooks/core/runtime-kit'
 * const queue = new SerialQueue()
 * const order: string[] = []
 * const slow = queue.run('ledger-69-TRY', () => new Promise<void>((r) => setTimeout(() => r(void order.push('slow')), 10)))
 * const quick = queue.run('ledger-69-TRY', async () => void order.push('quick'))
 * await Promise.all([slow, quick]) // order: ['slow', 'quick']
 */
export class SerialQueue {
  /** The last task given, per key with a task under way. */
  readonly #tails = new Map<string, Promise<unknown>>()

  /** Runs `task` after the tasks under way for `key`; settles as it does. A throw of a task run at once is thrown here. */
  run<A>(key: string, task: () => Promise<A>): Promise<A>
  run<A>(key: string, task: () => A | Promise<A>): A | Promise<A>
  run<A>(key: string, task: () => A | Promise<A>): A | Promise<A> {
    const previous = this.#tails.get(key)
    if (previous !== undefined) return this.#hold(key, previous.then(task, task))
    const now = task()
    return now instanceof Promise ? this.#hold(key, now) : now
  }

  /** Keeps `key` busy until `tail` settles. */
  #hold<A>(key: string, tail: Promise<A>): Promise<A> {
    this.#tails.set(key, tail)
    const free = () => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
    tail.then(free, free)
    return tail
  }
}
