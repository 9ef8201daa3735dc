/**
 * What `banksocket forward` reads: a PostgreSQL store (with its checkpoints table, and failures
 * recorded in the store), or a file log read through the read-only follower, always, whether or not
 * a `listen` holds the log (with the checkpoint files beside the log, the follower's watcher to wake
 * the forwarder, and failures in `<log>.checkpoints/<name>.failed.jsonl`). Tried again while
 * `--wait-for-store` waits; its closing registered on the run's resource stack as soon as it is open.
 *
 * @module
 */
import { openFileEventFollower } from '@banksocket-webhooks/adapter-file-store'
import { createPostgresEventStore, type PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import { type ConsumerEvent, withConsumerEvents } from '@banksocket-webhooks/consumers'
import { LedgerEvent, type StoreError } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { ExitCode } from '../exit.ts'
import type { StoreCheck } from '../readiness.ts'
import type { ResourceStack } from '../resources.ts'
import { fatal, type StoreProblem, transient } from '../store-wait.ts'
import { createFailureFile, failureFileOf } from './forward-failure-file.ts'
import { type ForwardSource, withMigrateHint } from './forwarding.ts'
import { displayUrl } from './migrate.ts'

/**
 * An open source of `banksocket forward`: what the forwarder reads, how the `forwarding` line
 * names the store, the file its failures go to (`undefined`: into the store), and the readiness
 * check of the store (its head: a query for PostgreSQL, a catch-up read of a file log).
 *
 * @example
 * import type { OpenedSource } from './commands/forward-source.ts'
 * const label = (opened: OpenedSource) => opened.label
 */
export type OpenedSource = Readonly<{ source: ForwardSource; label: string; failures: string | undefined; check: StoreCheck }>

/** The events a store may hold: the ledgers', and the records of its consumers (a `ForwardFailed`). */
type Stored = LedgerEvent | ConsumerEvent

const CODEC = withConsumerEvents(LedgerEvent)

const reasonOf = (error: StoreError): string => (error._tag === 'StoreFailure' ? error.message : error._tag)

/** Opens the source once; called again while `--wait-for-store` waits. */
type Attempt = () => Promise<E.Either<StoreProblem, OpenedSource>>

const postgresAttempt = (url: string, resources: ResourceStack<string>): E.Either<StoreProblem, Attempt> => {
  let store: PostgresEventStore<Stored>
  try {
    store = createPostgresEventStore<Stored>({ connectionString: url, codec: CODEC })
  } catch (error) {
    return E.left(fatal(error instanceof Error ? error.message : String(error), ExitCode.usage))
  }
  resources.defer(async () => E.mapLeft(reasonOf)(await store.close()()))
  // Reach the database and its feed before saying it forwards (the checkpoints are read next).
  return E.right(async () => {
    const probe = await store.head()()
    if (E.isLeft(probe)) return E.left(transient(withMigrateHint(reasonOf(probe.left))))
    return E.right({
      source: { store, checkpoints: store.checkpoints },
      label: displayUrl(url),
      failures: undefined,
      check: async () => E.mapLeft(reasonOf)(await store.head()()),
    })
  })
}

const fileAttempt =
  (path: string, name: string, target: string, resources: ResourceStack<string>): Attempt =>
  async () => {
    const opened = await openFileEventFollower<Stored>({ path, codec: CODEC })()
    if (E.isLeft(opened)) {
      const error = opened.left
      if (error._tag !== 'OpenFailure') return E.left(fatal(error.message))
      // Not there yet (listen has not created it) or not readable yet: waiting may help.
      return E.left(
        transient(
          error.code === 'ENOENT'
            ? `there is no event log at ${error.path}: forward reads the log that banksocket listen --store writes; start listen first`
            : error.message,
        ),
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
      check: async () => E.mapLeft(reasonOf)(await follower.head()()),
    })
  }

/**
 * How to open what `--store` names for consumer `name`, forwarding to `target` (the URL as records
 * show it): a `postgres://` URL, or a file log. The answer makes one attempt, registering the
 * source's closing on `resources`; Left for a database URL the driver refuses (exit code 2). An
 * attempt answers a {@link StoreProblem}, retryable for a database it cannot reach (yet) and a log
 * that is not there (yet) or cannot be read.
 *
 * @example
 * import { forwardSourceAttempt } from './commands/forward-source.ts'
 * const attempt = forwardSourceAttempt('events.jsonl', undefined, 'forward', 'http://127.0.0.1:4000/banksocket', resources)
 * if (E.isRight(attempt)) await openWaiting(attempt.right, { waitFor: undefined, stopped, onRetry })
 */
export const forwardSourceAttempt = (
  location: string,
  postgresUrl: string | undefined,
  name: string,
  target: string,
  resources: ResourceStack<string>,
): E.Either<StoreProblem, Attempt> =>
  postgresUrl !== undefined ? postgresAttempt(postgresUrl, resources) : E.right(fileAttempt(location, name, target, resources))
