/**
 * `banksocket demo`: the whole toolkit on loopback with no configuration. A mock Banksocket and a
 * receiver start on free ports, a webhook is registered through the real ky client, and a seeded
 * stream of movements over two accounts is delivered, one notification deliberately dropped, one
 * delivered twice and one late; each verified event, the duplicate and the balance gaps are printed
 * as they happen. Then payment credits settle orders, and last a ledger summary per account and one
 * line of totals. Every figure printed is counted from what happened.
 *
 * @module
 */

import { createNodeReceiver, type NodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { createClient } from '@banksocket-webhooks/api-client'
import { formatMoney, type LedgerSummary } from '@banksocket-webhooks/core'
import { createMovementGenerator, type GeneratedAccount } from '@banksocket-webhooks/testing'
import { type MockBanksocket, startMockBanksocket } from '@banksocket-webhooks/testing/node'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Arguments, stringFlag } from '../argv.ts'
import { defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import type { Env } from '../io.ts'
import { describeMissing } from '../lines.ts'
import type { UsageError } from '../usage.ts'
import { integerFlag } from '../values.ts'
import { count, createDemoOutput, type DemoOutput, reportReceiver, type Seen, summaryLines } from './demo-output.ts'
import { type PaymentsOutcome, runPayments } from './demo-payments.ts'
import { DEMO_ACCOUNTS, DEMO_PAYMENTS, type DemoStep, planDemo } from './demo-plan.ts'

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

const sleep = (ms: number): Promise<void> => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms)))

const DEMO_TOKEN = 'demo-token'
const DEMO_SECRET = 'demo-secret'

/** One run of the demo: its plan, what it runs on, and where it prints. */
type Run = Readonly<{
  config: DemoConfig
  accounts: ReadonlyArray<GeneratedAccount>
  steps: ReadonlyArray<DemoStep>
  mock: MockBanksocket
  receiver: NodeReceiver
  output: DemoOutput
}>

/** The header, then the webhook registered through the real API client. */
const introduce = async ({ config, accounts, steps, mock, output }: Run, endpoint: string): Promise<E.Either<string, void>> => {
  const { bold } = output.style
  const total = steps.length + DEMO_PAYMENTS.length
  output.line(
    `${bold('banksocket demo')}: ${total} movements over ${accounts.length} accounts (${steps.length} generated, ${DEMO_PAYMENTS.length} payment credits), seed ${config.seed}`,
  )
  output.line(`  mock Banksocket  ${mock.apiUrl}  (management API and signed deliveries)`)
  output.line(`  receiver         ${endpoint}  (createNodeReceiver, in-memory ledger)`)
  const client = createClient({ token: DEMO_TOKEN, baseUrl: mock.apiUrl })
  const created = await client.createWebhook({ title: 'banksocket demo', endpoint, event: 'NEW_TRANSACTION', account: 'all' })()
  if (E.isLeft(created)) return E.left(`could not register the webhook: ${created.left._tag}`)
  output.line(`  webhook          #${created.right.id} created through the ky client: NEW_TRANSACTION, all accounts -> ${created.right.endpoint}`)
  output.line()
  return E.right(undefined)
}

/**
 * Delivers the planned steps in order: a dropped one is announced and never sent, a late one is
 * held back until the next movement on its account has been delivered, a duplicate is sent twice.
 */
const stream = async ({ config, steps, mock, output }: Run): Promise<E.Either<string, void>> => {
  const { style, numbered } = output
  const deliver = async (step: DemoStep, copies: number): Promise<E.Either<string, void>> => {
    const failed = (await mock.emit(step.movement, { copies })).deliveries.filter((d) => d.status !== 'delivered')
    return failed.length > 0 ? E.left(`delivery #${step.number} ${failed[0]?.status ?? 'failed'}`) : E.right(undefined)
  }
  let late: DemoStep | undefined
  for (const step of steps) {
    output.at(step.number)
    const m = step.movement
    if (step.action === 'late') {
      late = step
      numbered(
        `${style.yellow('held back')} account ${m.account_id}  ${m.dc} ${m.amount} ${m.currency} is delayed, as a retried notification is: it arrives after the next one`,
      )
    } else if (step.action === 'drop') {
      numbered(
        `${style.yellow('dropped  ')} account ${m.account_id}  ${m.dc} ${m.amount} ${m.currency} is never delivered (on purpose): the ledger must notice`,
      )
    } else {
      if (step.action === 'duplicate') numbered(style.dim('(this one is delivered twice)'))
      const delivered = await deliver(step, step.action === 'duplicate' ? 2 : 1)
      if (E.isLeft(delivered)) return delivered
      if (late !== undefined && late.movement.account_id === m.account_id) {
        const held = late
        late = undefined
        await sleep(config.delay)
        output.at(held.number)
        numbered(style.dim('(the held-back notification arrives now, late)'))
        const arrived = await deliver(held, 1)
        if (E.isLeft(arrived)) return arrived
      }
    }
    await sleep(config.delay)
  }
  return E.right(undefined)
}

