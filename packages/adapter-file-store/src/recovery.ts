/**
 * Start-up recovery: read the whole log, check every committed line (JSON, record shape, codec,
 * contiguous versions, commit counts), rebuild the in-memory index of where each event's line is
 * (the events themselves are decoded to be checked, then dropped), and cut a torn tail.
 *
 * Only the last group commit can be torn: the next write starts after the previous sync returned.
 * So every byte after the last commit record belongs to a write that was never acknowledged. Those
 * bytes are copied to `<path>.torn-<time>` (nothing is destroyed), the log is truncated back to the
 * last commit record and synced, and `recovery.torn` says where, how many bytes and lines. A problem
 * before the last commit record is corruption of acknowledged data: opening fails with
 * `CorruptStore` naming the line, unless `onCorruption: 'skip'`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { open } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { PayloadProblem } from '@banksocket-webhooks/core'
import { problemsOf } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import type { LineProblem, OpenError } from './errors.ts'
import { type StoreFile, syncDirectory } from './file.ts'
import { HEADER_LINE, type LastLine, LOG_FORMAT, LOG_VERSION, parseLine } from './line.ts'
import { createLineIndex, type LineIndex } from './line-index.ts'
import type { ReadAt } from './reader.ts'

/**
 * The torn tail cut at start-up: where it began (the new end of the log), how many bytes and lines
 * it held, whether its last line lacked a newline, and the file its bytes were copied to.
 *
 * @example
 * import type { TornTail } from '@banksocket-webhooks/adapter-file-store'
 * const t: TornTail = { offset: 8192, bytes: 131, line: 40, lines: 1, unterminated: true, savedTo: '/data/events.jsonl.torn-2026-11-23T10-00-00-000Z-1a2b3c' }
 */
export type TornTail = Readonly<{
  offset: number
  bytes: number
  line: number
  lines: number
  unterminated: boolean
  savedTo: string
}>

/**
 * What start-up found: whether the log was created, its size after recovery, how many lines,
 * events, streams and commit records it kept, the torn tail it cut (if any), the problems it skipped
 * (only with `onCorruption: 'skip'`), and how long loading took.
 *
 * @example
 * import type { Recovery } from '@banksocket-webhooks/adapter-file-store'
 * const report = (r: Recovery) =>
 *   r.torn === undefined ? `${r.events} events` : `${r.events} events, cut ${r.torn.bytes} torn bytes at line ${r.torn.line}`
 */
export type Recovery = Readonly<{
  created: boolean
  bytes: number
  lines: number
  events: number
  streams: number
  commits: number
  torn?: TornTail
  problems: ReadonlyArray<LineProblem>
  millis: number
}>

/**
 * Decodes one stored event, or says which fields are wrong.
 *
 * @internal
 */
export type Decode<Ev> = (value: unknown) => E.Either<ReadonlyArray<PayloadProblem>, Ev>

/**
 * The decoder of a codec's events; without a codec, every JSON value is an event as it is.
 *
 * @internal
 */
export const decoderOf = <Ev>(codec: t.Type<Ev, unknown, unknown> | undefined): Decode<Ev> =>
  codec === undefined ? (value) => E.right(value as Ev) : (value) => E.mapLeft(problemsOf)(codec.decode(value))

/**
 * The index rebuilt from the log, the report, and the last line of the log as recovery left it.
 *
 * @internal
 */
export type Loaded = Readonly<{ index: LineIndex; recovery: Recovery; last: LastLine }>

type PendingLine = Readonly<{ stream: string; version: number; event: unknown; line: number; offset: number; end: number; position: number }>

/**
 * The pure part of recovery: fed the lines after the header, in order, it checks them and builds
 * the indices. In `'fail'` mode the first problem in a committed group stops it. Events enter the
 * index only when the commit record closing their group is fed, so the index never holds an
 * uncommitted event. It can be fed in several rounds (the follower does, as the log grows): after
 * `rewind`, the lines after the last commit record are forgotten and the next round feeds them again
 * from `committedEnd`.
 *
 * @internal
 */
