/**
 * The forwarder a command runs (`banksocket listen --forward-to`, `banksocket forward`): a
 * `createForwarder` of `@banksocket-webhooks/consumers` on an open store, its reports as JSON lines
 * on stderr, its stop registered on the run's resource stack, and its counts for the `stopped`
 * line (docs/architecture.md, "Forwarding").
 *
 * @module
 */
import {
  type ConsumerEvent,
  type ConsumerFailure,
  createForwarder,
  type FeedSource,
  type ForwardCounts,
  type StartPoint,
} from '@banksocket-webhooks/consumers'
import type { LedgerEvent, StoreError } from '@banksocket-webhooks/core'
import type { CheckpointStore } from '@banksocket-webhooks/core/store-kit'
import type { Meter } from '@opentelemetry/api'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { ExitCode } from '../exit.ts'
import { type CliIo, writeJsonLine } from '../io.ts'
import type { Readiness } from '../readiness.ts'
import { closing, type ResourceStack } from '../resources.ts'
import { createProblemReporter, forwardFailedLine } from './forward-output.ts'
import type { ForwardSettings } from './forward-settings.ts'

/**
 * What a forwarder reads and where it keeps its checkpoint: the store (the receiver's writer, the
 * PostgreSQL store, or a file follower), its checkpoints, what wakes it, and how it records what it
 * gives up on when the store takes no appends.
 *
 * @example
 * import type { ForwardSource } from './commands/forwarding.ts'
 * const source: ForwardSource = { store: file, checkpoints: file.checkpoints }
 */
export type ForwardSource = Readonly<{
  store: FeedSource<LedgerEvent | ConsumerEvent>
  checkpoints: CheckpointStore<unknown>
  notify?: (wake: () => void) => () => void
  recordFailure?: (failure: ConsumerFailure<LedgerEvent | ConsumerEvent>) => TE.TaskEither<StoreError, void>
}>

/**
 * A forwarder as a command holds it: `start` starts it in the background (call it once the
 * command's first line is out: nothing it reports comes before), `wake` reads at once (something
 * was just recorded), `stop` stops it (waiting for the deliveries under way) and resolves with its
 * counts, once however often it is called. `pending` counts the events read but not acknowledged (nor given up
 * on) when it was asked to stop: the next start sends them again.
 *
 * @example
 * import type { ForwardRun } from './commands/forwarding.ts'
 * const summary = async (run: ForwardRun) => ({ type: 'stopped', ...(await run.stop()) })
 */
export type ForwardRun = Readonly<{ start: () => void; wake: () => void; stop: () => Promise<ForwardCounts> }>

/**
 * A store failure's message, with the command to run when it says the PostgreSQL schema is missing
 * or older than the checkpoints table (version 2).
 *
 * @example
 * import { withMigrateHint } from './commands/forwarding.ts'
 * withMigrateHint('… does not exist (is schema "banksocket" migrated? …)') // '…; banksocket migrate --store URL creates or upgrades it'
 */
export const withMigrateHint = (message: string): string =>
  message.includes(' migrated?') ? `${message}; banksocket migrate --store URL creates or upgrades it` : message

const reasonOf = (error: StoreError | { _tag: string; message?: string }): string =>
  'message' in error && typeof error.message === 'string' ? error.message : error._tag

/**
 * Prepares forwarding `source` as `settings` say under consumer `name`, from `from` when there is
 * no checkpoint yet. First reads the checkpoint, so that a store whose checkpoints cannot be read (a
 * PostgreSQL schema not migrated to version 2, a checkpoint file that is not one) is one line on
 * stderr and exit code 1 before anything starts. Then creates the forwarder, to be started with
 * `start` (in the background: it may wait while another process forwards under the same name), and
 * registers its stop on `resources`: a stack closes it after what was opened later (the server)
 * and before what was opened earlier (the store). Every event given up on is a `forward_failed`
 * line, store problems are `forward_problem` lines (at most one a second per kind). It measures on
 * `meter`; a store problem makes `readiness` not ready (until the next check the store answers), a
 * batch handled is an answer of the store.
 *
 * @example
 * import { prepareForwarding } from './commands/forwarding.ts'
 * const run = await prepareForwarding({ settings, name: 'forward', from: 'beginning', source: { store, checkpoints: store.checkpoints }, command: 'banksocket listen', meter: admin.meter, readiness: admin.readiness, io, resources })
 * if (E.isLeft(run)) return run.left
 * receiver.on('recorded', () => run.right.wake())
 * // ... once the first line is written:
 * run.right.start()
 */
export const prepareForwarding = async (
  options: Readonly<{
    settings: ForwardSettings
    name: string
    from: StartPoint
    source: ForwardSource
    command: string
    meter: Meter
    readiness: Readiness
    io: CliIo
    resources: ResourceStack<string>
  }>,
): Promise<E.Either<ExitCode, ForwardRun>> => {
  const { settings, name, source, io } = options
  const saved = await source.checkpoints.read(name)()
  if (E.isLeft(saved)) {
    io.stderr.write(`${options.command}: could not read the checkpoint of '${name}': ${withMigrateHint(reasonOf(saved.left))}\n`)
    return E.left(ExitCode.failure)
  }
  const forwarder = createForwarder({
    name,
    store: source.store,
    checkpoints: source.checkpoints,
    url: settings.url.href,
    secret: settings.secret,
    from: options.from,
    maxDelay: settings.maxDelay,
    maxAttempts: settings.maxAttempts,
    ...(source.notify === undefined ? {} : { notify: source.notify }),
    ...(source.recordFailure === undefined ? {} : { recordFailure: source.recordFailure }),
    meter: options.meter,
  })
  const problems = createProblemReporter((line) => writeJsonLine(io.stderr, line))
  forwarder.on('failed', (failure) => writeJsonLine(io.stderr, forwardFailedLine(failure)))
  forwarder.on('problem', (problem) => {
    problems.report(problem)
    // A lost lease is another process's turn, not a store that fails.
    if (problem.kind !== 'lost') options.readiness.notReady(problem.message)
  })
  forwarder.on('handled', () => options.readiness.answered())

  let stopped: Promise<ForwardCounts> | undefined
  const stop = (): Promise<ForwardCounts> =>
    (stopped ??= (async () => {
      // The consumer forgets what it read when it stops (it reads it again on the next start):
      // what was pending then, less what was settled while the deliveries under way finished.
      const before = forwarder.counts()
      const handledBefore = forwarder.stats().handled
      await forwarder.stop()
      problems.flush()
      const after = forwarder.counts()
      const settled = forwarder.stats().handled - handledBefore + (after.failed - before.failed)
      return { forwarded: after.forwarded, failed: after.failed, pending: Math.max(0, before.pending - settled) }
    })())
  options.resources.defer(closing(async () => void (await stop())))
  return E.right({ start: () => void forwarder.start().catch(() => undefined), wake: () => forwarder.wake(), stop })
}
