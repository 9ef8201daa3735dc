/**
 * `banksocket demo`: the whole toolkit on loopback with no configuration. A mock Banksocket and a
 * receiver start on free ports, a webhook is registered through the real ky client, and a seeded
 * stream of movements over two accounts is delivered, one notification deliberately dropped and one
 * delivered twice; each verified event, the duplicate and the balance gap are printed as they
 * happen, then a ledger summary per account.
 *
 * @module
 */

import { createNodeReceiver, type NodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { createClient } from '@banksocket-webhooks/api-client'
import {
  addMoney,
  createInMemoryEventStore,
  formatMoney,
  type LedgerSummary,
  type Money,
  parseBalance,
  subtractMoney,
} from '@banksocket-webhooks/core'
import { createPayments, type PaymentsEvent } from '@banksocket-webhooks/payments'
import { type AccountSpec, createMovementGenerator, type GeneratedAccount, type UnsignedNotification } from '@banksocket-webhooks/testing'
import { type MockBanksocket, startMockBanksocket } from '@banksocket-webhooks/testing/node'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Arguments, stringFlag } from '../argv.ts'
import { defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import type { Env } from '../io.ts'
import { describeMissing } from '../lines.ts'
import type { Style } from '../style.ts'
import type { UsageError } from '../usage.ts'
import { integerFlag } from '../values.ts'

/**
 * The two accounts of the demo: a Turkish lira account at İşbank and a US dollar account at Garanti.
 *
 * @example
 * import { DEMO_ACCOUNTS } from './commands/demo.ts'
 * DEMO_ACCOUNTS.map((a) => a.account_id) // ['69', '70']
 */
export const DEMO_ACCOUNTS: ReadonlyArray<AccountSpec> = [
  { account_id: '69', currency: 'TRY', openingBalance: '18000.00', bank: 'Türkiye İş Bankası A.Ş.', title: 'Kadıköy İşbank TL Hesabı' },
  { account_id: '70', currency: 'USD', openingBalance: '2500.00', bank: 'Türkiye Garanti Bankası A.Ş.', title: 'Levent Garanti USD Hesabı' },
]

/**
 * The orders of the demo's payments part: references customers are asked to write in the transfer.
 *
 * @example
 * DEMO_ORDERS.map((o) => o.reference) // ['SİP1001', 'SİP1002', 'SİP1003']
 */
const DEMO_ORDERS = [
  { id: 'ORDER-1001', reference: 'SİP1001', amount: { minor: 149990n, currency: 'TRY' } },
  { id: 'ORDER-1002', reference: 'SİP1002', amount: { minor: 75000n, currency: 'TRY' } },
  { id: 'ORDER-1003', reference: 'SİP1003', amount: { minor: 9999n, currency: 'TRY' } },
] as const

/**
 * The transfers of the demo's payments part, as customers typed them: one pays order 1001 in full
 * ("sip-1001"), one pays part of order 1002 ("Sip 1002"), one names no order.
 *
 * @example
 * DEMO_PAYMENTS.length // 3
 */
const DEMO_PAYMENTS = [
  ['1499.90', 'SN:901 FAST GELEN sip-1001 ödemesi'],
  ['500.00', 'SN:902 FAST GELEN Sip 1002 kapora'],
  ['320.00', 'SN:903 FAST GELEN kira ödemesi'],
] as const

/**
 * What `banksocket demo` does, once its flags are checked.
 *
 * @example
 * const config: DemoConfig = { movements: 36, seed: '7', delay: 50 }
 */
type DemoConfig = Readonly<{ movements: number; seed: string; delay: number }>

/**
 * Checks the flags of `banksocket demo` (all optional).
 *
 * @example
 * configureDemo(args, {}) // Right({ movements: 36, seed: '7', delay: 50 })
 */
const configureDemo = (args: Arguments, _env: Env): E.Either<UsageError, DemoConfig> =>
  pipe(
    E.Do,
    E.apS('movements', integerFlag(args, 'movements', { min: 6, max: 10_000, default: 36 })),
    E.apS('delay', integerFlag(args, 'delay', { min: 0, max: 10_000, default: 50 })),
    E.map(({ movements, delay }) => ({ movements: movements ?? 36, delay: delay ?? 50, seed: stringFlag(args, 'seed') ?? '7' })),
  )

/**
 * One step of the demo: deliver a movement once, twice (a duplicate delivery), late (held back and
 * delivered after the next movement on its account, as a retried notification arrives: a gap opens
 * and closes), or drop it (it is never delivered, so the next movement on its account reveals a
 * balance gap that stays open).
 *
 * @example
 * import type { DemoStep } from './commands/demo.ts'
 * const label = (s: DemoStep) => `#${s.number} ${s.action}`
 */
export type DemoStep = Readonly<{ number: number; movement: UnsignedNotification; action: 'deliver' | 'duplicate' | 'late' | 'drop' }>

/**
 * Plans the demo over generated movements: the first movement of the second account after a third
 * of the stream that is followed by another movement on that account is dropped; the first
 * movement of the first account from the fifth on is delivered twice; and a movement of the first
 * account after half of the stream, with movements of that account before and after it, arrives
 * late.
 *
 * @example
 * import { planDemo } from './commands/demo.ts'
 * planDemo(movements).filter((s) => s.action !== 'deliver').map((s) => s.action) // ['duplicate', 'drop', 'late']
 */
export const planDemo = (movements: ReadonlyArray<UnsignedNotification>, accounts: readonly [string, string]): ReadonlyArray<DemoStep> => {
  const [first, second] = accounts
  const dropIndex = movements.findIndex(
    (m, i) => i >= Math.floor(movements.length / 3) && m.account_id === second && movements.slice(i + 1).some((n) => n.account_id === second),
  )
  const duplicateIndex = movements.findIndex((m, i) => i >= 4 && i !== dropIndex && m.account_id === first)
  const lateIndex = movements.findIndex(
    (m, i) =>
      i >= Math.floor(movements.length / 2) &&
      i !== dropIndex &&
      i !== duplicateIndex &&
      m.account_id === first &&
      movements.slice(0, i).some((n) => n.account_id === first) &&
      movements.slice(i + 1).some((n) => n.account_id === first),
  )
  return movements.map((movement, i) => ({
    number: i + 1,
    movement,
    action: i === dropIndex ? 'drop' : i === duplicateIndex ? 'duplicate' : i === lateIndex ? 'late' : 'deliver',
  }))
}

const money = (amount: string, currency: string): Money => {
  const parsed = parseBalance(amount, currency)
  if (E.isLeft(parsed)) throw new TypeError(`not exact money: ${amount} ${currency}`)
  return parsed.right
}

const signed = (dc: string, amount: string): string => `${dc === 'Credit' ? '+' : '-'}${amount}`

const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text)

