/**
 * Group commit: appends queue up while a write and sync are in flight; the next round writes all of
 * them (and a commit record) in one write and one sync, then acknowledges each. No append is
 * acknowledged before its bytes are synced.
 *
 * A failed write or sync (a full disk, `ENOSPC`; a failing one, `EIO`) fails the appends of that
 * round and every append queued behind it (their versions were reserved on top of the failed ones),
 * cuts the file back, best effort, to the last synced byte, and leaves the writer waiting for a
 * repair. The failed handle is not trusted again and its sync is not retried (PostgreSQL's lesson:
 * after a failed `fsync` the kernel may have dropped the pages it could not write). The next append
 * repairs first ({@link reopenLog}): a new handle, the file cut to the last synced length and that
 * synced, the tail read back and checked; then the round is written through the new handle, and the
 * old one is closed once the reads on it are done. A repair that fails (the disk still full or
 * broken) fails the waiting appends and is tried again at the next append. A tail that is not what
 * the store wrote (the file was changed under it) is not a fault that passes: the writer then
 * refuses every append until the store is reopened.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { StoreFile } from './file.ts'
import { describe } from './internal.ts'
import { commitLine, type LastLine } from './line.ts'
import { reopenLog } from './repair.ts'

/**
 * One append waiting to be written: its lines, their byte length and count, and the callback told,
 * once they are synced, `undefined` and the file offset its first line was written at, or a failure
 * message.
 *
 * @internal
 */
export type Entry = Readonly<{ text: string; bytes: number; lines: number; done: (failure: string | undefined, offset: number) => void }>

/**
 * Counters of a writer: rounds written (`batches`), the synced length of the file, appends queued
 * or in flight, the failure the writer is waiting to repair (or, after the file was changed under
 * it, refusing with), rounds whose write or sync failed, and repairs that gave a usable file.
 *
 * @internal
 */
export type WriterStats = Readonly<{
  batches: number
  size: number
  pending: number
  failure: string | undefined
  failedWrites: number
  repairs: number
}>

/**
 * What the writer needs besides the file: the synced length and last line of the log, the most
 * bytes one round writes, how to open the log again, what to do with a handle it no longer uses
 * (close it once the reads on it are done), and whom to tell that queued appends were failed (their
 * reserved versions are void).
 *
 * @internal
 */
export type WriterOptions = Readonly<{
  size: number
  last: LastLine
  maxBatchBytes: number
  reopen: () => Promise<StoreFile>
  retire: (file: StoreFile) => Promise<void>
  onFailed: () => void
}>

/** Ready to write; waiting to repair the file after `failure`; or refusing for good with `failure`. */
type State = Readonly<{ kind: 'ready' }> | Readonly<{ kind: 'repair' | 'refusing'; failure: string }>

const READY: State = { kind: 'ready' }

const writeFailed = (error: unknown): string =>
  `the event store could not write and sync its file (${describe(error)}); it will repair the file and write again at the next append`

const repairFailed = (reason: string): string =>
  `the event store could not repair its file after a failed write (${reason}); it will try again at the next append`

const changedUnder = (detail: string): string =>
  `the event log was changed under the store (${detail}): this is not a disk fault that passes, so the store refuses every append; check the log and reopen the store`

/**
 * Creates the group-commit writer over `file`, whose synced (acknowledged) length is `options.size`.
 *
 * @internal
 */
