/**
 * The read-only follower: core's read side of the `EventStore` port over a log that another process
 * (a `banksocket listen`, an `openFileEventStore`) writes, without its lock, seeing only committed
 * events and catching up with the log as it grows (docs/architecture.md, "Consumers").
 *
 * @module
 */
import { type FileHandle, open } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { StoredEvent, StoreError } from '@banksocket-webhooks/core'
import type { ReadAllOptions, ReadStreamOptions, StreamRead } from '@banksocket-webhooks/core/store-kit'
import { checkReadOptions } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type * as t from 'io-ts'
import { type CatchUp, type CatchUpProblem, createCatchUp } from './catch-up.ts'
import { createFileCheckpoints, type FileCheckpoints } from './checkpoints.ts'
import type { OpenError } from './errors.ts'
import { describe, errorCode } from './internal.ts'
import { feedPage, headOf, type Page, streamPage } from './pages.ts'
import { type ReadProblem, readEvents } from './reader.ts'
import { corruptStore, type Decode, decoderOf } from './recovery.ts'
import { watchFile } from './watcher.ts'

/**
 * How often a follower's `watch` looks at the file when `fs.watch` says nothing: 250 ms.
 *
 * @example
 * import { DEFAULT_POLL_INTERVAL } from '@banksocket-webhooks/adapter-file-store'
 * DEFAULT_POLL_INTERVAL // 250
 */
export const DEFAULT_POLL_INTERVAL = 250

/**
 * Options of {@link openFileEventFollower}.
 *
 * @example
 * import { LedgerEvent } from '@banksocket-webhooks/core'
 * import type { FileEventFollowerOptions } from '@banksocket-webhooks/adapter-file-store'
 * const options: FileEventFollowerOptions<LedgerEvent> = { path: './data/events.jsonl', codec: LedgerEvent, pollInterval: 100 }
 */
export type FileEventFollowerOptions<Ev> = Readonly<{
  /** The log to follow. It must exist: the follower never creates or changes it. */
  path: string
  /**
   * An io-ts codec for the events: every event is decoded (and checked) as it is indexed and again
   * when read, as the writer store does.
   * @default none: events are read back as `JSON.parse` gives them
   */
  codec?: t.Type<Ev, unknown, unknown>
  /**
   * How often `watch` looks at the file in case `fs.watch` misses a change, in milliseconds.
   * @default 250
   */
  pollInterval?: number
}>

/**
 * A read-only view of a file log that another process writes: the read side of core's
 * `EventStore` port (`readAll`, `readStream`, `head`), plus `refresh`, `watch`, the log's
 * `checkpoints` and `close`. It has no `appendToStream`.
 *
 * - **No lock.** It runs beside the writer (a `banksocket listen`, an `openFileEventStore` in
 *   another process), which keeps its lock; any number of followers can read one log.
 * - **Committed events only.** It shows a group of events once its commit record is complete:
 *   events still being written, a group without its commit record, a torn last line are invisible
 *   (so a tail the writer's recovery later cuts was never shown). Before it shows new events it
 *   syncs the file, so what it shows is on disk.
 * - **Incremental.** Every read first catches up from the byte it had indexed to, reading only what
 *   was written since (nothing when the file did not change), then answers as the writer store
 *   does: the same pages, positions (an event's number among the event lines, the same on every
 *   open), options and errors. A read is a snapshot of what was committed when it started.
 * - **A replaced log is an error.** A log that is gone, replaced by another file or shorter than
 *   what the follower read makes every later read fail with a `StoreFailure` saying so (open a new
 *   follower), as does a committed line that is not usable.
 *
 * @example
 * import type { FileEventFollower } from '@banksocket-webhooks/adapter-file-store'
 * const newEvents = async (follower: FileEventFollower<unknown>, after: number) => await follower.readAll({ after, limit: 100 })()
 */
export interface FileEventFollower<Ev> {
  /** The log file (absolute). */
  readonly path: string
  /**
   * Where the log's consumers keep their checkpoints: `createFileCheckpoints({ path })`, the same
   * files as the writer store's `checkpoints` (see {@link createFileCheckpoints}).
   */
  readonly checkpoints: FileCheckpoints
  /** Catches up, then reads one stream as `EventStore.readStream` does. Bad options throw a `TypeError`. */
  readStream(stream: string, options?: ReadStreamOptions): TE.TaskEither<StoreError, StreamRead<Ev>>
  /** Catches up, then reads the feed by global position as `EventStore.readAll` does. Bad options throw a `TypeError`. */
  readAll(options?: ReadAllOptions): TE.TaskEither<StoreError, ReadonlyArray<StoredEvent<Ev>>>
  /** Catches up, then answers the position of the last committed event (0 when there is none). */
  head(): TE.TaskEither<StoreError, number>
  /** The same as `head`, named for what it does: catch up now, and answer the head. */
  refresh(): TE.TaskEither<StoreError, number>
  /**
   * Calls `onChange` soon after the file changes (it grew: new events may be committed), through
   * `fs.watch` on the file and a look every `pollInterval` ms in case it misses one; a change since
   * the follower last caught up counts too. Several changes may be one call, and a call may find
   * nothing new (a group not yet committed): read to see. Answers the function that stops it; it
   * keeps the process alive until stopped or until `close`. A no-op after `close`.
   */
  watch(onChange: () => void): () => void
  /** Stops every `watch`, waits for the reads under way, closes the file. Later reads fail. Idempotent. */
  close(): TE.TaskEither<StoreError, void>
}

