/**
 * Reading acknowledged events back from the log: the lines named by the index are fetched with
 * positional reads (lines close together in the file coalesced into one read of at most
 * {@link READ_CHUNK} bytes, a few reads in parallel), then parsed, checked against the index (the
 * stream) and decoded.
 *
 * @module
 */
import type { StoredEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { parseLine } from './line.ts'
import type { LineIndex } from './line-index.ts'
import type { Decode } from './recovery.ts'

/**
 * The most bytes one coalesced read fetches (a single longer line is read alone).
 *
 * @internal
 */
const READ_CHUNK = 1 << 20

/**
 * Lines whose gap is at most this many bytes are fetched in the same read: reading a few unneeded
 * bytes is cheaper than another system call.
 *
 * @internal
 */
const READ_GAP = 16 * 1024

/**
 * Reads up to `buffer.length` bytes at `position`, resolving with the count read.
 *
 * @internal
 */
export type ReadAt = (buffer: Uint8Array, position: number) => Promise<number>

/**
 * An event line that does not read back as it was written: the file was changed under the store.
 *
 * @internal
 */
export type ReadProblem = Readonly<{ offset: number; message: string }>

const fill = async (read: ReadAt, buffer: Uint8Array, position: number): Promise<boolean> => {
  let done = 0
  while (done < buffer.length) {
    const n = await read(buffer.subarray(done), position + done)
    if (n === 0) return false
    done += n
  }
  return true
}

/**
 * How many coalesced reads are in flight at once: the thread pool runs several positional reads
 * in parallel, which matters when a stream's lines are scattered across a large log.
 *
 * @internal
 */
const READ_PARALLEL = 4

type Range = Readonly<{ first: number; last: number; start: number; end: number }>

/**
 * Reads `count` events back from the log, the `i`-th being the indexed event `ordinalAt(i)`
 * (ascending), in that order. When `stream` is given, every line must belong to it. Resolves `Left`
 * when a line no longer matches the index (the file was shortened or edited under the store);
 * rejects only when `read` does (an I/O error).
 *
 * @internal
 */
export const readEvents = async <Ev>(
  read: ReadAt,
  index: LineIndex,
  count: number,
  ordinalAt: (i: number) => number,
  stream: string | undefined,
  decode: Decode<Ev>,
): Promise<E.Either<ReadProblem, StoredEvent<Ev>[]>> => {
  // Coalesce lines close together in the file into ranges of at most READ_CHUNK bytes.
  const ranges: Range[] = []
  for (let i = 0; i < count; ) {
    const start = index.offset(ordinalAt(i))
    let end = start + index.length(ordinalAt(i))
    let j = i + 1
    while (j < count) {
      const offset = index.offset(ordinalAt(j))
      const lineEnd = offset + index.length(ordinalAt(j))
      if (offset - end > READ_GAP || lineEnd - start > READ_CHUNK) break
      end = lineEnd
      j++
    }
    ranges.push({ first: i, last: j, start, end })
    i = j
  }
  const out: StoredEvent<Ev>[] = new Array(count)
  let problem: ReadProblem | undefined
  const readRange = async ({ first, last, start, end }: Range): Promise<void> => {
    const buffer = Buffer.allocUnsafe(end - start)
    if (!(await fill(read, buffer, start))) {
      problem ??= { offset: start, message: `the event log ends before byte ${end}: it was truncated under the store` }
      return
    }
    for (let k = first; k < last; k++) {
      const ordinal = ordinalAt(k)
      const offset = index.offset(ordinal)
      const from = offset - start
      const parsed = parseLine(buffer.toString('utf8', from, from + index.length(ordinal)))
      if (parsed.kind !== 'event' || (stream !== undefined && parsed.stream !== stream)) {
        problem ??= { offset, message: `the event line at byte ${offset} no longer reads back as written: the log was changed under the store` }
        return
      }
      const decoded = decode(parsed.event)
      if (E.isLeft(decoded)) {
        problem ??= { offset, message: `the event at byte ${offset} no longer decodes: the log was changed under the store` }
        return
      }
      out[k] = { stream: parsed.stream, version: parsed.version, event: decoded.right, position: index.position(ordinal) }
    }
  }
  let next = 0
  const worker = async (): Promise<void> => {
    while (problem === undefined && next < ranges.length) await readRange(ranges[next++] as Range)
  }
  await Promise.all(Array.from({ length: Math.min(READ_PARALLEL, ranges.length) }, worker))
  return problem === undefined ? E.right(out) : E.left(problem)
}
