import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
import { createInMemoryEventStore, formatMoney } from '@banksocket-webhooks/core'
import { createPayments } from '@banksocket-webhooks/payments'
import * as E from 'fp-ts/lib/Either.js'

/** A shop paid by bank transfer: each order is an expected payment, the receiver feeds credits in. */
export const openShop = async (secret: string) => {
  const opened = await createPayments({ store: createInMemoryEventStore() })()
  if (E.isLeft(opened)) throw new Error(`cannot open payments: ${opened.left._tag}`)
  const payments = opened.right

  // The customer writes the reference in the transfer description, typed any way: "sip-1042" works.
  await payments.expect({ id: 'order-1042', reference: 'SİP1042', amount: { minor: 149990n, currency: 'TRY' } })()

  const log: string[] = []
  payments
    .on('payment_settled', ({ expectation }) => void log.push(`${expectation.id} is paid`))
    .on('payment_partial', ({ expectation: e }) => void log.push(`${e.id}: ${formatMoney(e.remaining)} ${e.remaining.currency} still due`))
    .on('credit_unmatched', ({ credit, event }) => void log.push(`to review: ${event.data.amount} ${credit.amount.currency} (${event.data.reason})`))

  const receiver = createFetchReceiver({ secrets: [secret], path: '/banksocket' })
  receiver.on('credit', payments.handleCredit) // if payments cannot store, Banksocket gets a 500 and retries

  return { fetch: receiver.fetch, payments, log }
}
