/**
 * An inbox object evicted and made again continues from its storage: the first Miniflare is
 * disposed (workerd stops, the object with it) and a second one starts on the same
 * `durableObjectsPersist` directory. The new object still knows every idempotency key (a copy of
 * an earlier notification is a duplicate), continues the balance chain (the next movement opens no
 * gap) and closes the gap the first object opened when the missing movement arrives.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { signed } from '@banksocket-webhooks/test-support/encodings'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DUPLICATE, OK, start } from './inbox-harness.ts'

const persist = mkdtempSync(join(tmpdir(), 'banksocket-do-'))

const movement = (i: number, balance: string) => signed({ account_id: '42', amount: `${i}00.00`, balance, description: `SN:evict ${i}` })
// 1000.00 opening: +100 → 1100, +200 → 1300, +300 → 1600, +400 → 2000, +500 → 2500
const m1 = await movement(1, '1100.00')
const m2 = await movement(2, '1300.00')
const m3 = await movement(3, '1600.00')
const m4 = await movement(4, '2000.00')
const m5 = await movement(5, '2500.00')

test('the first object records 1, 2 and 4 (a gap before 4)', async () => {
  const first = await start({}, persist)
  try {
    assert.equal(await first.post('acme', m1), OK)
    assert.equal(await first.post('acme', m2), OK)
    assert.equal(await first.post('acme', m4), OK)
    const ledger = (await first.ledgers('acme'))['ledger-42-TRY']
    assert.is(ledger?.openGaps.length, 1)
  } finally {
    await first.dispose()
  }
})

test('made again on the same storage: keys, chain and gap come from storage', async () => {
  const second = await start({}, persist)
  try {
    assert.equal(await second.post('acme', m1, 'json'), DUPLICATE)
    assert.equal(await second.post('acme', m4, 'multipart'), DUPLICATE)
    assert.equal(await second.post('acme', m5), OK)
    assert.equal(await second.post('acme', m3), OK)
    const ledger = (await second.ledgers('acme'))['ledger-42-TRY']
    assert.is(ledger?.count, 5)
    assert.equal(ledger?.openGaps, [])
    assert.is(ledger?.gapsDetected, 1, 'm5 continued the head: no new gap')
    assert.is(ledger?.balance?.minor, '250000')
  } finally {
    await second.dispose()
  }
})

test('a third time: everything is a duplicate, nothing moved', async () => {
  const third = await start({}, persist)
  try {
    for (const m of [m1, m2, m3, m4, m5]) assert.equal(await third.post('acme', m), DUPLICATE)
    assert.is((await third.ledgers('acme'))['ledger-42-TRY']?.count, 5)
  } finally {
    await third.dispose()
  }
})

test.after(() => {
  rmSync(persist, { recursive: true, force: true })
})

test.run()
