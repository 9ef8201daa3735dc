/**
 * docs/guides/frameworks.md, Hono on Node: examples/hono-node.ts started as the guide says
 * (`node --import tsx hono-node.ts`), serving the Hono app of examples/hono.ts with
 * @hono/node-server on a loopback port, answers signed notifications in every encoding. And what
 * the guide says breaks without the raw Request: a route that parses the body first.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createFetchReceiver } from '../../packages/adapter-fetch/dist/index.js'
import { notification, post, SECRET, webhookCases } from './support/cases.ts'
import { hono } from './support/guides.ts'
import { startSample } from './support/process.ts'

webhookCases('Hono on Node (@hono/node-server)', () => startSample('hono-node.ts', process.execPath, ['--import', 'tsx'])).run()

const parsedFirst = suite('Hono on Node, the body parsed before the receiver')

parsedFirst('c.req.parseBody() first: the Request reaches the receiver with its body spent, and a genuine notification is refused 400', async () => {
  const receiver = createFetchReceiver({ secrets: [SECRET] })
  const app = new hono.Hono()
  app.post('/banksocket', async (c) => {
    await c.req.parseBody()
    return receiver.fetch(c.req.raw)
  })
  let port = 0
  const server = await new Promise<ReturnType<typeof hono.serve>>((resolve) => {
    const s = hono.serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      port = info.port
      resolve(s)
    })
  })
  try {
    for (const encoding of ['form', 'multipart'] as const) {
      const answer = await post(`http://127.0.0.1:${port}/banksocket`, await notification({ amount: '1499.90', balance: '19599.90' }, encoding))
      assert.is(answer.status, 400, encoding)
      assert.is((answer.body as { error: string }).error, 'invalid_payload', encoding)
    }
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
})

parsedFirst.run()
