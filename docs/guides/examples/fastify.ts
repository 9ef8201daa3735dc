/**
 * A Fastify app with a Banksocket webhook route. Fastify parses bodies before the handler runs;
 * the webhook route, in a plugin of its own, gets the raw bytes instead, and the receiver verifies
 * exactly what Banksocket sent.
 */
import { createNodeReceiver } from '@banksocket-webhooks/adapter-node-server'
import Fastify, { type FastifyPluginAsync } from 'fastify'

const secret = process.env.BANKSOCKET_SECRET
if (!secret) throw new Error('set BANKSOCKET_SECRET to the secret of your Banksocket webhook')

// A Node receiver (node:crypto hashing) used through `handle`: Fastify keeps the request and the reply.
const receiver = createNodeReceiver({ secrets: [secret] })
  // tx.verified.amount is the exact string Banksocket sent ("1499.90"); tx.amount is exact money.
  .on('credit', (tx) => console.log(`credit ${tx.verified.amount} ${tx.verified.currency}: ${tx.verified.description}`))
  .on('gap', (gap) => console.warn(`account ${gap.accountId}: ${gap.event.data.missing} ${gap.currency} never notified`))

/** The webhook route. Encapsulated: the parsers below apply to this plugin's routes only. */
const banksocket: FastifyPluginAsync = async (scope) => {
  // The raw body, as a Buffer, whatever the content type: the receiver parses form, multipart and
  // JSON itself, and answers anything else 415.
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  scope.post('/banksocket', async (request, reply) => {
    const answer = await receiver.handle({
      method: request.method,
      url: request.url,
      contentType: request.headers['content-type'],
      body: request.body as Buffer,
    })
    return reply.code(answer.status).headers(answer.headers).send(answer.body)
  })
}

const app = Fastify()
app.register(banksocket)
app.get('/health', async () => ({ ok: true })) // the rest of the app keeps Fastify's own parsers

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' })
console.log(`listening on ${address}`)

process.once('SIGTERM', async () => {
  await app.close() // stops accepting, waits for the requests under way
  process.exit(0)
})
