/**
 * docs/guides/frameworks.md, Fastify: examples/fastify.ts started as the guide says
 * (`node --import tsx fastify.ts`) on a loopback port answers signed notifications in every
 * encoding, its webhook route reading the raw body through its own content-type parser. And what
 * the guide says breaks without that parser: the same route on Fastify's default parsers.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createNodeReceiver } from '../../packages/adapter-node-server/dist/index.js'
import { notification, post, SECRET, webhookCases } from './support/cases.ts'
import { fastify } from './support/guides.ts'
import { startSample } from './support/process.ts'

webhookCases('Fastify', () => startSample('fastify.ts', process.execPath, ['--import', 'tsx'])).run()

const defaults = suite("Fastify, the route on Fastify's default parsers")

defaults('form and multipart notifications are refused 415 by Fastify before the route runs; only JSON gets through', async () => {
  const receiver = createNodeReceiver({ secrets: [SECRET] })
  let reached = 0
  const app = fastify()
  app.post('/banksocket', async (request, reply) => {
    reached++
    const answer = await receiver.handle({
      method: request.method,
      url: request.url,
      contentType: request.headers['content-type'],
      body: request.body as Record<string, string>,
    })
    return reply.code(answer.status).headers(answer.headers).send(answer.body)
  })
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/banksocket`
  try {
    for (const encoding of ['form', 'multipart'] as const) {
      const answer = await post(url, await notification({ amount: '1499.90', balance: '19599.90' }, encoding))
      assert.is(answer.status, 415, encoding)
      assert.is((answer.body as { code: string }).code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', encoding)
    }
    assert.is(reached, 0, 'the route never ran')
    // JSON is parsed by Fastify and handed over as fields, which the receiver accepts: a test that
    // only sends JSON passes, and Banksocket's form deliveries are refused in production.
    assert.equal(await post(url, await notification({ amount: '1499.90', balance: '19599.90' }, 'json')), { status: 200, body: { status: 'ok' } })
  } finally {
    await app.close()
  }
})

defaults.run()
