import { openFileEventFollower } from '@banksocket-webhooks/adapter-file-store'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Prints `<position> <stream> <version>` for each event committed to the log at `path` after
 * position `after`, as the writer (another process) appends them, until `signal` aborts. Answers
 * the last position printed: pass it as `after` next time.
 */
export const tailLog = async (path: string, after: number, print: (line: string) => void, signal: AbortSignal) => {
  const opened = await openFileEventFollower({ path })()
  if (E.isLeft(opened)) throw new Error(opened.left.message) // OpenFailure (ENOENT: no log yet), NotAStoreFile, CorruptStore
  const follower = opened.right
  let position = after
  let changed = false
  let wake = () => {}
  const stop = follower.watch(() => {
    changed = true
    wake()
  })
  signal.addEventListener('abort', () => wake())
  try {
    while (!signal.aborted) {
      changed = false
      const page = await follower.readAll({ after: position, limit: 1000 })()
      if (E.isLeft(page)) throw new Error(`reading after ${position} failed: ${page.left._tag}`)
      for (const stored of page.right) {
        print(`${stored.position} ${stored.stream} ${stored.version}`)
        position = stored.position
      }
      // Nothing new: wait for the watch (unless it called while we were reading).
      if (page.right.length === 0 && !changed && !signal.aborted) await new Promise<void>((resolve) => (wake = resolve))
    }
    return position
  } finally {
    stop()
    await follower.close()()
  }
}
