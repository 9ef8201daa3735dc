/**
 * `handle` takes a request as any runtime adapter describes it (method, URL, content type, and the
 * body as bytes, text, a reader or parsed fields) and answers the HTTP contract. Web APIs only: this
 * file also runs under Deno (test/deno/receiver.test.ts).
 */
import { encodeForm } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodings, SECRET, signed } from '../../test-support/src/encodings.ts'
import { type BodyReader, createReceiver, type ReceiverRequest } from '../src/index.ts'

const FORM = 'application/x-www-form-urlencoded'
const bytes = (text: string) => new TextEncoder().encode(text)

test('the body may be bytes, text, a reader or parsed fields: the same answer each way', async () => {
  const receiver = createReceiver({ secrets: [SECRET], path: '/banksocket' })
  const form = (fields: Readonly<Record<string, string>>) => encodeForm(fields)
  const requests: ReadonlyArray<(fields: Readonly<Record<string, string>>) => ReceiverRequest> = [
    (f) => ({ method: 'POST', url: '/banksocket', contentType: FORM, body: bytes(form(f)) }),
    (f) => ({ method: 'POST', url: 'https://shop.example/banksocket?attempt=2', contentType: FORM, body: form(f) }),
    (f) => ({ method: 'POST', url: '/banksocket', contentType: FORM, body: async () => E.right(bytes(form(f))) }),
    (f) => ({ method: 'POST', url: '/banksocket', contentType: undefined, body: f }),
  ]
  let n = 0
  for (const request of requests) {
    const fields = await signed({ description: `ORDER-${n++}`, balance: `${1100 + 100 * (n - 1)}.00` })
    const answer = await receiver.handle(request(fields))
    assert.is(answer.status, 200, `request ${n}`)
    assert.is(answer.body, '{"status":"ok"}')
    assert.is((await receiver.handle(request(fields))).body, '{"status":"duplicate"}')
  }
})

test('a reader is called only for a delivered request, with the limit; its problems are 413 and 400', async () => {
  const limits: number[] = []
  const reader =
    (result: E.Either<{ _tag: 'too_large'; limit: number } | { _tag: 'truncated' }, Uint8Array>): BodyReader =>
    async (limit) => {
      limits.push(limit)
      return result
    }
  const rejected: string[] = []
  const receiver = createReceiver({ secrets: [SECRET], path: '/hook', limit: 1000 }).on('rejected', (r) => void rejected.push(r._tag))
  const answer = (method: string, url: string, body: BodyReader) => receiver.handle({ method, url, contentType: FORM, body })
  assert.is((await answer('POST', '/elsewhere', reader(E.right(bytes(''))))).status, 404)
  const wrongMethod = await answer('GET', '/hook', reader(E.right(bytes(''))))
  assert.is(wrongMethod.status, 405)
  assert.is(wrongMethod.headers['allow'], 'POST')
  assert.equal(limits, [], 'nothing read for a 404 or a 405')
  assert.is((await answer('POST', '/hook', reader(E.left({ _tag: 'too_large', limit: 1000 })))).status, 413)
  assert.is((await answer('POST', '/hook', reader(E.left({ _tag: 'truncated' })))).status, 400)
  assert.equal(limits, [1000, 1000])
  assert.equal(rejected, ['too_large', 'invalid_payload'])
})

test('a reader that rejects, or a request that cannot be read at all, answers 500 and tells error', async () => {
  const errors: string[] = []
  const receiver = createReceiver({ secrets: [SECRET] }).on('error', (e) => void errors.push(e._tag))
  const failing = await receiver.handle({ method: 'POST', url: '/', contentType: FORM, body: () => Promise.reject(new Error('socket gone')) })
  assert.is(failing.status, 500)
  const broken = await receiver.handle(null as unknown as ReceiverRequest)
  assert.is(broken.status, 500)
  assert.equal(errors, ['internal_error', 'internal_error'])
})

test('without a store the receiver keeps no history, yet deduplicates and summarises its ledgers', async () => {
  const receiver = createReceiver({ secrets: [SECRET] })
  assert.is(receiver.inbox.store, undefined)
  const versions: number[] = []
  receiver.on('recorded', (r) => void versions.push(...r.events.map((e) => e.version)))
  const post = async (overrides: Record<string, string>) => {
    const { contentType, body } = encodings.json(await signed(overrides))
    return (await receiver.handle({ method: 'POST', url: '/', contentType, body: body ?? '' })).body
  }
  assert.is(await post({ amount: '100.00', balance: '1100.00', description: 'a' }), '{"status":"ok"}')
  assert.is(await post({ amount: '100.00', balance: '1100.00', description: 'a' }), '{"status":"duplicate"}')
  assert.is(await post({ amount: '50.00', balance: '1250.00', description: 'b' }), '{"status":"ok"}')
  assert.equal(versions, [1, 2, 3], 'recorded is told even with nothing kept, versions counted per ledger')
  const ledgers = await receiver.inbox.ledgers()
  const summary = E.isRight(ledgers) ? ledgers.right.get('ledger-69-TRY') : undefined
  assert.is(summary?.count, 2)
  assert.is(summary?.duplicates, 1)
  assert.equal(summary?.balance, { minor: 125000n, currency: 'TRY' })
  assert.equal(
    summary?.openGaps.map((g) => g.missing.minor),
    [10000n],
  )
})

test.run()
