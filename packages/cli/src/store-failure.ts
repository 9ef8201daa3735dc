/**
 * Why an event log file could not be opened, in words a user can act on. The file store reports a
 * system error code only (`could not open the event log at /proc/version (ENOENT)`), and the code
 * alone misleads: opening a log first creates its lock file beside it (`<path>.lock`, through a
 * temporary file in the same directory), then opens the log itself. So `ENOENT` for a file that
 * exists means the directory does not let files be created (as in /proc), not that the file is
 * missing. This module looks at the file and its directory to say which step failed.
 *
 * @module
 */

import type { Stats } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { OpenError } from '@banksocket-webhooks/adapter-file-store'

const codeOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'unknown error'

const statOf = async (path: string): Promise<Stats | string> => {
  try {
    return await stat(path)
  } catch (error) {
    return codeOf(error)
  }
}

/** Why a directory refused a new file, by the system error code. */
const refusal = (dir: string, code: string): string => {
  switch (code) {
    case 'ENOENT':
      return `${dir} does not let files be created in it (ENOENT; /proc and /sys do not)`
    case 'EACCES':
      return `${dir} is not writable (EACCES: permission denied)`
    case 'EPERM':
      return `${dir} does not allow it (EPERM: operation not permitted)`
    case 'EROFS':
      return `${dir} is on a read-only file system (EROFS)`
    case 'ENOSPC':
    case 'EDQUOT':
      return `there is no space left for it in ${dir} (${code})`
    default:
      return `${dir} refused it (${code})`
  }
}

/** The error of opening an existing regular file for reading and writing, without creating or changing anything. */
const writeProblem = async (path: string): Promise<string | undefined> => {
  try {
    await (await open(path, 'r+')).close()
    return undefined
  } catch (error) {
    return codeOf(error)
  }
}

const ELSEWHERE = 'use a --store path in a directory where files can be created'

/** The codes with which creating a file, or opening one for writing, fails; other codes (EIO, ...) come from later steps. */
const CREATE_CODES: ReadonlySet<string> = new Set(['ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT'])

/** What went wrong, found by looking at the file and its directory; `undefined` when nothing explains `code`. */
const diagnose = async (path: string, code: string): Promise<string | undefined> => {
  const dir = dirname(path)
  const lock = `${path}.lock`
  const parent = await statOf(dir)
  if (parent === 'ENOENT') return `the directory ${dir} does not exist; create it, or use a --store path in an existing directory`
  if (typeof parent !== 'string' && !parent.isDirectory()) return `${dir} is not a directory`
  const file = await statOf(path)
  if (typeof file !== 'string' && file.isDirectory()) return `${path} is a directory; --store takes a file, such as ${join(path, 'events.jsonl')}`
  if (!CREATE_CODES.has(code)) return undefined
  if (typeof file === 'string') {
    // Nothing there yet: the lock file is the first file created.
    return `the lock file ${lock} cannot be created: ${refusal(dir, code)}; ${ELSEWHERE}`
  }
  if (!file.isFile()) return undefined
  // An existing file cannot fail to open with ENOENT: creating the lock file beside it did.
  const problem = code === 'ENOENT' ? undefined : await writeProblem(path)
  if (problem !== undefined) return `${path} exists but cannot be opened for writing (${problem}); use a file this user may write`
  return `${path} exists, but its lock file ${lock} cannot be created beside it: ${refusal(dir, code)}; ${ELSEWHERE}`
}

/**
 * The message of an {@link OpenError} for `banksocket listen --store`: the store's own message, and
 * for an I/O failure (`OpenFailure`) which step failed and what to do.
 *
 * @example
 * import { describeOpenError } from './store-failure.ts'
 * await describeOpenError({ _tag: 'OpenFailure', path: '/proc/version', code: 'ENOENT', message: 'could not open the event log at /proc/version (ENOENT)' })
 * // 'could not open the event log at /proc/version (ENOENT): /proc/version exists, but its lock file /proc/version.lock
 * //  cannot be created beside it: /proc does not let files be created in it (ENOENT; /proc and /sys do not); use a --store path ...'
 */
export const describeOpenError = async (error: OpenError): Promise<string> => {
  if (error._tag !== 'OpenFailure') return error.message
  const diagnosis = await diagnose(error.path, error.code ?? 'unknown error')
  return diagnosis === undefined ? error.message : `${error.message}: ${diagnosis}`
}
