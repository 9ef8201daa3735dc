/// <reference types="node" />
/**
 * docs/guides/payments.md cannot rot: its Express sample (docs/guides/examples/payments-express.ts)
 * is started as the guide says (`node --import tsx`), orders are created over HTTP, signed
 * notifications are POSTed to it, and the orders' payment states are read back, across a restart.
 * (That the guide's code blocks are the example files is checked with every guide, by
 * packages/core/test/guides.test.ts.)
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodeForm, sign } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const sample = join(root, 'docs', 'guides', 'examples', 'payments-express.ts')
const SECRET = 'whsec-guide-ÇĞİÖŞÜ'

type Sample = Readonly<{ url: string; stdout: () => string; stderr: () => string; stop: () => Promise<number | null> }>

const start = async (env: Readonly<Record<string, string>>): Promise<Sample> => {
  const child = spawn(process.execPath, ['--import', 'tsx', sample], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BANKSOCKET_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')))
  child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sample did not start:\n${out}\n${err}`)), 20_000)
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m?.[1] === undefined) return
      clearTimeout(timer)
      child.stdout.off('data', check)
      resolve(m[1])
    }
    child.stdout.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`the sample exited with ${code} before listening:\n${out}\n${err}`))
    })
  })
  return {
    url,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

let balance = 18_000_00n
/** A signed Credit notification, form-encoded; the running balance follows each credit. */
const credit = async (amount: string, description: string, secret = SECRET) => {
  balance += BigInt(amount.replace('.', ''))
  const fields = {
    dc: 'Credit',
    code: 'EFT',
    amount,
    balance: `${balance / 100n}.${String(balance % 100n).padStart(2, '0')}`,
    currency: 'TRY',
    description,
    account_id: '69',
    account: 'Kadıköy İşbank TL Hesabı',
    bank: 'Türkiye İş Bankası A.Ş.',
    opponent_id: '',
    opponent_iban: '',
  }
  return encodeForm({ ...fields, hash: await sign(fields, secret)() })
}

const deliver = async (url: string, body: string) => {
  const response = await fetch(`${url}/banksocket`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
  return { status: response.status, body: (await response.json()) as unknown }
}

const call = async (url: string, method: 'GET' | 'POST', path: string, json?: unknown) => {
  const response = await fetch(`${url}${path}`, {
    method,
    ...(json === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const eventually = async (probe: () => boolean, what: () => string) => {
  for (let i = 0; i < 100 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.ok(probe(), what())
}

const state = (body: Record<string, unknown>) => `${String(body.status)} paid ${String(body.paid)} remaining ${String(body.remaining)}`

test('payments guide: three orders, a settled, a partial and an unmatched credit, review, and a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bsw-payments-guide-'))
  const env = { PAYMENTS_FILE: join(dir, 'payments.jsonl') }
  try {
    const paid = await credit('1499.90', 'SN:1 order-1001 ödemesi')
    const first = await start(env)
    try {
      for (const [order, amount] of [
        ['ORDER-1001', '1499.90'],
        ['ORDER-1002', '750.00'],
        ['ORDER-1003', '99.99'],
      ]) {
        const created = await call(first.url, 'POST', '/orders', { order, amount })
        assert.equal([created.status, created.body.status, created.body.amount], [201, 'expected', amount])
      }
      assert.equal((await call(first.url, 'POST', '/orders', { order: 'ORDER-1004', amount: '1,000.00' })).body.error, 'invalid_amount')
      assert.equal(await call(first.url, 'POST', '/orders', { order: 'ORDER-1001', amount: '1.00' }), {
        status: 409,
        body: { error: 'AlreadyExpected' },
      })

      assert.equal(await deliver(first.url, paid), { status: 200, body: { status: 'ok' } })
      assert.equal(await deliver(first.url, await credit('500.00', 'SN:2 ORDER 1002')), { status: 200, body: { status: 'ok' } })
      assert.equal(await deliver(first.url, await credit('42.00', 'SN:3 kira')), { status: 200, body: { status: 'ok' } })
      assert.is(state((await call(first.url, 'GET', '/orders/ORDER-1001/payment')).body), 'settled paid 1499.90 remaining 0.00')
      assert.is(state((await call(first.url, 'GET', '/orders/ORDER-1002/payment')).body), 'partially_paid paid 500.00 remaining 250.00')
      await eventually(() => first.stdout().includes('{"paid":"ORDER-1001"}'), first.stdout)
      await eventually(() => first.stderr().includes('"reason":"no_reference"'), first.stderr)

      // Review: the 42.00 was for ORDER-1003.
      const review = JSON.parse(
        first
          .stderr()
          .split('\n')
          .find((l) => l.includes('"reason":"no_reference"')) ?? '{}',
      ) as { review?: string; amount?: string }
      assert.is(review.amount, '42.00')
      const assigned = await call(first.url, 'POST', `/credits/${review.review}/assign`, { order: 'ORDER-1003' })
      assert.is(state(assigned.body), 'partially_paid paid 42.00 remaining 57.99')
      assert.equal(await call(first.url, 'POST', `/credits/${review.review}/assign`, { order: 'ORDER-1002' }), {
        status: 409,
        body: { error: 'CreditAlreadyApplied' },
      })

      assert.equal(await deliver(first.url, await credit('1.00', 'SN:4 ORDER-1002', 'forged')), { status: 401, body: { error: 'invalid_hash' } })
      assert.equal(await call(first.url, 'GET', '/orders/ORDER-404/payment'), { status: 404, body: { error: 'unknown_order' } })
    } finally {
      assert.is(await first.stop(), 0, `SIGTERM exits 0: ${first.stderr()}`)
    }

    // After a restart the receiver has forgotten the first notification (its default store is in
    // memory), but payments has not: the re-delivery is accepted and applies nothing twice.
    const second = await start(env)
    try {
      assert.is(state((await call(second.url, 'GET', '/orders/ORDER-1003/payment')).body), 'partially_paid paid 42.00 remaining 57.99')
      assert.equal(await deliver(second.url, paid), { status: 200, body: { status: 'ok' } })
      assert.is(state((await call(second.url, 'GET', '/orders/ORDER-1001/payment')).body), 'settled paid 1499.90 remaining 0.00')
      assert.equal(await deliver(second.url, await credit('250.00', 'SN:5 Order-1002 kalan')), { status: 200, body: { status: 'ok' } })
      assert.is(state((await call(second.url, 'GET', '/orders/ORDER-1002/payment')).body), 'settled paid 750.00 remaining 0.00')
      await eventually(() => second.stdout().includes('{"paid":"ORDER-1002"}'), second.stdout)
      assert.not.ok(second.stdout().includes('ORDER-1001'), 'the replayed credit emitted nothing')
    } finally {
      assert.is(await second.stop(), 0, `SIGTERM exits 0: ${second.stderr()}`)
    }
    const output = `${readFileSync(env.PAYMENTS_FILE, 'utf8')}`
    assert.not.ok(output.includes(SECRET), 'the secret is never stored')
    assert.not.ok(`${first.stdout()}${first.stderr()}${second.stdout()}${second.stderr()}`.includes(SECRET), 'nor logged')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
