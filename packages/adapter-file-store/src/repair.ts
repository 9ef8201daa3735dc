/**
 * Repairing the log after a failed write or sync, the way PostgreSQL treats a failed `fsync`: the
 * handle that failed is not trusted again and its sync is not retried (the kernel may have dropped
 * the dirty pages it failed to write, and a second sync on it can succeed without them). Instead a
 * new handle is opened, the file is cut back to the last length known synced, the cut is synced,
 * and the bytes before that length are read back through the new handle: they must end with the
 * line the store wrote last (the commit record of its last group, or the header of a log without
 * any). Only then does the store write through the new handle.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { StoreFile } from './file.ts'
import { describe } from './internal.ts'
import { type LastLine, parseLine } from './line.ts'
import { HEADER, headerError, readRange } from './recovery.ts'

/**
 * Why a repair did not give a usable file:
 *
 * - `Unavailable`: the file could not be opened, cut or synced (`reason` is the system error code,
 *   `ENOSPC`, `EIO`): a fault that may pass, so the repair is tried again later.
 * - `Changed`: the file does not end where and how the store left it (`detail` says how): it was
 *   changed under the store, which no retry mends.
 *
 * @internal
 */
export type RepairFailure = Readonly<{ _tag: 'Unavailable'; reason: string }> | Readonly<{ _tag: 'Changed'; detail: string }>

/**
 * Bytes read back to find a commit record: longer than any (`{"commit":N}` with a safe integer N
 * takes at most 29 bytes with its newline).
 */
const COMMIT_WINDOW = 64

/** The last line of `bytes` (without its newline), or `undefined` when they do not end with one that starts inside them. */
const lastLine = (bytes: Uint8Array, startsFile: boolean): string | undefined => {
  const end = bytes.length - 1
  if (end < 0 || bytes[end] !== 10) return undefined
  let start = end
  while (start > 0 && bytes[start - 1] !== 10) start--
  if (start === 0 && !startsFile) return undefined
  return Buffer.from(bytes.subarray(start, end)).toString('utf8')
}

/**
 * Whether the first `length` bytes read through `file` end with `last`; a description of what is
 * there instead when they do not. Rejects only when the read does.
 *
 * @internal
 */
const checkTail = async (file: StoreFile, length: number, last: LastLine): Promise<string | undefined> => {
  const read = (buffer: Uint8Array, position: number) => file.read(buffer, position)
  if (last.kind === 'header') {
    if (length > HEADER.length + 1) return `the log holds ${length} bytes where the store knows only its header`
    const line = lastLine(await readRange(read, 0, length), true)
    return line !== undefined && headerError('', line) === undefined ? undefined : 'the log no longer starts with its header'
  }
  const from = Math.max(0, length - COMMIT_WINDOW)
  const bytes = await readRange(read, from, length)
  if (bytes.length < length - from) return `the log ends before byte ${length}`
  const line = lastLine(bytes, from === 0)
  const parsed = line === undefined ? undefined : parseLine(line)
  if (parsed?.kind === 'commit' && parsed.count === last.count) return undefined
  return `the line ending at byte ${length} is not the commit record of the last ${last.count} acknowledged event lines`
}

/**
 * Opens the log again through `openFile`, cuts it to `length` (the bytes known synced), syncs the
 * cut and checks that what is left ends with `last`. Answers the new handle, or why it could not;
 * a handle that is not answered is closed.
 *
 * @internal
 */
export const reopenLog = async (openFile: () => Promise<StoreFile>, length: number, last: LastLine): Promise<E.Either<RepairFailure, StoreFile>> => {
  let file: StoreFile
  try {
    file = await openFile()
  } catch (error) {
    return E.left({ _tag: 'Unavailable', reason: describe(error) })
  }
  const give = async (failure: RepairFailure): Promise<E.Either<RepairFailure, StoreFile>> => {
    await file.close().catch(() => undefined)
    return E.left(failure)
  }
  try {
    const size = await file.size()
    // Never cut "up" to `length`: that would pad a shortened log with zeros.
    if (size < length) return give({ _tag: 'Changed', detail: `the log is ${size} bytes, shorter than the ${length} bytes acknowledged` })
    await file.truncate(length)
    await file.sync()
    const wrong = await checkTail(file, length, last)
    return wrong === undefined ? E.right(file) : give({ _tag: 'Changed', detail: wrong })
  } catch (error) {
    return give({ _tag: 'Unavailable', reason: describe(error) })
  }
}
