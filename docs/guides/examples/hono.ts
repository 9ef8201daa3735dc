/**
 * A Hono app with a Banksocket webhook route. Runtime-neutral: the same module is the app that
 * hono-node.ts serves on Node, and a Cloudflare Worker as it is (`export default app`).
 */
import { createFetchReceiver, type FetchReceiver } from '@banksocket-webhooks/adapter-fetch'
import { Hono } from 'hono'
import { env } from 'hono/adapter'

/** The secrets: environment variables on Node, Bun and Deno; bindings on Workers (`npx wrangler secret put`). */
type Secrets = { BANKSOCKET_SECRET: string; BANKSOCKET_PREVIOUS_SECRET?: string }

let receiver: FetchReceiver | undefined // one per process (per isolate on Workers), made on the first notification
const receiverFor = (secrets: Secrets): FetchReceiver =>
  (receiver ??= createFetchReceiver({
    secrets: [secrets.BANKSOCKET_SECRET, ...(secrets.BANKSOCKET_PREVIOUS_SECRET ? [secrets.BANKSOCKET_PREVIOUS_SECRET] : [])],
  })
    // tx.verified.amount is the exact string Banksocket sent ("1499.90"); tx.amount is exact money.
    .on('credit', (tx) => console.log(`credit ${tx.verified.amount} ${tx.verified.currency}: ${tx.verified.description}`))
    .on('gap', (gap) => console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`)))

const app = new Hono()

app.get('/health', (c) => c.json({ ok: true }))

// c.req.raw is the Request as it arrived, its body unread: the receiver reads and verifies it.
// Never call c.req.parseBody(), c.req.json() or c.req.formData() on this route first.
app.post('/banksocket', (c) => receiverFor(env<Secrets>(c)).fetch(c.req.raw))

export default app
