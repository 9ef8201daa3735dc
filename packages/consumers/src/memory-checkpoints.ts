/**
 * Checkpoints in memory: for tests, and for consumers of the memory store.
 *
 * @module
 */
import { type CheckpointStore, checkAdvance, checkConsumerName, type Lease } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Checkpoints kept in memory (lost with the process, like the memory store's events), for the
 * memory store, whose feed order is position order: "forward" is a larger position here. For the
 * PostgreSQL store use its own `store.checkpoints` (its feed order is by transaction). `advance` is
 * a compare-and-set, runs `work` first and saves only when it succeeded; `acquire` keeps a second
 * instance of a name in this process waiting until the first releases it.
 *
 * @example
 * import { createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
 * const checkpoints = createInMemoryCheckpoints()
 * await checkpoints.advance('orders', undefined, 17)() // Right(undefined)
 * await checkpoints.advance('orders', 3, 20)() // Left({ _tag: 'CheckpointConflict', name: 'orders', expected: 3, actual: 17 })
 * await checkpoints.read('orders')() // Right(17)
 */
export const createInMemoryCheckpoints = (): CheckpointStore<undefined> => {
  const saved = new Map<string, number>()
  const holders = new Map<string, Promise<void>>()
  return {
    read: (name) => async () => E.right(saved.get(checkConsumerName(name))),
    advance: (name, expected, next, work) => {
      checkConsumerName(name)
      checkAdvance(expected, next)
      return async () => {
        const actual = saved.get(name)
        if (actual !== expected || (actual !== undefined && next <= actual)) return E.left({ _tag: 'CheckpointConflict', name, expected, actual })
        if (work !== undefined) {
          try {
            await work(undefined)
          } catch (error) {
            return E.left({ _tag: 'WorkFailed', error })
          }
        }
        // Checked again: another advance may have moved it while the work ran.
        const now = saved.get(name)
        if (now !== expected) return E.left({ _tag: 'CheckpointConflict', name, expected, actual: now })
        saved.set(name, next)
        return E.right(undefined)
      }
    },
    acquire: async (name, options) => {
      checkConsumerName(name)
      for (;;) {
        options?.signal?.throwIfAborted()
        const held = holders.get(name)
        if (held === undefined) break
        await new Promise<void>((resolve, reject) => {
          const abort = () => reject(options?.signal?.reason)
          options?.signal?.addEventListener('abort', abort, { once: true })
          held.then(() => {
            options?.signal?.removeEventListener('abort', abort)
            resolve()
          })
        })
      }
      let free = () => {}
      const released = new Promise<void>((resolve) => {
        free = resolve
      })
      holders.set(name, released)
      let done = false
      const lease: Lease = {
        lost: new Promise<void>(() => {}),
        release: async () => {
          if (done) return
          done = true
          holders.delete(name)
          free()
        },
      }
      return lease
    },
  }
}
