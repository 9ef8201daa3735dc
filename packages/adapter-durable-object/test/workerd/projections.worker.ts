/**
 * The Worker the projections test loads into workerd: an inbox object with two projections in its
 * own database, switched on by the `PROJECTIONS` binding (so that a test can add them to an object
 * that already has a history):
 *
 * - `credits`: one row per credit (its key, amount and the event's position);
 * - `flaky`: one row per event, but its `handle` writes its row and then throws on the first
 *   `FLAKY_FAILURES` attempts at an event whose description contains `flaky` (the write must roll
 *   back), and always on one whose description contains `poison` (given up on after 3 attempts).
 *
 * For the tests only, `GET /rows/<name>` answers both tables, the checkpoints and the failure
 * stream, read in the object.
 */
import type { LedgerEvent, StoredEvent } from '@banksocket-webhooks/core'
import { createDurableObjectCheckpoints } from '../../src/checkpoints.ts'
import { createDurableObjectEventStore } from '../../src/event-store.ts'
import { defineInboxObject, type InboxObjectState } from '../../src/inbox-object.ts'
import type { Projection } from '../../src/projections.ts'
import { type InboxNamespace, inboxNameOf, inboxRouter, routeToInbox } from '../../src/routing.ts'

export interface Env {
  INBOX: InboxNamespace
  SECRET: string
  PROJECTIONS?: string
  FLAKY_FAILURES?: string
}

/** Attempts made per position by `flaky` in this isolate. */
const tries = new Map<number, number>()

const descriptionOf = (stored: StoredEvent<LedgerEvent>): string => {
  const event = stored.event
  return event.type === 'TransactionReceived' ? event.data.verified.description : ''
}

const projections = (env: Env): ReadonlyArray<Projection> => [
  {
    name: 'credits',
    setup: (sql) => void sql.exec('CREATE TABLE IF NOT EXISTS credits (key TEXT PRIMARY KEY, amount TEXT NOT NULL, position INTEGER NOT NULL)'),
    handle: (stored, sql) => {
      const event = stored.event
      if (event.type === 'TransactionReceived' && event.data.verified.dc === 'Credit')
        sql.exec(
          'INSERT INTO credits (key, amount, position) VALUES (?, ?, ?)',
          event.data.idempotencyKey,
          event.data.verified.amount,
          stored.position,
        )
    },
  },
  {
    name: 'flaky',
    initialDelay: 50,
    maxDelay: 100,
    maxAttempts: 3,
    setup: (sql) => void sql.exec('CREATE TABLE IF NOT EXISTS seen (position INTEGER NOT NULL)'),
    handle: (stored, sql) => {
      sql.exec('INSERT INTO seen (position) VALUES (?)', stored.position)
      const description = descriptionOf(stored)
      const attempt = (tries.get(stored.position) ?? 0) + 1
      tries.set(stored.position, attempt)
      if (description.includes('poison')) throw new Error(`poison at ${stored.position}`)
      if (description.includes('flaky') && attempt <= Number(env.FLAKY_FAILURES ?? '2')) throw new Error(`flaky at ${stored.position}`)
    },
  },
]

const Base = defineInboxObject<Env>((env, name) =>
  name !== 'acme'
    ? undefined
    : {
        secrets: [env.SECRET],
        ...(env.PROJECTIONS === '1' ? { projections: projections(env) } : {}),
        onProjectionRun: (run) => {
          if (run.next._tag === 'retry') console.log(`${run.name}: retry after ${run.next.attempts} attempts: ${run.next.reason}`)
        },
      },
)

export class Inbox extends Base {
  readonly #ctx: InboxObjectState
  constructor(ctx: InboxObjectState, env: Env) {
    super(ctx, env)
    this.#ctx = ctx
  }

  override async fetch(request: Request): Promise<Response> {
    if (!new URL(request.url).pathname.startsWith('/rows/')) return super.fetch(request)
    // A GET opens the object (answered 405), which arms its alarm if anything is due.
    await super.fetch(new Request(request.url))
    const sql = this.#ctx.storage.sql
    const table = (name: string, query: string) =>
      sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?", name).one().n === 0
        ? null
        : sql.exec(query).toArray()
    const store = createDurableObjectEventStore<unknown>(this.#ctx.storage)
    const failures = await store.readStream('consumer-flaky')()
    const checkpoints = await createDurableObjectCheckpoints(this.#ctx.storage).list()()
    const head = await store.head()()
    return Response.json({
      credits: table('credits', 'SELECT key, amount, position FROM credits ORDER BY position'),
      seen: table('seen', 'SELECT position FROM seen ORDER BY position'),
      checkpoints: checkpoints._tag === 'Right' ? Object.fromEntries(checkpoints.right) : checkpoints.left,
      head: head._tag === 'Right' ? head.right : head.left,
      failures: failures._tag === 'Right' ? failures.right.events : failures.left,
    })
  }
}

const route = inboxRouter<Env>({ namespace: (env) => env.INBOX })

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const rows = inboxNameOf(request.url, '/rows/')
    return rows._tag === 'Right' ? routeToInbox(request, env.INBOX, rows.right) : route(request, env)
  },
}
