import * as E from 'fp-ts/lib/Either.js'
import { type FileEventFollower, type FileEventFollowerOptions, openFileEventFollower } from '../../src/index.ts'

/** Resolves after `ms` milliseconds. */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves once `check` answers true (tried every 10 ms); rejects naming `what` after `timeout` ms. */
export const eventually = async (what: string, check: () => boolean | Promise<boolean>, timeout = 5000): Promise<void> => {
  const until = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting until ${what}`)
    await delay(10)
  }
}

/** Whether `promise` is still pending after `ms` milliseconds. */
export const pendingAfter = async (promise: Promise<unknown>, ms: number): Promise<boolean> => {
  let settled = false
  promise.then(
    () => (settled = true),
    () => (settled = true),
  )
  await delay(ms)
  return !settled
}

/** Opens a follower and fails the test if it does not open. */
export const mustFollow = async <Ev = unknown>(options: FileEventFollowerOptions<Ev>): Promise<FileEventFollower<Ev>> => {
  const opened = await openFileEventFollower<Ev>(options)()
  if (E.isLeft(opened)) throw new Error(`expected the follower to open: ${opened.left.message}`)
  return opened.right
}
