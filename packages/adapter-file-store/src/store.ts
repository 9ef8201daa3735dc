/**
 * The durable file event store: core's `EventStore` port over an append-only JSON-lines log, with
 * group commit, crash recovery and a single-writer lock.
 *
 * @module
 */
import { resolve } from 'node:path'
import {
  problemsOf,
  versionMatches,
  type EventStore,
  type StoreError,
  type StoredEvent,
  type StreamRead,
} from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import type { OpenError } from './errors.ts'
import { openStoreFile, type StoreFile } from './file.ts'
import { describe, errorCode } from './internal.ts'
import { eventLine } from './line.ts'
import { acquireLock, type Lock } from './lock.ts'
import { recover, type Decode, type Recovery, type StreamIndex } from './recovery.ts'
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
 * Counters of an open store: streams and events in memory, appends acknowledged, group commits
 * (each one write and one sync) and the log size, appends queued or in flight, and the failure that
 * poisoned the store, if any.
 *
 * @example
 * import type { FileStoreStats } from '@banksocket-webhooks/adapter-file-store'
 * const perSync = (s: FileStoreStats) => s.appends / Math.max(1, s.commits)
 */
export type FileStoreStats = Readonly<{
  streams: number
  events: number
  appends: number
  commits: number
  bytes: number
  pending: number
  failure?: string
}>

/**
 * An open file event store: the `EventStore` port plus its start-up report, counters and `close`.
 *
 * - `appendToStream` resolves `Right` only after the events are written and synced (fdatasync).
 *   Expected versions are checked when the append is made, in call order, against the versions of
 *   every append accepted so far (synced or still queued).
 * - `readStream` and `readAll` see acknowledged events only.
 * - `close` stops accepting appends, waits for queued ones to be synced, closes the file and
 *   releases the lock.
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

const decoderOf = <Ev>(codec: t.Type<Ev, unknown, unknown> | undefined): Decode<Ev> =>
  codec === undefined ? (value) => E.right(value as Ev) : (value) => E.mapLeft(problemsOf)(codec.decode(value))

/**
 * Opens (or creates) a durable event store on a JSON-lines file: takes the single-writer lock,
 * reads and checks the whole log, cuts a torn tail left by a crash, and rebuilds the in-memory
 * indices. Returns a `TaskEither`: nothing happens until it is run, and every expected failure
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
export const openFileEventStore = <Ev = unknown>(
  options: FileEventStoreOptions<Ev>,
): TE.TaskEither<OpenError, FileEventStore<Ev>> => {
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
      return E.right(storeOver(file, lock, path, loaded.right, encode, maxBatchBytes))
    } catch (error) {
      await file?.close().catch(() => undefined)
      await lock.release().catch(() => undefined)
      return E.left(ioFailure(error))
    }
  }
}

const storeOver = <Ev>(
  file: StoreFile,
  lock: Lock,
  path: string,
  loaded: Readonly<{ streams: Map<string, StreamIndex<Ev>>; all: StoredEvent<Ev>[]; recovery: Recovery }>,
  encode: (event: Ev) => unknown,
  maxBatchBytes: number,
): FileEventStore<Ev> => {
  const { streams, all, recovery } = loaded
  const writer = createWriter(file, { size: recovery.bytes, maxBatchBytes })
  const reserved = new Map<string, number>()
  let appends = 0
  let closing: Promise<E.Either<StoreError, void>> | undefined

  const linesOf = (stream: string, first: number, events: ReadonlyArray<Ev>): E.Either<StoreError, string> => {
    let text = ''
    for (let i = 0; i < events.length; i++) {
      let json: string | undefined
      try {
        json = JSON.stringify(encode(events[i] as Ev))
      } catch (error) {
        const reason = error instanceof Error ? error.message : 'encoding threw'
        return E.left(storeFailure(`event ${i} of the append cannot be stored as JSON (${reason})`))
      }
      if (json === undefined) return E.left(storeFailure(`event ${i} of the append cannot be stored as JSON (it is undefined or a function)`))
      text += eventLine(stream, first + i, json)
    }
    return E.right(text)
  }

  const acknowledge = (stream: string, first: number, events: ReadonlyArray<Ev>): void => {
    const index = streams.get(stream) ?? { events: [], version: 0 }
    streams.set(stream, index)
    events.forEach((event, i) => {
      index.events.push(event)
      all.push({ stream, version: first + i, event })
    })
    index.version = first + events.length - 1
    appends++
  }

  const appendToStream: EventStore<Ev>['appendToStream'] = (stream, events, expected) => () =>
    new Promise((done) => {
      if (closing !== undefined) return done(E.left(storeFailure('the event store is closed')))
      const poisoned = writer.stats().failure
      if (poisoned !== undefined) return done(E.left(storeFailure(poisoned)))
      const actual = reserved.get(stream) ?? streams.get(stream)?.version ?? 0
      if (!versionMatches(expected, actual)) return done(E.left({ _tag: 'VersionConflict', stream, expected, actual }))
      const text = linesOf(stream, actual + 1, events)
      if (E.isLeft(text)) return done(text)
      const nextVersion = actual + events.length
      reserved.set(stream, nextVersion)
      writer.enqueue({
        text: text.right,
        bytes: Buffer.byteLength(text.right),
        lines: events.length,
        done: (failure) => {
          if (failure !== undefined) return done(E.left(storeFailure(failure)))
          if (events.length > 0) acknowledge(stream, actual + 1, events)
          done(E.right({ nextVersion }))
        },
      })
    })

  const close = async (): Promise<E.Either<StoreError, void>> => {
    await writer.flush()
    const problems: string[] = []
    try {
      await file.close()
    } catch (error) {
      problems.push(`closing the file failed (${describe(error)})`)
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
    readStream: (stream) => async () => {
      const index = streams.get(stream)
      const read: StreamRead<Ev> = { version: index?.version ?? 0, events: index === undefined ? [] : [...index.events] }
      return E.right(read)
    },
    appendToStream,
    readAll: () => async () => E.right([...all]),
    stats: () => {
      const w = writer.stats()
      return {
        streams: streams.size,
        events: all.length,
        appends,
        commits: w.batches,
        bytes: w.size,
        pending: w.pending,
        ...(w.failure === undefined ? {} : { failure: w.failure }),
      }
    },
    close: () => () => (closing ??= close()),
  }
}
