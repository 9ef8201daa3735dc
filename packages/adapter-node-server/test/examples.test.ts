/** The README's node:http and Express samples are these files, run here so the docs cannot rot. */
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { encodings, SECRET, signed } from '@banksocket-webhooks/test-support/encodings'
import { send } from '@banksocket-webhooks/test-support/http'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

process.env.BANKSOCKET_SECRET = SECRET
process.env.PORT = '0'

const urlOf = async (server: Server) => {
  if (!server.listening) await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()))

test('the node:http sample receives a credit', async () => {
  const { paid, receiver, server } = await import('./examples/node-http.ts')
  const url = await urlOf(server)
  try {
    const response = await send(url, { ...encodings.form(await signed({ description: 'ORDER-1001', amount: '250.75' })), path: '/banksocket' })
    assert.equal(response.json, { status: 'ok' })
    assert.is(paid.get('ORDER-1001'), 25075n)
    assert.is((await send(url, { ...encodings.json(await signed()), path: '/elsewhere' })).status, 404)
  } finally {
    await receiver.close()
    await close(server)
  }
})

test('the Express sample receives a credit in every encoding', async () => {
  const { payments, server } = await import('./examples/express.ts')
  const url = await urlOf(server)
  try {
    for (const encoding of ['form', 'json', 'multipart'] as const) {
      const response = await send(url, { ...encodings[encoding](await signed({ description: `ORDER-${encoding}` })), path: '/banksocket' })
      assert.equal(response.json, { status: 'ok' }, encoding)
    }
    assert.equal(
      payments.map((p) => [p.reference, p.kurus, p.from]),
      [
        ['ORDER-form', 10000n, 'TR330006100519786457841326'],
        ['ORDER-json', 10000n, 'TR330006100519786457841326'],
        ['ORDER-multipart', 10000n, 'TR330006100519786457841326'],
      ],
    )
  } finally {
    await close(server)
  }
})

test('the composing sample serves one receiver on node:http and through Express middleware', async () => {
  const { credits, receiver, server, appServer } = await import('./examples/compose.ts')
  const [direct, viaExpress] = [await urlOf(server), await urlOf(appServer)]
  try {
    const first = await send(direct, { ...encodings.form(await signed({ amount: '250.75', balance: '1250.75' })), path: '/banksocket' })
    assert.equal(first.json, { status: 'ok' })
    const second = await send(viaExpress, { ...encodings.json(await signed({ amount: '1.00', balance: '1251.75' })), path: '/banksocket' })
    assert.equal(second.json, { status: 'ok' })
    const elsewhere = await send(viaExpress, { ...encodings.json(await signed()), path: '/elsewhere' })
    assert.is(elsewhere.status, 404)
    assert.match(String(elsewhere.headers['content-type']), /text\/html/, "another path went to Express's next(), not to the receiver")
    assert.equal(credits, ['250.75 TRY', '1.00 TRY'])
    await receiver.drain()
  } finally {
    await Promise.all([close(server), close(appServer)])
  }
})

test('the README shows these sample files verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const name of ['node-http.ts', 'express.ts', 'compose.ts']) {
    const code = readFileSync(new URL(`./examples/${name}`, import.meta.url), 'utf8')
      .split('\n')
      .slice(1)
      .join('\n')
      .trim()
    assert.ok(readme.includes(`\`\`\`ts\n${code}\n\`\`\``), `README.md holds test/examples/${name}`)
  }
})

test.run()
