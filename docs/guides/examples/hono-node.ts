/** Serves the Hono app of hono.ts on Node with @hono/node-server. */
import { serve } from '@hono/node-server'
import app from './hono.ts'

if (!process.env.BANKSOCKET_SECRET) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: process.env.HOST ?? '127.0.0.1' }, (info) =>
  console.log(`listening on http://${info.address}:${info.port}`),
)

process.once('SIGTERM', () => server.close(() => process.exit(0)))
