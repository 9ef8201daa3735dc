import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Counts the events of each stream in a log, after position `after`, 1,000 events at a time: memory
 * holds one page, not the log. Answers the counts and the last position read (pass it as `after`
 * next time to count only what was appended since).
 */
export const countStreams = async (path: string, after = 0) => {
  const opened = await openFileEventStore({ path })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  const store = opened.right
  const counts = new Map<string, number>()
  let position = after
  try {
    for (;;) {
      const page = await store.readAll({ after: position, limit: 1000 })()
      if (E.isLeft(page)) throw new Error(`reading after ${position} failed: ${page.left._tag}`)
      if (page.right.length === 0) return { counts, position }
      for (const stored of page.right) {
        counts.set(stored.stream, (counts.get(stored.stream) ?? 0) + 1)
        position = stored.position
      }
    }
  } finally {
    await store.close()()
  }
}
