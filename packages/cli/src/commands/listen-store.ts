/**
 * The store of `banksocket listen`: none (ledger state in memory), an event log file, or a
 * PostgreSQL database several receivers share. Opened once, its closing registered on the run's
 * resource stack as soon as it is open. Every store is opened with the codec
 * `withConsumerEvents(LedgerEvent)`, so that a store holding the records consumers write there (a
 * `ForwardFailed` of `--forward-to`) still opens, and its forwarder can write them.
 *
 * @module
 */
import { type FileEventStore, openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { createPostgresEventStore, type PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import { type ConsumerEvent, withConsumerEvents } from '@banksocket-webhooks/consumers'
import { LedgerEvent, type LedgerState, type StoreError } from '@banksocket-webhooks/core'
import { type CheckpointStore, LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { ExitCode } from '../exit.ts'
import type { CliIo } from '../io.ts'
import type { ResourceStack } from '../resources.ts'
import { describeOpenError } from '../store-failure.ts'
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

const fail = (io: CliIo, message: string, code: ExitCode): E.Either<ExitCode, never> => {
  io.stderr.write(`banksocket listen: ${message}\n`)
  return E.left(code)
}

const openPostgres = async (url: string, io: CliIo, resources: ResourceStack<string>): Promise<E.Either<ExitCode, ListenStore>> => {
  let store: PostgresEventStore<Stored, LedgerState>
  try {
    store = createPostgresEventStore<Stored, LedgerState>({ connectionString: url, codec: CODEC, stateCodec: LedgerStateCodec })
  } catch (error) {
    return fail(io, error instanceof Error ? error.message : String(error), ExitCode.usage)
  }
  resources.defer(async () => E.mapLeft(reasonOf)(await store.close()()))
  // Reach the database (and its schema) before listening: a receiver that cannot store must not answer.
  const probe = await store.readStates('ledger-')()
  if (E.isLeft(probe)) return fail(io, reasonOf(probe.left), ExitCode.failure)
  return E.right({ store, file: undefined, checkpoints: store.checkpoints, label: displayUrl(url) })
}

const openFile = async (path: string, io: CliIo, resources: ResourceStack<string>): Promise<E.Either<ExitCode, ListenStore>> => {
  const opened = await openFileEventStore<Stored>({ path, codec: CODEC })()
  if (E.isLeft(opened)) return fail(io, await describeOpenError(opened.left), ExitCode.failure)
  const file = opened.right
  resources.defer(async () => E.mapLeft(reasonOf)(await file.close()()))
  return E.right({ store: file, file, checkpoints: file.checkpoints, label: file.path })
}

/**
 * Opens the store `--store` names (a `postgres://` URL, a file path, or nothing) and registers its
 * closing on `resources`; a closing that fails resolves with the reason. When it cannot be opened,
 * writes one line on stderr and answers the exit code: 2 for a database URL the driver refuses, 1
 * for a database it cannot reach or a file it cannot open.
 *
 * @example
 * import { openListenStore } from './commands/listen-store.ts'
 * const opened = await openListenStore('events.jsonl', undefined, io, resources)
 * if (E.isLeft(opened)) return opened.left
 */
export const openListenStore = (
  location: string | undefined,
  postgresUrl: string | undefined,
  io: CliIo,
  resources: ResourceStack<string>,
): Promise<E.Either<ExitCode, ListenStore>> => {
  if (postgresUrl !== undefined) return openPostgres(postgresUrl, io, resources)
  if (location !== undefined) return openFile(location, io, resources)
  return Promise.resolve(E.right({ store: undefined, file: undefined, checkpoints: undefined, label: null }))
}
