/**
 * Catching up with a log another process writes: the follower's index, grown one round at a time
 * from the byte it had indexed to, with recovery's scanner (so lines are checked, and positions
 * given, exactly as on open).
 *
 * A round looks at the file (`stat` by path); when nothing changed since the last round it ends
 * there. Otherwise it reads only the bytes after the last complete commit record it indexed, feeds
 * the complete lines to the scanner, which indexes a group's events once its commit record is
 * complete, and forgets what follows the last one (a group still being written, a torn line): the
 * next round reads those bytes again, so a tail the writer's recovery cuts and writes over is never
 * mistaken for the new one. Before newly indexed events become visible the file is synced (a data
 * sync on the read-only handle; the writer's own sync has usually done the work), so an event the
 * follower shows is on disk and a power loss cannot take back an event a consumer acted on.
 *
 * Reads see the first `visible()` events of the index, set at the end of a round.
 *
 * @module
 */
import type { Stats } from 'node:fs'
import { type FileHandle, stat } from 'node:fs/promises'
import * as E from 'fp-ts/lib/Either.js'
import type { LineProblem, OpenError } from './errors.ts'
import { errorCode } from './internal.ts'
import { createLineIndex, type LineIndex } from './line-index.ts'
import type { ReadAt } from './reader.ts'
import { createScanner, type Decode, HEADER, headerError, isHeaderPrefix, readRange, type Scanner, scanLines } from './recovery.ts'
import { signatureOf } from './watcher.ts'

/**
 * Why the follower cannot go on with the log (it never will: open it again): the file is not an
 * event log, a committed line is unusable, or the file is not the one it indexed any more (gone,
 * replaced, or shorter than what it read).
 *
 * @internal
 */
export type CatchUpProblem =
  | Readonly<{ kind: 'not_a_log'; error: OpenError }>
  | Readonly<{ kind: 'corrupt'; problem: LineProblem }>
  | Readonly<{ kind: 'replaced'; message: string }>

/** Error codes of a data sync the platform does not do on a read-only handle (Windows) or needs not (a read-only file system). */
const NO_SYNC = new Set(['EPERM', 'EACCES', 'EBADF', 'EINVAL', 'ENOTSUP', 'EROFS'])

/**
 * The incremental index of the log at `path`, read through `handle` (opened read-only on it; its
 * inode and device are `identity`). `run` does one round; rounds must not overlap (the follower
 * runs them one at a time). `run` rejects only when the file system fails (a read or a sync), and
 * the next round picks up where the last complete one was.
 *
 * @internal
 */
export const createCatchUp = <Ev>(handle: FileHandle, path: string, identity: Readonly<{ ino: number; dev: number }>, decode: Decode<Ev>) => {
  const read: ReadAt = async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead
  /** Undefined until the header is complete (a log being created has none yet). */
  let scanner: Scanner | undefined
  let index: LineIndex = createLineIndex()
  let visible = 0
  let lastPosition = 0
  /** The file's signature at the end of the last complete round. */
  let seen: string | undefined
  let canSync = true

  const replaced = (message: string): E.Either<CatchUpProblem, void> => E.left({ kind: 'replaced', message })

  const sync = async (): Promise<void> => {
    if (!canSync) return
    try {
      await handle.datasync()
    } catch (error) {
      if (!NO_SYNC.has(errorCode(error) ?? '')) throw error
      canSync = false
    }
  }

  /** Verifies the header once it is complete; `undefined` while a log being created has none yet. */
  const startScanner = async (size: number): Promise<E.Either<CatchUpProblem, Scanner | undefined>> => {
    const head = await readRange(read, 0, Math.min(size, HEADER.length + 1))
    const headerEnd = head.indexOf(10)
    if (headerEnd === -1) {
      if (isHeaderPrefix(head)) return E.right(undefined)
      return E.left({ kind: 'not_a_log', error: headerError(path, '') as OpenError })
    }
    const notLog = headerError(path, Buffer.from(head.subarray(0, headerEnd)).toString('utf8'))
    if (notLog !== undefined) return E.left({ kind: 'not_a_log', error: notLog })
    const started = createScanner(decode, 'fail', headerEnd + 1)
    index = started.result().index
    return E.right(started)
  }

  const run = async (): Promise<E.Either<CatchUpProblem, void>> => {
    let stats: Stats
    try {
      stats = await stat(path)
    } catch (error) {
      if (errorCode(error) === 'ENOENT')
        return replaced('the event log is gone (removed or renamed) since the follower opened it; open the follower again')
      throw error
    }
    if (stats.ino !== identity.ino || stats.dev !== identity.dev) {
      return replaced('the event log was replaced by another file since the follower opened it; open the follower again')
    }
    const signature = signatureOf(stats)
    if (signature === seen) return E.right(undefined)
    if (scanner === undefined) {
      const started = await startScanner(stats.size)
      if (E.isLeft(started)) return started
      if (started.right === undefined) {
        seen = signature
        return E.right(undefined)
      }
      scanner = started.right
    }
    // A round that failed may have fed part of a group: start again after the last commit record.
    scanner.rewind()
    const { committedEnd, committedLines } = scanner.result()
    if (stats.size < committedEnd) {
      return replaced(
        `the event log is ${stats.size} bytes, shorter than the ${committedEnd} bytes the follower has read: it was replaced or cut under the follower; open the follower again`,
      )
    }
    const fed = await scanLines(read, scanner, committedEnd, stats.size, committedLines)
    if (E.isLeft(fed)) return E.left({ kind: 'corrupt', problem: fed.left })
    scanner.rewind()
    if (index.count() > visible || index.lastPosition() > lastPosition) {
      await sync()
      visible = index.count()
      lastPosition = index.lastPosition()
    }
    seen = signature
    return E.right(undefined)
  }

  return {
    /** One round: look at the file and index what was committed since the last round. */
    run,
    /** The index (reads look only at its first `visible()` events). */
    index: (): LineIndex => index,
    /** How many events of the index reads see. */
    visible: (): number => visible,
    /** The last position taken among them: a position after it was never given. */
    lastPosition: (): number => lastPosition,
    /** The file's signature as of the last complete round (for a watcher to compare with). */
    seen: (): string | undefined => seen,
  }
}

/**
 * A follower's view of its log.
 *
 * @internal
 */
export type CatchUp = ReturnType<typeof createCatchUp>
