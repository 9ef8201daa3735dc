/**
 * What `banksocket forward` reads: a PostgreSQL store (with its checkpoints table, and failures
 * recorded in the store), or a file log read through the read-only follower, always, whether or not
 * a `listen` holds the log (with the checkpoint files beside the log, the follower's watcher to wake
 * the forwarder, and failures in `<log>.checkpoints/<name>.failed.jsonl`). Opened once, its closing
 * registered on the run's resource stack as soon as it is open.
 *
 * @module
 */
import { openFileEventFollower } from '@banksocket-webhooks/adapter-file-store'
import { createPostgresEventStore, type PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import { type ConsumerEvent, withConsumerEvents } from '@banksocket-webhooks/consumers'
import { LedgerEvent, type StoreError } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { ExitCode } from '../exit.ts'
import type { CliIo } from '../io.ts'
import type { ResourceStack } from '../resources.ts'
import { createFailureFile, failureFileOf } from './forward-failure-file.ts'
import { type ForwardSource, withMigrateHint } from './forwarding.ts'
import { displayUrl } from './migrate.ts'

/**
 * An open source of `banksocket forward`: what the forwarder reads, how the `forwarding` line
 * names the store, and the file its failures go to (`undefined`: into the store).
 *
 * @example
 * import type { OpenedSource } from './commands/forward-source.ts'
 * const label = (opened: OpenedSource) => opened.label
 */
export type OpenedSource = Readonly<{ source: ForwardSource; label: string; failures: string | undefined }>

/** The events a store may hold: the ledgers', and the records of its consumers (a `ForwardFailed`). */
type Stored = LedgerEvent | ConsumerEvent

const CODEC = withConsumerEvents(LedgerEvent)

const reasonOf = (error: StoreError): string => (error._tag === 'StoreFailure' ? error.message : error._tag)

const fail = (io: CliIo, message: string, code: ExitCode): E.Either<ExitCode, never> => {
  io.stderr.write(`banksocket forward: ${message}\n`)
  return E.left(code)
}

const openPostgres = async (url: string, io: CliIo, resources: ResourceStack<string>): Promise<E.Either<ExitCode, OpenedSource>> => {
  let store: PostgresEventStore<Stored>
  try {
    store = createPostgresEventStore<Stored>({ connectionString: url, codec: CODEC })
  } catch (error) {
    return fail(io, error instanceof Error ? error.message : String(error), ExitCode.usage)
  }
  resources.defer(async () => E.mapLeft(reasonOf)(await store.close()()))
  // Reach the database and its feed before saying it forwards (the checkpoints are read next).
  const probe = await store.head()()
  if (E.isLeft(probe)) return fail(io, withMigrateHint(reasonOf(probe.left)), ExitCode.failure)
  return E.right({ source: { store, checkpoints: store.checkpoints }, label: displayUrl(url), failures: undefined })
}

const openFile = async (
  path: string,
  name: string,
  target: string,
  io: CliIo,
  resources: ResourceStack<string>,
): Promise<E.Either<ExitCode, OpenedSource>> => {
  const opened = await openFileEventFollower<Stored>({ path, codec: CODEC })()
  if (E.isLeft(opened)) {
    const error = opened.left
    const missing = error._tag === 'OpenFailure' && error.code === 'ENOENT'
    return fail(
      io,
      missing
        ? `there is no event log at ${error.path}: forward reads the log that banksocket listen --store writes; start listen first`
        : error.message,
      ExitCode.failure,
    )
  }
  const follower = opened.right
  resources.defer(async () => E.mapLeft(reasonOf)(await follower.close()()))
  const failures = failureFileOf(follower.checkpoints.directory, name)
  return E.right({
    source: {
      store: follower,
      checkpoints: follower.checkpoints,
      notify: (wake) => follower.watch(wake),
      recordFailure: createFailureFile(failures, target),
    },
    label: follower.path,
    failures,
  })
}

/**
 * Opens what `--store` names for consumer `name`, forwarding to `target` (the URL as records show
 * it): a `postgres://` URL, or a file log that must exist. Registers its closing on `resources`.
 * When it cannot be opened, writes one line on stderr and answers the exit code: 2 for a database
 * URL the driver refuses, 1 for a database it cannot reach or a log it cannot read (or that is not
 * there).
 *
 * @example
 * import { openForwardSource } from './commands/forward-source.ts'
 * const opened = await openForwardSource('events.jsonl', undefined, 'forward', 'http://127.0.0.1:4000/banksocket', io, resources)
 * if (E.isLeft(opened)) return opened.left
 */
export const openForwardSource = (
  location: string,
  postgresUrl: string | undefined,
  name: string,
  target: string,
  io: CliIo,
  resources: ResourceStack<string>,
): Promise<E.Either<ExitCode, OpenedSource>> =>
  postgresUrl !== undefined ? openPostgres(postgresUrl, io, resources) : openFile(location, name, target, io, resources)
