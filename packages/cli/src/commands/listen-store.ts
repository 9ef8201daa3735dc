/**
 * The store of `banksocket listen`: none (ledger state in memory), an event log file, or a
 * PostgreSQL database several receivers share, tried again while `--wait-for-store` waits; its
 * closing registered on the run's resource stack as soon as it is open. Every store is opened with the codec
 * `withConsumerEvents(LedgerEvent)`, so that a store holding the records consumers write there (a
 * `ForwardFailed` of `--forward-to`) still opens, and its forwarder can write them.
 *
 * @module
 */
import { type FileEventStore, type OpenError, openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { createPostgresEventStore, type PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import { type ConsumerEvent, withConsumerEvents } from '@banksocket-webhooks/consumers'
import { LedgerEvent, type LedgerState, type StoreError } from '@banksocket-webhooks/core'
import { type CheckpointStore, LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { ExitCode } from '../exit.ts'
import type { ResourceStack } from '../resources.ts'
import { describeOpenError } from '../store-failure.ts'
import { fatal, type StoreProblem, transient } from '../store-wait.ts'
import { displayUrl } from './migrate.ts'

/** The events a store of `listen` holds: the ledgers', and the records of its consumers. */
type Stored = LedgerEvent | ConsumerEvent

/** The codec every store of `listen` is opened with. */
const CODEC = withConsumerEvents(LedgerEvent)

/**
 * An open store of `banksocket listen`: what the receiver writes to (`undefined`: nothing kept),
 * the file store when it is one (for its event count and recovery), its consumers' checkpoints
 * (for `--forward-to`), and how the `listening` line names it.
 *
 * @example
 * import type { ListenStore } from './commands/listen-store.ts'
 * const inMemory: ListenStore = { store: undefined, file: undefined, checkpoints: undefined, label: null }
 */
export type ListenStore = Readonly<{
  store: FileEventStore<Stored> | PostgresEventStore<Stored, LedgerState> | undefined
  file: FileEventStore<Stored> | undefined
  checkpoints: CheckpointStore<unknown> | undefined
  label: string | null
}>

/** A store error as one line of text: the failure message, or the tag. */
const reasonOf = (error: StoreError): string => (error._tag === 'StoreFailure' ? error.message : error._tag)

/** Opens the store once; called again while `--wait-for-store` waits. */
type Attempt = () => Promise<E.Either<StoreProblem, ListenStore>>

const postgresAttempt = (url: string, resources: ResourceStack<string>): E.Either<StoreProblem, Attempt> => {
  let store: PostgresEventStore<Stored, LedgerState>
  try {
    store = createPostgresEventStore<Stored, LedgerState>({ connectionString: url, codec: CODEC, stateCodec: LedgerStateCodec })
  } catch (error) {
    return E.left(fatal(error instanceof Error ? error.message : String(error), ExitCode.usage))
  }
  resources.defer(async () => E.mapLeft(reasonOf)(await store.close()()))
  // Reach the database (and its schema) before listening: a receiver that cannot store must not
  // answer. The pool is kept between attempts: it connects anew each time.
  return E.right(async () => {
    const probe = await store.readStates('ledger-')()
    if (E.isLeft(probe)) return E.left(transient(reasonOf(probe.left)))
    return E.right({ store, file: undefined, checkpoints: store.checkpoints, label: displayUrl(url) })
  })
}

/** A lock still held (the process being replaced) or a file that cannot be opened yet may change; a log that is not one will not. */
const RETRYABLE_OPEN: ReadonlySet<OpenError['_tag']> = new Set(['StoreLocked', 'OpenFailure'])

const fileAttempt =
  (path: string, resources: ResourceStack<string>): Attempt =>
  async () => {
    const opened = await openFileEventStore<Stored>({ path, codec: CODEC })()
    if (E.isLeft(opened)) {
      const message = await describeOpenError(opened.left)
      return E.left(RETRYABLE_OPEN.has(opened.left._tag) ? transient(message) : fatal(message))
    }
    const file = opened.right
    resources.defer(async () => E.mapLeft(reasonOf)(await file.close()()))
    return E.right({ store: file, file, checkpoints: file.checkpoints, label: file.path })
  }

/**
 * How to open the store `--store` names (a `postgres://` URL, a file path, or nothing): a function
 * that makes one attempt, registering the store's closing on `resources` (a closing that fails
 * resolves with the reason). Left for a database URL the driver refuses (exit code 2). An attempt
 * answers a {@link StoreProblem}: retryable for a database it cannot reach (yet) or a log whose lock
 * is held or that cannot be opened, not for a log that is not one or is corrupt.
 *
 * @example
 * import { listenStoreAttempt } from './commands/listen-store.ts'
 * const attempt = listenStoreAttempt('events.jsonl', undefined, resources)
 * if (E.isRight(attempt)) await openWaiting(attempt.right, { waitFor: 60_000, stopped, onRetry })
 */
export const listenStoreAttempt = (
  location: string | undefined,
  postgresUrl: string | undefined,
  resources: ResourceStack<string>,
): E.Either<StoreProblem, Attempt> => {
  if (postgresUrl !== undefined) return postgresAttempt(postgresUrl, resources)
  if (location !== undefined) return E.right(fileAttempt(location, resources))
  return E.right(async () => E.right({ store: undefined, file: undefined, checkpoints: undefined, label: null }))
}
