import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
import { type ConsumerEvent, createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
import { createInMemoryEventStore, type EventStore, type LedgerEvent } from '@banksocket-webhooks/core'
import { createPayments, followCredits } from '@banksocket-webhooks/payments'
import * as E from 'fp-ts/lib/Either.js'

type ReceiverStore = EventStore<LedgerEvent | ConsumerEvent>

/** Payments on a store of their own, following the receiver's store from its first credit. */
export const followReceiver = async (receiverStore: ReceiverStore, checkpoints = createInMemoryCheckpoints()) => {
  const opened = await createPayments({ store: createInMemoryEventStore() })()
  if (E.isLeft(opened)) throw new Error(`cannot open payments: ${opened.left._tag}`)
  const payments = opened.right
  // Expectations first: the follower then applies every credit the receiver ever recorded to them.
  await payments.expect({ id: 'order-1042', reference: 'SİP1042', amount: { minor: 149990n, currency: 'TRY' } })()

  const follower = followCredits(payments, { store: receiverStore, checkpoints, from: 'beginning' })
  follower.on('retrying', ({ message }) => console.warn(`payments will try again: ${message}`))
  await follower.start()
  return { payments, follower }
}

/** A shop whose receiver only records; payments follow what it recorded. */
export const openShop = async (secret: string) => {
  // One store: the receiver records movements in it, the follower its failures (a durable store is
  // opened with the codec `withConsumerEvents(LedgerEvent)` for that).
  const store: ReceiverStore = createInMemoryEventStore()
  const receiver = createFetchReceiver({ secrets: [secret], path: '/banksocket', store })
  const { payments, follower } = await followReceiver(store)
  receiver.on('recorded', () => follower.wake()) // read at once rather than at the next poll
  return { fetch: receiver.fetch, store, payments, follower }
}
