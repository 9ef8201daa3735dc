import { type ConsumerEvent, createConsumer, createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
import { type EventStore, type LedgerEvent, parseAmount } from '@banksocket-webhooks/core'

/** Money in per account, in minor units, kept up to date by a consumer of the receiver's store. */
export const followTotals = async (store: EventStore<LedgerEvent | ConsumerEvent>) => {
  const totals = new Map<string, bigint>()
  const consumer = createConsumer({
    name: 'credit-totals',
    store,
    checkpoints: createInMemoryCheckpoints(),
    handle: ({ event }) => {
      if (event.type !== 'TransactionReceived' || event.data.verified.dc !== 'Credit') return
      const amount = parseAmount(event.data.verified.amount, event.data.verified.currency)
      if (amount._tag === 'Left') throw new Error(`${amount.left.input} ${amount.left.reason}`)
      const account = event.data.unverified.account_id
      totals.set(account, (totals.get(account) ?? 0n) + amount.right.minor)
    },
  })
  consumer.on('failed', (failure) => console.error(`gave up on event ${failure.event.position}: ${failure.message}`))
  await consumer.start()
  return { totals, consumer }
}
