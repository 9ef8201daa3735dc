/**
 * `banksocket inspect`: a look inside a store, read-only: its ledgers (balance, movements, open gaps
 * and what they miss), its consumers (checkpoint, lag, dead letters) and payments (expected,
 * partially paid, credits waiting for review), as aligned tables or one JSON document; with
 * `--events N` the last N events too, and with `--follow` each new event as it is committed. A file
 * log is read with the read-only follower, beside the `listen` that writes it.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Arguments } from '../argv.ts'
import { type Context, defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import { type CliIo, type Env, writeJsonLine } from '../io.ts'
import { awaitShutdown, type ShutdownSignal } from '../signals.ts'
import type { UsageError } from '../usage.ts'
import { integerFlag, requiredFlag } from '../values.ts'
import { eventJson, eventRows, type Inspection, inspectionJson, renderTables } from './inspect-output.ts'
import { consumerViews, createFold, decodeEvent, describeEvent, type EventView } from './inspect-read.ts'
import { type InspectSource, openInspectSource } from './inspect-store.ts'
import { isPostgresUrl, withoutPassword } from './migrate.ts'

/**
 * What `banksocket inspect` does, once its flags are checked.
 *
 * @example
 * const config: InspectConfig = { store: 'events.jsonl', events: 3, follow: false, json: false }
 */
type InspectConfig = Readonly<{
  /** The event log file, or a `postgres://` / `postgresql://` URL. */
  store: string
  /** How many of the last events to show (0: none). */
  events: number
  follow: boolean
  json: boolean
}>

/** The most events `--events` shows: a store's read limit. */
const MAX_EVENTS = 10_000

/** Events read per page. */
const PAGE = 1_000

const configureInspect = (args: Arguments, _env: Env): E.Either<UsageError, InspectConfig> =>
  pipe(
    E.Do,
    E.apS('store', requiredFlag(args, 'store')),
    E.apS('events', integerFlag(args, 'events', { min: 1, max: MAX_EVENTS })),
    E.map(({ store, events }) => ({ store, events: events ?? 0, follow: args.flags['follow'] === true, json: args.flags['json'] === true })),
  )

const COMMAND = 'banksocket inspect'

/**
 * Reads the store once: the consumers' checkpoints first (so that none is past the head read
 * next), then the head, then every event up to it, folded page by page. The read stops at the event
 * at the head's position, so the counts, the ledgers and the lags are of one moment; `last` is
 * where `--follow` reads on from.
 */
const inspect = async (
  source: InspectSource,
  config: InspectConfig,
): Promise<E.Either<string, Readonly<{ inspection: Inspection; last: number }>>> => {
  const checkpoints = await source.checkpoints()
  if (E.isLeft(checkpoints)) return checkpoints
  const files = await source.failureFiles()
  if (E.isLeft(files)) return files
  const head = await source.head()
  if (E.isLeft(head)) return head
  const fold = createFold({ recent: config.events, positions: new Set(checkpoints.right.values()) })
  let after = 0
  let reached = head.right === 0
  while (!reached) {
    const page = await source.read(after, PAGE)
    if (E.isLeft(page)) return page
    if (page.right.length === 0) break
    for (const stored of page.right) {
      fold.add(stored)
      after = stored.position
      if (stored.position === head.right) {
        reached = true
        break
      }
    }
  }
  const folded = fold.result()
  return E.right({
    inspection: {
      store: source.label,
      head: folded.count === 0 ? 0 : folded.last,
      eventCount: folded.count,
      undecoded: folded.undecoded,
      ledgers: folded.ledgers,
      consumers: consumerViews(checkpoints.right, files.right, folded),
      payments: folded.payments,
      events: config.events > 0 ? folded.recent : undefined,
    },
    last: after,
  })
}

/**
 * Prints each event committed after position `after` as it comes (the store's `watch` wakes it;
 * the head is asked first, and the feed read only when it moved), until SIGINT or SIGTERM (exit 0)
 * or a read that fails (its message on stderr, exit 1).
 */
const follow = async (
  source: InspectSource,
  after: number,
  emit: (event: EventView) => void,
  io: CliIo,
  shutdown: ShutdownSignal,
): Promise<ExitCode> => {
  let last = after
  let knownHead: number | undefined
  let running: Promise<void> | undefined
  let again = false
  let stopped = false
  let fail: (message: string) => void = () => {}
  const failed = new Promise<string>((resolve) => {
    fail = resolve
  })
  const catchUp = async (): Promise<void> => {
    do {
      again = false
      const head = await source.head()
      if (E.isLeft(head)) return fail(head.left)
      if (head.right === knownHead) continue
      for (;;) {
        const page = await source.read(last, PAGE)
        if (E.isLeft(page)) return fail(page.left)
        if (page.right.length === 0 || stopped) break
        for (const stored of page.right) {
          emit(describeEvent(stored, decodeEvent(stored.event)))
          last = stored.position
        }
      }
      knownHead = head.right
    } while (again && !stopped)
  }
  const wake = (): void => {
    if (running !== undefined) {
      again = true
      return
    }
    running = catchUp().finally(() => {
      running = undefined
    })
  }
  const unwatch = source.watch(wake)
  // Whatever was committed between the first read and the watch.
  wake()
  const ended = await Promise.race([shutdown.signal.then(() => undefined), failed])
  stopped = true
  unwatch()
  await running
  if (ended === undefined) return ExitCode.ok
  io.stderr.write(`${COMMAND}: ${ended}\n`)
  return ExitCode.failure
}

