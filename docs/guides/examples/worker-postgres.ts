import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
import { createPostgresEventStore, DEFAULT_SCHEMA } from '@banksocket-webhooks/adapter-postgres'
import { LedgerEvent, type LedgerState } from '@banksocket-webhooks/core'
import { LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'

/** The Worker's bindings: secrets from `npx wrangler secret put`, the database from Hyperdrive. */
export interface Env {
  BANKSOCKET_SECRET: string
  BANKSOCKET_PREVIOUS_SECRET?: string
  /** The `[[hyperdrive]]` binding of wrangler.toml. */
  HYPERDRIVE?: Readonly<{ connectionString: string }>
  /** Or a direct connection string (`npx wrangler secret put DATABASE_URL`), without Hyperdrive. */
  DATABASE_URL?: string
  /** The schema `banksocket migrate --schema` created, when it is not `banksocket`. */
  BANKSOCKET_SCHEMA?: string
}

/** The part of the Worker's execution context used here. */
interface Context {
  waitUntil(promise: Promise<unknown>): void
}

const connectionStringOf = (env: Env): string => {
  const url = env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL
  if (url === undefined) throw new Error('bind HYPERDRIVE in wrangler.toml, or set the DATABASE_URL secret')
  return url
}

export default {
  async fetch(request: Request, env: Env, ctx: Context): Promise<Response> {
    // A Worker may not use one connection for two requests: one store, with one connection, per request.
    const store = createPostgresEventStore<LedgerEvent, LedgerState>({
      connectionString: connectionStringOf(env),
      max: 1,
      schema: env.BANKSOCKET_SCHEMA ?? DEFAULT_SCHEMA,
      codec: LedgerEvent,
      stateCodec: LedgerStateCodec,
    })
    const receiver = createFetchReceiver({
      secrets: [env.BANKSOCKET_SECRET, ...(env.BANKSOCKET_PREVIOUS_SECRET ? [env.BANKSOCKET_PREVIOUS_SECRET] : [])],
      path: '/banksocket',
      store,
    })
      // Listeners may run more than once for one notification (see the guide): key your work on tx.idempotencyKey.
      .on('credit', (tx) =>
        console.log(`credit ${tx.verified.amount} ${tx.verified.currency} to account ${tx.unverified.account_id}: ${tx.verified.description}`),
      )
      .on('gap', (gap) => console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`))
    try {
      // Answered once the database has committed the notification (or refused it as a duplicate).
      return await receiver.fetch(request)
    } finally {
      ctx.waitUntil(store.close()()) // the connection closes after the answer is sent
    }
  },
}
