/**
 * The single-writer lock: `<path>.lock`, holding the owner's pid and a random token. It appears
 * atomically (written to a private file first, then hard-linked into place, which fails if a lock
 * exists), so a lock file is never seen half-written. A lock whose pid is no longer running (the
 * owner crashed) is taken over; a live one makes opening fail with `StoreLocked`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import { errorCode } from './internal.ts'

/**
 * A held lock.
 *
 * @internal
 */
export type Lock = Readonly<{ path: string; release: () => Promise<void> }>

/**
 * Why the lock was not taken: a live holder (its pid), or a lock file that names no pid.
 *
 * @internal
 */
export type LockRefused = Readonly<{ pid: number | undefined }>

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errorCode(error) === 'EPERM'
  }
}

type Holder = Readonly<{ pid: number | undefined; token: string }> | 'gone'

const readHolder = async (path: string): Promise<Holder> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'gone'
    throw error
  }
  const [pidText = '', token = ''] = text.split('\n')
  const pid = /^[1-9][0-9]*$/.test(pidText) ? Number(pidText) : undefined
  return { pid, token }
}

const ignoreMissing = async (work: Promise<void>): Promise<void> => {
  try {
    await work
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
  }
}

/**
 * Takes the lock at `lockPath`, taking over a stale one. Rejects only on unexpected I/O errors.
 *
 * @internal
 */
export const acquireLock = async (lockPath: string): Promise<E.Either<LockRefused, Lock>> => {
  const token = randomBytes(12).toString('hex')
  const content = `${process.pid}\n${token}\n`
  const draft = `${lockPath}.${process.pid}-${token}.tmp`
  await writeFile(draft, content, { mode: 0o600, flag: 'wx' })
  const lock: Lock = {
    path: lockPath,
    release: async () => {
      const holder = await readHolder(lockPath)
      if (holder !== 'gone' && holder.token === token) await ignoreMissing(unlink(lockPath))
    },
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(draft, lockPath)
        return E.right(lock)
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error
      }
      const holder = await readHolder(lockPath)
      if (holder === 'gone') continue
      if (holder.pid === undefined || isAlive(holder.pid)) return E.left({ pid: holder.pid })
      // Stale: move it aside, and make sure what was moved is the stale lock and not a fresh one
      // another process linked in the meantime (if so, put that one back and give up).
      const aside = `${lockPath}.stale-${process.pid}-${token}`
      try {
        await rename(lockPath, aside)
      } catch (error) {
        if (errorCode(error) === 'ENOENT') continue
        throw error
      }
      const moved = await readHolder(aside)
      if (moved !== 'gone' && moved.token !== holder.token) {
        await link(aside, lockPath).catch(() => undefined)
        await ignoreMissing(unlink(aside))
        return E.left({ pid: moved.pid })
      }
      await ignoreMissing(unlink(aside))
    }
    return E.left({ pid: undefined })
  } finally {
    await ignoreMissing(unlink(draft))
  }
}
