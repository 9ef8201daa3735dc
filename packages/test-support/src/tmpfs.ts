/**
 * A small real file system for the tests that fill a disk: a tmpfs of a given size mounted on a
 * fresh directory (mounting needs root; CI runs as root), and how much is free on it. Without root,
 * or where mounting is refused, `mountTmpfs` answers why, so a test can say it was skipped; under
 * `CI` such a test must fail instead (`requireMounted`).
 *
 * @example
 * import { mountTmpfs } from '@banksocket-webhooks/test-support/tmpfs'
 * const disk = mountTmpfs('1m')
 * if (disk.unavailable === undefined) { ... disk.dir ... }
 * disk.remove()
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A mounted tmpfs (or why not), and how to unmount and remove it. */
export type Tmpfs = Readonly<{ dir: string; unavailable: string | undefined; remove: () => void }>

const run = (command: string, args: ReadonlyArray<string>): void => {
  execFileSync(command, args, { stdio: 'pipe' })
}

/** Mounts a tmpfs of `size` (`1m`, `512k`) on a new directory under the OS temp dir. */
export const mountTmpfs = (size: string): Tmpfs => {
  const dir = mkdtempSync(join(tmpdir(), 'bsw-tmpfs-'))
  let unavailable: string | undefined
  if (process.getuid?.() !== 0) unavailable = 'mounting a tmpfs needs root'
  else {
    try {
      run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir])
    } catch (error) {
      unavailable = `mount -t tmpfs failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`
    }
  }
  return {
    dir,
    unavailable,
    remove: () => {
      if (unavailable === undefined) {
        try {
          run('umount', [dir])
        } catch {
          run('umount', ['-l', dir])
        }
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Whether a test may go on with `disk`: true when mounted; false (after printing that the test is
 * skipped) when not; throws under `CI`, where the tmpfs must be there.
 */
export const requireMounted = (disk: Tmpfs): boolean => {
  if (disk.unavailable === undefined) return true
  if (process.env['CI'] !== undefined) throw new Error(`CI runs as root and must mount the tmpfs: ${disk.unavailable}`)
  console.log(`  (skipped: ${disk.unavailable})`)
  return false
}

/** Bytes free for an unprivileged writer on the file system at `dir`. */
export const freeBytes = (dir: string): number => {
  const s = statfsSync(dir)
  return s.bavail * s.bsize
}
