/**
 * Waiting for a store at start (`--wait-for-store DURATION` of `listen` and `forward`): what a
 * container orchestrator expects of a service whose database may start after it. An attempt to open
 * the store that fails with a problem worth retrying (the database does not answer yet, its schema
 * is not migrated yet, the log's lock is still held by the process being replaced) is tried again
 * with backoff until it succeeds, the duration has passed, or a signal stops the command. Without
 * the flag the first failure is the answer, with a hint that the flag exists.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Arguments, stringFlag } from './argv.ts'
import { ExitCode } from './exit.ts'
import type { FlagSpec } from './spec.ts'
import type { UsageError } from './usage.ts'
import { durationFlag } from './values.ts'

/**
 * Why a store could not be opened: the message for stderr, the exit code, and whether trying again
 * later may succeed (`false` for a URL the driver refuses or a corrupt log: waiting does not help).
 *
 * @example
 * import type { StoreProblem } from './store-wait.ts'
 * const down: StoreProblem = { message: 'PostgreSQL store: ... ECONNREFUSED ...', code: 1, retryable: true }
 */
export type StoreProblem = Readonly<{ message: string; code: ExitCode; retryable: boolean }>

/**
 * One failed attempt while waiting: its number (from 1), how long until the next one, and why it
 * failed (a `waiting_for_store` line on stderr).
 *
 * @example
 * import type { WaitReport } from './store-wait.ts'
 * const report: WaitReport = { attempt: 1, retryInMs: 250, reason: 'PostgreSQL store: ... ECONNREFUSED ...' }
 */
export type WaitReport = Readonly<{ attempt: number; retryInMs: number; reason: string }>

/** The first pause after a failed attempt, and the longest. */
const FIRST_PAUSE = 250
const LONGEST_PAUSE = 5_000

/**
 * The pause after failed attempt `attempt` (from 1): doubling from 250 ms up to 5 s, with equal
 * jitter (between half of it and all of it), so that several receivers restarted together do not
 * knock at once.
 *
 * @example
 * import { pauseAfter } from './store-wait.ts'
 * pauseAfter(1, () => 0.5) // 188
 */
export const pauseAfter = (attempt: number, random: () => number = Math.random): number => {
  const full = Math.min(LONGEST_PAUSE, FIRST_PAUSE * 2 ** Math.min(attempt - 1, 16))
  return Math.round(full / 2 + (full / 2) * random())
}

/** A duration as the flag would take it: `90s`, `5m`, `1500ms`. */
const shownDuration = (ms: number): string => {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1_000 === 0) return `${ms / 1_000}s`
  return `${ms}ms`
}

/**
 * What ended a wait that did not open the store: the last problem (with how long was waited when a
 * deadline passed), or a signal.
 *
 * @example
 * import type { WaitEnd } from './store-wait.ts'
 * const stopped: WaitEnd = { _tag: 'Stopped' }
 */
export type WaitEnd = Readonly<{ _tag: 'Failed'; problem: StoreProblem }> | Readonly<{ _tag: 'Stopped' }>

/**
 * Options of {@link openWaiting}.
 *
 * @example
 * import type { WaitOptions } from './store-wait.ts'
 * const options: WaitOptions = { waitFor: 60_000, stopped: new Promise(() => {}), onRetry: (r) => console.error(r.reason) }
 */
export type WaitOptions = Readonly<{
  /** How long to keep trying, in milliseconds; `undefined`: one attempt only. */
  waitFor: number | undefined
  /** Resolves when the command is told to stop (a signal): the wait ends at once. */
  stopped: Promise<unknown>
  /** Told after each failed attempt that will be tried again; the pause starts once it is done. */
  onRetry: (report: WaitReport) => void | Promise<void>
  /** The clock (tests). @default Date.now */
  now?: () => number
}>

const sleep = (ms: number, stopped: Promise<unknown>): Promise<'slept' | 'stopped'> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve('slept'), ms)
    void stopped.then(() => {
      clearTimeout(timer)
      resolve('stopped')
    })
  })