/**
 * The ledger summary of one account, as printed at the end of the demo: movements, duplicates,
 * credit and debit totals, the balance at the chain's head with its reconciliation (opening +
 * credits - debits + open gaps), and every gap still open with its missing amount.
 *
 * @example
 * import { createStyle } from './style.ts'
 * summaryLines(summary, account, createStyle(false)).join('\n')
 */
const summaryLines = (summary: LedgerSummary, account: GeneratedAccount, style: Style): ReadonlyArray<string> => {
  const { currency } = summary
  const opening = money(account.openingBalance, currency)
  const missing = summary.openGaps.reduce((total, gap) => addMoney(total, gap.missing), money('0', currency))
  const reconciled = addMoney(subtractMoney(addMoney(opening, summary.credits), summary.debits), missing)
  const balance = summary.balance
  const holds = balance !== undefined && balance.minor === reconciled.minor
  const lines = [
    `  ${style.bold(`account ${summary.accountId} (${currency})`)}  ${account.title}, ${account.bank}`,
    `    movements  ${summary.count} (${summary.creditCount} credits, ${summary.debitCount} debits), ${summary.duplicates} duplicate${summary.duplicates === 1 ? '' : 's'} ignored`,
    `    credits    ${style.green(`+${formatMoney(summary.credits)} ${currency}`)}`,
    `    debits     ${style.red(`-${formatMoney(summary.debits)} ${currency}`)}`,
    `    balance    ${style.bold(`${balance === undefined ? 'none' : formatMoney(balance)} ${currency}`)}`,
    `    check      opening ${formatMoney(opening)} + credits - debits${summary.openGaps.length === 0 ? '' : ` + open gaps (${formatMoney(missing)})`} = ${formatMoney(reconciled)} ${holds ? style.green('(matches)') : style.red('(DOES NOT MATCH)')}`,
    `    gaps       ${summary.gapsDetected} detected, ${summary.gapsDetected - summary.openGaps.length} closed by late notifications, ${summary.openGaps.length} open`,
  ]
  for (const gap of summary.openGaps) {
    lines.push(
      `    open gap   ${style.yellow(describeMissing(formatMoney(gap.missing), currency))}: the chain ends at ${formatMoney(gap.from)}, resumes at ${formatMoney(gap.to)}`,
    )
  }
  return lines
}

