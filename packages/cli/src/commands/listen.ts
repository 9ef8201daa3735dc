/**
 * `banksocket listen`: the Node receiver on a port, printing what it accepts as JSON lines.
 *
 * @module
 */
import { createNodeReceiver, type NodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import type { StoreError, WebhookEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Admin, type AdminSettings, adminFlagSpecs, adminFlags, listenFailure, openAdmin, passwordOf, watchStore } from '../admin.ts'
import { type Arguments, stringFlag } from '../argv.ts'
import { defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import { type CliIo, type Env, writeJsonLine } from '../io.ts'
import type { StoreCheck } from '../readiness.ts'
import { closing, createResourceStack, type ResourceStack } from '../resources.ts'
import { awaitShutdown } from '../signals.ts'
import { openWaiting, type StoreProblem, type WaitReport, waitForStoreFlag, waitForStoreSpec } from '../store-wait.ts'
import type { UsageError } from '../usage.ts'
import { choiceFlag, integerFlag, optionalFlag, requiredFlag, secretsFlag } from '../values.ts'
import { configureListenForwarding, type ForwardSettings, forwardFlagSpecs, forwardTarget } from './forward-settings.ts'
import { type ForwardRun, prepareForwarding } from './forwarding.ts'
import { forwardOutput, ledgerLines } from './listen-output.ts'
import { type ListenStore, listenStoreAttempt } from './listen-store.ts'
import { openWaitingServer, type WaitingServer } from './listen-waiting.ts'
import { displayUrl, isPostgresUrl, withoutPassword } from './migrate.ts'

/**
 * What `banksocket listen` does, once its flags are checked.
 *
 * @example
 * import type { ListenConfig } from './commands/listen.ts'
 * const config: ListenConfig = { port: 3000, host: '127.0.0.1', path: undefined, secrets: ['s3cr3t'], store: undefined, filter: 'NEW_TRANSACTION', forward: undefined, waitForStore: undefined, admin: undefined }
 */
export type ListenConfig = Readonly<{
  port: number
  host: string
  /** The only path answered; `undefined` answers every path. */
  path: string | undefined
  secrets: ReadonlyArray<string>
  /**
   * The event log file, or a `postgres://` / `postgresql://` URL (a database several receivers
   * share; create its schema with `banksocket migrate`); `undefined` keeps no events, only each
   * ledger's state and the dedupe window, in memory.
   */
  store: string | undefined
  /** The webhook's event filter (`--events credits|debits|all`). */
  filter: WebhookEvent
  /** Where every recorded event is forwarded (`--forward-to` and its flags); `undefined`: nowhere. Needs a store. */
  forward: ForwardSettings | undefined
  /** How long to wait for a store that cannot be opened yet (`--wait-for-store`), in ms; `undefined`: not at all. */
  waitForStore: number | undefined
  /** The admin port (`--admin-port`: probes and metrics); `undefined`: none. */
  admin: AdminSettings | undefined
}>

/** The consumer name of `listen`'s forwarder: the checkpoint `banksocket forward` uses by default too. */
const FORWARDER_NAME = 'forward'

/**
 * Checks the flags of `banksocket listen`.
 *
 * @example
 * import { configureListen } from './commands/listen.ts'
 * configureListen(args, { BANKSOCKET_SECRET: 'new,old' }) // Right({ port: 3000, secrets: ['new', 'old'], ... })
 */
export const configureListen = (args: Arguments, env: Env): E.Either<UsageError, ListenConfig> =>
  pipe(
    E.Do,
    E.apS('required', requiredFlag(args, 'port')),
    E.apS('port', integerFlag(args, 'port', { min: 0, max: 65535 })),
    E.apS('secrets', secretsFlag(args, 'secret', 'BANKSOCKET_SECRET', env)),
    E.apS('path', pathFlag(args)),
    E.apS('store', optionalFlag(args, 'store', 'expected a file path or a postgres:// URL')),
    E.apS('host', optionalFlag(args, 'host', 'expected a host name or address')),
    E.apS('events', choiceFlag(args, 'events', ['all', 'credits', 'debits'] as const, 'all')),
    E.apS('forward', configureListenForwarding(args, env)),
    E.apS('waitForStore', waitForStoreFlag(args)),
    E.bind('admin', ({ port }) => adminFlags(args, port)),
    E.chain(({ port, secrets, path, store, host, events, forward, waitForStore, admin }): E.Either<UsageError, ListenConfig> => {
      if (forward !== undefined && store === undefined) {
        return E.left({
          _tag: 'FlagNeeds',
          flag: 'forward-to',
          needs: '--store (an event log file or a postgres:// URL)',
          reason: 'without a store nothing durable is kept to forward from',
        })
      }
      if (waitForStore !== undefined && store === undefined) {
        return E.left({
          _tag: 'FlagNeeds',
          flag: 'wait-for-store',
          needs: '--store (an event log file or a postgres:// URL)',
          reason: 'without a store there is nothing to wait for',
        })
      }
      return E.right({ port: port ?? 0, host: host ?? '127.0.0.1', path, secrets, store, filter: FILTERS[events], forward, waitForStore, admin })
    }),
  )

const FILTERS = { all: 'NEW_TRANSACTION', credits: 'NEW_CREDIT', debits: 'NEW_DEBIT' } as const

const pathFlag = (args: Arguments): E.Either<UsageError, string | undefined> => {
  const path = stringFlag(args, 'path')
  if (path === undefined) return E.right(undefined)
  return path.startsWith('/') && !/[?#\s]/.test(path)
    ? E.right(path)
    : E.left({ _tag: 'InvalidValue', flag: 'path', reason: `expected a path starting with '/', such as /banksocket, got '${path.slice(0, 40)}'` })
}

const hostForUrl = (host: string): string => (host.includes(':') ? `[${host}]` : host)

/** How often `listen` on a shared store writes the duplicates it counted, in milliseconds. */
const DUPLICATE_COUNT_INTERVAL = 1000

/**
 * The receiver of `config`, writing to `store` and measuring on the admin's meter; what it records
 * and a store failure it reports are answers of the store for `/readyz`. A bad option is one line
 * on stderr and exit code 2.
 */
const createReceiver = (config: ListenConfig, store: ListenStore['store'], admin: Admin, io: CliIo): E.Either<ExitCode, NodeReceiver> => {
  let receiver: NodeReceiver
  try {
    receiver = createNodeReceiver({
      secrets: config.secrets,
      ...(store === undefined ? {} : { store }),
      // A shared store: duplicates counted here and written once a second, so that a duplicate
      // costs the database a read (docs/architecture.md, "PostgreSQL: one transaction per notification").
      ...(store !== undefined && 'shared' in store && store.shared === true ? { duplicateCountInterval: DUPLICATE_COUNT_INTERVAL } : {}),
      filter: config.filter,
      ...(config.path === undefined ? {} : { path: config.path }),
      meter: admin.meter,
    })
  } catch (error) {
    io.stderr.write(`banksocket listen: ${error instanceof Error ? error.message : String(error)}\n`)
    return E.left(ExitCode.usage)
  }
  // Readiness is served only on an admin port: without one, no listener costs a request anything.
  if (admin.url === undefined) return E.right(receiver)
  receiver.on('recorded', () => admin.readiness.answered())
  receiver.on('error', (error) => {
    if (error._tag === 'store_failed' && error.error._tag === 'StoreFailure') admin.readiness.notReady(error.error.message)
  })
  return E.right(receiver)
}

/** A store error as one line of text: the failure message, or the tag. */
const storeReason = (error: StoreError): string => (error._tag === 'StoreFailure' ? error.message : error._tag)

/** The readiness check of an open store: its head (a query for PostgreSQL, memory for a file log); none without a store. */
const storeCheck = ({ store }: ListenStore): StoreCheck | undefined =>
  store === undefined ? undefined : async () => E.mapLeft(storeReason)(await store.head()())

/** Starts the receiver's server and answers its port; a failure is one line on stderr and exit code 1. */
const startServer = async (receiver: NodeReceiver, config: ListenConfig, port: number, io: CliIo): Promise<E.Either<ExitCode, number>> => {
  try {
    return E.right((await receiver.listen(port, config.host)).port)
  } catch (error) {
    io.stderr.write(`banksocket listen: could not listen on ${config.host}:${port}: ${listenFailure(error)}\n`)
    return E.left(ExitCode.failure)
  }
}

/** A problem opening the store, as `listen` says it on stderr. */
const storeProblem = (io: CliIo, problem: StoreProblem): ExitCode => {
  io.stderr.write(`banksocket listen: ${problem.message}\n`)
  return problem.code
}

/**
 * Opens the store, waiting for it with `--wait-for-store`: after the first failed attempt the port
 * answers 503 `store_unavailable` (a {@link WaitingServer}) and each retry is a `waiting_for_store`
 * line. Answers the open store and the waiting server (still listening: the caller swaps it for the
 * receiver at the last moment), or the exit code (0 after a signal while waiting).
 */
const openStore = async (
  config: ListenConfig,
  postgresUrl: string | undefined,
  admin: Admin,
  io: CliIo,
  resources: ResourceStack<string>,
  stopped: Promise<unknown>,
): Promise<E.Either<ExitCode, Readonly<{ opened: ListenStore; waiting: WaitingServer | undefined }>>> => {
  const attempt = listenStoreAttempt(config.store, postgresUrl, resources)
  if (E.isLeft(attempt)) return E.left(storeProblem(io, attempt.left))
  let waiting: WaitingServer | undefined
  let listenProblem = false
  // A port that cannot be taken ends the wait at once: there is nothing to wait for then.
  let giveUp = () => {}
  const givenUp = new Promise<void>((resolve) => {
    giveUp = resolve
  })
  const label = postgresUrl === undefined ? (config.store ?? null) : displayUrl(postgresUrl)
  const onRetry = async (report: WaitReport) => {
    admin.readiness.notReady(`waiting for the store (attempt ${report.attempt}): ${report.reason}`)
    if (waiting === undefined && !listenProblem) {
      try {
        const server = await openWaitingServer(config.host, config.port)
        waiting = server
        resources.defer(closing(() => server.close()))
      } catch (error) {
        listenProblem = true
        giveUp()
        io.stderr.write(`banksocket listen: could not listen on ${config.host}:${config.port} while waiting for the store: ${listenFailure(error)}\n`)
      }
    }
    writeJsonLine(io.stderr, {
      type: 'waiting_for_store',
      ...(waiting === undefined ? {} : { url: `http://${hostForUrl(config.host)}:${waiting.port}${config.path ?? '/'}`, port: waiting.port }),
      ...(admin.url === undefined ? {} : { admin: admin.url }),
      store: label,
      attempt: report.attempt,
      retryInMs: report.retryInMs,
      reason: report.reason,
    })
  }
  const opened = await openWaiting(attempt.right, { waitFor: config.waitForStore, stopped: Promise.race([stopped, givenUp]), onRetry })
  if (listenProblem) return E.left(ExitCode.failure)
  if (E.isRight(opened)) return E.right({ opened: opened.right, waiting })
  if (opened.left._tag === 'Failed') return E.left(storeProblem(io, opened.left.problem))
  return E.left(ExitCode.ok)
}

/** The first lines on stderr: where the receiver listens (and forwards, and its admin port), and a torn tail the file store cut on opening. */
const printListening = (io: CliIo, config: ListenConfig, port: number, opened: ListenStore, admin: Admin): void => {
  const { file } = opened
  const { forward } = config
  writeJsonLine(io.stderr, {
    type: 'listening',
    url: `http://${hostForUrl(config.host)}:${port}${config.path ?? '/'}`,
    host: config.host,
    port,
    path: config.path ?? null,
    secrets: config.secrets.length,
    store: opened.label,
    ...(file === undefined ? {} : { storedEvents: file.stats().events }),
    ...(forward === undefined ? {} : { forwardTo: forwardTarget(forward.url) }),
    ...(admin.url === undefined ? {} : { admin: admin.url }),
  })
  if (file?.recovery.torn !== undefined) {
    writeJsonLine(io.stderr, { type: 'store_recovered', path: file.path, tornBytes: file.recovery.torn.bytes })
  }
}

/** Prepares `listen`'s forwarder on its store (`--forward-to`): from the beginning of the store, woken by every recording. */
const prepareListenForwarding = async (
  config: ListenConfig,
  receiver: NodeReceiver,
  opened: ListenStore,
  admin: Admin,
  io: CliIo,
  resources: ResourceStack<string>,
): Promise<E.Either<ExitCode, ForwardRun | undefined>> => {
  const { store, checkpoints } = opened
  if (config.forward === undefined || store === undefined || checkpoints === undefined) return E.right(undefined)
  const run = await prepareForwarding({
    settings: config.forward,
    name: FORWARDER_NAME,
    from: 'beginning',
    source: { store, checkpoints },
    command: 'banksocket listen',
    meter: admin.meter,
    readiness: admin.readiness,
    io,
    resources,
  })
  if (E.isRight(run)) receiver.on('recorded', () => run.right.wake())
  return run
}

/** The `stopped` line's forwarding counts (none without `--forward-to`). */
const forwardCounts = async (forwarding: ForwardRun | undefined) => {
  if (forwarding === undefined) return {}
  const counts = await forwarding.stop()
  return { forwarded: counts.forwarded, forwardFailed: counts.failed, forwardPending: counts.pending }
}

/**
 * Runs `banksocket listen` with every resource registered on `resources` as soon as it is open:
 * the signal handlers, the store, the forwarding of output, the forwarder and the server. After
 * SIGINT or SIGTERM it closes them in order (the server, finishing the requests under way; the
 * output; then, once the ledgers are read, the forwarder, waiting for its deliveries under way, the
 * store and the signal handlers) and answers 0, or 1 when the store could not be closed. When
 * something fails to open, the caller's `finally` closes what was.
 */
const serve = async (config: ListenConfig, postgresUrl: string | undefined, io: CliIo, resources: ResourceStack<string>): Promise<ExitCode> => {
  const shutdown = awaitShutdown(io, 'banksocket listen')
  resources.defer(closing(() => shutdown.dispose()))
  // Before the store: /readyz says why the receiver is not ready while the store is waited for.
  const admin = await openAdmin(config.admin, {
    command: 'banksocket listen',
    initial: config.store === undefined ? 'starting' : 'opening the store',
    secrets: [...passwordOf(postgresUrl), ...config.secrets],
    io,
    resources,
  })
  if (E.isLeft(admin)) return admin.left
  const ready = await openStore(config, postgresUrl, admin.right, io, resources, shutdown.signal)
  if (E.isLeft(ready)) return ready.left
  const { opened, waiting } = ready.right
  const receiver = createReceiver(config, opened.store, admin.right, io)
  if (E.isLeft(receiver)) return receiver.left
  const output = forwardOutput(receiver.right, io)
  const flushOutput = resources.defer(closing(() => output.flush()))
  const forwarding = await prepareListenForwarding(config, receiver.right, opened, admin.right, io, resources)
  if (E.isLeft(forwarding)) return forwarding.left
  // The port that answered 503 while the store was waited for is the receiver's now.
  await waiting?.close()
  const port = await startServer(receiver.right, config, waiting?.port ?? config.port, io)
  if (E.isLeft(port)) return port.left
  const server = resources.defer(closing(() => receiver.right.close()))
  watchStore(admin.right, storeCheck(opened), resources)
  printListening(io, config, port.right, opened, admin.right)
  forwarding.right?.start()

  const signal = await shutdown.signal
  writeJsonLine(io.stderr, { type: 'stopping', signal })
  admin.right.readiness.close('stopping')
  await server.close()
  await flushOutput.close()
  const ledgers = await ledgerLines(receiver.right)
  const failures = await resources.close()
  for (const message of failures) writeJsonLine(io.stderr, { type: 'error', error: 'store_close_failed', message })
  writeJsonLine(io.stderr, { type: 'stopped', ...output.counts, ...(await forwardCounts(forwarding.right)), ledgers })
  return failures.length === 0 ? ExitCode.ok : ExitCode.failure
}

/**
 * `banksocket listen`: runs the Node receiver until SIGINT or SIGTERM. Its first stderr line is
 * `{"type":"listening","url":…}`; then one JSON line per accepted transaction on stdout (printed
 * once stored), duplicates, rejections and failures as JSON lines on stderr. On a signal it stops
 * accepting, finishes the requests under way, closes the store and exits 0.
 *
 * @example
 * // banksocket listen --port 3000 --secret s3cr3t --store events.jsonl
 * import { listenCommand } from './commands/listen.ts'
 * listenCommand.spec.path // ['listen']
 */
export const listenCommand = defineCommand({
  spec: {
    path: ['listen'],
    summary: 'receive Banksocket notifications and print each verified transaction as a JSON line',
    details: [
      'Answers as the receiver contract says (200 ok or duplicate, 400, 401, 405, 413, 415, 500).\n' +
        'stdout: one JSON line per accepted transaction: verified and unverified fields (the hash does\n' +
        'NOT cover account_id, account, bank, opponent_id, opponent_iban), exact amount and balance,\n' +
        'idempotency key, and the balance gap found before it, if any.\n' +
        'stderr: first {"type":"listening","url":…}, then gap closings, unobserved movements, suspected\n' +
        'replays, duplicates (one line, then at most one summary a second), rejections and errors as JSON\n' +
        'lines; last {"type":"stopped",…,"ledgers":[…]} with each ledger\'s head balance and open gaps.',
      'With --store the ledger events go to an append-only file, so deduplication and balance checks\n' +
        'survive restarts. With --store postgres://... they go to PostgreSQL (run banksocket migrate\n' +
        'first), which several receivers may share: the database decides what is new, and each receiver\n' +
        'prints only what it stored. SIGINT or SIGTERM: stop accepting, finish requests under way, close\n' +
        'the store, exit 0.',
      'With --forward-to (needs --store) every recorded transaction and gap change is also POSTed to\n' +
        'an application as JSON, signed as Standard Webhooks with --forward-secret (whsec_…), in order\n' +
        'per account: the same forwarder as banksocket forward, in this process, under the name forward\n' +
        "with its checkpoint in the store. With no checkpoint yet it starts at the store's first event,\n" +
        'so adding --forward-to to an existing store forwards its history too. A 2xx acknowledges;\n' +
        'anything else is retried with backoff (at most --forward-max-delay apart, --forward-max-attempts\n' +
        'in all), then given up on: a {"type":"forward_failed",…} line and a ForwardFailed event in the\n' +
        'store. The stopped line adds forwarded, forwardFailed and forwardPending.',
      'When the store cannot be opened at start (the database does not answer, its schema is not\n' +
        'migrated yet, the log is locked by a process still ending), listen says why and exits 1. With\n' +
        '--wait-for-store DURATION it tries again with backoff (up to 5 s apart) for that long instead,\n' +
        'answering every request 503 {"error":"store_unavailable"} with Retry-After meanwhile and\n' +
        'printing a {"type":"waiting_for_store",…} line per attempt; then listening as usual.',
      'With --admin-port PORT (never the webhook port) a port of its own answers GET /healthz (200 while\n' +
        'the process runs), GET /readyz (200 when the store answered its last check, made every\n' +
        '--ready-interval; 503 {"status":"not_ready","reason":…} while the store is opened or waited for,\n' +
        'or fails) and GET /metrics (Prometheus text: notifications by outcome, open gaps, request\n' +
        'durations, forwarding lag). The listening line adds "admin":"http://HOST:PORT".',
    ],
    flags: {
      port: { type: 'string', value: 'PORT', description: 'port to listen on (0 picks a free one)', required: true },
      host: { type: 'string', value: 'HOST', description: 'interface to listen on', default: '127.0.0.1' },
      path: { type: 'string', value: 'PATH', description: 'only answer this path, others get 404', default: 'any path' },
      secret: {
        type: 'string',
        value: 'SECRET',
        description: 'a webhook secret; repeat it to accept several during a rotation',
        required: true,
        multiple: true,
        secret: true,
        env: 'BANKSOCKET_SECRET, comma-separated',
      },
      store: {
        type: 'string',
        value: 'FILE|URL',
        description: 'durable event log (created if missing), or a postgres:// URL shared by several receivers',
        default: 'no history: ledger state in memory',
      },
      events: {
        type: 'string',
        value: 'all|credits|debits',
        description:
          "the webhook's event filter (NEW_TRANSACTION, NEW_CREDIT, NEW_DEBIT): with credits only, a balance drop is unseen debits, not a gap",
        default: 'all',
      },
      ...forwardFlagSpecs('forward-'),
      'wait-for-store': waitForStoreSpec,
      ...adminFlagSpecs,
    },
    positionals: [],
    examples: [
      'banksocket listen --port 3000 --secret s3cr3t',
      'BANKSOCKET_SECRET=new,old banksocket listen --port 3000 --path /banksocket --store events.jsonl',
      'banksocket listen --port 3000 --secret s3cr3t --events credits',
      'banksocket listen --port 3000 --secret s3cr3t --store postgres://app@127.0.0.1:5432/app',
      'banksocket listen --port 3000 --secret s3cr3t --store postgres://app@db:5432/app --wait-for-store 2m',
      'banksocket listen --port 3000 --secret s3cr3t --store postgres://app@db:5432/app --admin-port 9464 --admin-host 0.0.0.0',
      'BANKSOCKET_FORWARD_SECRET=whsec_… banksocket listen --port 3000 --secret s3cr3t --store events.jsonl --forward-to http://127.0.0.1:4000/banksocket',
    ],
  },
  configure: configureListen,
  execute: async (config, context) => {
    const postgresUrl = config.store !== undefined && isPostgresUrl(config.store) ? config.store : undefined
    const io = postgresUrl === undefined ? context.io : withoutPassword(context.io, postgresUrl)
    const resources = createResourceStack<string>()
    try {
      return await serve(config, postgresUrl, io, resources)
    } finally {
      // Whatever ended the run (a store that would not open, a port in use, an exception), what
      // was opened is closed here; after a signal, `serve` has closed it all in order already.
      await resources.close()
    }
  },
})
