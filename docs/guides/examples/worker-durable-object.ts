import { defineInboxObject, type InboxNamespace, inboxRouter, type Projection } from '@banksocket-webhooks/adapter-durable-object'

/** The Worker's bindings: the inbox class's namespace, the webhooks' secrets, and where to forward. */
export interface Env {
  /** The `[[durable_objects.bindings]]` entry of wrangler.toml. */
  INBOX: InboxNamespace
  /** One secret per Banksocket webhook: `npx wrangler secret put BANKSOCKET_SECRET_ACME` for `/banksocket/acme`. */
  [secret: `BANKSOCKET_SECRET_${string}`]: string | undefined
  /** Your application's URL (a `[vars]` entry); without it, nothing is forwarded. */
  FORWARD_URL?: string
  /** The Standard Webhooks secret it verifies with (`whsec_…`): `npx wrangler secret put FORWARD_SECRET`. */
  FORWARD_SECRET?: string
}

/** The secret of the webhook registered as `https://<your-worker>/banksocket/<name>`. */
const secretOf = (env: Env, name: string): string | undefined => env[`BANKSOCKET_SECRET_${name.toUpperCase().replaceAll('-', '_')}`]

// A read model in the object's own database: every credit, written exactly once with the
// projection's checkpoint (a throw rolls both back, and the event is tried again).
const credits: Projection = {
  name: 'credits',
  setup: (sql) =>
    void sql.exec('CREATE TABLE IF NOT EXISTS credits (key TEXT PRIMARY KEY, account TEXT, amount TEXT NOT NULL, currency TEXT NOT NULL)'),
  handle: ({ event }, sql) => {
    if (event.type !== 'TransactionReceived' || event.data.verified.dc !== 'Credit') return
    const { verified, unverified, idempotencyKey } = event.data
    sql.exec('INSERT INTO credits VALUES (?, ?, ?, ?)', idempotencyKey, unverified.account_id ?? null, verified.amount, verified.currency)
  },
}

// One object per webhook: it verifies, deduplicates, keeps the balance chain, projects and forwards.
export const BanksocketInbox = defineInboxObject<Env>((env, name) => {
  const secret = secretOf(env, name)
  if (secret === undefined) return undefined // not a webhook of ours: 404
  return {
    secrets: [secret],
    projections: [credits],
    ...(env.FORWARD_URL && env.FORWARD_SECRET ? { forward: { url: env.FORWARD_URL, secret: env.FORWARD_SECRET } } : {}),
    listeners: (receiver) =>
      receiver.on('gap', (gap) => console.warn(`${name}: account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`)),
    onForwardRun: (run) => {
      if (run.next._tag === 'retry')
        console.warn(`${name}: forwarding paused (${run.next.reason}), next attempt at ${new Date(run.next.at).toISOString()}`)
    },
  }
})

// The Worker verifies nothing: it sends /banksocket/<name> to the object named <name>.
export default {
  fetch: inboxRouter<Env>({
    prefix: '/banksocket/',
    namespace: (env) => env.INBOX,
    accepts: (name, env) => secretOf(env, name) !== undefined, // an unknown name creates no object
  }),
}