export const createScanner = <Ev>(decode: Decode<Ev>, onCorruption: 'fail' | 'skip', headerEnd: number) => {
  const index = createLineIndex()
  const problems: LineProblem[] = []
  let pending: PendingLine[] = []
  let pendingProblems: LineProblem[] = []
  let pendingLines = 0
  let commits = 0
  let last: LastLine = { kind: 'header' }
  let committedEnd = headerEnd
  let committedLines = 1
  /** Event lines in committed groups so far: an event's position is its number among them. */
  let committedPositions = 0

  const fail = (problem: LineProblem): E.Either<LineProblem, void> => {
    if (onCorruption === 'fail') return E.left(problem)
    problems.push(problem)
    return E.right(undefined)
  }

  const apply = (item: PendingLine): E.Either<LineProblem, void> => {
    const current = index.stream(item.stream)?.version ?? 0
    const where = { line: item.line, offset: item.offset, stream: item.stream, version: item.version }
    if (item.version !== current + 1) {
      const skipped = fail({
        ...where,
        reason: 'version_not_contiguous',
        message: `line ${item.line}: stream ${JSON.stringify(item.stream)} jumps from version ${current} to ${item.version}`,
      })
      if (E.isLeft(skipped) || item.version <= current) return skipped
    }
    const decoded = decode(item.event)
    if (E.isLeft(decoded)) {
      index.takeVersion(item.stream, item.version)
      return fail({
        ...where,
        reason: 'undecodable_event',
        message: `line ${item.line}: the event at version ${item.version} of stream ${JSON.stringify(item.stream)} does not decode (${decoded.left
          .map((p) => `${p.path === '' ? '(event)' : p.path} ${p.message}`)
          .join('; ')})`,
        problems: decoded.left,
      })
    }
    index.add(item.stream, item.version, item.offset, item.end - item.offset - 1, item.position)
    return E.right(undefined)
  }

  const commit = (count: number, line: number, offset: number, end: number): E.Either<LineProblem, void> => {
    for (const problem of pendingProblems) {
      const r = fail(problem)
      if (E.isLeft(r)) return r
    }
    if (count !== pendingLines) {
      const r = fail({
        line,
        offset,
        reason: 'commit_mismatch',
        message: `line ${line}: the commit record counts ${count} lines but closes ${pendingLines}`,
      })
      if (E.isLeft(r)) return r
    }
    for (const item of pending) {
      const r = apply(item)
      if (E.isLeft(r)) return r
    }
    // Every line of a group but its commit record was written as an event line: each one, usable
    // or skipped, takes a position, so skipping one never moves the positions after it.
    committedPositions += pendingLines
    index.takePosition(committedPositions)
    pending = []
    pendingProblems = []
    pendingLines = 0
    commits++
    last = { kind: 'commit', count }
    committedEnd = end
    committedLines = line
    return E.right(undefined)
  }

  return {
    /** Feeds one line (without its newline) that starts at `offset` and ends (after `\n`) at `end`. */
    line: (text: string, line: number, offset: number, end: number): E.Either<LineProblem, void> => {
      const parsed = parseLine(text)
      switch (parsed.kind) {
        case 'commit':
          return commit(parsed.count, line, offset, end)
        case 'event':
          pending.push({
            stream: parsed.stream,
            version: parsed.version,
            event: parsed.event,
            line,
            offset,
            end,
            position: committedPositions + pendingLines + 1,
          })
          break
        case 'header':
          pendingProblems.push({ line, offset, reason: 'invalid_record', message: `line ${line} is a second header` })
          break
        case 'invalid':
          pendingProblems.push({ line, offset, reason: parsed.reason, message: `line ${line} ${parsed.message}` })
          break
      }
      pendingLines++
      return E.right(undefined)
    },
    /** Forgets the lines fed after the last commit record: the next line fed follows that record. */
    rewind: (): void => {
      pending = []
      pendingProblems = []
      pendingLines = 0
    },
    /** The index, where the committed part of the log ends, and its last committed line. */
    result: () => ({
      index,
      problems: [...problems].sort((a, b) => a.line - b.line),
      commits,
      last,
      committedEnd,
      committedLines,
      uncommittedLines: pendingLines,
    }),
  }
}

/**
 * A scanner of the log's lines.
 *
 * @internal
 */
export type Scanner = ReturnType<typeof createScanner>

const CHUNK = 1 << 20
/**
 * The header line's bytes, with its newline.
 *
 * @internal
 */
export const HEADER = new TextEncoder().encode(HEADER_LINE)

/**
 * `NotAStoreFile` when `text` (the first line, without its newline) is not this format's header.
 *
 * @internal
 */
export const headerError = (path: string, text: string): OpenError | undefined => {
  const parsed = parseLine(text)
  if (parsed.kind === 'header' && parsed.format === LOG_FORMAT && parsed.version === LOG_VERSION) return undefined
  const message =
    parsed.kind === 'header' && parsed.format === LOG_FORMAT
      ? `the event log at ${path} has format version ${JSON.stringify(parsed.version)}; this version of the store reads version ${LOG_VERSION}`
      : `${path} is not a banksocket-webhooks event log (its first line is not the header); it was left untouched`
  return { _tag: 'NotAStoreFile', path, message }
}

/**
 * Whether `bytes` are the start of a header still being written (a log being created).
 *
 * @internal
 */
export const isHeaderPrefix = (bytes: Uint8Array): boolean => bytes.length < HEADER.length && bytes.every((b, i) => b === HEADER[i])

/**
 * The bytes from `from` to `to`, or fewer if the file ends first.
 *
 * @internal
 */
export const readRange = async (read: ReadAt, from: number, to: number): Promise<Uint8Array> => {
  const out = new Uint8Array(to - from)
  let done = 0
  while (done < out.length) {
    const n = await read(out.subarray(done), from + done)
    if (n === 0) break
    done += n
  }
  return out.subarray(0, done)
}

