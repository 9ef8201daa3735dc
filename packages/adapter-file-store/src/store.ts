/**
 * The durable file event store: core's `EventStore` port over an append-only JSON-lines log, with
 * group commit, crash recovery and a single-writer lock.
 *
 * @module
 */
import { open } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { EventStore, StoredEvent, StoreError } from '@banksocket-webhooks/core'
import { AppendWatchers, checkReadOptions, type StreamRead, versionMatches } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import { createFileCheckpoints, type FileCheckpoints } from './checkpoints.ts'
import type { OpenError } from './errors.ts'
import { openStoreFile, type StoreFile } from './file.ts'
import { describe, errorCode } from './internal.ts'
import { eventLine } from './line.ts'
import { acquireLock, type Lock } from './lock.ts'
import { feedPage, headOf, streamPage } from './pages.ts'
import { type ReadAt, type ReadProblem, readEvents } from './reader.ts'
import { type Decode, decoderOf, type Loaded, type Recovery, recover } from './recovery.ts'
import { createWriter } from './writer.ts'

/**
 * Options of {@link openFileEventStore}.
 *
 * @example
 * import { LedgerEvent } from '@banksocket-webhooks/core'
 * import type { FileEventStoreOptions } from '@banksocket-webhooks/adapter-file-store'
 * const options: FileEventStoreOptions<LedgerEvent> = { path: './data/events.jsonl', codec: LedgerEvent }
 */
export type FileEventStoreOptions<Ev> = Readonly<{
  /** The log file. Created (with its header) if missing; its directory must exist. */
  path: string
  /**
   * An io-ts codec for the events: `encode` runs on append, `decode` validates every event on load
   * (a failure is a `CorruptStore` error, or a reported problem with `onCorruption: 'skip'`).
   * @default none: events are written with `JSON.stringify` and read back as `JSON.parse` gives them
   */
  codec?: t.Type<Ev, unknown, unknown>
  /**
   * What to do with an unusable line among acknowledged data (not JSON, not a record, undecodable,
   * non-contiguous version, wrong commit count): `'fail'` refuses to open with `CorruptStore`
   * naming the line; `'skip'` skips it and lists it in `recovery.problems`. A torn tail (after the
   * last commit record) is always cut and reported, whatever this says.
   * @default 'fail'
   */
  onCorruption?: 'fail' | 'skip'
  /**
   * The most bytes one group commit writes; a single append larger than this is written alone.
   * @default 4194304 (4 MiB)
   */
  maxBatchBytes?: number
  /**
   * Opens the log file. Replace it to observe or fault-inject the file (tests, instrumentation).
   * @default openStoreFile
   */
  openFile?: (path: string) => Promise<StoreFile>
}>

/**
 * Counters of an open store: streams and events in the log (indexed in memory), appends
 * acknowledged, group commits (each one write and one sync) and the log size, appends queued or in
 * flight, reads under way; and how it fared with its disk: the rounds whose write or sync failed
 * (`failedWrites`), the repairs that gave it a usable file again (`repairs`), and, while the last
 * write failed and the store waits to repair its file at the next append, that `failure` (cleared
 * by the repair; it stays when the file was changed under the store, which refuses appends then).
 *
 * @example
 * import type { FileStoreStats } from '@banksocket-webhooks/adapter-file-store'
 * const perSync = (s: FileStoreStats) => s.appends / Math.max(1, s.commits)
 * const health = (s: FileStoreStats) => (s.failure === undefined ? `ok, ${s.repairs} repairs` : `waiting to repair: ${s.failure}`)
 */
export type FileStoreStats = Readonly<{
  streams: number
  events: number
  appends: number
  commits: number
  bytes: number
  pending: number
  reads: number
  failedWrites: number
  repairs: number
  failure?: string
}>

