import { type Checkpoint, createPostgresEventStore, migrate, type PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import * as E from 'fp-ts/lib/Either.js'

type Movement = Readonly<{ type: 'Movement'; data: Readonly<{ key: string; amount: string; balance: string }> }>
type Head = Readonly<{ balance: string; movements: number }>
type Store = PostgresEventStore<Movement, Head>

/** Creates the schema if needed (safe when every receiver does it at start) and opens the store. */
export const open = async (url: string, schema = 'banksocket'): Promise<Store> => {
  const migrated = await migrate(url, { schema })()
  if (E.isLeft(migrated)) throw new Error(JSON.stringify(migrated.left))
  return createPostgresEventStore<Movement, Head>({ connectionString: url, schema })
}

/**
 * One notification: `ok` once committed, `duplicate` if its key is recorded in any ledger, `failed`
 * (answer 500: Banksocket retries). Call it one at a time per ledger in a process, as the inbox does;
 * other processes may write to the ledger meanwhile.
 */
export const deliver = async (store: Store, ledger: string, movement: Movement): Promise<'ok' | 'duplicate' | 'failed'> => {
  for (let attempt = 0; attempt < 10; attempt++) {
    const read = await store.readState(ledger)() // one query, however long the ledger is
    if (E.isLeft(read)) return 'failed'
    const head: Head = { balance: movement.data.balance, movements: (read.right.state?.movements ?? 0) + 1 }
    const written = await store.record(ledger, { expectedVersion: read.right.version, events: [movement], state: head, claim: movement.data.key })()
    if (E.isRight(written)) return 'ok'
    if (written.left._tag === 'KeyConflict') return E.isRight(await store.countDuplicate(written.left.stream)()) ? 'duplicate' : 'failed'
    if (written.left._tag === 'StoreFailure') return 'failed'
    // VersionConflict: another receiver wrote to this ledger first. Wait a random moment (two
    // receivers retrying in step would keep meeting), read again and decide again.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * (attempt + 1)))
  }
  return 'failed'
}

/** Hands every event after `after` to `handle`, once and in order, and answers where to go on from. */
export const follow = async (store: Store, after: Checkpoint, handle: (ledger: string, movement: Movement) => void): Promise<Checkpoint> => {
  for (let next = after; ; ) {
    const page = await store.readAllPage({ after: next, limit: 500 })()
    if (E.isLeft(page) || page.right.events.length === 0) return next
    for (const e of page.right.events) handle(e.stream, e.event)
    next = page.right.next
  }
}
