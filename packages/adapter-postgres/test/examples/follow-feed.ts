import type { FeedEvent, PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Hands each event of the feed after position `after` to `handle`, 500 at a time, and answers the
 * last position handled: save it with what `handle` did and pass it back to go on. A transaction
 * still in flight holds the feed back until it ends; its events are never skipped.
 */
export const followFeed = async <Ev>(
  store: PostgresEventStore<Ev>,
  after: number,
  handle: (event: FeedEvent<Ev>) => Promise<void>,
): Promise<number> => {
  let position = after
  for (;;) {
    const page = await store.readAll({ after: position, limit: 500 })()
    if (E.isLeft(page)) throw new Error(`reading the feed after ${position} failed: ${page.left._tag}`)
    if (page.right.length === 0) return position // nothing more for now
    for (const event of page.right) {
      await handle(event)
      position = event.position
    }
  }
}
