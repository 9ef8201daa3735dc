/**
 * The payments part of `banksocket demo`: what users build on top of the receiver. Orders expect
 * transfers, customers type the references their own way, and each credit ends settled, partially
 * paid or unmatched (kept for review).
 *
 * @module
 */
import type { NodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import { addMoney, createInMemoryEventStore, formatMoney, type Money } from '@banksocket-webhooks/core'
import { createPayments, type Payments, type PaymentsEvent } from '@banksocket-webhooks/payments'
import type { MockBanksocket } from '@banksocket-webhooks/testing/node'
import * as E from 'fp-ts/lib/Either.js'
import { type DemoOutput, money } from './demo-output.ts'
import { DEMO_ORDERS, DEMO_PAYMENTS } from './demo-plan.ts'

/**
 * How the payment credits ended, counted from the events payments emitted.
 *
 * @example
 * import type { PaymentsOutcome } from './commands/demo-payments.ts'
 * const allMatched = (o: PaymentsOutcome) => o.unmatched === 0
 */
export type PaymentsOutcome = Readonly<{ settled: number; partial: number; unmatched: number }>

/** Prints each outcome as payments emit it, and counts it. */
const reportPayments = (payments: Payments, output: DemoOutput): PaymentsOutcome => {
  const { style, numbered } = output
  const outcome = { settled: 0, partial: 0, unmatched: 0 }
  payments
    .on('payment_settled', ({ expectation: e }) => {
      outcome.settled++
      numbered(`${style.green('paid     ')} ${e.id} (${e.reference}): ${formatMoney(e.paid)} ${e.amount.currency}, settled in full`)
    })
    .on('payment_partial', ({ expectation: e, event }) => {
      outcome.partial++
      numbered(
        `${style.yellow('partial  ')} ${e.id} (${e.reference}): ${event.data.amount} paid, ${event.data.remaining} ${e.amount.currency} still due`,
      )
    })
    .on('credit_unmatched', ({ credit, event }) => {
      outcome.unmatched++
      numbered(
        `${style.magenta('unmatched')} ${event.data.amount} ${credit.amount.currency} "${credit.description}": ${event.data.reason}, kept for review`,
      )
    })
  return outcome
}

/**
 * Where and how the payment credits are delivered: through `mock` to `receiver`, to `accountId`,
 * whose head balance is `balance`; the first one is movement number `firstNumber`.
 *
 * @example
 * import type { PaymentsDelivery } from './commands/demo-payments.ts'
 * const delivery: PaymentsDelivery = { receiver, mock, output, accountId: '69', balance, firstNumber: 37 }
 */
export type PaymentsDelivery = Readonly<{
  receiver: NodeReceiver
  mock: MockBanksocket
  output: DemoOutput
  accountId: string
  balance: Money
  firstNumber: number
}>

/**
 * Runs the payments part: expects {@link DEMO_ORDERS}, delivers {@link DEMO_PAYMENTS} as credits
 * (numbered on from `firstNumber`, each balance following on from the last), and answers how they
 * ended, or why the demo cannot go on (the orders did not end settled, partially paid and expected
 * with one credit unmatched, as planned).
 *
 * @example
 * import { runPayments } from './commands/demo-payments.ts'
 * const outcome = await runPayments({ receiver, mock, output, accountId: '69', balance, firstNumber: 37 })
 * if (E.isRight(outcome)) outcome.right.settled // 1
 */
export const runPayments = async (delivery: PaymentsDelivery): Promise<E.Either<string, PaymentsOutcome>> => {
  const { receiver, mock, output, accountId } = delivery
  const opened = await createPayments({ store: createInMemoryEventStore<PaymentsEvent>() })()
  if (E.isLeft(opened)) return E.left(`could not open payments: ${opened.left._tag}`)
  const payments = opened.right
  for (const order of DEMO_ORDERS) {
    const expected = await payments.expect(order)()
    if (E.isLeft(expected)) return E.left(`could not expect ${order.id}: ${expected.left._tag}`)
  }
  const outcome = reportPayments(payments, output)
  receiver.on('credit', payments.handleCredit)
  const orders = DEMO_ORDERS.map((o) => `${o.id} ${o.reference} ${formatMoney(o.amount)}`).join(', ')
  output.line()
  output.line(
    `${output.style.bold('Payments')}: ${DEMO_ORDERS.length} orders expect transfers (${orders} TRY); customers type the references their own way`,
  )
  let balance = delivery.balance
  for (const [index, [amount, description]] of DEMO_PAYMENTS.entries()) {
    output.at(delivery.firstNumber + index)
    balance = addMoney(balance, money(amount, balance.currency))
    const emitted = await mock.emit({
      dc: 'Credit',
      code: 'FAST',
      amount,
      balance: formatMoney(balance),
      currency: balance.currency,
      account_id: accountId,
      description,
    })
    if (emitted.deliveries.some((d) => d.status !== 'delivered')) return E.left(`the payment credit "${description}" was not delivered`)
  }
  await receiver.drain()
  const states = DEMO_ORDERS.map((o) => payments.get(o.id)?.status)
  if (states.join() !== 'settled,partially_paid,expected' || outcome.unmatched !== 1) {
    return E.left(
      `payments: orders ${states.join(', ')} and ${outcome.unmatched} unmatched; expected settled, partially_paid, expected and 1 unmatched`,
    )
  }
  return E.right({ ...outcome })
}