/**
 * Runs `attempt` until it opens the store. With `waitFor` a retryable problem is tried again after
 * {@link pauseAfter} (never past the deadline) and reported with `onRetry`; a problem that is not
 * retryable, or one still there at the deadline, ends the wait (the latter's message says how long
 * it waited). Without `waitFor` the first problem ends it, with a hint to pass the flag when
 * waiting could have helped.
 *
 * @example
 * import { openWaiting } from './store-wait.ts'
 * const opened = await openWaiting(() => openStore(url), { waitFor: 60_000, stopped: shutdown.signal, onRetry: print })
 * if (E.isLeft(opened)) return opened.left._tag === 'Stopped' ? ExitCode.ok : fail(opened.left.problem)
 */
export const openWaiting = async <A>(attempt: () => Promise<E.Either<StoreProblem, A>>, options: WaitOptions): Promise<E.Either<WaitEnd, A>> => {
  const now = options.now ?? Date.now
  const deadline = options.waitFor === undefined ? undefined : now() + options.waitFor
  let stopped = false
  void options.stopped.then(() => {
    stopped = true
  })
  for (let n = 1; ; n++) {
    const result = await attempt()
    if (stopped) return E.left({ _tag: 'Stopped' })
    if (E.isRight(result)) return result
    const problem = result.left
    if (!problem.retryable) return E.left({ _tag: 'Failed', problem })
    if (deadline === undefined || options.waitFor === undefined) {
      return E.left({
        _tag: 'Failed',
        problem: { ...problem, message: `${problem.message} (to wait for it at start, pass --wait-for-store DURATION)` },
      })
    }
    const left = deadline - now()
    if (left <= 0) {
      return E.left({
        _tag: 'Failed',
        problem: { ...problem, message: `${problem.message} (still failing after --wait-for-store ${shownDuration(options.waitFor)})` },
      })
    }
    const pause = Math.min(pauseAfter(n), left)
    await options.onRetry({ attempt: n, retryInMs: pause, reason: problem.message })
    if ((await sleep(pause, options.stopped)) === 'stopped') return E.left({ _tag: 'Stopped' })
  }
}

/**
 * A problem that trying again will not fix.
 *
 * @example
 * import { fatal } from './store-wait.ts'
 * fatal('connectionString is empty: pass a postgres:// URL', ExitCode.usage)
 */
export const fatal = (message: string, code: ExitCode = ExitCode.failure): StoreProblem => ({ message, code, retryable: false })

/**
 * A problem that may go away (the database is starting, the lock's holder is ending): exit code 1.
 *
 * @example
 * import { transient } from './store-wait.ts'
 * transient('PostgreSQL store: reading the ledgers\' state failed: connect ECONNREFUSED 127.0.0.1:5432 [ECONNREFUSED]')
 */
export const transient = (message: string): StoreProblem => ({ message, code: ExitCode.failure, retryable: true })

/**
 * The `--wait-for-store` flag of `listen` and `forward`, as help shows it.
 *
 * @example
 * import { waitForStoreSpec } from './store-wait.ts'
 * const flags = { 'wait-for-store': waitForStoreSpec }
 */
export const waitForStoreSpec: FlagSpec = {
  type: 'string',
  value: 'DURATION',
  description: 'when the store cannot be opened at start, keep trying for this long (30s, 5m; at most 24h) instead of exiting',
  default: 'no waiting',
}

/**
 * `--wait-for-store DURATION` in milliseconds, or `undefined` when absent (no waiting).
 *
 * @example
 * import { waitForStoreFlag } from './store-wait.ts'
 * waitForStoreFlag(args) // Right(120000) for --wait-for-store 2m; Right(undefined) without the flag
 */
export const waitForStoreFlag = (args: Arguments): E.Either<UsageError, number | undefined> =>
  stringFlag(args, 'wait-for-store') === undefined ? E.right(undefined) : durationFlag(args, 'wait-for-store', 0)
