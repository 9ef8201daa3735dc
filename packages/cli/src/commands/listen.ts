/**
 * `banksocket listen`: the Node receiver on a port, printing what it accepts as JSON lines.
 *
 * @module
 */
import { openFileEventStore, type FileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { createNodeReceiver, type DuplicateDelivery, type ReceivedTransaction } from '@banksocket-webhooks/adapter-node-server'
import { createInMemoryEventStore, LedgerEvent, ledgerStream, type BalanceGapDetected, type EventStore } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { stringFlag, type Arguments } from '../argv.ts'
import { defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import { writeJsonLine, type Env } from '../io.ts'
import { duplicateLine, errorLine, rejectionLine, transactionLine } from '../lines.ts'
import { awaitShutdown } from '../signals.ts'
import { tapAppends } from '../tap.ts'
import type { UsageError } from '../usage.ts'
import { integerFlag, optionalFlag, requiredFlag, secretsFlag } from '../values.ts'

/**
 * What `banksocket listen` does, once its flags are checked.
 *
 * @example
 * import type { ListenConfig } from '@banksocket-webhooks/cli'
 * const config: ListenConfig = { port: 3000, host: '127.0.0.1', path: undefined, secrets: ['s3cr3t'], store: undefined }
 */
export type ListenConfig = Readonly<{
  port: number
  host: string
  /** The only path answered; `undefined` answers every path. */
  path: string | undefined
  secrets: ReadonlyArray<string>
  /** The event log file; `undefined` keeps events in memory. */
  store: string | undefined
}>

/**
 * Checks the flags of `banksocket listen`.
 *
 * @example
 * import { configureListen } from '@banksocket-webhooks/cli'
 * configureListen(args, { BANKSOCKET_SECRET: 'new,old' }) // Right({ port: 3000, secrets: ['new', 'old'], ... })
 */
export const configureListen = (args: Arguments, env: Env): E.Either<UsageError, ListenConfig> =>
  pipe(
    E.Do,
    E.apS('required', requiredFlag(args, 'port')),
    E.apS('port', integerFlag(args, 'port', { min: 0, max: 65535 })),
    E.apS('secrets', secretsFlag(args, 'secret', 'BANKSOCKET_SECRET', env)),
    E.apS('path', pathFlag(args)),
    E.apS('store', optionalFlag(args, 'store', 'expected a file path')),
    E.apS('host', optionalFlag(args, 'host', 'expected a host name or address')),
    E.map(({ port, secrets, path, store, host }) => ({ port: port ?? 0, host: host ?? '127.0.0.1', path, secrets, store })),
  )

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
 * import { listenCommand } from '@banksocket-webhooks/cli'
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
        'stderr: first {"type":"listening","url":…}, then duplicates, rejections and errors as JSON lines.',
      'With --store the ledger events go to an append-only file, so deduplication and balance checks\n' +
        'survive restarts. SIGINT or SIGTERM: stop accepting, finish requests under way, close the store,\n' +
        'exit 0.',
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
      store: { type: 'string', value: 'FILE', description: 'durable event log (created if missing)', default: 'in memory' },
    },
    positionals: [],
    examples: [
      'banksocket listen --port 3000 --secret s3cr3t',
      'BANKSOCKET_SECRET=new,old banksocket listen --port 3000 --path /banksocket --store events.jsonl',
    ],
  },
  configure: configureListen,
  execute: async (config, { io }) => {
    const shutdown = awaitShutdown(io, 'banksocket listen')
    let fileStore: FileEventStore<LedgerEvent> | undefined
    if (config.store !== undefined) {
      const opened = await openFileEventStore<LedgerEvent>({ path: config.store, codec: LedgerEvent })()
      if (E.isLeft(opened)) {
        shutdown.dispose()
        io.stderr.write(`banksocket listen: ${opened.left.message}\n`)
        return ExitCode.failure
      }
      fileStore = opened.right
    }
    const base: EventStore<LedgerEvent> = fileStore ?? createInMemoryEventStore<LedgerEvent>()
    const counts = { transactions: 0, duplicates: 0, gaps: 0, rejected: 0, errors: 0 }

    // Listeners see the rich transaction before it is stored; lines are printed once it is.
    const pending = new Map<string, ReceivedTransaction | DuplicateDelivery>()
    const keyOf = (kind: string, stream: string, idempotencyKey: string): string => `${kind}\u0000${stream}\u0000${idempotencyKey}`
    const streamOf = (tx: { unverified: { account_id: string }; verified: { currency: string } }): string =>
      ledgerStream(tx.unverified.account_id, tx.verified.currency)

    const store = tapAppends(base, (stream, events) => {
      let gap: BalanceGapDetected['data'] | undefined
      for (const event of events) {
        switch (event.type) {
          case 'BalanceGapDetected':
            gap = event.data
            counts.gaps++
            break
          case 'TransactionReceived': {
            const key = keyOf('tx', stream, event.data.idempotencyKey)
            const tx = pending.get(key) as ReceivedTransaction | undefined
            pending.delete(key)
            counts.transactions++
            if (tx !== undefined) writeJsonLine(io.stdout, transactionLine(tx, gap))
            gap = undefined
            break
          }
          case 'DuplicateIgnored': {
            const key = keyOf('dup', stream, event.data.idempotencyKey)
            const duplicate = pending.get(key) as DuplicateDelivery | undefined
            pending.delete(key)
            counts.duplicates++
            if (duplicate !== undefined) writeJsonLine(io.stderr, duplicateLine(duplicate))
            break
          }
        }
      }
    })

    const receiver = createNodeReceiver({ secrets: config.secrets, store, ...(config.path === undefined ? {} : { path: config.path }) })
    receiver.on('transaction', (tx) => void pending.set(keyOf('tx', streamOf(tx), tx.idempotencyKey), tx))
    receiver.on('duplicate', (duplicate) => void pending.set(keyOf('dup', streamOf(duplicate), duplicate.idempotencyKey), duplicate))
    receiver.on('rejected', (rejection) => {
      counts.rejected++
      writeJsonLine(io.stderr, rejectionLine(rejection))
    })
    receiver.on('error', (error) => {
      counts.errors++
      if ('transaction' in error) {
        pending.delete(keyOf('tx', streamOf(error.transaction), error.transaction.idempotencyKey))
        pending.delete(keyOf('dup', streamOf(error.transaction), error.transaction.idempotencyKey))
      }
      writeJsonLine(io.stderr, errorLine(error))
    })

    let port: number
    try {
      port = (await receiver.listen(config.port, config.host)).port
    } catch (error) {
      shutdown.dispose()
      const code = (error as { code?: unknown }).code
      const reason = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied' : error instanceof Error ? error.message : String(error)
      io.stderr.write(`banksocket listen: could not listen on ${config.host}:${config.port}: ${reason}\n`)
      if (fileStore !== undefined) await fileStore.close()()
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
      store: fileStore?.path ?? null,
      ...(fileStore === undefined ? {} : { storedEvents: fileStore.stats().events }),
    })
    if (fileStore?.recovery.torn !== undefined) {
      writeJsonLine(io.stderr, { type: 'store_recovered', path: fileStore.path, tornBytes: fileStore.recovery.torn.bytes })
    }

    const signal = await shutdown.signal
    writeJsonLine(io.stderr, { type: 'stopping', signal })
    await receiver.close()
    let code: ExitCode = ExitCode.ok
    if (fileStore !== undefined) {
      const closed = await fileStore.close()()
      if (E.isLeft(closed)) {
        writeJsonLine(io.stderr, { type: 'error', error: 'store_close_failed', message: closed.left._tag === 'StoreFailure' ? closed.left.message : closed.left._tag })
        code = ExitCode.failure
      }
    }
    writeJsonLine(io.stderr, { type: 'stopped', ...counts })
    shutdown.dispose()
    return code
  },
})
