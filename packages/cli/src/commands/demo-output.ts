/**
 * The lines `banksocket demo` prints: numbered lines for each movement, what the receiver reports
 * as it happens (counted, so that every figure printed later is what happened), and the ledger
 * summary per account.
 *
 * @module
 */
import type { NodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { addMoney, formatMoney, type LedgerSummary, type Money, parseBalance, subtractMoney } from '@banksocket-webhooks/core'
import type { GeneratedAccount } from '@banksocket-webhooks/testing'
import * as E from 'fp-ts/lib/Either.js'
import type { CliIo } from '../io.ts'
import { describeMissing } from '../lines.ts'
import type { Style } from '../style.ts'

/**
 * The demo's stdout: `line` writes a line; `numbered` writes one under the number of the movement
 * under way (`#12  …`), which `at` sets.
 *
 * @example
 * import type { DemoOutput } from './commands/demo-output.ts'
 * const announce = (output: DemoOutput) => { output.at(3); output.numbered('(this one is delivered twice)') }
 */
export type DemoOutput = Readonly<{
  style: Style
  line: (text?: string) => void
  numbered: (text: string) => void
  at: (number: number) => void
}>

/**
 * A {@link DemoOutput} on `io.stdout`.
 *
 * @example
 * import { createDemoOutput } from './commands/demo-output.ts'
 * const output = createDemoOutput(io, style)
 * output.line('banksocket demo')
 */
export const createDemoOutput = (io: CliIo, style: Style): DemoOutput => {
  let current = 0
  return {
    style,
    line: (text = '') => io.stdout.write(`${text}\n`),
    numbered: (text) => io.stdout.write(`${style.dim(`#${String(current).padEnd(3)}`)} ${text}\n`),
    at: (number) => {
      current = number
    },
  }
}

/**
 * What the receiver reported during the demo: the counts the last line prints and the checks use.
 *
 * @example
 * import type { Seen } from './commands/demo-output.ts'
 * const clean = (seen: Seen) => seen.problems === 0
 */
export type Seen = Readonly<{ transactions: number; duplicates: number; gaps: ReadonlyArray<string>; closed: number; problems: number }>

/**
 * Wording in the singular or the plural: `1 duplicate`, `2 duplicates`.
 *
 * @example
 * import { count } from './commands/demo-output.ts'
 * count(1, 'duplicate') // '1 duplicate'
 */
export const count = (n: number, singular: string, plural = `${singular}s`): string => `${n} ${n === 1 ? singular : plural}`

const signed = (dc: string, amount: string): string => `${dc === 'Credit' ? '+' : '-'}${amount}`

const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text)

/**
 * Prints what the receiver reports as it happens (verified transactions, duplicates, gaps opened,
 * narrowed and closed, rejections and errors) and counts it; `seen()` answers the counts so far.
 *
 * @example
 * import { reportReceiver } from './commands/demo-output.ts'
 * const seen = reportReceiver(receiver, output)
 * // ... deliver ...
 * seen().transactions // 38
 */
export const reportReceiver = (receiver: NodeReceiver, output: DemoOutput): (() => Seen) => {
  const { style, numbered } = output
  const seen = { transactions: 0, duplicates: 0, gaps: [] as string[], closed: 0, problems: 0 }
  receiver.on('transaction', (tx) => {
    seen.transactions++
    const amount = `${signed(tx.verified.dc, formatMoney(tx.amount))} ${tx.amount.currency}`
    const colour = tx.verified.dc === 'Credit' ? style.green : style.red
    numbered(
      `${style.green('verified ')} account ${tx.unverified.account_id}  ${tx.verified.dc.padEnd(6)} ${colour(amount.padStart(13))}  balance ${formatMoney(tx.balance).padStart(9)}  ${tx.verified.code.padEnd(6)} ${style.dim(clip(tx.verified.description, 48))}`,
    )
  })
  receiver.on('duplicate', (duplicate) => {
    seen.duplicates++
    numbered(
      `${style.magenta('duplicate')} account ${duplicate.unverified.account_id}  the same notification again (key ${duplicate.idempotencyKey.slice(0, 12)}…): answered {"status":"duplicate"}, not processed twice`,
    )
  })
  receiver.on('gap', (gap) => {
    seen.gaps.push(`${formatMoney(gap.missing)} ${gap.currency}`)
    numbered(
      `${style.yellow('GAP      ')} account ${gap.accountId}  the chain is at ${formatMoney(gap.from)}, this movement starts at ${formatMoney(gap.to)}: ${style.yellow(describeMissing(formatMoney(gap.missing), gap.currency))} (gap ${gap.gapId})`,
    )
  })
  receiver.on('gap_closed', (change) => {
    seen.closed++
    numbered(
      `${style.green('gap closed')} account ${change.accountId}  the late notification fills ${formatMoney(change.from)} -> ${formatMoney(change.to)}: gap ${change.gapId} closed, nothing missing there any more`,
    )
  })
  receiver.on('gap_narrowed', (change) => {
    numbered(
      `${style.yellow('gap narrowed')} account ${change.accountId}  gap ${change.gapId}: ${describeMissing(formatMoney(change.missing), change.currency)}`,
    )
  })
  receiver.on('rejected', (rejection) => {
    seen.problems++
    numbered(`${style.red('rejected ')} ${rejection._tag}`)
  })
  receiver.on('error', (error) => {
    seen.problems++
    numbered(`${style.red('error    ')} ${error._tag}`)
  })
  return () => ({ ...seen, gaps: [...seen.gaps] })
}

/**
 * Exact money from a decimal string the demo itself wrote; anything else is a bug of the demo.
 *
 * @example
 * import { money } from './commands/demo-output.ts'
 * money('18000.00', 'TRY') // { minor: 1800000n, currency: 'TRY' }
 */
export const money = (amount: string, currency: string): Money => {
  const parsed = parseBalance(amount, currency)
  if (E.isLeft(parsed)) throw new TypeError(`not exact money: ${amount} ${currency}`)
  return parsed.right
}

/**
 * The ledger summary of one account: movements, duplicates, credit and debit totals, the balance
 * at the chain's head with its reconciliation (opening + credits - debits + open gaps), and every
 * gap still open with its missing amount.
 *
 * @example
 * import { createStyle } from '../style.ts'
 * import { summaryLines } from './commands/demo-output.ts'
 * summaryLines(summary, account, createStyle(false)).join('\n')
 */
export const summaryLines = (summary: LedgerSummary, account: GeneratedAccount, style: Style): ReadonlyArray<string> => {
  const { currency, balance, openGaps } = summary
  const opening = money(account.openingBalance, currency)
  const missing = openGaps.reduce((total, gap) => addMoney(total, gap.missing), money('0', currency))
  const reconciled = addMoney(subtractMoney(addMoney(opening, summary.credits), summary.debits), missing)
  const holds = balance !== undefined && balance.minor === reconciled.minor
  const lines = [
    `  ${style.bold(`account ${summary.accountId} (${currency})`)}  ${account.title}, ${account.bank}`,
    `    movements  ${summary.count} (${summary.creditCount} credits, ${summary.debitCount} debits), ${count(summary.duplicates, 'duplicate')} ignored`,
    `    credits    ${style.green(`+${formatMoney(summary.credits)} ${currency}`)}`,
    `    debits     ${style.red(`-${formatMoney(summary.debits)} ${currency}`)}`,
    `    balance    ${style.bold(`${balance === undefined ? 'none' : formatMoney(balance)} ${currency}`)}`,
    `    check      opening ${formatMoney(opening)} + credits - debits${openGaps.length === 0 ? '' : ` + open gaps (${formatMoney(missing)})`} = ${formatMoney(reconciled)} ${holds ? style.green('(matches)') : style.red('(DOES NOT MATCH)')}`,
    `    gaps       ${summary.gapsDetected} detected, ${summary.gapsDetected - openGaps.length} closed by late notifications, ${openGaps.length} open`,
  ]
  for (const gap of openGaps) {
    lines.push(
      `    open gap   ${style.yellow(describeMissing(formatMoney(gap.missing), currency))}: the chain ends at ${formatMoney(gap.from)}, resumes at ${formatMoney(gap.to)}`,
    )
  }
  return lines
}
