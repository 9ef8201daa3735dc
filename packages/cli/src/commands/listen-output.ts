/**
 * The output of `banksocket listen`: what the receiver reports, forwarded as JSON lines (accepted
 * transactions on stdout, everything else on stderr) and counted for the `stopped` line.
 *
 * @module
 */
import type { NodeReceiver, Recorded } from '@banksocket-webhooks/adapter-node-server'
import { gapChangeLine, suspectedReplayLine, transactionLineJson, unobservedLine } from '@banksocket-webhooks/consumers'
import { type BalanceGapDetected, formatMoney, type LedgerSummary } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { type CliIo, writeJsonLine } from '../io.ts'
import { createDuplicateReporter, errorLine, rejectionLine } from '../lines.ts'

/**
 * What a `banksocket listen` run saw, as the `stopped` line counts it.
 *
 * @example
 * const quiet = (c: ListenCounts) => c.transactions === 0 && c.rejected === 0
 */
type ListenCounts = {
  transactions: number
  repeats: number
  duplicates: number
  gaps: number
  gapsClosed: number
  unobserved: number
  suspectedReplays: number
  rejected: number
  errors: number
}

/**
 * The forwarding of a receiver's reports to the output: `counts` so far, and `flush`, which writes
 * the duplicate summary still pending (call it once the receiver is closed).
 *
 * @example
 * import type { Forwarding } from './commands/listen-output.ts'
 * const finish = (f: Forwarding) => { f.flush(); return f.counts }
 */
export type Forwarding = Readonly<{ counts: Readonly<ListenCounts>; flush: () => void }>

/**
 * Prints what one request recorded. Lines follow what was recorded: printed once the receiver says
 * the events are stored (by this receiver: with a shared store, another receiver's writes are its
 * to print). A transaction line carries the gap detected just before it. The records are the
 * bodies a forwarder sends (`forwardMessage`, `@banksocket-webhooks/consumers`) without the
 * `position` and `stream` it adds.
 */
const printRecorded = (io: CliIo, counts: ListenCounts, { transaction, events }: Recorded): void => {
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

/**
 * Forwards every report of `receiver` to `io` as JSON lines, counting them. Duplicates are not
 * stored: a replay flood is summed up at most once a second.
 *
 * @example
 * import { forwardOutput } from './commands/listen-output.ts'
 * const output = forwardOutput(receiver, io)
 * // ... on shutdown, once the receiver is closed:
 * output.flush()
 */
export const forwardOutput = (receiver: NodeReceiver, io: CliIo): Forwarding => {
  const counts: ListenCounts = {
    transactions: 0,
    repeats: 0,
    duplicates: 0,
    gaps: 0,
    gapsClosed: 0,
    unobserved: 0,
    suspectedReplays: 0,
    rejected: 0,
    errors: 0,
  }
  const duplicates = createDuplicateReporter((line) => writeJsonLine(io.stderr, line))
  receiver.on('recorded', (recorded) => printRecorded(io, counts, recorded))
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
  return { counts, flush: () => duplicates.flush() }
}

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

/**
 * Each ledger of the receiver's inbox as the `stopped` line shows it (none when they cannot be read).
 *
 * @example
 * import { ledgerLines } from './commands/listen-output.ts'
 * writeJsonLine(io.stderr, { type: 'stopped', ledgers: await ledgerLines(receiver) })
 */
export const ledgerLines = async (receiver: NodeReceiver): Promise<ReadonlyArray<ReturnType<typeof ledgerLine>>> => {
  const summaries = await receiver.inbox.ledgers()
  return E.isRight(summaries) ? [...summaries.right.values()].map(ledgerLine) : []
}
