/**
 * The README's examples are test/examples/*.ts, byte for byte, and they work.
 */

import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInMemoryEventStore, type LedgerEvent } from '@banksocket-webhooks/core'
import { Webhook } from 'standardwebhooks'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ConsumerEvent } from '../src/index.ts'
import { forwardTo } from './examples/forward.ts'
import { followTotals } from './examples/totals.ts'
import { movementsOf, record } from './support/ledger.ts'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

for (const name of ['totals', 'forward']) {
  test(`README shows test/examples/${name}.ts`, () => {
    const block = new RegExp(`<!-- file: test/examples/${name}\\.ts -->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)?.[1]
    assert.ok(block, `README.md shows test/examples/${name}.ts`)
    assert.fixture(block ?? '', readFileSync(new URL(`./examples/${name}.ts`, import.meta.url), 'utf8').replace(/\n$/, ''))
  })
}

test('totals: money in per account, exact, following new events', async () => {
  const store = createInMemoryEventStore<LedgerEvent | ConsumerEvent>()
  const movements = movementsOf(40)
  await record(store, movements.slice(0, 30))
  const { totals, consumer } = await followTotals(store)
  await record(store, movements.slice(30))
  consumer.wake()
  await consumer.whenCaughtUp()
  const expected = new Map<string, bigint>()
  for (const m of movements) {
    if (m.dc !== 'Credit') continue
    const [whole = '0', cents = '00'] = (m.amount as string).split('.')
    expected.set(m.account_id as string, (expected.get(m.account_id as string) ?? 0n) + BigInt(whole) * 100n + BigInt(cents.padEnd(2, '0')))
  }
  assert.equal(totals, expected)
  await consumer.stop()
})

test('forward: the app verifies every message with standardwebhooks', async () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const verifier = new Webhook(secret)
  const received: string[] = []
  const server = createServer(async (req, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    const message = verifier.verify(body, req.headers as Record<string, string>) as { type: string }
    received.push(message.type)
    res.writeHead(204).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const store = createInMemoryEventStore<LedgerEvent | ConsumerEvent>()
  await record(store, movementsOf(5, ['69']))
  const forwarder = await forwardTo(store, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, secret)
  await forwarder.whenCaughtUp()
  await forwarder.stop()
  assert.equal(received, ['transaction', 'transaction', 'transaction', 'transaction', 'transaction'])
  assert.equal(forwarder.counts(), { forwarded: 5, failed: 0, pending: 0 })
  server.close()
})

test.run()