/** Whether the receiver saw exactly what the stream planned: every delivery accepted, the duplicate flagged, the gaps found and closed. */
const checkStream = (steps: ReadonlyArray<DemoStep>, seen: Seen): E.Either<string, void> => {
  const delivered = steps.filter((s) => s.action !== 'drop').length
  const duplicated = steps.filter((s) => s.action === 'duplicate').length
  const late = steps.filter((s) => s.action === 'late').length
  const dropped = steps.find((s) => s.action === 'drop')?.movement
  const dropGap = dropped === undefined ? undefined : `${dropped.dc === 'Credit' ? '' : '-'}${dropped.amount} ${dropped.currency}`
  const expectedGaps = (dropGap === undefined ? 0 : 1) + late
  if (seen.problems > 0) return E.left(`${seen.problems} deliveries were refused`)
  if (seen.transactions !== delivered) return E.left(`${seen.transactions} transactions accepted, ${delivered} delivered`)
  if (seen.duplicates !== duplicated) return E.left(`${seen.duplicates} duplicates flagged, expected ${duplicated}`)
  if (seen.gaps.length !== expectedGaps || (dropGap !== undefined && !seen.gaps.includes(dropGap))) {
    return E.left(`gaps found: ${seen.gaps.join(', ') || 'none'}; expected ${expectedGaps}${dropGap === undefined ? '' : `, one of them ${dropGap}`}`)
  }
  if (seen.closed !== late) return E.left(`${seen.closed} gaps closed by the late notification, expected ${late}`)
  return E.right(undefined)
}

/** The ledgers of the receiver's inbox, one per account of the demo, in the accounts' order. */
const ledgersOf = async (run: Run): Promise<E.Either<string, ReadonlyArray<readonly [GeneratedAccount, LedgerSummary]>>> => {
  const ledgers = await run.receiver.inbox.ledgers()
  if (E.isLeft(ledgers)) return E.left(`could not read the ledgers: ${ledgers.left._tag}`)
  const all = [...ledgers.right.values()]
  return E.right(
    run.accounts.flatMap((account) => {
      const summary = all.find((s) => s.accountId === account.account_id && s.currency === account.currency)
      return summary === undefined ? [] : [[account, summary] as const]
    }),
  )
}

/** The last line: every figure counted from what the receiver and payments reported, and the ledgers. */
const totalsLine = (run: Run, seen: Seen, ledgers: ReadonlyArray<LedgerSummary>, payments: PaymentsOutcome): string => {
  const open = ledgers.flatMap((l) => l.openGaps.map((gap) => describeMissing(formatMoney(gap.missing), l.currency)))
  const dropped = run.steps.filter((s) => s.action === 'drop').length
  const why = open.length === 0 ? '' : ` (${open.join(', ')}: the dropped notification${dropped === 1 ? '' : 's'})`
  return (
    `${run.output.style.green('ok')}: ${count(seen.transactions, 'transaction')} verified and recorded, ${count(seen.duplicates, 'duplicate')} ignored, ` +
    `${count(seen.closed, 'late notification')} closed ${seen.closed === 1 ? 'its' : 'their'} gap, ${count(open.length, 'gap')} open${why}; ` +
    `payments: ${count(payments.settled, 'order')} settled, ${payments.partial} partially paid, ${count(payments.unmatched, 'credit')} unmatched.`
  )
}

