/**
 * Resources closed by one path: each resource is registered with `defer` as soon as it is open, and
 * closed exactly once, in reverse order of opening, by `close` (called in a `finally`), whatever
 * failed on the way. A shutdown that must close one resource at a given moment (a server before the
 * summary is read) closes it early through the handle `defer` returned; `close` then skips it. The
 * explicit stack stands in for `await using`, which our TypeScript target does not compile for
 * Node 20 without polyfills.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

/**
 * How a resource is closed: resolves with `Left(failure)` when closing failed (an expected failure,
 * such as a store that could not flush), `Right` otherwise. A closer that throws does not stop the
 * others.
 *
 * @example
 * import type { Closer } from './resources.ts'
 * const closeStore: Closer<string> = async () => E.mapLeft((e: StoreError) => e._tag)(await store.close()())
 */
export type Closer<F> = () => Promise<E.Either<F, void>> | E.Either<F, void>

/**
 * A registered resource: `close` closes it now (once; later calls and the stack's `close` skip
 * it) and resolves with its failure, if any.
 *
 * @example
 * const stopFirst = async (server: Deferred<string>) => server.close()
 */
type Deferred<F> = Readonly<{ close: () => Promise<ReadonlyArray<F>> }>

/**
 * The stack of open resources.
 *
 * @example
 * import type { ResourceStack } from './resources.ts'
 * const shut = (resources: ResourceStack<string>) => resources.close()
 */
export type ResourceStack<F> = Readonly<{
  /** Registers the closer of a resource just opened. */
  defer: (close: Closer<F>) => Deferred<F>
  /**
   * Closes every resource still open, last opened first, each even when an earlier one failed or
   * threw; resolves with the failures in closing order. When a closer threw, rejects with the
   * first thrown error once all have run. Calling it again closes only what was opened since.
   */
  close: () => Promise<ReadonlyArray<F>>
}>

/**
 * A closer for a resource whose closing cannot fail in an expected way.
 *
 * @example
 * import { closing } from './resources.ts'
 * resources.defer(closing(() => shutdown.dispose()))
 */
export const closing =
  (close: () => Promise<void> | void): Closer<never> =>
  async () => {
    await close()
    return E.right(undefined)
  }

/**
 * An empty {@link ResourceStack}.
 *
 * @example
 * import { closing, createResourceStack } from './resources.ts'
 * const resources = createResourceStack<string>()
 * try {
 *   const server = await startServer()
 *   resources.defer(closing(() => server.close()))
 *   await serve(server)
 * } finally {
 *   await resources.close()
 * }
 */
export const createResourceStack = <F>(): ResourceStack<F> => {
  const open: Array<Closer<F>> = []
  // Taken off the stack before it runs, so that a resource is closed once even by concurrent calls.
  const closeOne = async (closer: Closer<F>): Promise<ReadonlyArray<F>> => {
    const index = open.lastIndexOf(closer)
    if (index < 0) return []
    open.splice(index, 1)
    const result = await closer()
    return E.isLeft(result) ? [result.left] : []
  }
  return {
    defer: (close) => {
      // A fresh function per registration: the same closer registered twice is two resources.
      const closer: Closer<F> = () => close()
      open.push(closer)
      return { close: () => closeOne(closer) }
    },
    close: async () => {
      const failures: F[] = []
      let thrown: Readonly<{ error: unknown }> | undefined
      for (let last = open.at(-1); last !== undefined; last = open.at(-1)) {
        try {
          failures.push(...(await closeOne(last)))
        } catch (error) {
          thrown ??= { error }
        }
      }
      if (thrown !== undefined) throw thrown.error
      return failures
    },
  }
}
