/**
 * What `banksocket inspect` reads, opened read-only and without a codec (every event as
 * `JSON.parse` gives it, decoded later by its type): a file log through the file store's read-only
 * follower (no lock, so beside the `listen` that writes it), or a PostgreSQL store. Besides the
 * feed, its consumers: their checkpoints (the files `<log>.checkpoints/<name>.json` beside a file
 * log, listed from the follower's checkpoints directory; the `checkpoints` table of PostgreSQL,
 * through `checkpoints.list()`) and, for a file log, the events `banksocket forward` gave up on
 * (`<log>.checkpoints/<name>.failed.jsonl`, one JSON line each).
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type FileEventFollower, openFileEventFollower } from '@banksocket-webhooks/adapter-file-store'
import { createPostgresEventStore, type PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import type { StoredEvent, StoreError } from '@banksocket-webhooks/core'
import { checkConsumerName } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { ExitCode } from '../exit.ts'
import { withMigrateHint } from './forwarding.ts'
import { displayUrl } from './migrate.ts'

/**
 * An open store, as `inspect` reads it. Every failure is the store's message (never a password).
 *
 * @example
 * import type { InspectSource } from './commands/inspect-store.ts'
 * const headOf = async (source: InspectSource) => await source.head()
 */
export type InspectSource = Readonly<{
  /** The store as the output names it: the log's absolute path, or the URL with its password masked. */
  label: string
  /** The position of the last event a read started now would return (0: none). */
  head: () => Promise<E.Either<string, number>>
  /** The events after position `after` in feed order, at most `limit`. */
  read: (after: number, limit: number) => Promise<E.Either<string, ReadonlyArray<StoredEvent<unknown>>>>
  /** Every saved checkpoint, consumer name to position. */
  checkpoints: () => Promise<E.Either<string, ReadonlyMap<string, number>>>
  /** For a file log, how many events each consumer recorded in its failure file (none for PostgreSQL). */
  failureFiles: () => Promise<E.Either<string, ReadonlyMap<string, number>>>
  /** Calls `wake` when new events may be there (the follower's watch; every 500 ms for PostgreSQL); answers how to stop. */
  watch: (wake: () => void) => () => void
  /** Closes the store; the message when that failed. */
  close: () => Promise<string | undefined>
}>

/**
 * Why the store could not be opened: the line for stderr and the exit code (2 for a database URL the
 * driver refuses, 1 otherwise).
 *
 * @example
 * const missing: OpenProblem = { message: 'there is no event log at /data/events.jsonl: …', code: 1 }
 */
type OpenProblem = Readonly<{ message: string; code: ExitCode }>

/** How often `--follow` asks a PostgreSQL store for its head. */
const POLL_INTERVAL = 500

const reasonOf = (error: StoreError): string => (error._tag === 'StoreFailure' ? error.message : error._tag)

const errorCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** A consumer's name from its file's name (`:` is written `%3A` on Windows), if it is a valid one. */
const consumerName = (file: string, suffix: string): string | undefined => {
  if (!file.endsWith(suffix)) return undefined
  const written = file.slice(0, -suffix.length)
  const name = process.platform === 'win32' ? written.replaceAll('%3A', ':') : written
  try {
    return checkConsumerName(name)
  } catch {
    return undefined
  }
}

/** The file names in the checkpoints directory (none when it was never made: no consumer yet). */
const entriesOf = async (directory: string): Promise<E.Either<string, ReadonlyArray<string>>> => {
  try {
    return E.right(await readdir(directory))
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? E.right([]) : E.left(`could not list the consumers' checkpoints in ${directory} (${describe(error)})`)
  }
}

/**
 * The checkpoints of a file log's consumers: each `<name>.json` of the checkpoints directory, read
 * through the follower's checkpoint store (which checks it is a checkpoint). A file removed
 * meanwhile is left out.
 */
const fileCheckpoints = async (follower: FileEventFollower<unknown>): Promise<E.Either<string, ReadonlyMap<string, number>>> => {
  const entries = await entriesOf(follower.checkpoints.directory)
  if (E.isLeft(entries)) return entries
  const found = new Map<string, number>()
  for (const file of [...entries.right].sort()) {
    const name = consumerName(file, '.json')
    if (name === undefined) continue
    const saved = await follower.checkpoints.read(name)()
    if (E.isLeft(saved)) return E.left(reasonOf(saved.left))
    if (saved.right !== undefined) found.set(name, saved.right)
  }
  return E.right(found)
}

