/**
 * Real ledger events for the consumers' tests: signed notifications from the testing package's
 * movement generator, delivered to core's inbox over a store, so the store holds exactly what a
 * receiver records (transactions, gaps, their closings).
 */
import { createInbox, type EventStore, type LedgerEvent } from '@banksocket-webhooks/core'
import { createMovementGenerator, encodeNotification, signNotification, type UnsignedNotification } from '@banksocket-webhooks/testing'
import type { ConsumerEvent } from '../../src/index.ts'

const SECRET = 's3cr3t'

/** `count` movements of `accounts` (ids), each account's in chain order. */
export const movementsOf = (count: number, accounts: ReadonlyArray<string> = ['69', '70', '71'], seed = 'consumers'): UnsignedNotification[] => [
  ...createMovementGenerator({ seed, accounts: accounts.map((account_id) => ({ account_id })) }).take(count),
]

/** Delivers `movements` (in the order given) to an inbox on `store`; answers the outcomes' tags. */
export const record = async (store: EventStore<LedgerEvent | ConsumerEvent>, movements: ReadonlyArray<UnsignedNotification>): Promise<string[]> => {
  const inbox = createInbox({ secrets: [SECRET], store })
  const tags: string[] = []
  for (const movement of movements) {
    const { body, contentType } = encodeNotification(await signNotification(movement, SECRET)(), 'form')
    tags.push((await inbox.deliver({ body, contentType }, () => {}))._tag)
  }
  await inbox.drain()
  return tags
}
