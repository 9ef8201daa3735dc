import { parseBody, parseContentType } from '@banksocket-webhooks/core/runtime-kit'
import { vectors } from '@banksocket-webhooks/test-support/vectors'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ENCODINGS, type Encoding, encodeNotification } from '../src/index.ts'

const utf8 = new TextEncoder()

const roundTrip = (fields: Readonly<Record<string, string>>, encoding: Encoding) => {
  const { body, contentType } = encodeNotification(fields, encoding)
  // parseBody builds null-prototype records; spread them into plain objects to compare
  return E.map((parsed: object) => ({ ...parsed }))(parseBody(typeof body === 'string' ? utf8.encode(body) : body, contentType))
}

test('every vector parses back to the same fields in every encoding', () => {
  for (const c of vectors.cases) {
    for (const encoding of ENCODINGS) assert.equal(roundTrip(c.fields, encoding), E.right(c.fields), `${c.name} ${encoding}`)
  }
})

test('content types name the encoding; multipart carries a boundary', () => {
  assert.is(encodeNotification({ a: 'b' }, 'form').contentType, 'application/x-www-form-urlencoded')
  assert.is(encodeNotification({ a: 'b' }, 'json').contentType, 'application/json')
  const multipart = parseContentType(encodeNotification({ a: 'b' }, 'multipart').contentType)
  assert.is(multipart.mediaType, 'multipart/form-data')
  assert.match(multipart.params['boundary'] ?? '', /^----BanksocketFormBoundary[0-9a-f]{32}$/)
})

test('the multipart boundary is random per body', () => {
  const boundaries = new Set(Array.from({ length: 20 }, () => encodeNotification({ a: 'b' }, 'multipart').contentType))
  assert.is(boundaries.size, 20)
})

test('multipart writes raw UTF-8 values and a closing delimiter', () => {
  const { body, contentType } = encodeNotification({ description: 'FATURA ÖDEMESİ' }, 'multipart')
  const boundary = parseContentType(contentType).params['boundary'] ?? ''
  assert.ok(body instanceof Uint8Array)
  assert.is(
    new TextDecoder().decode(body as Uint8Array),
    `--${boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\nFATURA ÖDEMESİ\r\n--${boundary}--\r\n`,
  )
})

test('multipart survives values with CRLF, dashes, quotes and the boundary prefix', () => {
  const fields = {
    description: 'line one\r\n--line two\r\n\r\n"quoted"; name="x"',
    bank: '----BanksocketFormBoundary',
    empty: '',
  }
  assert.equal(roundTrip(fields, 'multipart'), E.right(fields))
})

test('multipart escapes quotes and line breaks in field names, as browsers do', () => {
  const { body } = encodeNotification({ 'a"b\r\nc': 'v' }, 'multipart')
  assert.ok(new TextDecoder().decode(body as Uint8Array).includes('name="a%22b%0D%0Ac"'))
})

test('an unknown encoding from an untyped caller is a TypeError', () => {
  assert.throws(
    () => encodeNotification({}, 'xml' as Encoding),
    (e: unknown) => e instanceof TypeError && /form, json, multipart/.test(e.message),
  )
})

const fieldName = fc.constantFrom('dc', 'code', 'amount', 'balance', 'currency', 'description', 'account', 'bank', 'opponent_iban')
const unicodeFields = fc.dictionary(fieldName, fc.string({ unit: 'binary', maxLength: 80 }), { noNullPrototype: true })

for (const encoding of ENCODINGS) {
  test(`property: ${encoding} round-trips arbitrary Unicode values through core's parseBody`, () => {
    fc.assert(
      fc.property(unicodeFields, (fields) => {
        assert.equal(roundTrip(fields, encoding), E.right(fields))
      }),
      { numRuns: 300 },
    )
  })
}

test('property: form and multipart round-trip arbitrary Unicode field names too', () => {
  const names = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((n) => !/["\r\n;]/.test(n) && n !== '__proto__')
  fc.assert(
    fc.property(fc.dictionary(names, fc.string({ unit: 'binary', maxLength: 20 }), { noNullPrototype: true }), (fields) => {
      assert.equal(roundTrip(fields, 'form'), E.right(fields))
      assert.equal(roundTrip(fields, 'multipart'), E.right(fields))
    }),
    { numRuns: 200 },
  )
})

test.run()
