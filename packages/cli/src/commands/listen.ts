/**
 * `banksocket listen`: the Node receiver on a port, printing what it accepts as JSON lines.
 *
 * @module
 */
import { type FileEventStore, openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { createNodeReceiver, type Recorded } from '@banksocket-webhooks/adapter-node-server'
import { createPostgresEventStore, type PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import { type BalanceGapDetected, formatMoney, LedgerEvent, type LedgerState, type LedgerSummary, type WebhookEvent } from '@banksocket-webhooks/core'
import { LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Arguments, stringFlag } from '../argv.ts'
import { defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import { type Env, writeJsonLine } from '../io.ts'
import {
  createDuplicateReporter,
  errorLine,
  gapChangeLine,
  rejectionLine,
  suspectedReplayLine,
  transactionLineJson,
  unobservedLine,
} from '../lines.ts'
import { awaitShutdown } from '../signals.ts'
import type { UsageError } from '../usage.ts'
import { choiceFlag, integerFlag, optionalFlag, requiredFlag, secretsFlag } from '../values.ts'
import { displayUrl, isPostgresUrl, withoutPassword } from './migrate.ts'

/**
 * What `banksocket listen` does, once its flags are checked.
 *
 * @example
 * import type { ListenConfig } from './commands/listen.ts'
 * const config: ListenConfig = { port: 3000, host: '127.0.0.1', path: undefined, secrets: ['s3cr3t'], store: undefined, filter: 'NEW_TRANSACTION' }
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
}>

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
    E.map(({ port, secrets, path, store, host, events }) => ({
      port: port ?? 0,
      host: host ?? '127.0.0.1',
      path,
      secrets,
      store,
      filter: FILTERS[events],
    })),
  )

const FILTERS = { all: 'NEW_TRANSACTION', credits: 'NEW_CREDIT', debits: 'NEW_DEBIT' } as const

/**
 * The `stopped` line's view of a ledger: the head balance, the movements recorded and the gaps
 * still open, as exact decimal strings.
 *
 * @example
 * ledgerLine(summary) // { accountId: '69', currency: 'TRY', balance: '1130.00', movements: 4, openGaps: [] , ... }
 */
const ledgerLine = (summary: LedgerSummary) => ({
  accountId: summary.accountId,
  currency: summary.currency,
  balance: summary.balance === undefined ? null : formatMoney(summary.balance),
  movements: summary.count,
  repeats: summary.repeats,
  duplicates: summary.duplicates,
  suspectedReplays: summary.suspectedReplays,
  openGaps: summary.openGaps.map((g) => ({ gapId: g.gapId, from: formatMoney(g.from), to: formatMoney(g.to), missing: formatMoney(g.missing) })),
  ...(summary.unobserved.length === 0
    ? {}
    : {
        unobserved: summary.unobserved.map((g) => ({
          gapId: g.gapId,
          from: formatMoney(g.from),
          to: formatMoney(g.to),
          net: formatMoney(g.missing),
        })),
      }),
})

const pathFlag = (args: Arguments): E.Either<UsageError, string | undefined> => {
  const path = stringFlag(args, 'path')
  if (path === undefined) return E.right(undefined)
  return path.startsWith('/') && !/[?#\s]/.test(path)
    ? E.right(path)
    : E.left({ _tag: 'InvalidValue', flag: 'path', reason: `expected a path starting with '/', such as /banksocket, got '${path.slice(0, 40)}'` })
}

const hostForUrl = (host: string): string => (host.includes(':') ? `[${host}]` : host)

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
    },
    positionals: [],
    examples: [
      'banksocket listen --port 3000 --secret s3cr3t',
      'BANKSOCKET_SECRET=new,old banksocket listen --port 3000 --path /banksocket --store events.jsonl',
      'banksocket listen --port 3000 --secret s3cr3t --events credits',
      'banksocket listen --port 3000 --secret s3cr3t --store postgres://app@127.0.0.1:5432/app',
    ],
  },
  configure: configureListen,
  execute: async (config, context) => {
    const postgresUrl = config.store !== undefined && isPostgresUrl(config.store) ? config.store : undefined
    const io = postgresUrl === undefined ? context.io : withoutPassword(context.io, postgresUrl)
    const shutdown = awaitShutdown(io, 'banksocket listen')
    let fileStore: FileEventStore<LedgerEvent> | undefined
    let pgStore: PostgresEventStore<LedgerEvent, LedgerState> | undefined
    if (postgresUrl !== undefined) {
      try {
        pgStore = createPostgresEventStore<LedgerEvent, LedgerState>({
          connectionString: postgresUrl,
          codec: LedgerEvent,
          stateCodec: LedgerStateCodec,
        })
      } catch (error) {
        shutdown.dispose()
        io.stderr.write(`banksocket listen: ${error instanceof Error ? error.message : String(error)}\n`)
        return ExitCode.usage
      }
      // Reach the database (and its schema) before listening: a receiver that cannot store must not answer.
      const probe = await pgStore.readStates('ledger-')()
      if (E.isLeft(probe)) {
        shutdown.dispose()
        io.stderr.write(`banksocket listen: ${probe.left._tag === 'StoreFailure' ? probe.left.message : probe.left._tag}\n`)
        await pgStore.close()()
        return ExitCode.failure
      }
    } else if (config.store !== undefined) {
      const opened = await openFileEventStore<LedgerEvent>({ path: config.store, codec: LedgerEvent })()
      if (E.isLeft(opened)) {
        shutdown.dispose()
        io.stderr.write(`banksocket listen: ${opened.left.message}\n`)
        return ExitCode.failure
      }
      fileStore = opened.right
    }
    const store = pgStore ?? fileStore
    const counts = { transactions: 0, repeats: 0, duplicates: 0, gaps: 0, gapsClosed: 0, unobserved: 0, suspectedReplays: 0, rejected: 0, errors: 0 }

    // Lines follow what was recorded: printed once the receiver says the events are stored (by
    // this receiver: with a shared store, another receiver's writes are its to print).
    const printRecorded = ({ transaction, events }: Recorded): void => {
      let gap: BalanceGapDetected['data'] | undefined
      for (const { event } of events) {
        switch (event.type) {
          case 'BalanceGapDetected':
            gap = event.data
            counts.gaps++
            break
          case 'UnobservedMovements':
            counts.unobserved++
            writeJsonLine(io.stderr, unobservedLine(event.data))
            break
          case 'TransactionReceived': {
            const repeat = event.data.repeat === true
            counts.transactions++
            if (repeat) counts.repeats++
            io.stdout.write(`${transactionLineJson(transaction, event.data.receivedAt, repeat, gap)}\n`)
            gap = undefined
            break
          }
          case 'BalanceGapNarrowed':
          case 'BalanceGapClosed':
            if (event.type === 'BalanceGapClosed') counts.gapsClosed++
            writeJsonLine(io.stderr, gapChangeLine(event))
            break
          case 'SuspectedReplay':
            counts.suspectedReplays++
            writeJsonLine(io.stderr, suspectedReplayLine(event.data))
            break
          case 'DuplicateIgnored':
            break
        }
      }
    }

    let receiver: ReturnType<typeof createNodeReceiver>
    try {
      receiver = createNodeReceiver({
        secrets: config.secrets,
        ...(store === undefined ? {} : { store }),
        filter: config.filter,
        ...(config.path === undefined ? {} : { path: config.path }),
      })
    } catch (error) {
      shutdown.dispose()
      io.stderr.write(`banksocket listen: ${error instanceof Error ? error.message : String(error)}\n`)
      if (fileStore !== undefined) await fileStore.close()()
      if (pgStore !== undefined) await pgStore.close()()
      return ExitCode.usage
    }
    // Duplicates are not stored: a replay flood is summed up at most once a second.
    const duplicates = createDuplicateReporter((line) => writeJsonLine(io.stderr, line))
    receiver.on('recorded', printRecorded)
    receiver.on('duplicate', (duplicate) => {
      counts.duplicates++
      duplicates.report(duplicate)
    })
    receiver.on('rejected', (rejection) => {
      counts.rejected++
      writeJsonLine(io.stderr, rejectionLine(rejection))
    })
    receiver.on('error', (error) => {
      counts.errors++
      writeJsonLine(io.stderr, errorLine(error))
    })

    let port: number
    try {
      port = (await receiver.listen(config.port, config.host)).port
    } catch (error) {
      shutdown.dispose()
      const code = (error as { code?: unknown }).code
      const reason =
        code === 'EADDRINUSE'
          ? 'the port is in use'
          : code === 'EACCES'
            ? 'permission denied'
            : error instanceof Error
              ? error.message
              : String(error)
      io.stderr.write(`banksocket listen: could not listen on ${config.host}:${config.port}: ${reason}\n`)
      if (fileStore !== undefined) await fileStore.close()()
      if (pgStore !== undefined) await pgStore.close()()
      return ExitCode.failure
    }
    const url = `http://${hostForUrl(config.host)}:${port}${config.path ?? '/'}`
    writeJsonLine(io.stderr, {
      type: 'listening',
      url,
      host: config.host,
      port,
      path: config.path ?? null,
      secrets: config.secrets.length,
      store: postgresUrl !== undefined ? displayUrl(postgresUrl) : (fileStore?.path ?? null),
      ...(fileStore === undefined ? {} : { storedEvents: fileStore.stats().events }),
    })
    if (fileStore?.recovery.torn !== undefined) {
      writeJsonLine(io.stderr, { type: 'store_recovered', path: fileStore.path, tornBytes: fileStore.recovery.torn.bytes })
    }

    const signal = await shutdown.signal
    writeJsonLine(io.stderr, { type: 'stopping', signal })
    await receiver.close()
    duplicates.flush()
    const summaries = await receiver.inbox.ledgers()
    const ledgers = E.isRight(summaries) ? [...summaries.right.values()].map(ledgerLine) : []
    let code: ExitCode = ExitCode.ok
    if (fileStore !== undefined) {
      const closed = await fileStore.close()()
      if (E.isLeft(closed)) {
        writeJsonLine(io.stderr, {
          type: 'error',
          error: 'store_close_failed',
          message: closed.left._tag === 'StoreFailure' ? closed.left.message : closed.left._tag,
        })
        code = ExitCode.failure
      }
    }
    if (pgStore !== undefined) {
      const closed = await pgStore.close()()
      if (E.isLeft(closed)) {
        writeJsonLine(io.stderr, {
          type: 'error',
          error: 'store_close_failed',
          message: closed.left._tag === 'StoreFailure' ? closed.left.message : closed.left._tag,
        })
        code = ExitCode.failure
      }
    }
    writeJsonLine(io.stderr, { type: 'stopped', ...counts, ledgers })
    shutdown.dispose()
    return code
  },
})
