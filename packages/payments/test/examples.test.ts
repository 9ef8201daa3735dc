/// <reference types="node" />
/**
 * The README's example is test/examples/shop.ts, byte for byte, and it works: signed notifications
 * through the fetch receiver become a partial payment, a settlement and a credit to review.
 */
import { readFileSync } from 'node:fs'
import { encodeForm, sign } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openShop } from './examples/shop.ts'

const SECRET = 'whsec-readme'

const post = async (fetch: (r: Request) => Promise<Response>, amount: string, balance: string, description: string) => {
  const fields = { dc: 'Credit', code: 'EFT', amount, balance, currency: 'TRY', description, account_id: '69' }
  const body = encodeForm({ ...fields, hash: await sign(fields, SECRET)() })
  const response = await fetch(
    new Request('http://localhost/banksocket', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }),
  )
  return response.status
}

test('README: the shop example is test/examples/shop.ts', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /<!-- file: test\/examples\/shop\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1]
  assert.ok(block, 'README.md shows test/examples/shop.ts after a <!-- file: test/examples/shop.ts --> line')
  assert.fixture(block ?? '', readFileSync(new URL('./examples/shop.ts', import.meta.url), 'utf8').replace(/\n$/, ''))
})

test('README: a partial payment, the rest, and a credit naming no order', async () => {
  const shop = await openShop(SECRET)
  assert.is(await post(shop.fetch, '1000.00', '19000.00', 'SN:1 sip-1042 ödemesi'), 200)
  assert.is(await post(shop.fetch, '499.90', '19499.90', 'SN:2 SİP 1042 kalan'), 200)
  assert.is(await post(shop.fetch, '75.00', '19574.90', 'SN:3 aidat'), 200)
  assert.equal(shop.log, ['order-1042: 499.90 TRY still due', 'order-1042 is paid', 'to review: 75.00 TRY (no_reference)'])
  assert.is(shop.payments.get('order-1042')?.status, 'settled')
})

test.run()
