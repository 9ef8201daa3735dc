import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createFetchReceiver, readRequestBody } from '../src/index.ts'

const streamRequest = (source: UnderlyingDefaultSource<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request('http://receiver.test/', { method: 'POST', body: new ReadableStream(source), headers, duplex: 'half' } as RequestInit)

test('reading stops at the first chunk past the limit and cancels the stream', async () => {
  let pulls = 0
  let cancelled = false
  const request = streamRequest({
    pull: (c) => void (pulls++, c.enqueue(new Uint8Array(1000))),
    cancel: () => void (cancelled = true),
  })
  const result = await readRequestBody(request, 4500)
  assert.equal(result, E.left({ _tag: 'too_large', limit: 4500 }))
  assert.ok(pulls <= 7, `pulled ${pulls} chunks`)
  assert.ok(cancelled)
})

test('a declared Content-Length over the limit is refused without reading', async () => {
  let pulls = 0
  const request = streamRequest({ pull: (c) => void (pulls++, c.enqueue(new Uint8Array(10))) }, { 'content-length': '100000' })
  assert.equal(await readRequestBody(request, 65536), E.left({ _tag: 'too_large', limit: 65536 }))
  assert.ok(pulls <= 1, `pulled ${pulls} chunks`)
})

test('a body cut off mid-way is truncated, answered 400 and emits no transaction', async () => {
  const receiver = createFetchReceiver({ secrets: ['s'] })
  const events: string[] = []
  receiver.on('transaction', () => void events.push('transaction')).on('rejected', (r) => void events.push(`rejected ${r._tag}`))
  let sent = false
  const request = streamRequest(
    {
      pull: (c) => {
        if (!sent) {
          sent = true
          c.enqueue(new TextEncoder().encode('dc=Credit&code=EFT'))
        } else c.error(new Error('connection reset'))
      },
    },
    { 'content-type': 'application/x-www-form-urlencoded' },
  )
  const response = await receiver.fetch(request)
  assert.is(response.status, 400)
  assert.equal(await response.json(), { error: 'invalid_payload', details: [{ path: '', message: 'body ended before its declared length' }] })
  assert.equal(events, ['rejected invalid_payload'])
})

test('chunks are joined in order', async () => {
  const parts = ['dc=', 'Credit', '&x=1']
  const request = streamRequest({ pull: (c) => void (parts.length > 0 ? c.enqueue(new TextEncoder().encode(parts.shift())) : c.close()) })
  const result = await readRequestBody(request, 100)
  assert.is(E.isRight(result) && new TextDecoder().decode(result.right), 'dc=Credit&x=1')
})

test.run()
