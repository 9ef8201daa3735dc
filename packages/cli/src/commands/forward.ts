/**
 * `banksocket forward`: a process of its own that forwards what a store recorded to an
 * application, signed as Standard Webhooks, beside the `listen` that writes the store (a file log it
 * follows read-only, or a PostgreSQL database) (docs/architecture.md, "Forwarding").
 *
 * @module
 */
import type { StartPoint } from '@banksocket-webhooks/consumers'
import { checkConsumerName } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Admin, type AdminSettings, adminFlagSpecs, adminFlags, openAdmin, passwordOf, watchStore } from '../admin.ts'
import { type Arguments, stringFlag } from '../argv.ts'
import { defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import { type CliIo, type Env, writeJsonLine } from '../io.ts'
import { closing, createResourceStack, type ResourceStack } from '../resources.ts'
import { awaitShutdown } from '../signals.ts'
import { openWaiting, type StoreProblem, waitForStoreFlag, waitForStoreSpec } from '../store-wait.ts'
import type { UsageError } from '../usage.ts'
import { requiredFlag } from '../values.ts'
import { configureForwardTarget, type ForwardSettings, forwardFlagSpecs, forwardTarget } from './forward-settings.ts'
import { forwardSourceAttempt, type OpenedSource } from './forward-source.ts'
import { prepareForwarding } from './forwarding.ts'
import { displayUrl, isPostgresUrl, withoutPassword } from './migrate.ts'

/**
 * What `banksocket forward` does, once its flags are checked.
 *
 * @example
 * const config: ForwardConfig = { store: 'events.jsonl', name: 'forward', from: 'beginning', waitForStore: undefined, admin: undefined,
 *   forward: { url: new URL('http://127.0.0.1:4000/banksocket'), secret: 'whsec_…', maxDelay: 300_000, maxAttempts: 20 } }
 */
type ForwardConfig = Readonly<{
  /** The event log file, or a `postgres://` / `postgresql://` URL. */
  store: string
  /** The consumer's name: its checkpoint, and one forwarder per name at a time. */
  name: string
  /** Where it starts when the name has no checkpoint yet. */
  from: StartPoint
  forward: ForwardSettings
  /** How long to wait for a store that cannot be opened yet (`--wait-for-store`), in ms; `undefined`: not at all. */
  waitForStore: number | undefined
  /** The admin port (`--admin-port`: probes and metrics); `undefined`: none. */
  admin: AdminSettings | undefined
}>

const DEFAULT_NAME = 'forward'

const nameFlag = (args: Arguments): E.Either<UsageError, string> => {
  const name = stringFlag(args, 'name') ?? DEFAULT_NAME
  try {
    return E.right(checkConsumerName(name))
  } catch (error) {
    return E.left({
      _tag: 'InvalidValue',
      flag: 'name',
      reason: error instanceof Error ? error.message.replace(/^a consumer name is/, 'expected') : String(error),
    })
  }
}

const fromFlag = (args: Arguments): E.Either<UsageError, StartPoint> => {
  const from = stringFlag(args, 'from')
  if (from === undefined || from === 'beginning') return E.right('beginning')
  if (from === 'end') return E.right('end')
  if (/^\d{1,15}$/.test(from)) return E.right(Number(from))
  return E.left({
    _tag: 'InvalidValue',
    flag: 'from',
    reason: `expected beginning, end or a position (a whole number), got '${from.length > 40 ? `${from.slice(0, 40)}…` : from}'`,
  })
}

/**
 * Checks the flags of `banksocket forward`.
 *
 * @example
 * configureForward(args, { BANKSOCKET_FORWARD_SECRET: 'whsec_…' }) // Right({ store: 'events.jsonl', name: 'forward', from: 'beginning', forward: { ... } })
 */
const configureForward = (args: Arguments, env: Env): E.Either<UsageError, ForwardConfig> =>
  pipe(
    E.Do,
    E.apS('store', requiredFlag(args, 'store')),
    E.apS('forward', configureForwardTarget(args, env)),
    E.apS('name', nameFlag(args)),
    E.apS('from', fromFlag(args)),
    E.apS('waitForStore', waitForStoreFlag(args)),
    E.apS('admin', adminFlags(args)),
  )

/** A problem opening the store, as `forward` says it on stderr. */
const storeProblem = (io: CliIo, problem: StoreProblem): ExitCode => {
  io.stderr.write(`banksocket forward: ${problem.message}\n`)
  return problem.code
}

/** Opens the source, waiting for it with `--wait-for-store` (a `waiting_for_store` line per retry); the exit code when it does not open (0 after a signal while waiting). */
const openSource = async (
  config: ForwardConfig,
  postgresUrl: string | undefined,
  target: string,
  admin: Admin,
  io: CliIo,
  resources: ResourceStack<string>,
  stopped: Promise<unknown>,
): Promise<E.Either<ExitCode, OpenedSource>> => {
  const attempt = forwardSourceAttempt(config.store, postgresUrl, config.name, target, resources)
  if (E.isLeft(attempt)) return E.left(storeProblem(io, attempt.left))
  const label = postgresUrl === undefined ? config.store : displayUrl(postgresUrl)
  const opened = await openWaiting(attempt.right, {
    waitFor: config.waitForStore,
    stopped,
    onRetry: (report) => {
      admin.readiness.notReady(`waiting for the store (attempt ${report.attempt}): ${report.reason}`)
      writeJsonLine(io.stderr, {
        type: 'waiting_for_store',
        store: label,
        ...(admin.url === undefined ? {} : { admin: admin.url }),
        attempt: report.attempt,
        retryInMs: report.retryInMs,
        reason: report.reason,
      })
    },
  })
  if (E.isRight(opened)) return opened
  return E.left(opened.left._tag === 'Failed' ? storeProblem(io, opened.left.problem) : ExitCode.ok)
}

/**
 * Runs `banksocket forward` with every resource registered on `resources` as soon as it is open:
 * the signal handlers, the store and the forwarder. After SIGINT or SIGTERM it stops the forwarder
 * (waiting for the deliveries under way), closes the store and answers 0, or 1 when the store could
 * not be closed.
 */
const serve = async (config: ForwardConfig, postgresUrl: string | undefined, io: CliIo, resources: ResourceStack<string>): Promise<ExitCode> => {
  const shutdown = awaitShutdown(io, 'banksocket forward')
  resources.defer(closing(() => shutdown.dispose()))
  const target = forwardTarget(config.forward.url)
  // Before the store: /readyz says why forward is not ready while the store is waited for.
  const admin = await openAdmin(config.admin, {
    command: 'banksocket forward',
    initial: 'opening the store',
    secrets: [...passwordOf(postgresUrl), config.forward.secret],
    io,
    resources,
  })
  if (E.isLeft(admin)) return admin.left
  const opened = await openSource(config, postgresUrl, target, admin.right, io, resources, shutdown.signal)
  if (E.isLeft(opened)) return opened.left
  const run = await prepareForwarding({
    settings: config.forward,
    name: config.name,
    from: config.from,
    source: opened.right.source,
    command: 'banksocket forward',
    meter: admin.right.meter,
    readiness: admin.right.readiness,
    io,
    resources,
  })
  if (E.isLeft(run)) return run.left
  const { label, failures, check } = opened.right
  watchStore(admin.right, check, resources)
  writeJsonLine(io.stderr, {
    type: 'forwarding',
    store: label,
    to: target,
    name: config.name,
    from: config.from,
    ...(failures === undefined ? {} : { failuresFile: failures }),
    ...(admin.right.url === undefined ? {} : { admin: admin.right.url }),
  })
  run.right.start()

  const signal = await shutdown.signal
  writeJsonLine(io.stderr, { type: 'stopping', signal })
  admin.right.readiness.close('stopping')
  const counts = await run.right.stop()
  const problems = await resources.close()
  for (const message of problems) writeJsonLine(io.stderr, { type: 'error', error: 'store_close_failed', message })
  writeJsonLine(io.stderr, { type: 'stopped', forwarded: counts.forwarded, failed: counts.failed, pending: counts.pending })
  return problems.length === 0 ? ExitCode.ok : ExitCode.failure
}

/**
 * `banksocket forward`: forwards every event a store recorded to an application until SIGINT or
 * SIGTERM. Its first stderr line is `{"type":"forwarding","store":…,"to":…,"name":…,"from":…}`;
 * then a `forward_failed` line per event given up on and `forward_problem` lines; last
 * `{"type":"stopped","forwarded":N,"failed":N,"pending":N}`, exit 0.
 *
 * @example
 * // banksocket forward --store events.jsonl --to http://127.0.0.1:4000/banksocket --secret whsec_…
 * import { forwardCommand } from './commands/forward.ts'
 * forwardCommand.spec.path // ['forward']
 */
export const forwardCommand = defineCommand({
  spec: {
    path: ['forward'],
    summary: 'forward what a store recorded to an application, signed as Standard Webhooks',
    details: [
      'POSTs every recorded transaction, gap opening, narrowing and closing, unobserved movement and\n' +
        'suspected replay to --to as JSON (the line listen prints, plus position and stream), signed as\n' +
        'Standard Webhooks with --secret: webhook-id (msg_<stream>_<version>, the same on every retry),\n' +
        "webhook-timestamp, webhook-signature. An account's events go one at a time, in order; other\n" +
        'accounts are not held up.\n' +
        'A 2xx acknowledges; anything else or no answer within 10 s is retried with backoff (at most\n' +
        '--max-delay apart, --max-attempts in all), then given up on and the account moves on.',
      'The checkpoint (the last event done) is kept under --name beside the events, so a restart\n' +
        'resumes where it stopped; --from says where a name with no checkpoint starts. One process per\n' +
        'name forwards at a time: another one waits and takes over when it stops (listen --forward-to\n' +
        'uses the name forward).',
      'A file log is read with a read-only follower, beside the listen that writes it (started before\n' +
        'or after forward; forward never takes its lock). The log has one writer, so the events given\n' +
        'up on are recorded in FILE.checkpoints/NAME.failed.jsonl (one ForwardFailed JSON line each,\n' +
        'synced). With --store postgres://... they are ForwardFailed events in the store.',
      'stderr: first {"type":"forwarding","store":…,"to":…,"name":…,"from":…}, then a\n' +
        '{"type":"forward_failed",…} line per event given up on and {"type":"forward_problem",…} lines\n' +
        'when the store cannot be read or written (at most one a second per kind, with a count). SIGINT\n' +
        'or SIGTERM: finish the deliveries under way, print {"type":"stopped","forwarded":N,"failed":N,\n' +
        '"pending":N} and exit 0. Exit 1 when the store cannot be opened; with --wait-for-store DURATION\n' +
        'it tries again with backoff for that long first (a {"type":"waiting_for_store",…} line each\n' +
        'time): for a database that starts after forward, or a log listen has not created yet.',
      'With --admin-port PORT a port of its own answers GET /healthz (200 while the process runs),\n' +
        'GET /readyz (200 when the store answered its last check, made every --ready-interval; 503\n' +
        '{"status":"not_ready","reason":…} while the store is opened or waited for, or fails) and GET\n' +
        '/metrics (Prometheus text: the forwarding lag, attempts and failures). The forwarding line adds\n' +
        '"admin":"http://HOST:PORT".',
    ],
    flags: {
      store: {
        type: 'string',
        value: 'FILE|URL',
        description: 'the event log listen --store writes (it must exist), or a postgres:// URL',
        required: true,
      },
      ...forwardFlagSpecs(''),
      name: {
        type: 'string',
        value: 'NAME',
        description: "the forwarder's name: its checkpoint, one process per name at a time",
        default: DEFAULT_NAME,
      },
      from: {
        type: 'string',
        value: 'beginning|end|POSITION',
        description: 'where a name with no checkpoint starts: the first event, after the last one stored, or after a position',
        default: 'beginning',
      },
      'wait-for-store': waitForStoreSpec,
      ...adminFlagSpecs,
    },
    positionals: [],
    examples: [
      'BANKSOCKET_FORWARD_SECRET=whsec_… banksocket forward --store events.jsonl --to http://127.0.0.1:4000/banksocket',
      'banksocket forward --store postgres://app@127.0.0.1:5432/app --to https://app.example/banksocket --secret whsec_… --from end',
      'banksocket forward --store events.jsonl --to http://127.0.0.1:4000/banksocket --secret whsec_… --name audit --max-delay 1m --max-attempts 50',
      'banksocket forward --store postgres://app@db:5432/app --to http://app:4000/banksocket --secret whsec_… --wait-for-store 2m',
      'banksocket forward --store postgres://app@db:5432/app --to http://app:4000/banksocket --secret whsec_… --admin-port 9465',
    ],
  },
  configure: configureForward,
  execute: async (config, context) => {
    const postgresUrl = isPostgresUrl(config.store) ? config.store : undefined
    const io = postgresUrl === undefined ? context.io : withoutPassword(context.io, postgresUrl)
    const resources = createResourceStack<string>()
    try {
      return await serve(config, postgresUrl, io, resources)
    } finally {
      // Whatever ended the run (a store that would not open, an exception), what was opened is
      // closed here; after a signal, `serve` has closed it all in order already.
      await resources.close()
    }
  },
})