/**
 * An open file event store: the `EventStore` port (with `head`) plus its start-up report, counters,
 * its consumers' `checkpoints` and `close`.
 *
 * - `appendToStream` resolves `Right` only after the events are written and synced (fdatasync).
 *   Expected versions are checked when the append is made, in call order, against the versions of
 *   every append accepted so far (synced or still queued).
 * - `readStream` and `readAll` see acknowledged events only, as of when the read starts. They read
 *   the events back from the file (memory holds only where each event's line is), so each read
 *   costs disk I/O and decoding; the inbox reads a ledger's stream once, at its first delivery.
 *   After `close` they still work: the file is reopened read-only for each read.
 * - An event's global position is its number among the event lines of the log, so it is the same
 *   after every reopen. `readAll({ after, limit })` and `readStream(stream, { after, limit })` find
 *   the page in the in-memory index and read only its lines from disk: paging through a million
 *   events never holds more than a page.
 * - A failed write or sync (a full or failing disk) fails the appends of that round and the ones
 *   queued behind it with `StoreFailure`; none of them is left in the log, and an expected version
 *   is checked again against the acknowledged events. The next append first repairs the file (a new
 *   handle, the log cut back to its last synced byte, its tail checked) and is then written: the
 *   store recovers by itself once the disk works again, with no reopening. While the disk still
 *   fails, appends keep failing and the repair is tried again at each one. Only a log changed under
 *   the store (its tail is not what the store wrote) makes it refuse every append until reopened.
 * - `close` stops accepting appends, waits for queued ones to be synced, closes the file and
 *   releases the lock. While it waits to repair the file there is nothing to flush: it tries the
 *   repair once (to cut the failed round off), and closes whether that works or not.
 * - Other processes read the log beside it with a follower ({@link openFileEventFollower}), which
 *   takes no lock.
 *
 * @example
 * import { openFileEventStore, type FileEventStore } from '@banksocket-webhooks/adapter-file-store'
 * const shutdown = async (store: FileEventStore<unknown>) => { await store.close()() }
 */
export interface FileEventStore<Ev> extends EventStore<Ev> {
  /** The log file (absolute). */
  readonly path: string
  /** What start-up found and repaired. */
  readonly recovery: Recovery
  /**
   * Where consumers of this log keep their checkpoints: `<path>.checkpoints/<name>.json`, the same
   * as `createFileCheckpoints({ path })` (see {@link createFileCheckpoints}).
   */
  readonly checkpoints: FileCheckpoints
  /**
   * The position of the last acknowledged event (0 when there is none): what the last event of a
   * `readAll` started now would be, and where a consumer that starts at the end begins. It never
   * touches the file.
   */
  head(): TE.TaskEither<StoreError, number>
  /** Current counters. */
  stats(): FileStoreStats
  /** Flushes queued appends, closes the file, releases the lock. Idempotent. */
  close(): TE.TaskEither<StoreError, void>
}

/**
 * The default bound of one group commit: 4 MiB.
 *
 * @example
 * import { DEFAULT_MAX_BATCH_BYTES } from '@banksocket-webhooks/adapter-file-store'
 * DEFAULT_MAX_BATCH_BYTES // 4194304
 */
export const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024

const storeFailure = (message: string): StoreError => ({ _tag: 'StoreFailure', message })

const checkOptions = <Ev>(options: FileEventStoreOptions<Ev>): void => {
  if (typeof options.path !== 'string' || options.path === '') {
    throw new TypeError('openFileEventStore needs `path`, the log file to open or create')
  }
  const max = options.maxBatchBytes
  if (max !== undefined && (!Number.isSafeInteger(max) || max <= 0)) {
    throw new TypeError('`maxBatchBytes` must be a positive integer (bytes); leave it out for 4 MiB')
  }
  const mode = options.onCorruption
  if (mode !== undefined && mode !== 'fail' && mode !== 'skip') {
    throw new TypeError("`onCorruption` must be 'fail' or 'skip'")
  }
}

/**
 * Opens (or creates) a durable event store on a JSON-lines file: takes the single-writer lock,
 * reads and checks the whole log, cuts a torn tail left by a crash, and rebuilds the in-memory
 * index (where each event's line is, about 20 bytes an event; the events stay on disk). Returns a `TaskEither`: nothing happens until it is run, and every expected failure
 * (locked, not a log, corrupt, I/O) is a typed {@link OpenError}. Throws a `TypeError` only for
 * invalid options.
 *
 * @example
 * import { createInbox, LedgerEvent } from '@banksocket-webhooks/core'
 * import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
 * import * as E from 'fp-ts/lib/Either.js'
 *
 * const opened = await openFileEventStore({ path: './events.jsonl', codec: LedgerEvent })()
 * if (E.isLeft(opened)) throw new Error(opened.left.message)
 * const store = opened.right
 * if (store.recovery.torn) console.warn(`cut a torn tail of ${store.recovery.torn.bytes} bytes`)
 * const inbox = createInbox({ secrets: [process.env.BANKSOCKET_SECRET ?? ''], store })
 * // ... on shutdown: await inbox.drain(); await store.close()()
 */
