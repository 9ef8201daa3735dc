/**
 * What can go wrong when a store is opened, as data: another process holds the lock, the file is not
 * an event log, a committed line is corrupt, or the operating system refused.
 *
 * @module
 */
import type { PayloadProblem } from '@banksocket-webhooks/core'

/**
 * Why a line of the log could not be used.
 *
 * - `invalid_json`: not JSON (or an empty line).
 * - `invalid_record`: JSON, but neither an event record nor a commit record.
 * - `undecodable_event`: an event record whose event the codec refused.
 * - `version_not_contiguous`: an event whose version does not follow its stream's previous one.
 * - `commit_mismatch`: a commit record whose count differs from the lines it closes.
 *
 * @example
 * import type { LineProblemReason } from '@banksocket-webhooks/adapter-file-store'
 * const r: LineProblemReason = 'invalid_json'
 */
export type LineProblemReason = 'invalid_json' | 'invalid_record' | 'undecodable_event' | 'version_not_contiguous' | 'commit_mismatch'

/**
 * One unusable line: where it is (1-based line number and byte offset), why, and, when known, the
 * stream and version it claims and the codec's field problems. Never carries the line's content.
 *
 * @example
 * import type { LineProblem } from '@banksocket-webhooks/adapter-file-store'
 * const p: LineProblem = { line: 12, offset: 4096, reason: 'invalid_json', message: 'line 12 is not JSON' }
 */
export type LineProblem = Readonly<{
  line: number
  offset: number
  reason: LineProblemReason
  message: string
  stream?: string
  version?: number
  problems?: ReadonlyArray<PayloadProblem>
}>

/**
 * Why {@link openFileEventStore} failed. Every case has a `message` fit for an operator.
 *
 * - `StoreLocked`: another live process (or this one) has the store open; `pid` is the holder's.
 * - `NotAStoreFile`: the file exists but does not start with the event-log header (a wrong path?);
 *   it was not modified.
 * - `CorruptStore`: a committed line is unusable (see {@link LineProblem}); nothing was modified.
 *   Open with `onCorruption: 'skip'` to skip such lines and get them in `recovery.problems`.
 * - `OpenFailure`: the operating system refused (permissions, disk); `code` is its error code.
 *
 * @example
 * import type { OpenError } from '@banksocket-webhooks/adapter-file-store'
 * const explain = (e: OpenError) => e._tag === 'CorruptStore' ? `fix line ${e.problem.line}` : e.message
 */
export type OpenError =
  | Readonly<{ _tag: 'StoreLocked'; path: string; lockPath: string; pid: number | undefined; message: string }>
  | Readonly<{ _tag: 'NotAStoreFile'; path: string; message: string }>
  | Readonly<{ _tag: 'CorruptStore'; path: string; problem: LineProblem; message: string }>
  | Readonly<{ _tag: 'OpenFailure'; path: string; code: string | undefined; message: string }>
