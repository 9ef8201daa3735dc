/**
 * Noticing that a log changed: `fs.watch` on the file, which tells within milliseconds where the
 * platform can, and a `stat` every `pollInterval` ms, for where it cannot (network and some
 * container file systems, a watch that failed). Either only makes the watcher look: it calls back
 * when the file's signature (inode, size, modification time) differs from the last one it knew,
 * so a burst of events from `fs.watch` is one call.
 *
 * @module
 */
import { type FSWatcher, watch } from 'node:fs'
import { stat } from 'node:fs/promises'

/**
 * What tells one state of a file from another: its inode, size and modification time.
 *
 * @internal
 */
export const signatureOf = (stats: Readonly<{ ino: number; size: number; mtimeMs: number }>): string => `${stats.ino}:${stats.size}:${stats.mtimeMs}`

/**
 * Calls `onChange` soon after the file at `path` differs from the state `since` (a
 * {@link signatureOf}; `undefined`: whatever it is now counts as a change), and after every later
 * change. Answers the function that stops watching (idempotent). A file that disappears is a change
 * too (a read then says what happened). A throw of `onChange` is rethrown outside, as an uncaught
 * exception, like a throwing listener of `fs.watch`.
 *
 * @internal
 */
export const watchFile = (path: string, pollInterval: number, since: string | undefined, onChange: () => void): (() => void) => {
  let known = since
  let stopped = false
  let looking = false
  let again = false

  const look = async (): Promise<void> => {
    if (looking) {
      again = true
      return
    }
    looking = true
    try {
      do {
        again = false
        let now: string
        try {
          now = signatureOf(await stat(path))
        } catch {
          now = 'missing'
        }
        if (stopped) return
        if (now !== known) {
          known = now
          try {
            onChange()
          } catch (error) {
            queueMicrotask(() => {
              throw error
            })
          }
        }
      } while (again && !stopped)
    } finally {
      looking = false
    }
  }

  let watcher: FSWatcher | undefined
  try {
    watcher = watch(path, () => void look())
    watcher.on('error', () => {
      // The polling goes on without it.
      watcher?.close()
      watcher = undefined
    })
  } catch {
    // No fs.watch here (or no more inotify watches): the polling covers it.
  }
  const timer = setInterval(() => void look(), pollInterval)
  void look() // a change between `since` and now

  return () => {
    stopped = true
    clearInterval(timer)
    watcher?.close()
    watcher = undefined
  }
}