export const createWriter = (file: StoreFile, options: WriterOptions) => {
  let current = file
  let state: State = READY
  let queue: Entry[] = []
  let running: Promise<void> | undefined
  let retiring: Promise<void> = Promise.resolve()
  let size = options.size
  let last = options.last
  let batches = 0
  let failedWrites = 0
  let repairs = 0
  let writing = 0

  const take = (): Entry[] => {
    let total = 0
    let count = 0
    for (const entry of queue) {
      if (count > 0 && total + entry.bytes > options.maxBatchBytes) break
      total += entry.bytes
      count++
    }
    const batch = queue.slice(0, count)
    queue = queue.slice(count)
    return batch
  }

  /** Fails `batch` and every append queued behind it with `failure`; their reservations are void. */
  const failAll = (batch: ReadonlyArray<Entry>, failure: string): void => {
    const failed = [...batch, ...queue]
    queue = []
    options.onFailed()
    for (const entry of failed) entry.done(failure, -1)
  }

  /**
   * Cuts the failed round off through the handle that failed, so that it is most likely gone even if
   * the process dies before the repair. Best effort, and trusted for nothing: its sync is the cut's,
   * not a retry of the failed one (whose data stays unacknowledged), and the repair cuts and syncs
   * again through a new handle.
   */
  const cut = async (): Promise<void> => {
    try {
      await current.truncate(size)
      await current.sync()
    } catch {
      // The repair does it; a failed round without its commit record is a torn tail anyway.
    }
  }

  /** Writes one round and syncs it; answers the failure message when it did not. */
  const write = async (batch: ReadonlyArray<Entry>): Promise<string | undefined> => {
    let lines = 0
    for (const entry of batch) lines += entry.lines
    if (lines === 0) return undefined
    let data: Buffer
    try {
      let text = ''
      for (const entry of batch) text += entry.text
      data = Buffer.from(text + commitLine(lines), 'utf8')
      await current.append(data)
      await current.sync()
    } catch (error) {
      failedWrites++
      state = { kind: 'repair', failure: writeFailed(error) }
      await cut()
      return state.failure
    }
    size += data.length
    last = { kind: 'commit', count: lines }
    batches++
    return undefined
  }

  /** Switches to a new handle when the writer waits for a repair and the repair works. */
  const repair = async (): Promise<void> => {
    if (state.kind !== 'repair') return
    const reopened = await reopenLog(options.reopen, size, last)
    if (E.isLeft(reopened)) {
      const failure = reopened.left
      state =
        failure._tag === 'Changed'
          ? { kind: 'refusing', failure: changedUnder(failure.detail) }
          : { kind: 'repair', failure: repairFailed(failure.reason) }
      return
    }
    const old = current
    current = reopened.right
    state = READY
    repairs++
    retiring = retiring.then(() => options.retire(old)).catch(() => undefined)
  }

  const run = async (): Promise<void> => {
    await Promise.resolve() // appends made in the same tick join the first round
    while (queue.length > 0) {
      await repair()
      if (state.kind !== 'ready') {
        failAll([], state.failure)
        continue
      }
      const batch = take()
      writing = batch.length
      let offset = size
      const failure = await write(batch)
      writing = 0
      if (failure !== undefined) {
        failAll(batch, failure)
        continue
      }
      for (const entry of batch) {
        entry.done(undefined, offset)
        offset += entry.bytes
      }
    }
    running = undefined
  }

  return {
    /** Queues an append; its `done` is called once it is synced or has failed. */
    enqueue: (entry: Entry): void => {
      if (state.kind === 'refusing') {
        entry.done(state.failure, -1)
        return
      }
      queue.push(entry)
      running ??= run()
    },
    /** The handle reads go through: the one the writer writes with. */
    file: (): StoreFile => current,
    /** Whether the writer refuses appends for good (the file was changed under it). */
    refusing: (): string | undefined => (state.kind === 'refusing' ? state.failure : undefined),
    /**
     * Resolves once every queued append is written (or failed) and every replaced handle is closed.
     * A writer still waiting for a repair then tries it once, so that a failed round the failing
     * handle could not cut is cut before the log is left (best effort: if the disk still fails, the
     * next open's recovery finds what it finds, as after a crash).
     */
    finish: async (): Promise<void> => {
      while (running !== undefined) await running
      await repair()
      await retiring
    },
    stats: (): WriterStats => ({
      batches,
      size,
      pending: queue.length + writing,
      failure: state.kind === 'ready' ? undefined : state.failure,
      failedWrites,
      repairs,
    }),
  }
}