export const openFileEventStore = <Ev = unknown>(options: FileEventStoreOptions<Ev>): TE.TaskEither<OpenError, FileEventStore<Ev>> => {
  checkOptions(options)
  const path = resolve(options.path)
  const lockPath = `${path}.lock`
  const openFile = options.openFile ?? openStoreFile
  const maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES
  const decode = decoderOf(options.codec)
  const codec = options.codec
  const encode = codec === undefined ? (event: Ev): unknown => event : (event: Ev): unknown => codec.encode(event)
  const ioFailure = (error: unknown): OpenError => ({
    _tag: 'OpenFailure',
    path,
    code: errorCode(error),
    message: `could not open the event log at ${path} (${describe(error)})`,
  })

  return async () => {
    let lock: Lock
    try {
      const taken = await acquireLock(lockPath)
      if (E.isLeft(taken)) {
        const who = taken.left.pid === undefined ? 'an unknown holder' : `process ${taken.left.pid}`
        return E.left({
          _tag: 'StoreLocked',
          path,
          lockPath,
          pid: taken.left.pid,
          message: `the event log at ${path} is locked by ${who} (${lockPath}); only one process may write it. If no process uses it, delete the lock file`,
        })
      }
      lock = taken.right
    } catch (error) {
      return E.left(ioFailure(error))
    }
    let file: StoreFile | undefined
    try {
      file = await openFile(path)
      const loaded = await recover(file, path, decode, options.onCorruption ?? 'fail')
      if (E.isLeft(loaded)) {
        await file.close()
        await lock.release()
        return loaded
      }
      return E.right(storeOver({ file, lock, path, loaded: loaded.right, encode, decode, maxBatchBytes, reopen: () => openFile(path) }))
    } catch (error) {
      await file?.close().catch(() => undefined)
      await lock.release().catch(() => undefined)
      return E.left(ioFailure(error))
    }
  }
}

/** What an open store is made of: its file (and how to open it again), lock, log and codec. */
type Parts<Ev> = Readonly<{
  file: StoreFile
  lock: Lock
  path: string
  loaded: Loaded
  encode: (event: Ev) => unknown
  decode: Decode<Ev>
  maxBatchBytes: number
  reopen: () => Promise<StoreFile>
}>

