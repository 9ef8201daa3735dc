/**
 * Group commit: appends queue up while a write and sync are in flight; the next round writes all of
 * them (and a commit record) in one write and one sync, then acknowledges each. No append is
 * acknowledged before its bytes are synced.
 *
 * A failed write or sync poisons the writer: the appends of that round and every later one fail
 * with the same message, and the file is cut back (best effort) to the last acknowledged byte so
 * that failed appends do not reappear on the next open. Reopening the store is the way back.
 *
 * @module
 */
import type { StoreFile } from './file.ts'
import { describe } from './internal.ts'
import { commitLine } from './line.ts'

/**
 * One append waiting to be written: its lines, their byte length and count, and the callback told,
 * once they are synced, `undefined` and the file offset its first line was written at, or a failure
 * message.
 *
 * @internal
 */
export type Entry = Readonly<{ text: string; bytes: number; lines: number; done: (failure: string | undefined, offset: number) => void }>

/**
 * Counters of a writer.
 *
 * @internal
 */
export type WriterStats = Readonly<{ batches: number; size: number; pending: number; failure: string | undefined }>

/**
 * Creates the group-commit writer over `file`, whose current (acknowledged) length is `size`.
 *
 * @internal
 */
export const createWriter = (file: StoreFile, options: Readonly<{ size: number; maxBatchBytes: number }>) => {
  let queue: Entry[] = []
  let running: Promise<void> | undefined
  let failure: string | undefined
  let size = options.size
  let batches = 0
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

  const write = async (batch: ReadonlyArray<Entry>): Promise<string | undefined> => {
    let lines = 0
    for (const entry of batch) lines += entry.lines
    if (lines === 0) return undefined
    let data: Buffer
    try {
      let text = ''
      for (const entry of batch) text += entry.text
      data = Buffer.from(text + commitLine(lines), 'utf8')
      await file.append(data)
      await file.sync()
    } catch (error) {
      failure = `the event store could not write and sync its file (${describe(error)}); it accepts no more appends until it is reopened`
      try {
        await file.truncate(size)
        await file.sync()
      } catch {
        // Best effort: if the cut fails too, the failed appends may reappear on reopen, exactly as
        // after a crash (an append that was not acknowledged may or may not be present).
      }
      return failure
    }
    size += data.length
    batches++
    return undefined
  }

  const run = async (): Promise<void> => {
    await Promise.resolve() // appends made in the same tick join the first round
    while (queue.length > 0) {
      const batch = take()
      writing = batch.length
      let offset = size
      const result = failure ?? (await write(batch))
      writing = 0
      for (const entry of batch) {
        entry.done(result, result === undefined ? offset : -1)
        offset += entry.bytes
      }
    }
    running = undefined
  }

  return {
    /** Queues an append; its `done` is called once it is synced or has failed. */
    enqueue: (entry: Entry): void => {
      if (failure !== undefined) {
        entry.done(failure, -1)
        return
      }
      queue.push(entry)
      running ??= run()
    },
    /** Resolves once every queued append is written (or failed). */
    flush: async (): Promise<void> => {
      while (running !== undefined) await running
    },
    stats: (): WriterStats => ({ batches, size, pending: queue.length + writing, failure }),
  }
}