const sleep = (ms: number): Promise<void> => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms)))

const DEMO_TOKEN = 'demo-token'
const DEMO_SECRET = 'demo-secret'

/**
 * `banksocket demo`: runs the demo and exits 0 when the receiver saw exactly what was planned (every
 * delivered movement accepted, the duplicate flagged, the gap found with the dropped amount).
 *
 * @example
 * // banksocket demo
 * import { demoCommand } from './commands/demo.ts'
 * demoCommand.spec.path // ['demo']
 */
export const demoCommand = defineCommand({
  spec: {
    path: ['demo'],
    summary: 'see it work: mock Banksocket, receiver, webhook, movements and ledgers on loopback',
    details: [
      'Starts a mock Banksocket and a receiver on free loopback ports, registers a webhook through the\n' +
        'real API client, and streams seeded movements over two accounts: one notification is dropped\n' +
        'on purpose, one is delivered twice and one arrives late. Prints every verified transaction, the\n' +
        'duplicate, the gaps and the late one closing its gap as they happen, then a ledger summary per\n' +
        'account in exact money. Same seed, same\n' +
        'output. Colours only when stdout is a terminal and NO_COLOR is unset.',
    ],
    flags: {
      movements: { type: 'string', value: 'N', description: 'movements to generate (6 to 10000)', default: '36' },
      seed: { type: 'string', value: 'SEED', description: 'seed of the movement generator', default: '7' },
      delay: { type: 'string', value: 'MS', description: 'pause between two movements', default: '50' },
    },
    positionals: [],
    examples: ['banksocket demo', 'banksocket demo --movements 100 --seed 42 --delay 0'],
  },
  configure: configureDemo,
  execute: async (config, { io, style, errorStyle }) => {
    const out = (line = ''): void => io.stdout.write(`${line}\n`)
    const fail = (message: string): typeof ExitCode.failure => {
      io.stderr.write(`banksocket demo: ${errorStyle.red(message)}\n`)
      return ExitCode.failure
    }
    const generator = createMovementGenerator({ seed: config.seed, accounts: DEMO_ACCOUNTS })
    const accounts = generator.accounts
    const ids = [accounts[0]?.account_id ?? '', accounts[1]?.account_id ?? ''] as const
    const steps = planDemo(generator.take(config.movements), ids)

    const started = await startMockBanksocket({ token: DEMO_TOKEN, secret: DEMO_SECRET, retry: { attempts: 2, baseDelay: 100 } })()
    if (E.isLeft(started)) return fail(`could not start the mock Banksocket: ${started.left.message}`)
    const mock: MockBanksocket = started.right
    const receiver: NodeReceiver = createNodeReceiver({ secrets: [DEMO_SECRET], path: '/banksocket' })
    try {
      const address = await receiver.listen(0, '127.0.0.1')
      const endpoint = `http://127.0.0.1:${address.port}/banksocket`

      // What the receiver reports, printed as it happens.
      let current = 0
      const seen = { transactions: 0, duplicates: 0, gaps: [] as string[], closed: 0, problems: 0 }
      const number = (): string => style.dim(`#${String(current).padEnd(3)}`)
      receiver.on('transaction', (tx) => {
        seen.transactions++
        const amount = `${signed(tx.verified.dc, formatMoney(tx.amount))} ${tx.amount.currency}`
        out(
          `${number()} ${style.green('verified ')} account ${tx.unverified.account_id}  ${tx.verified.dc.padEnd(6)} ${(tx.verified.dc === 'Credit' ? style.green : style.red)(amount.padStart(13))}  balance ${formatMoney(tx.balance).padStart(9)}  ${tx.verified.code.padEnd(6)} ${style.dim(clip(tx.verified.description, 48))}`,
        )
      })
      receiver.on('duplicate', (duplicate) => {
        seen.duplicates++
        out(
          `${number()} ${style.magenta('duplicate')} account ${duplicate.unverified.account_id}  the same notification again (key ${duplicate.idempotencyKey.slice(0, 12)}…): answered {"status":"duplicate"}, not processed twice`,
        )
      })
      receiver.on('gap', (gap) => {
        const missing = `${formatMoney(gap.missing)} ${gap.currency}`
        seen.gaps.push(missing)
        out(
          `${number()} ${style.yellow('GAP      ')} account ${gap.accountId}  the chain is at ${formatMoney(gap.from)}, this movement starts at ${formatMoney(gap.to)}: ${style.yellow(describeMissing(formatMoney(gap.missing), gap.currency))} (gap ${gap.gapId})`,
        )
      })
      receiver.on('gap_closed', (change) => {
        seen.closed++
        out(
          `${number()} ${style.green('gap closed')} account ${change.accountId}  the late notification fills ${formatMoney(change.from)} -> ${formatMoney(change.to)}: gap ${change.gapId} closed, nothing missing there any more`,
        )
      })
      receiver.on('gap_narrowed', (change) => {
        out(
          `${number()} ${style.yellow('gap narrowed')} account ${change.accountId}  gap ${change.gapId}: ${describeMissing(formatMoney(change.missing), change.currency)}`,
        )
      })
      receiver.on('rejected', (rejection) => {
        seen.problems++
        out(`${number()} ${style.red('rejected ')} ${rejection._tag}`)
      })
      receiver.on('error', (error) => {
        seen.problems++
        out(`${number()} ${style.red('error    ')} ${error._tag}`)
      })

      out(`${style.bold('banksocket demo')}: ${steps.length} movements over ${accounts.length} accounts, seed ${config.seed}`)
      out(`  mock Banksocket  ${mock.apiUrl}  (management API and signed deliveries)`)
      out(`  receiver         ${endpoint}  (createNodeReceiver, in-memory ledger)`)
      const client = createClient({ token: DEMO_TOKEN, baseUrl: mock.apiUrl })
      const created = await client.createWebhook({ title: 'banksocket demo', endpoint, event: 'NEW_TRANSACTION', account: 'all' })()
      if (E.isLeft(created)) return fail(`could not register the webhook: ${created.left._tag}`)
      out(`  webhook          #${created.right.id} created through the ky client: NEW_TRANSACTION, all accounts -> ${created.right.endpoint}`)
      out()

      let dropped: DemoStep | undefined
      let late: DemoStep | undefined
      const deliver = async (step: DemoStep, copies: number): Promise<string | undefined> => {
        const emitted = await mock.emit(step.movement, { copies })
        const failed = emitted.deliveries.filter((d) => d.status !== 'delivered')
        return failed.length > 0 ? `delivery #${step.number} ${failed[0]?.status ?? 'failed'}` : undefined
      }
      for (const step of steps) {
        current = step.number
        const m = step.movement
        if (step.action === 'late') {
          late = step
          out(
            `${number()} ${style.yellow('held back')} account ${m.account_id}  ${m.dc} ${m.amount} ${m.currency} is delayed, as a retried notification is: it arrives after the next one`,
          )
        } else if (step.action === 'drop') {
          dropped = step
          out(
            `${number()} ${style.yellow('dropped  ')} account ${m.account_id}  ${m.dc} ${m.amount} ${m.currency} is never delivered (on purpose): the ledger must notice`,
          )
        } else {
          if (step.action === 'duplicate') out(`${number()} ${style.dim('(this one is delivered twice)')}`)
          const problem = await deliver(step, step.action === 'duplicate' ? 2 : 1)
          if (problem !== undefined) return fail(problem)
          if (late !== undefined && late.movement.account_id === m.account_id && late !== step) {
            const held = late
            late = undefined
            await sleep(config.delay)
            current = held.number
            out(`${number()} ${style.dim('(the held-back notification arrives now, late)')}`)
            const lateProblem = await deliver(held, 1)
            if (lateProblem !== undefined) return fail(lateProblem)
          }
        }
        await sleep(config.delay)
      }
      await receiver.drain()

      const ledgers = await receiver.inbox.ledgers()
      if (E.isLeft(ledgers)) return fail(`could not read the ledgers: ${ledgers.left._tag}`)
      out()
      out(`${style.bold('Ledger summary')} (the inbox's ledgers: each chain's head, totals and open gaps, exact money)`)
      for (const account of accounts) {
        const summary = [...ledgers.right.values()].find((s) => s.accountId === account.account_id && s.currency === account.currency)
        if (summary === undefined) continue
        for (const line of summaryLines(summary, account, style)) out(line)
      }
      out()

      const delivered = steps.filter((s) => s.action !== 'drop').length
      const lateStep = steps.find((s) => s.action === 'late')
      const expectedGap =
        dropped === undefined ? undefined : `${dropped.movement.dc === 'Credit' ? '' : '-'}${dropped.movement.amount} ${dropped.movement.currency}`
      const expectedGaps = (expectedGap === undefined ? 0 : 1) + (lateStep === undefined ? 0 : 1)
      if (seen.problems > 0) return fail(`${seen.problems} deliveries were refused`)
      if (seen.transactions !== delivered) return fail(`${seen.transactions} transactions accepted, ${delivered} delivered`)
      const duplicated = steps.filter((s) => s.action === 'duplicate').length
      if (seen.duplicates !== duplicated) return fail(`${seen.duplicates} duplicates flagged, expected ${duplicated}`)
      if (seen.gaps.length !== expectedGaps || (expectedGap !== undefined && !seen.gaps.includes(expectedGap))) {
        return fail(
          `gaps found: ${seen.gaps.join(', ') || 'none'}; expected ${expectedGaps}${expectedGap === undefined ? '' : `, one of them ${expectedGap}`}`,
        )
      }
      if (seen.closed !== (lateStep === undefined ? 0 : 1))
        return fail(`${seen.closed} gaps closed by the late notification, expected ${lateStep === undefined ? 0 : 1}`)
      const open = [...ledgers.right.values()].reduce((n, l) => n + l.openGaps.length, 0)
      if (open !== (expectedGap === undefined ? 0 : 1)) return fail(`${open} gaps open at the end, expected ${expectedGap === undefined ? 0 : 1}`)

      const verifiedCount = seen.transactions
      // Payments: what users build on top. Three orders expect transfers; customers type the
      // references their own way; each credit ends settled, partially paid or unmatched.
      const opened = await createPayments({ store: createInMemoryEventStore<PaymentsEvent>() })()
      if (E.isLeft(opened)) return fail(`could not open payments: ${opened.left._tag}`)
      const payments = opened.right
      for (const order of DEMO_ORDERS) {
        const expected = await payments.expect(order)()
        if (E.isLeft(expected)) return fail(`could not expect ${order.id}: ${expected.left._tag}`)
      }
      let unmatched = 0
      payments
        .on('payment_settled', ({ expectation: e }) =>
          out(`${number()} ${style.green('paid     ')} ${e.id} (${e.reference}): ${formatMoney(e.paid)} ${e.amount.currency}, settled in full`),
        )
        .on('payment_partial', ({ expectation: e, event }) =>
          out(
            `${number()} ${style.yellow('partial  ')} ${e.id} (${e.reference}): ${event.data.amount} paid, ${event.data.remaining} ${e.amount.currency} still due`,
          ),
        )
        .on('credit_unmatched', ({ credit, event }) => {
          unmatched++
          out(
            `${number()} ${style.magenta('unmatched')} ${event.data.amount} ${credit.amount.currency} "${credit.description}": ${event.data.reason}, kept for review`,
          )
        })
      receiver.on('credit', payments.handleCredit)
      out(
        style.bold('Payments') +
          `: three orders expect transfers (${DEMO_ORDERS.map((o) => `${o.id} ${o.reference} ${formatMoney(o.amount)}`).join(', ')} TRY); customers type the references their own way`,
      )
      const tryLedger = [...ledgers.right.values()].find((l) => l.accountId === ids[0] && l.currency === 'TRY')
      let balance: Money = tryLedger?.balance ?? { minor: 0n, currency: 'TRY' }
      let paymentNumber = steps.length
      for (const [amount, description] of DEMO_PAYMENTS) {
        current = ++paymentNumber
        balance = addMoney(balance, money(amount, 'TRY'))
        const emitted = await mock.emit({
          dc: 'Credit',
          code: 'FAST',
          amount,
          balance: formatMoney(balance),
          currency: 'TRY',
          account_id: ids[0],
          description,
        })
        if (emitted.deliveries.some((d) => d.status !== 'delivered')) return fail(`the payment credit "${description}" was not delivered`)
      }
      await receiver.drain()
      const states = DEMO_ORDERS.map((o) => payments.get(o.id)?.status)
      if (states.join() !== 'settled,partially_paid,expected' || unmatched !== 1) {
        return fail(`payments: orders ${states.join(', ')} and ${unmatched} unmatched; expected settled, partially_paid, expected and 1 unmatched`)
      }
      out()
      out(
        `${style.green('ok')}: ${verifiedCount} transactions verified and recorded, ${duplicated} duplicate${duplicated === 1 ? '' : 's'} ignored, ` +
          `${seen.closed} late notification${seen.closed === 1 ? '' : 's'} closed ${seen.closed === 1 ? 'its' : 'their'} gap, ` +
          `${open} gap open${expectedGap === undefined ? '' : ` (${describeMissing(expectedGap.split(' ')[0] ?? '', dropped?.movement.currency ?? '')}: the dropped notification)`}; ` +
          `payments: 1 order settled, 1 partially paid, 1 credit unmatched.`,
      )
      return ExitCode.ok
    } finally {
      await mock.close()
      await receiver.close()
    }
  },
})