const storeOver = <Ev>({ file, lock, path, loaded, encode, decode, maxBatchBytes, reopen }: Parts<Ev>): FileEventStore<Ev> => {
  const { index, recovery } = loaded
  /**
   * The version each stream is at once the appends accepted so far are written (synced or still
   * queued). When queued appends fail it is cleared: every stream is at its acknowledged version.
   */
  const reserved = new Map<string, number>()
  const reading = new Set<Promise<unknown>>()

  /** Closes a handle the writer replaced, once the reads that were given it are done. */
  const retire = async (old: StoreFile): Promise<void> => {
    // A read takes its handle when it starts: every read on `old` began before the switch, so it is
    // among the reads under way now (later ones, on the new handle, need not be waited for).
    await Promise.allSettled([...reading])
    await old.close().catch(() => undefined)
  }

  const writer = createWriter(file, { size: recovery.bytes, last: loaded.last, maxBatchBytes, reopen, retire, onFailed: () => reserved.clear() })
  let fileOpen = true
  let appends = 0
  let closing: Promise<E.Either<StoreError, void>> | undefined

  type Lines = Readonly<{ text: string; lengths: ReadonlyArray<number> }>

  const linesOf = (stream: string, first: number, events: ReadonlyArray<Ev>): E.Either<StoreError, Lines> => {
    let text = ''
    const lengths: number[] = []
    for (let i = 0; i < events.length; i++) {
      let json: string | undefined
      try {
        json = JSON.stringify(encode(events[i] as Ev))
      } catch (error) {
        const reason = error instanceof Error ? error.message : 'encoding threw'
        return E.left(storeFailure(`event ${i} of the append cannot be stored as JSON (${reason})`))
      }
      if (json === undefined) return E.left(storeFailure(`event ${i} of the append cannot be stored as JSON (it is undefined or a function)`))
      const line = eventLine(stream, first + i, json)
      lengths.push(Buffer.byteLength(line))
      text += line
    }
    return E.right({ text, lengths })
  }

  /** Indexes the lines of an acknowledged append, the first written at `offset`. */
  const acknowledge = (stream: string, first: number, lengths: ReadonlyArray<number>, offset: number): void => {
    let at = offset
    lengths.forEach((length, i) => {
      index.add(stream, first + i, at, length - 1)
      at += length
    })
    appends++
  }

  /**
   * Runs a read with positional access to the log: through the store's own file while it is open
   * (the handle the writer uses when the read starts; `close`, and the closing of a handle replaced
   * by a repair, wait for such reads), through a read-only handle opened for this read once it is
   * closed. I/O errors become `StoreFailure`s.
   */
  const withFile = async <A>(work: (read: ReadAt) => Promise<E.Either<ReadProblem, A>>): Promise<E.Either<StoreError, A>> => {
    const failed = (error: unknown) => E.left(storeFailure(`the event store could not read its file (${describe(error)})`))
    const checked = (result: E.Either<ReadProblem, A>) => E.mapLeft((p: ReadProblem) => storeFailure(p.message))(result)
    if (fileOpen) {
      const handle = writer.file()
      const run = work((buffer, position) => handle.read(buffer, position))
      reading.add(run)
      try {
        return checked(await run)
      } catch (error) {
        return failed(error)
      } finally {
        reading.delete(run)
      }
    }
    try {
      const handle = await open(path, 'r')
      try {
        return checked(await work(async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead))
      } finally {
        await handle.close()
      }
    } catch (error) {
      return failed(error)
    }
  }

  const readStream: EventStore<Ev>['readStream'] = (stream, options) => {
    const { after, limit } = checkReadOptions('readStream', options)
    return async () => {
      // A snapshot: appends acknowledged while the lines are read are not part of this read.
      const page = streamPage(index, index.count(), stream, after, limit)
      if (page === undefined) return E.right({ version: 0, events: [] })
      const read = await withFile((at) => readEvents(at, index, page.count, page.ordinalAt, stream, decode))
      return E.map((stored: ReadonlyArray<StoredEvent<Ev>>): StreamRead<Ev> => ({ version: page.version, events: stored.map((s) => s.event) }))(read)
    }
  }

  const readAll: EventStore<Ev>['readAll'] = (options) => {
    const { after, limit } = checkReadOptions('readAll', options)
    return async () => {
      // A snapshot of the events acknowledged so far; only the page's lines are read from disk.
      const page = feedPage(index, index.count(), index.lastPosition(), after, limit)
      if (E.isLeft(page)) return page
      return withFile((at) => readEvents(at, index, page.right.count, page.right.ordinalAt, undefined, decode))
    }
  }

  /** Told after each acknowledged append: a consumer in this process reads at once. */
  const watchers = new AppendWatchers()

  const appendToStream: EventStore<Ev>['appendToStream'] = (stream, events, expected) => () =>
    new Promise((done) => {
      if (closing !== undefined) return done(E.left(storeFailure('the event store is closed')))
      const refusing = writer.refusing()
      if (refusing !== undefined) return done(E.left(storeFailure(refusing)))
      const actual = reserved.get(stream) ?? index.stream(stream)?.version ?? 0
      if (!versionMatches(expected, actual)) return done(E.left({ _tag: 'VersionConflict', stream, expected, actual }))
      const lines = linesOf(stream, actual + 1, events)
      if (E.isLeft(lines)) return done(lines)
      const nextVersion = actual + events.length
      reserved.set(stream, nextVersion)
      const { text, lengths } = lines.right
      writer.enqueue({
        text,
        bytes: lengths.reduce((a, b) => a + b, 0),
        lines: events.length,
        done: (failure, offset) => {
          if (failure !== undefined) return done(E.left(storeFailure(failure)))
          if (events.length > 0) {
            acknowledge(stream, actual + 1, lengths, offset)
            watchers.notify()
          }
          done(E.right({ nextVersion }))
        },
      })
    })

  const close = async (): Promise<E.Either<StoreError, void>> => {
    await writer.finish()
    while (reading.size > 0) await Promise.allSettled([...reading])
    fileOpen = false
    const problems: string[] = []
    // A handle whose write failed (the store waits to repair) holds nothing to keep: its close may
    // fail too, and that says nothing new.
    const broken = writer.stats().failure !== undefined
    try {
      await writer.file().close()
    } catch (error) {
      if (!broken) problems.push(`closing the file failed (${describe(error)})`)
    }
    try {
      await lock.release()
    } catch (error) {
      problems.push(`releasing the lock failed (${describe(error)})`)
    }
    return problems.length === 0 ? E.right(undefined) : E.left(storeFailure(problems.join('; ')))
  }

  return {
    path,
    recovery,
    checkpoints: createFileCheckpoints({ path }),
    readStream,
    appendToStream,
    readAll,
    head: () => async () => E.right(headOf(index, index.count())),
    watch: watchers.watch,
    stats: () => {
      const w = writer.stats()
      return {
        streams: index.streams(),
        events: index.count(),
        appends,
        commits: w.batches,
        bytes: w.size,
        pending: w.pending,
        reads: reading.size,
        failedWrites: w.failedWrites,
        repairs: w.repairs,
        ...(w.failure === undefined ? {} : { failure: w.failure }),
      }
    },
    close: () => () => (closing ??= close()),
  }
}