/** Runs the demo on a started mock and receiver; answers why it failed, if it did. */
const runDemo = async (run: Run): Promise<E.Either<string, void>> => {
  const { receiver, mock, output, steps, accounts } = run
  const address = await receiver.listen(0, '127.0.0.1')
  const seen = reportReceiver(receiver, output)
  const introduced = await introduce(run, `http://127.0.0.1:${address.port}/banksocket`)
  if (E.isLeft(introduced)) return introduced
  const streamed = await stream(run)
  if (E.isLeft(streamed)) return streamed
  await receiver.drain()
  const checked = checkStream(steps, seen())
  if (E.isLeft(checked)) return checked

  const before = await ledgersOf(run)
  if (E.isLeft(before)) return before
  const first = before.right.find(([account]) => account.account_id === accounts[0]?.account_id)
  if (first?.[1].balance === undefined) return E.left(`no balance on account ${accounts[0]?.account_id ?? ''} for the payments`)
  const balance = first[1].balance
  const payments = await runPayments({ receiver, mock, output, accountId: first[0].account_id, balance, firstNumber: steps.length + 1 })
  if (E.isLeft(payments)) return payments

  const after = await ledgersOf(run)
  if (E.isLeft(after)) return after
  output.line()
  output.line(`${output.style.bold('Ledger summary')} (the inbox's ledgers: each chain's head, totals and open gaps, exact money)`)
  for (const [account, summary] of after.right) for (const line of summaryLines(summary, account, output.style)) output.line(line)
  output.line()
  const total = seen()
  const ledgers = after.right.map(([, summary]) => summary)
  const open = ledgers.reduce((n, l) => n + l.openGaps.length, 0)
  const dropped = steps.filter((s) => s.action === 'drop').length
  if (open !== dropped) return E.left(`${open} gaps open at the end, expected ${dropped}`)
  const expected = steps.filter((s) => s.action !== 'drop').length + DEMO_PAYMENTS.length
  if (total.transactions !== expected) return E.left(`${total.transactions} transactions accepted, ${expected} delivered`)
  output.line(totalsLine(run, total, ledgers, payments.right))
  return E.right(undefined)
}

/**
 * `banksocket demo`: runs the demo and exits 0 when the receiver saw exactly what was planned (every
 * delivered movement accepted, the duplicate flagged, the gaps found with the dropped amount, the
 * payments settled as planned).
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
        'duplicate, the gaps and the late one closing its gap as they happen, then payment credits\n' +
        'settling orders, a ledger summary per account in exact money and the totals. Same seed, same\n' +
        'output. Colours only when stdout is a terminal and NO_COLOR is unset.',
    ],
    flags: {
      movements: { type: 'string', value: 'N', description: 'movements to generate (6 to 10000), before 3 payment credits', default: '36' },
      seed: { type: 'string', value: 'SEED', description: 'seed of the movement generator', default: '7' },
      delay: { type: 'string', value: 'MS', description: 'pause between two movements', default: '50' },
    },
    positionals: [],
    examples: ['banksocket demo', 'banksocket demo --movements 100 --seed 42 --delay 0'],
  },
  configure: configureDemo,
  execute: async (config, { io, style, errorStyle }) => {
    const fail = (message: string): typeof ExitCode.failure => {
      io.stderr.write(`banksocket demo: ${errorStyle.red(message)}\n`)
      return ExitCode.failure
    }
    const generator = createMovementGenerator({ seed: config.seed, accounts: DEMO_ACCOUNTS })
    const ids = [generator.accounts[0]?.account_id ?? '', generator.accounts[1]?.account_id ?? ''] as const
    const steps = planDemo(generator.take(config.movements), ids)
    const started = await startMockBanksocket({ token: DEMO_TOKEN, secret: DEMO_SECRET, retry: { attempts: 2, baseDelay: 100 } })()
    if (E.isLeft(started)) return fail(`could not start the mock Banksocket: ${started.left.message}`)
    const mock = started.right
    const receiver = createNodeReceiver({ secrets: [DEMO_SECRET], path: '/banksocket' })
    try {
      const output = createDemoOutput(io, style)
      const ran = await runDemo({ config, accounts: generator.accounts, steps, mock, receiver, output })
      return E.isLeft(ran) ? fail(ran.left) : ExitCode.ok
    } finally {
      await mock.close()
      await receiver.close()
    }
  },
})
