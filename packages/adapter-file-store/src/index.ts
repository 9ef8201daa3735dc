/**
 * `@banksocket-webhooks/adapter-file-store`: a durable `EventStore` for Node on one append-only
 * JSON-lines file. An append resolves only once its bytes are synced to disk (group commit keeps
 * that fast), a crash's torn tail is cut and reported on the next start, corruption of acknowledged
 * data is refused with the line named, and a lock file keeps a second process out. A read-only
 * follower reads the log beside its writer, in another process, and consumers keep their
 * checkpoints in files beside the log.
 *
 * @example
 * import { createInbox, LedgerEvent } from '@banksocket-webhooks/core'
 * import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
 * import * as E from 'fp-ts/lib/Either.js'
 *
 * const opened = await openFileEventStore({ path: './events.jsonl', codec: LedgerEvent })()
 * if (E.isLeft(opened)) throw new Error(opened.left.message)
 * const inbox = createInbox({ secrets: ['s3cr3t'], store: opened.right })
 *
 * @packageDocumentation
 */
export { createFileCheckpoints, type FileCheckpoints, type FileCheckpointsOptions } from './checkpoints.ts'
export type { LineProblem, LineProblemReason, OpenError } from './errors.ts'
export { openStoreFile, type StoreFile } from './file.ts'
export { DEFAULT_POLL_INTERVAL, type FileEventFollower, type FileEventFollowerOptions, openFileEventFollower } from './follower.ts'
export { LOG_FORMAT, LOG_VERSION } from './line.ts'
export type { Recovery, TornTail } from './recovery.ts'
export {
  DEFAULT_MAX_BATCH_BYTES,
  type FileEventStore,
  type FileEventStoreOptions,
  type FileStoreStats,
  openFileEventStore,
} from './store.ts'
