import type { EventStore, StoredEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Hands every event after position `after` to `handle`, one page at a time, and answers the
 * position to read after next time (save it with what `handle` did). Never more than `limit`
 * events in memory, however long the store's history.
 */
export const readOn = async <Ev>(
  store: EventStore<Ev>,
  after: number,
  handle: (stored: StoredEvent<Ev>) => Promise<void>,
  limit = 500,
): Promise<number> => {
  let position = after
  for (;;) {
    const page = await store.readAll({ after: position, limit })()
    if (E.isLeft(page)) throw new Error(`reading after ${position} failed: ${page.left._tag}`)
    if (page.right.length === 0) return position // nothing more for now
    for (const stored of page.right) {
      await handle(stored)
      position = stored.position
    }
  }
}