type Failure = Extract<StoreError, { _tag: 'StoreFailure' }>

const failure = (message: string): Failure => ({ _tag: 'StoreFailure', message })

const checkOptions = <Ev>(options: FileEventFollowerOptions<Ev>): void => {
  if (typeof options?.path !== 'string' || options.path === '') {
    throw new TypeError('openFileEventFollower needs `path`, the event log to follow')
  }
  const poll = options.pollInterval
  if (poll !== undefined && (typeof poll !== 'number' || !Number.isFinite(poll) || poll <= 0)) {
    throw new TypeError(`\`pollInterval\` must be a positive number of milliseconds (default ${DEFAULT_POLL_INTERVAL}), got ${String(poll)}`)
  }
}

/** What a problem that stops the follower says in a `StoreFailure` (no paths: the message may be logged). */
const problemMessage = (problem: CatchUpProblem): string => {
  switch (problem.kind) {
    case 'not_a_log':
      return 'the followed file is not a banksocket-webhooks event log (its first line is not the header)'
    case 'corrupt':
      return `the event log is corrupt: ${problem.problem.message}`
    case 'replaced':
      return problem.message
  }
}

/**
 * Opens a read-only follower of the event log at `path`, which must exist (a writer created it): no
 * lock is taken, so it opens beside a writer that holds its lock, in this process or another. It
 * reads and checks the committed part of the log once, as the writer's recovery does, and answers
 * a {@link FileEventFollower}. Returns a `TaskEither`: nothing happens until it is run, and every
 * expected failure is a typed {@link OpenError}: `OpenFailure` (`code: 'ENOENT'` for a log that does
 * not exist, or what the system refused), `NotAStoreFile`, `CorruptStore` (a committed line is
 * unusable). A log being created (no complete header yet) opens as an empty log. Throws a
 * `TypeError` only for invalid options.
 *
 * @example
 * import { LedgerEvent } from '@banksocket-webhooks/core'
 * import { openFileEventFollower } from '@banksocket-webhooks/adapter-file-store'
 * import * as E from 'fp-ts/lib/Either.js'
 *
 * // In another process than the `banksocket listen --store ./data/events.jsonl` that writes it:
 * const opened = await openFileEventFollower({ path: './data/events.jsonl', codec: LedgerEvent })()
 * if (E.isLeft(opened)) throw new Error(opened.left.message)
 * const follower = opened.right
 * const stop = follower.watch(async () => console.log('head', await follower.refresh()()))
 * // ... later: stop(); await follower.close()()
 */
export const openFileEventFollower = <Ev = unknown>(options: FileEventFollowerOptions<Ev>): TE.TaskEither<OpenError, FileEventFollower<Ev>> => {
  checkOptions(options)
  const path = resolve(options.path)
  const decode = decoderOf(options.codec)
  const pollInterval = options.pollInterval ?? DEFAULT_POLL_INTERVAL
  const openFailure = (error: unknown): OpenError => {
    const code = errorCode(error)
    return {
      _tag: 'OpenFailure',
      path,
      code,
      message:
        code === 'ENOENT'
          ? `there is no event log at ${path}: a follower reads a log that a writer (openFileEventStore, banksocket listen --store) created; start the writer first`
          : `could not open the event log at ${path} to follow it (${describe(error)})`,
    }
  }

  return async () => {
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (error) {
      return E.left(openFailure(error))
    }
    try {
      const { ino, dev } = await handle.stat()
      const catchUp = createCatchUp(handle, path, { ino, dev }, decode)
      const first = await catchUp.run()
      if (E.isLeft(first)) {
        await handle.close()
        const problem = first.left
        if (problem.kind === 'not_a_log') return E.left(problem.error)
        if (problem.kind === 'corrupt') return E.left(corruptStore(path, problem.problem))
        return E.left({ _tag: 'OpenFailure', path, code: undefined, message: `could not follow the event log at ${path}: ${problem.message}` })
      }
      return E.right(followerOver(handle, path, catchUp, decode, pollInterval))
    } catch (error) {
      await handle.close().catch(() => undefined)
      return E.left(openFailure(error))
    }
  }
}

