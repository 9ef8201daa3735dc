/// <reference types="node" />
/**
 * The README's examples are test/examples/*.ts, byte for byte, and they work: signed notifications
 * through the fetch receiver become a partial payment, a settlement and a credit to review; payments
 * following the receiver's store settle the order, and a rebuild from that store settles it alike.
 */
import { readFileSync } from 'node:fs'
import { encodeForm, sign } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { followReceiver, openShop as openFollowingShop } from './examples/follow.ts'
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

for (const name of ['shop', 'follow']) {
  test(`README: the ${name} example is test/examples/${name}.ts`, () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const block = new RegExp(`<!-- file: test/examples/${name}\\.ts -->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)?.[1]
    assert.ok(block, `README.md shows test/examples/${name}.ts after a <!-- file: test/examples/${name}.ts --> line`)
    assert.fixture(block ?? '', readFileSync(new URL(`./examples/${name}.ts`, import.meta.url), 'utf8').replace(/\n$/, ''))
  })
}

test('README: a partial payment, the rest, and a credit naming no order', async () => {
  const shop = await openShop(SECRET)
  assert.is(await post(shop.fetch, '1000.00', '19000.00', 'SN:1 sip-1042 ödemesi'), 200)
  assert.is(await post(shop.fetch, '499.90', '19499.90', 'SN:2 SİP 1042 kalan'), 200)
  assert.is(await post(shop.fetch, '75.00', '19574.90', 'SN:3 aidat'), 200)
  assert.equal(shop.log, ['order-1042: 499.90 TRY still due', 'order-1042 is paid', 'to review: 75.00 TRY (no_reference)'])
  assert.is(shop.payments.get('order-1042')?.status, 'settled')
})

test('README: payments follow the receiver’s store, and a rebuild from it gives the same outcome', async () => {
  const shop = await openFollowingShop(SECRET)
  assert.is(await post(shop.fetch, '1000.00', '19000.00', 'SN:1 sip-1042 ödemesi'), 200)
  assert.is(await post(shop.fetch, '499.90', '19499.90', 'SN:2 SİP 1042 kalan'), 200)
  await shop.follower.whenCaughtUp()
  assert.is(shop.payments.get('order-1042')?.status, 'settled')
  const rebuilt = await followReceiver(shop.store)
  await rebuilt.follower.whenCaughtUp()
  assert.equal(rebuilt.payments.get('order-1042'), shop.payments.get('order-1042'))
  await Promise.all([shop.follower.stop(), rebuilt.follower.stop()])
})

test.run()
