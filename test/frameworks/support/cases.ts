/**
 * The cases every framework sample of docs/guides/frameworks.md must answer, over a real loopback
 * socket: signed notifications in the three encodings Banksocket may use (each accepted, with the
 * exact amount string reaching the listener), a re-delivery, a bad hash, an unsupported content
 * type and a body over the receiver's limit. What a framework gets wrong when it parses or
 * re-encodes the body first shows up here: a 415 or 400 for a genuine notification, a 401 for a
 * changed field, or an amount that is no longer the string that was signed.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Encoding, encodeNotification, type NotificationInput, signNotification } from '../../../packages/testing/dist/index.js'

/** The webhook secret every sample is started with. */
export const SECRET = 'frameworks-guide-secret'

/** A sample being served: the base URL of its webhook route, what it printed so far, and how to stop it. */
export type Served = Readonly<{ url: string; output: () => string; stop: () => Promise<void> }>

/** An answer, as the tests compare it. */
type Answer = Readonly<{ status: number; body: unknown }>

/** Signs `fields` with `secret` and encodes them as `encoding`. */
export const notification = async (fields: NotificationInput, encoding: Encoding = 'form', secret = SECRET) =>
  encodeNotification(await signNotification(fields, secret)(), encoding)

/** POSTs a body with a content type and reads the answer as JSON (or text, when it is not JSON). */
export const post = async (url: string, delivery: Readonly<{ body: string | Uint8Array<ArrayBuffer>; contentType: string }>): Promise<Answer> => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': delivery.contentType }, body: delivery.body })
  const text = await response.text()
  try {
    return { status: response.status, body: JSON.parse(text) as unknown }
  } catch {
    return { status: response.status, body: text }
  }
}

/** Waits until `probe` holds, for up to two seconds (log lines arrive through a pipe, shortly after the answer). */
const eventually = async (probe: () => boolean, what: () => string): Promise<void> => {
  for (let i = 0; i < 100 && !probe(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.ok(probe(), what())
}

const OK: Answer = { status: 200, body: { status: 'ok' } }
const DUPLICATE: Answer = { status: 200, body: { status: 'duplicate' } }

/** Three movements on one account, each continuing the last: amounts a float would not keep as they were sent. */
const MOVEMENTS = [
  { encoding: 'form', fields: { amount: '1499.90', balance: '19599.90', description: 'SN:1 SİPARİŞ #1001 ödemesi' } },
  { encoding: 'json', fields: { amount: '0.10', balance: '19600.00', description: 'SN:2 FAST ÖDEME - AYŞE KAYA' } },
  { encoding: 'multipart', fields: { amount: '250.00', balance: '19850.00', description: 'SN:3 KİRA ARALIK/2026' } },
] as const

/**
 * Registers the cases for one framework sample. `start` serves the sample (once, before the first
 * case) and resolves with the URL of its webhook route; every sample logs
 * `credit <amount> <currency>: <description>` from its `credit` listener.
 */
export const webhookCases = (name: string, start: () => Promise<Served>) => {
  const s = suite(name)
  let served: Served | undefined
  const sample = (): Served => {
    if (served === undefined) throw new Error('the sample did not start')
    return served
  }

  s.before(async () => {
    served = await start()
  })
  s.after(async () => {
    await served?.stop()
  })

  s('form, JSON and multipart notifications: 200 {"status":"ok"}, and the listener saw the exact amount and description', async () => {
    const { url, output } = sample()
    for (const { encoding, fields } of MOVEMENTS) {
      assert.equal(await post(url, await notification(fields, encoding)), OK, `${encoding}: ${output()}`)
      const line = `credit ${fields.amount} TRY: ${fields.description}`
      await eventually(
        () => output().includes(line),
        () => `the listener logs "${line}":\n${output()}`,
      )
    }
    assert.not.ok(output().includes('never notified'), 'the three movements continue each other: no gap')
  })

  s('the same notification again, in any encoding: 200 {"status":"duplicate"}, and the listener does not run again', async () => {
    const { url, output } = sample()
    const first = MOVEMENTS[0].fields
    for (const encoding of ['form', 'json', 'multipart'] as const)
      assert.equal(await post(url, await notification(first, encoding)), DUPLICATE, encoding)
    assert.is(output().split(`credit ${first.amount} TRY`).length - 1, 1, output())
  })

  s('a notification signed with another secret, or with a changed amount: 401 {"error":"invalid_hash"}', async () => {
    const { url } = sample()
    const invalid: Answer = { status: 401, body: { error: 'invalid_hash' } }
    assert.equal(await post(url, await notification({ amount: '10.00', balance: '19860.00' }, 'form', 'not-the-secret')), invalid)
    const signed = await signNotification({ amount: '10.00', balance: '19860.00' }, SECRET)()
    assert.equal(await post(url, encodeNotification({ ...signed, amount: '100.00' }, 'json')), invalid)
  })

  s('an unsupported content type: 415 {"error":"unsupported_media_type"}', async () => {
    const { url } = sample()
    const unsupported: Answer = { status: 415, body: { error: 'unsupported_media_type' } }
    assert.equal(await post(url, { contentType: 'text/plain', body: 'dc=Credit&amount=10.00' }), unsupported)
    assert.equal(await post(url, { contentType: 'application/xml', body: '<dc>Credit</dc>' }), unsupported)
  })

  s('a body over the 64 KiB limit: 413 {"error":"too_large"}', async () => {
    const { url } = sample()
    const signed = await signNotification({ amount: '10.00', balance: '19860.00' }, SECRET)()
    const body = JSON.stringify({ ...signed, padding: 'x'.repeat(64 * 1024) })
    assert.equal(await post(url, { contentType: 'application/json', body }), { status: 413, body: { error: 'too_large' } })
  })

  return s
}
