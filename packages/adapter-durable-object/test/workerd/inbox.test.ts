/**
 * The inbox object in workerd (miniflare, Durable Objects on SQLite): the answers of the receiver
 * HTTP contract a Worker gives, through the Worker's router and the object; 50 concurrent copies
 * of one notification accepted once; a chain delivered out of order closing every gap; two
 * webhooks with two objects, apart; and no secret in any answer or log line.
 */
import { signed } from '@banksocket-webhooks/test-support/encodings'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { answerOf, DUPLICATE, OK, SECRET, start, URL_BASE } from './inbox-harness.ts'

const worker = await start()

/** A chain of `n` movements on `account`, from `opening`: credits of 10.00, 20.00, … (as exact decimal text). */
const chain = async (account: string, n: number, opening: number, tag: string) => {
  const out = []
  let balance = opening * 100
  for (let i = 1; i <= n; i++) {
    const amount = i * 1000 + 7 // minor units, so that every amount differs
    balance += amount
    const text = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`
    out.push(await signed({ account_id: account, amount: text(amount), balance: text(balance), description: `${tag} ${i}` }))
  }
  return out
}

test('accepted, then the same notification in each other encoding: duplicate', async () => {
  const n = await signed({ amount: '250.00', balance: '1250.00', description: 'SN:1 SİPARİŞ #1001', account_id: '1' })
  assert.equal(await worker.post('acme', n, 'form'), OK)
  assert.equal(await worker.post('acme', n, 'json'), DUPLICATE)
  assert.equal(await worker.post('acme', n, 'multipart'), DUPLICATE)
})

test('invalid hash: 401; bad fields: 400 with the field paths', async () => {
  const invalid = { status: 401, allow: null, body: { error: 'invalid_hash' } }
  assert.equal(await worker.post('acme', await signed({ balance: '9400.00' }, 'not-the-binding-secret')), invalid)
  assert.equal(await worker.post('acme', { ...(await signed({ balance: '9400.00' })), amount: '9999.00' }, 'json'), invalid)
  const bad = await worker.post('acme', await signed({ amount: '1,000.00', balance: '9400.00' }))
  assert.is(bad.status, 400)
  assert.ok((bad.body as { details: Array<{ path: string }> }).details.some((d) => d.path === 'amount'))
})

test('405 with Allow: POST for another method; 404 for another path, an invalid name and a name not configured', async () => {
  assert.equal(await answerOf(await worker.mf.dispatchFetch(`${URL_BASE}/banksocket/acme`)), {
    status: 405,
    allow: 'POST',
    body: { error: 'method_not_allowed' },
  })
  const notFound = { status: 404, allow: null, body: { error: 'not_found' } }
  const n = await signed({ balance: '9500.00' })
  for (const path of ['/elsewhere', '/banksocket/', '/banksocket/acme/more', '/banksocket/a.b', '/banksocket/nobody']) {
    const response = await worker.mf.dispatchFetch(`${URL_BASE}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(n),
    })
    assert.equal(await answerOf(response), notFound, path)
  }
})

test('415 for another content type; 413 over 64 KiB', async () => {
  const r415 = await worker.mf.dispatchFetch(`${URL_BASE}/banksocket/acme`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'dc=Credit',
  })
  assert.equal(await answerOf(r415), { status: 415, allow: null, body: { error: 'unsupported_media_type' } })
  const body = JSON.stringify({ ...(await signed({ balance: '9600.00' })), padding: 'x'.repeat(64 * 1024) })
  const r413 = await worker.mf.dispatchFetch(`${URL_BASE}/banksocket/acme`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  assert.equal(await answerOf(r413), { status: 413, allow: null, body: { error: 'too_large' } })
})

test('50 concurrent copies of one notification through 50 Worker requests: exactly one ok, 49 duplicates', async () => {
  const n = await signed({ account_id: '50', amount: '75.00', balance: '575.00', description: 'SN:50 concurrent' })
  const answers = await Promise.all(
    Array.from({ length: 50 }, (_, i) => worker.post('acme', n, i % 3 === 0 ? 'json' : i % 3 === 1 ? 'form' : 'multipart')),
  )
  assert.is(answers.filter((a) => JSON.stringify(a) === JSON.stringify(OK)).length, 1, JSON.stringify(answers))
  assert.is(answers.filter((a) => JSON.stringify(a) === JSON.stringify(DUPLICATE)).length, 49)
  const ledger = (await worker.ledgers('acme'))['ledger-50-TRY']
  assert.is(ledger?.count, 1)
  assert.is(ledger?.duplicates, 49)
})

test('a scrambled chain, sent concurrently: every movement once, every gap closed, the balance the last one', async () => {
  const movements = await chain('77', 12, 1000, 'SN:scrambled')
  const order = [11, 3, 7, 0, 9, 5, 1, 10, 2, 8, 4, 6]
  // Half in a burst, half one by one, each once.
  const burst = await Promise.all(order.slice(0, 6).map((i) => worker.post('acme', movements[i]!)))
  const serial = []
  for (const i of order.slice(6)) serial.push(await worker.post('acme', movements[i]!))
  for (const a of [...burst, ...serial]) assert.equal(a, OK)
  const ledger = (await worker.ledgers('acme'))['ledger-77-TRY']
  assert.is(ledger?.count, 12)
  assert.equal(ledger?.openGaps, [])
  assert.ok((ledger?.gapsDetected ?? 0) > 0, 'the early arrivals opened gaps')
  assert.is(ledger?.balance?.minor, String(100000 + movements.reduce((sum, _, i) => sum + (i + 1) * 1000 + 7, 0)))
  // Sent again, all at once: every one a duplicate.
  const again = await Promise.all(movements.map((m) => worker.post('acme', m, 'json')))
  for (const a of again) assert.equal(a, DUPLICATE)
})

test('two webhooks, two objects: one notification is new in each, and their ledgers stay apart', async () => {
  const n = await signed({ account_id: '88', amount: '5.00', balance: '105.00', description: 'SN:88 tenants' })
  assert.equal(await worker.post('globex', n), OK)
  assert.equal(await worker.post('acme', n), OK)
  assert.equal(await worker.post('globex', n), DUPLICATE)
  assert.is((await worker.ledgers('globex'))['ledger-88-TRY']?.count, 1)
  assert.is((await worker.ledgers('globex'))['ledger-77-TRY'], undefined)
})

test('the listeners ran inside the object; the secret is in no answer and no log line', async () => {
  assert.match(worker.logs(), /acme: credit 250\.00 TRY balance 1250\.00/)
  const answers = [await worker.post('acme', await signed({}, 'other')), await worker.post('acme', await signed({ amount: 'x' }))]
  assert.not.ok(JSON.stringify(answers).includes(SECRET))
  assert.not.ok(worker.logs().includes(SECRET))
})

test.after(async () => {
  await worker.dispose()
})

test.run()