/**
 * Feeds `scanner` the complete lines between byte `from` (the start of a line, whose number is
 * `line + 1`) and byte `to`, reading 1 MiB at a time. Answers where the reading stopped (`end`) and
 * how many bytes at the end belong to a line without its newline yet (`unterminated`), or the
 * first problem the scanner stopped at. Rejects only when `read` does.
 *
 * @internal
 */
export const scanLines = async (
  read: ReadAt,
  scanner: Scanner,
  from: number,
  to: number,
  line: number,
): Promise<E.Either<LineProblem, Readonly<{ end: number; unterminated: number }>>> => {
  let position = from
  let carry = new Uint8Array(0)
  let number = line
  while (position < to) {
    const chunk = await readRange(read, position, Math.min(to, position + CHUNK))
    if (chunk.length === 0) break
    const base = position - carry.length
    position += chunk.length
    const data = Buffer.concat([carry, chunk])
    let start = 0
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      number++
      const fed = scanner.line(data.toString('utf8', start, nl), number, base + start, base + nl + 1)
      if (E.isLeft(fed)) return fed
      start = nl + 1
    }
    carry = Uint8Array.prototype.slice.call(data, start)
  }
  return E.right({ end: position, unterminated: carry.length })
}

const saveTorn = async (path: string, bytes: Uint8Array): Promise<string> => {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const target = `${path}.torn-${stamp}-${randomBytes(3).toString('hex')}`
  const handle = await open(target, 'wx', 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await syncDirectory(dirname(target))
  return target
}

/**
 * The `CorruptStore` error of a problem among committed lines.
 *
 * @internal
 */
export const corruptStore = (path: string, problem: LineProblem): OpenError => ({
  _tag: 'CorruptStore',
  path,
  problem,
  message: `the event log at ${path} is corrupt: ${problem.message}`,
})

/**
 * Reads the log through `file`, checks it and rebuilds the index; writes the header of a new log;
 * saves and cuts a torn tail. Rejects only when the file itself fails (the caller maps that to
 * `OpenFailure`).
 *
 * @internal
 */
export const recover = async <Ev>(
  file: StoreFile,
  path: string,
  decode: Decode<Ev>,
  onCorruption: 'fail' | 'skip',
): Promise<E.Either<OpenError, Loaded>> => {
  const started = performance.now()
  const read: ReadAt = (buffer, position) => file.read(buffer, position)
  const size = await file.size()
  const head = await readRange(read, 0, Math.min(size, HEADER.length + 1))
  const headerEnd = head.indexOf(10)
  let torn: TornTail | undefined
  if (size === 0 || (headerEnd === -1 && size === head.length && isHeaderPrefix(head))) {
    // A new log, or one whose creation was cut short inside the header.
    if (size > 0) torn = { offset: 0, bytes: size, line: 1, lines: 1, unterminated: true, savedTo: await saveTorn(path, head) }
    if (size > 0) await file.truncate(0)
    await file.append(HEADER)
    await file.sync()
    await syncDirectory(dirname(path))
    const recovery: Recovery = {
      created: true,
      bytes: HEADER.length,
      lines: 1,
      events: 0,
      streams: 0,
      commits: 0,
      ...(torn === undefined ? {} : { torn }),
      problems: [],
      millis: performance.now() - started,
    }
    return E.right({ index: createLineIndex(), recovery, last: { kind: 'header' } })
  }
  const notLog = headerError(path, headerEnd === -1 ? '' : new TextDecoder().decode(head.subarray(0, headerEnd)))
  if (notLog !== undefined) return E.left(notLog)

  const scanner = createScanner(decode, onCorruption, headerEnd + 1)
  const fed = await scanLines(read, scanner, headerEnd + 1, size, 1)
  if (E.isLeft(fed)) return E.left(corruptStore(path, fed.left))
  const scanned = scanner.result()
  const { end, unterminated } = fed.right
  if (end > scanned.committedEnd) {
    const bytes = await readRange(read, scanned.committedEnd, end)
    torn = {
      offset: scanned.committedEnd,
      bytes: end - scanned.committedEnd,
      line: scanned.committedLines + 1,
      lines: scanned.uncommittedLines + (unterminated > 0 ? 1 : 0),
      unterminated: unterminated > 0,
      savedTo: await saveTorn(path, bytes),
    }
    await file.truncate(scanned.committedEnd)
    await file.sync()
  }
  const recovery: Recovery = {
    created: false,
    bytes: scanned.committedEnd,
    lines: scanned.committedLines,
    events: scanned.index.count(),
    streams: scanned.index.streams(),
    commits: scanned.commits,
    ...(torn === undefined ? {} : { torn }),
    problems: scanned.problems,
    millis: performance.now() - started,
  }
  return E.right({ index: scanned.index, recovery, last: scanned.last })
}