const followerOver = <Ev>(handle: FileHandle, path: string, catchUp: CatchUp, decode: Decode<Ev>, pollInterval: number): FileEventFollower<Ev> => {
  /** Set once the follower cannot go on (a replaced or corrupt log): every later read fails with it. */
  let broken: string | undefined
  let closing: Promise<E.Either<StoreError, void>> | undefined
  let running: Promise<E.Either<Failure, void>> | undefined
  let queued: Promise<E.Either<Failure, void>> | undefined
  const working = new Set<Promise<unknown>>()
  const watchers = new Set<() => void>()

  const round = async (): Promise<E.Either<Failure, void>> => {
    if (broken !== undefined) return E.left(failure(broken))
    try {
      const done = await catchUp.run()
      if (E.isRight(done)) return done
      broken = problemMessage(done.left)
      return E.left(failure(broken))
    } catch (error) {
      return E.left(failure(`the follower could not read the event log (${describe(error)})`))
    }
  }

  /**
   * Catches up with everything committed before the call: joins the round under way only if none
   * is, else the one queued after it (shared by every caller meanwhile), so rounds never overlap.
   */
  const caughtUp = (): Promise<E.Either<Failure, void>> => {
    if (running === undefined) {
      running = round().finally(() => {
        running = undefined
      })
      return running
    }
    queued ??= running.then(() => {
      queued = undefined
      return caughtUp()
    })
    return queued
  }

  /** Runs `work` after catching up, unless the follower is closing; `close` waits for it. */
  const afterCatchingUp = <A>(work: () => Promise<E.Either<StoreError, A>>): TE.TaskEither<StoreError, A> => {
    return async () => {
      if (closing !== undefined) return E.left(failure('the follower is closed'))
      const run = (async (): Promise<E.Either<StoreError, A>> => {
        const caught = await caughtUp()
        return E.isLeft(caught) ? caught : work()
      })()
      working.add(run)
      try {
        return await run
      } finally {
        working.delete(run)
      }
    }
  }

  /** Reads the page's events from the file; I/O errors and lines that changed are `StoreFailure`s. */
  const readPage = async (page: Page, stream: string | undefined): Promise<E.Either<StoreError, StoredEvent<Ev>[]>> => {
    if (page.count === 0) return E.right([])
    const read = async (buffer: Uint8Array, position: number) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead
    try {
      return E.mapLeft((p: ReadProblem) => failure(p.message))(await readEvents(read, catchUp.index(), page.count, page.ordinalAt, stream, decode))
    } catch (error) {
      return E.left(failure(`the follower could not read the event log (${describe(error)})`))
    }
  }

  const head = (): TE.TaskEither<StoreError, number> => afterCatchingUp(async () => E.right(headOf(catchUp.index(), catchUp.visible())))

  const close = async (): Promise<E.Either<StoreError, void>> => {
    for (const stop of watchers) stop()
    while (working.size > 0) await Promise.allSettled([...working])
    try {
      await handle.close()
      return E.right(undefined)
    } catch (error) {
      return E.left(failure(`closing the followed file failed (${describe(error)})`))
    }
  }

  return {
    path,
    checkpoints: createFileCheckpoints({ path }),
    readStream: (stream, options) => {
      const { after, limit } = checkReadOptions('readStream', options)
      return afterCatchingUp(async () => {
        const page = streamPage(catchUp.index(), catchUp.visible(), stream, after, limit)
        if (page === undefined) return E.right({ version: 0, events: [] })
        const read = await readPage(page, stream)
        return E.map((stored: ReadonlyArray<StoredEvent<Ev>>): StreamRead<Ev> => ({ version: page.version, events: stored.map((s) => s.event) }))(
          read,
        )
      })
    },
    readAll: (options) => {
      const { after, limit } = checkReadOptions('readAll', options)
      return afterCatchingUp(async () => {
        const page = feedPage(catchUp.index(), catchUp.visible(), catchUp.lastPosition(), after, limit)
        return E.isLeft(page) ? page : readPage(page.right, undefined)
      })
    },
    head,
    refresh: head,
    watch: (onChange) => {
      if (closing !== undefined) return () => {}
      const stop = watchFile(path, pollInterval, catchUp.seen(), onChange)
      const unwatch = (): void => {
        stop()
        watchers.delete(unwatch)
      }
      watchers.add(unwatch)
      return unwatch
    },
    close: () => () => (closing ??= close()),
  }
}
