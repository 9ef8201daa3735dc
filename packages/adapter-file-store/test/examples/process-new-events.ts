import { openFileEventFollower } from '@banksocket-webhooks/adapter-file-store'
import type { StoredEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Hands the events of the log at `path` that consumer `name` has not done yet to `handle`, a page
 * at a time, and saves each page's last position as the consumer's checkpoint once `handle`
 * succeeded: run it again (after a crash too) and it goes on from there. Answers the checkpoint.
 */
export const processNewEvents = async (path: string, name: string, handle: (events: ReadonlyArray<StoredEvent<unknown>>) => Promise<void>) => {
  const opened = await openFileEventFollower({ path })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  const follower = opened.right
  const { checkpoints } = follower // files in <path>.checkpoints/
  // One instance of `name` at a time, across processes: wait (up to 30 s) while another runs.
  const lease = await checkpoints.acquire(name, { signal: AbortSignal.timeout(30_000) })
  try {
    const saved = await checkpoints.read(name)()
    if (E.isLeft(saved)) throw new Error(`reading the checkpoint failed: ${saved.left._tag}`)
    let checkpoint = saved.right // undefined: never saved
    for (;;) {
      const page = await follower.readAll({ after: checkpoint ?? 0, limit: 500 })()
      if (E.isLeft(page)) throw new Error(`reading the log failed: ${page.left._tag}`)
      const last = page.right.at(-1)
      if (last === undefined) return checkpoint
      // `handle` runs first; the checkpoint moves only if it succeeded and is still `checkpoint`.
      const moved = await checkpoints.advance(name, checkpoint, last.position, () => handle(page.right))()
      if (E.isLeft(moved)) throw new Error(`checkpoint not moved: ${moved.left._tag}`, { cause: moved.left })
      checkpoint = last.position
    }
  } finally {
    await lease.release()
    await follower.close()()
  }
}
