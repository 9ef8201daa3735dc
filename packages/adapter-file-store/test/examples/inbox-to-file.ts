// The README example: a receiver whose ledger survives restarts. `receiveAndStop` opens the store,
// runs one inbox over it for the given deliveries, then drains and closes.
import { createInbox, LedgerEvent, type Outcome } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { openFileEventStore } from '../../src/index.ts'

export const receiveAndStop = async (path: string, secret: string, bodies: ReadonlyArray<string>): Promise<ReadonlyArray<Outcome['_tag']>> => {
  const opened = await openFileEventStore({ path, codec: LedgerEvent })()
  if (E.isLeft(opened)) throw new Error(opened.left.message) // StoreLocked, CorruptStore, ...
  const store = opened.right
  if (store.recovery.torn !== undefined) console.warn(`recovered: cut ${store.recovery.torn.bytes} torn bytes`)

  const inbox = createInbox({ secrets: [secret], store })
  const outcomes: Outcome['_tag'][] = []
  for (const body of bodies) {
    // A 200 is answered only after `deliver` resolves, i.e. after the events are synced to disk.
    const outcome = await inbox.deliver({ body, contentType: 'application/x-www-form-urlencoded' }, async (events) => {
      for (const event of events) if (event.type === 'BalanceGapDetected') console.warn(`gap: ${event.data.missing} missing`)
    })
    outcomes.push(outcome._tag)
  }

  await inbox.drain()
  await store.close()()
  return outcomes
}
