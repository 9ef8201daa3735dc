/**
 * `@banksocket-webhooks/core/store-kit`: what writing an event store takes, beyond the
 * `EventStore` port of the root entry. The read options and their checks (every store refuses bad
 * options alike), the expected-version rule, the command handler's details, and the port of a
 * store shared by several receivers ({@link SharedLedgerStore}) with the ledger state's codec it
 * stores. The memory store (core), the file store and the PostgreSQL store are built on it.
 *
 * @example
 * import { checkReadOptions, versionMatches } from '@banksocket-webhooks/core/store-kit'
 * checkReadOptions({ after: 0, limit: 100 }) // undefined: the options are fine
 * versionMatches('no_stream', 0) // true
 *
 * @packageDocumentation
 */

export {
  type AcquireOptions,
  type CheckpointError,
  type CheckpointStore,
  checkAdvance,
  checkConsumerName,
  type Lease,
} from './checkpoints.ts'
export {
  type CommandHandlerOptions,
  type CommandResult,
  DEFAULT_MAX_RETRIES,
  type DeciderSource,
  type VersionConflict,
} from './command.ts'
export { LedgerStateCodec, type LedgerStateJson } from './ledger-state.ts'
export { SHARED_STORE_ATTEMPTS } from './shared-inbox.ts'
export type { KeyConflict, RecordError, Recording, SharedLedgerStore, StreamState } from './shared-store.ts'
export {
  AppendWatchers,
  checkReadOptions,
  type ExpectedVersion,
  MAX_READ_LIMIT,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamRead,
  unknownPosition,
  versionMatches,
} from './store.ts'