/** The records in a failure file: its complete lines that are JSON objects (a torn last line is not one). */
const recordsIn = (text: string): number =>
  text.split('\n').filter((line) => {
    if (line.trim() === '') return false
    try {
      const value: unknown = JSON.parse(line)
      return typeof value === 'object' && value !== null
    } catch {
      return false
    }
  }).length

const failureFiles = async (directory: string): Promise<E.Either<string, ReadonlyMap<string, number>>> => {
  const entries = await entriesOf(directory)
  if (E.isLeft(entries)) return entries
  const found = new Map<string, number>()
  for (const file of entries.right) {
    const name = consumerName(file, '.failed.jsonl')
    if (name === undefined) continue
    try {
      found.set(name, recordsIn(await readFile(join(directory, file), 'utf8')))
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') return E.left(`could not read the failures of consumer '${name}' in ${directory} (${describe(error)})`)
    }
  }
  return E.right(found)
}

const openFile = async (path: string): Promise<E.Either<OpenProblem, InspectSource>> => {
  const opened = await openFileEventFollower<unknown>({ path })()
  if (E.isLeft(opened)) {
    const error = opened.left
    const message =
      error._tag === 'OpenFailure' && error.code === 'ENOENT'
        ? `there is no event log at ${error.path}: inspect reads the log that banksocket listen --store writes`
        : error.message
    return E.left({ message, code: ExitCode.failure })
  }
  const follower = opened.right
  return E.right({
    label: follower.path,
    head: async () => E.mapLeft(reasonOf)(await follower.head()()),
    read: async (after, limit) => E.mapLeft(reasonOf)(await follower.readAll({ after, limit })()),
    checkpoints: () => fileCheckpoints(follower),
    failureFiles: () => failureFiles(follower.checkpoints.directory),
    watch: (wake) => follower.watch(wake),
    close: async () => {
      const closed = await follower.close()()
      return E.isLeft(closed) ? reasonOf(closed.left) : undefined
    },
  })
}

const openPostgres = async (url: string): Promise<E.Either<OpenProblem, InspectSource>> => {
  let store: PostgresEventStore<unknown>
  try {
    store = createPostgresEventStore<unknown>({ connectionString: url })
  } catch (error) {
    return E.left({ message: describe(error), code: ExitCode.usage })
  }
  const close = async (): Promise<string | undefined> => {
    const closed = await store.close()()
    return E.isLeft(closed) ? reasonOf(closed.left) : undefined
  }
  // Reach the database before saying anything about it.
  const probe = await store.head()()
  if (E.isLeft(probe)) {
    await close()
    return E.left({ message: withMigrateHint(reasonOf(probe.left)), code: ExitCode.failure })
  }
  return E.right({
    label: displayUrl(url),
    head: async () => E.mapLeft(reasonOf)(await store.head()()),
    read: async (after, limit) => E.mapLeft(reasonOf)(await store.readAll({ after, limit })()),
    checkpoints: async () => E.mapLeft((error: StoreError) => withMigrateHint(reasonOf(error)))(await store.checkpoints.list()()),
    failureFiles: async () => E.right(new Map()),
    watch: (wake) => {
      const timer = setInterval(wake, POLL_INTERVAL)
      return () => clearInterval(timer)
    },
    close,
  })
}

/**
 * Opens what `--store` names: the PostgreSQL database at `postgresUrl` when given, else the file log
 * at `store` (it must exist).
 *
 * @example
 * import { openInspectSource } from './commands/inspect-store.ts'
 * const opened = await openInspectSource('events.jsonl', undefined)
 * if (E.isRight(opened)) console.log(await opened.right.head()) // Right(42)
 */
export const openInspectSource = (store: string, postgresUrl: string | undefined): Promise<E.Either<OpenProblem, InspectSource>> =>
  postgresUrl === undefined ? openFile(store) : openPostgres(postgresUrl)
