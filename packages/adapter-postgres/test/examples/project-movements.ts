import type { PostgresEventStore } from '@banksocket-webhooks/adapter-postgres'
import * as E from 'fp-ts/lib/Either.js'

type Movement = Readonly<{ type: string; data: Readonly<{ amount: string }> }>

/**
 * Copies every event of the feed into the table `movements (position bigint PRIMARY KEY, stream
 * text, amount text)`, exactly once, until it has caught up. Run it in as many processes as you
 * like: one holds the name at a time, the others wait (and take over if it dies). Each page's rows
 * and the checkpoint commit in one transaction, so a crash never copies an event twice or skips one.
 */
export const copyMovements = async (store: PostgresEventStore<Movement>, signal?: AbortSignal): Promise<number> => {
  const name = 'movements-table'
  const lease = await store.checkpoints.acquire(name, signal === undefined ? {} : { signal })
  let lost = false
  void lease.lost.then(() => {
    lost = true // the connection holding the name died: another instance may take over, so stop
  })
  try {
    const saved = await store.checkpoints.read(name)()
    if (E.isLeft(saved)) throw new Error(`reading the checkpoint failed: ${saved.left._tag}`)
    let checkpoint = saved.right // undefined: never saved, read from the start
    for (;;) {
      if (lost) throw new Error(`lost the claim on ${name}`)
      const page = await store.readAll({ after: checkpoint ?? 0, limit: 500 })()
      if (E.isLeft(page)) throw new Error(`reading the feed failed: ${page.left._tag}`)
      const last = page.right.at(-1)
      if (last === undefined) return checkpoint ?? 0 // caught up, for now
      const moved = await store.checkpoints.advance(name, checkpoint, last.position, async (tx) => {
        for (const e of page.right) {
          await tx.query('INSERT INTO movements (position, stream, amount) VALUES ($1, $2, $3)', [e.position, e.stream, e.event.data.amount])
        }
      })()
      // CheckpointConflict: another instance moved it (we had lost the name); WorkFailed: an insert failed.
      if (E.isLeft(moved)) throw new Error(`saving the checkpoint failed: ${moved.left._tag}`)
      checkpoint = last.position
    }
  } finally {
    await lease.release()
  }
}
