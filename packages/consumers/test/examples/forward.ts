import { type ConsumerEvent, createForwarder, createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
import type { EventStore, LedgerEvent } from '@banksocket-webhooks/core'

/** Forwards every recorded movement of `store` to the application at `url`, signed with `secret` (whsec_…). */
export const forwardTo = async (store: EventStore<LedgerEvent | ConsumerEvent>, url: string, secret: string) => {
  const forwarder = createForwarder({
    store,
    checkpoints: createInMemoryCheckpoints(), // the file and PostgreSQL stores have `store.checkpoints`
    url,
    secret,
    maxAttempts: 20, // then a ForwardFailed event in the store, and the account moves on
    maxDelay: 5 * 60_000,
  })
  forwarder.on('failed', (f) => console.error(JSON.stringify({ type: 'forward_failed', position: f.event.position, error: f.message })))
  await forwarder.start()
  return forwarder // on shutdown: await forwarder.stop(); forwarder.counts()
}