const run = async (config: InspectConfig, source: InspectSource, context: Context, io: CliIo): Promise<ExitCode> => {
  const shutdown = config.follow ? awaitShutdown(io, COMMAND) : undefined
  try {
    const read = await inspect(source, config)
    if (E.isLeft(read)) {
      io.stderr.write(`${COMMAND}: ${read.left}\n`)
      return ExitCode.failure
    }
    const { inspection, last } = read.right
    if (config.json) writeJsonLine(io.stdout, inspectionJson(inspection))
    else io.stdout.write(renderTables(inspection, context.style))
    if (shutdown === undefined) return ExitCode.ok
    if (config.json) return await follow(source, last, (event) => writeJsonLine(io.stdout, eventJson(event)), io, shutdown)
    const rows = eventRows(inspection.events ?? [])
    io.stdout.write(`\n${context.style.bold('New events (following; Ctrl-C to stop)')}\n${rows.header}\n`)
    return await follow(source, last, (event) => io.stdout.write(`${rows.row(event)}\n`), io, shutdown)
  } finally {
    shutdown?.dispose()
  }
}

/**
 * `banksocket inspect --store FILE|URL`: prints what a store holds (ledgers, consumers, payments,
 * and with `--events N` its last events) as tables, or with `--json` as one JSON document; with
 * `--follow` it then prints every new event until SIGINT or SIGTERM (exit 0). Exit 1 when the
 * store cannot be opened or read, 2 for a usage error.
 *
 * @example
 * // banksocket inspect --store events.jsonl --events 5
 * import { inspectCommand } from './commands/inspect.ts'
 * inspectCommand.spec.path // ['inspect']
 */
export const inspectCommand = defineCommand({
  spec: {
    path: ['inspect'],
    summary: 'show what a store holds: ledgers, consumers, payments, the last events',
    details: [
      'Reads the store without changing it: a file log with the read-only follower (no lock, so\n' +
        'beside the listen that writes it), or a PostgreSQL database. Prints a header line (the store,\n' +
        'its head position, how many events it holds), then:\n' +
        '  Ledgers: each account and currency, the balance at the head of its chain, movements, open\n' +
        '    gaps and the amount each misses (negative: money out never notified);\n' +
        '  Consumers: each name with a checkpoint or a failure record, its checkpoint, its lag (the\n' +
        '    events after its checkpoint) and the events it gave up on (records in the store, or lines\n' +
        '    of FILE.checkpoints/NAME.failed.jsonl);\n' +
        '  Payments (@banksocket-webhooks/payments writing into the same store): expected and partially\n' +
        '    paid payments with what is due, and the credits waiting for review.',
      'Events no codec of this version knows (another application writing into the store) are\n' +
        'counted and shown by their type, never a failure. Money is exact, never a float.',
      '--json prints one JSON document instead: {"store","head","eventCount","undecoded","ledgers",\n' +
        '"consumers","payments" (null when none is recorded), "events" (with --events)}, amounts as\n' +
        'decimal strings. --follow then prints each new event as it is committed (a row, or a JSON line\n' +
        'with --json) until SIGINT or SIGTERM, and exits 0. Exit 1 when the store cannot be opened or\n' +
        'read (a log that does not exist, a database that cannot be reached or is not migrated); the\n' +
        "URL's password is never printed.",
    ],
    flags: {
      store: {
        type: 'string',
        value: 'FILE|URL',
        description: 'the event log listen --store writes (it must exist), or a postgres:// URL',
        required: true,
      },
      events: { type: 'string', value: 'N', description: `also show the last N events (1 to ${MAX_EVENTS})` },
      follow: { type: 'boolean', description: 'then print each new event as it is committed, until Ctrl-C' },
      json: { type: 'boolean', description: 'one JSON document (and a JSON line per followed event) instead of tables' },
    },
    positionals: [],
    examples: [
      'banksocket inspect --store events.jsonl',
      'banksocket inspect --store events.jsonl --events 20 --follow',
      'banksocket inspect --store postgres://app@127.0.0.1:5432/app --json',
    ],
  },
  configure: configureInspect,
  execute: async (config, context) => {
    const postgresUrl = isPostgresUrl(config.store) ? config.store : undefined
    const io = postgresUrl === undefined ? context.io : withoutPassword(context.io, postgresUrl)
    const opened = await openInspectSource(config.store, postgresUrl)
    if (E.isLeft(opened)) {
      io.stderr.write(`${COMMAND}: ${opened.left.message}\n`)
      return opened.left.code
    }
    const source = opened.right
    let code: ExitCode = ExitCode.failure
    try {
      code = await run(config, source, context, io)
    } finally {
      const problem = await source.close()
      if (problem !== undefined) {
        io.stderr.write(`${COMMAND}: closing the store failed: ${problem}\n`)
        code = ExitCode.failure
      }
    }
    return code
  },
})
