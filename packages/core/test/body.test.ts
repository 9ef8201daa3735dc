import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createBodyParser, parseBody } from '../src/body.ts'
import { parseContentType } from '../src/content-type.ts'
import { MAX_FIELDS } from '../src/fields.ts'
import { encodeForm, type Rejection } from '../src/index.ts'
import { MAX_JSON_DEPTH } from '../src/json-body.ts'

const FORM = 'application/x-www-form-urlencoded'
const bytes = (s: string) => new TextEncoder().encode(s)
// One parser for the whole file, as one inbox has one: what it remembers from body to body is
// exercised by every test (`parseBody`, which remembers nothing, by the property tests at the end).
const parser = createBodyParser()
const parse = (body: string | Uint8Array, ct: string | null) => parser(typeof body === 'string' ? bytes(body) : body, ct)
const rec = (o: Record<string, unknown>) => Object.assign(Object.create(null), o) as Record<string, unknown>
const leftTag = (r: E.Either<Rejection, unknown>) => (E.isLeft(r) ? r.left._tag : 'right')
const problemPath = (r: E.Either<Rejection, unknown>) => (E.isLeft(r) && r.left._tag === 'invalid_payload' ? r.left.details[0]?.path : undefined)

test('form: plus is a space and percent escapes are UTF-8', () => {
  assert.equal(parse('dc=Credit&description=FATURA+%C3%96DEMES%C4%B0+%25', FORM), E.right(rec({ dc: 'Credit', description: 'FATURA ÖDEMESİ %' })))
})

test('form: unescaped UTF-8 bytes and an empty value are read as they are', () => {
  assert.equal(parse('account=Kadıköy&opponent_iban=&x', FORM), E.right(rec({ account: 'Kadıköy', opponent_iban: '', x: '' })))
})

test('form: the charset parameter is honoured (ISO-8859-9, Turkish)', () => {
  // 0xDD is İ and 0xDE is Ş in ISO-8859-9
  assert.equal(parse('description=%DDSTANBUL+%DE', `${FORM}; charset=ISO-8859-9`), E.right(rec({ description: 'İSTANBUL Ş' })))
})

test('form: an unknown charset is unsupported_media_type', () => {
  assert.is(leftTag(parse('a=b', `${FORM}; charset=klingon`)), 'unsupported_media_type')
})

test('form: a field sent twice is invalid_payload naming the field', () => {
  const r = parse('amount=1.00&amount=2.00', FORM)
  assert.is(leftTag(r), 'invalid_payload')
  assert.is(problemPath(r), 'amount')
})

test('form: a documented field name is the same field however it is spelt, and only when spelt exactly', () => {
  assert.equal(parse('%61mount=1.00&dc=Credit', FORM), E.right(rec({ amount: '1.00', dc: 'Credit' })))
  assert.equal(problemPath(parse('amount=1.00&%61mount=2.00', FORM)), 'amount')
  assert.equal(problemPath(parse('%61mount=1.00&amount=2.00', FORM)), 'amount')
  assert.equal(parse('amounts=1&amoun=2&Amount=3&hash+=4', FORM), E.right(rec({ amounts: '1', amoun: '2', Amount: '3', 'hash ': '4' })))
})

test('form: malformed percent escapes and invalid UTF-8 are invalid_payload', () => {
  assert.is(leftTag(parse('description=%zz', FORM)), 'invalid_payload')
  assert.is(leftTag(parse('description=%C3', FORM)), 'invalid_payload')
  assert.is(leftTag(parse('description=abc%', FORM)), 'invalid_payload')
  assert.is(leftTag(parse(new Uint8Array([0x61, 0x3d, 0xff, 0xfe]), FORM)), 'invalid_payload')
})

test('form: more than MAX_FIELDS fields is invalid_payload', () => {
  const body = Array.from({ length: MAX_FIELDS + 1 }, (_, i) => `f${i}=1`).join('&')
  assert.is(leftTag(parse(body, FORM)), 'invalid_payload')
  assert.is(leftTag(parse(Array.from({ length: 100_000 }, (_, i) => `f${i}`).join('&'), FORM)), 'invalid_payload')
})

test('form: a field named __proto__ is an ordinary field, and the record inherits nothing', () => {
  const r = parse('__proto__=x&constructor=y', FORM)
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.is(r.right['__proto__'], 'x')
    assert.is(r.right['constructor'], 'y')
    assert.is(r.right['toString'], undefined)
    assert.is(r.right['hasOwnProperty'], undefined)
    assert.equal(Object.keys(r.right), ['__proto__', 'constructor'])
    const prototype = Object.getPrototypeOf(r.right) as object
    assert.equal(Reflect.ownKeys(prototype), [])
    assert.is(Object.getPrototypeOf(prototype), null)
  }
})

const multipart = (boundary: string, parts: ReadonlyArray<readonly [string, string]>, closing = true) =>
  parts.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join('') +
  (closing ? `--${boundary}--\r\n` : '')

test('multipart: fields are read in UTF-8, boundary quoted or not', () => {
  const body = multipart('XyZ', [
    ['dc', 'Debit'],
    ['description', 'FATURA ÖDEMESİ\r\nikinci satır'],
  ])
  const expected = E.right(rec({ dc: 'Debit', description: 'FATURA ÖDEMESİ\r\nikinci satır' }))
  assert.equal(parse(body, 'multipart/form-data; boundary=XyZ'), expected)
  assert.equal(parse(body, 'multipart/form-data; boundary="XyZ"'), expected)
})

test('multipart: missing boundary, truncated body and duplicate fields are invalid_payload', () => {
  assert.is(leftTag(parse(multipart('b', [['dc', 'Credit']]), 'multipart/form-data')), 'invalid_payload')
  assert.is(leftTag(parse(multipart('b', [['dc', 'Credit']], false), 'multipart/form-data; boundary=b')), 'invalid_payload')
  assert.is(leftTag(parse('--b\r\nContent-Disposition: form-data; name="dc"\r\n\r\nCre', 'multipart/form-data; boundary=b')), 'invalid_payload')
  const dup = parse(
    multipart('b', [
      ['dc', 'Credit'],
      ['dc', 'Debit'],
    ]),
    'multipart/form-data; boundary=b',
  )
  assert.is(problemPath(dup), 'dc')
})

test('json: string values are fields; a number where a string belongs is kept for the codec to name', () => {
  assert.equal(parse('{"dc":"Credit","amount":100}', 'application/json'), E.right(rec({ dc: 'Credit', amount: 100 })))
})

test('json: a leading byte order mark is tolerated; a form value keeps an escaped one', () => {
  assert.equal(parse(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"dc":"Credit"}')]), 'application/json'), E.right(rec({ dc: 'Credit' })))
  assert.equal(parse('description=%EF%BB%BFx', FORM), E.right(rec({ description: '\ufeffx' })))
})

test('json: duplicate top-level keys are invalid_payload, nested duplicates are not our business', () => {
  const r = parse('{"amount":"1.00","x":{"a":1,"a":2},"amount":"2.00"}', 'application/json; charset=utf-8')
  assert.is(problemPath(r), 'amount')
  assert.ok(E.isRight(parse('{"x":{"a":1,"a":2},"y":"\\"amount\\""}', 'application/json')))
})

test('json: arrays, null, scalars, invalid JSON and deep nesting are invalid_payload, never a throw', () => {
  for (const body of ['[]', 'null', '"x"', '{', '{"a":}', '['.repeat(100_000), `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`]) {
    assert.is(leftTag(parse(body, 'application/json')), 'invalid_payload', body.slice(0, 20))
  }
})

test('json: nesting up to MAX_JSON_DEPTH is parsed, one level more is refused; brackets in strings do not count', () => {
  const nested = (levels: number) => `{"dc":"Credit","x":${'['.repeat(levels - 1)}1${']'.repeat(levels - 1)}}`
  assert.ok(E.isRight(parse(nested(MAX_JSON_DEPTH), 'application/json')))
  assert.equal(
    parse(nested(MAX_JSON_DEPTH + 1), 'application/json'),
    E.left({ _tag: 'invalid_payload', details: [{ path: '', message: `JSON body nested deeper than ${MAX_JSON_DEPTH} levels` }] }),
  )
  assert.ok(E.isRight(parse(`{"description":"${'['.repeat(1000)}\\"{"}`, 'application/json')))
})

test('other or missing content types are unsupported_media_type', () => {
  for (const ct of [null, '', 'text/plain', 'application/xml', 'application/jsonx', 'multipart/mixed; boundary=a']) {
    assert.is(leftTag(parse('a=b', ct)), 'unsupported_media_type', String(ct))
  }
  assert.is(leftTag(parse('{"a":"b"}', 'Application/JSON ; charset="UTF-8"')), 'right')
})

test('parseContentType lowercases names and unquotes values', () => {
  assert.equal(parseContentType('Multipart/Form-Data; Boundary="a\\"b"; charset=utf-8'), {
    mediaType: 'multipart/form-data',
    params: Object.assign(Object.create(null), { boundary: 'a"b', charset: 'utf-8' }),
  })
})

test('a semicolon or escaped quote inside a quoted parameter belongs to the value', () => {
  assert.equal(parseContentType('form-data; name="a;b\\"c"; filename=x').params, Object.assign(Object.create(null), { name: 'a;b"c', filename: 'x' }))
  const body = '--b\r\nContent-Disposition: form-data; name="odd;name"\r\n\r\nv\r\n--b--\r\n'
  assert.equal(parse(body, 'multipart/form-data; boundary=b'), E.right(rec({ 'odd;name': 'v' })))
})

const unicodeText = fc.string({ unit: 'grapheme', maxLength: 30 })

test('property: form encode then parse round-trips arbitrary Unicode fields', () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        unicodeText.filter((k) => k !== ''),
        unicodeText,
        { maxKeys: 12 },
      ),
      (fields) => {
        const r = parse(encodeForm(fields), FORM)
        assert.equal(r, E.right(Object.assign(Object.create(null), fields)))
      },
    ),
    { numRuns: 500 },
  )
})

/** A piece of a urlencoded UTF-8 value: plain text, `+`, a percent-escape of any byte, or a broken escape. */
const valuePiece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 4 }).map((s) => s.replaceAll('&', '')),
  fc.constantFrom('+', '%', '%2', '%zz', '%C3', '%C3%', '%ED%A0%80', '%F4%90%80%80', '%C0%AF', '%E2%82%AC', '%F0%9F%98%80'),
  fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`),
  fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`),
)

test('property: a UTF-8 form value decodes exactly as decodeURIComponent does, and is refused where it throws', () => {
  fc.assert(
    fc.property(fc.array(valuePiece, { maxLength: 12 }), (pieces) => {
      const raw = pieces.join('')
      let expected: string | undefined
      try {
        expected = decodeURIComponent(raw.replaceAll('+', ' '))
      } catch {
        expected = undefined
      }
      const r = parse(`v=${raw}`, FORM)
      if (expected === undefined) assert.is(leftTag(r), 'invalid_payload')
      else assert.equal(r, E.right(rec({ v: expected })))
    }),
    { numRuns: 3000, seed: 20261123 },
  )
})

test('property: a long plain run before the first escape (a base64 hash ending in %3D) decodes as decodeURIComponent does', () => {
  const plain = fc.string({ unit: 'grapheme', minLength: 12, maxLength: 40 }).map((s) => s.replace(/[&=+%]/g, 'x'))
  fc.assert(
    fc.property(plain, fc.array(valuePiece, { maxLength: 6 }), (run, pieces) => {
      const raw = `${run}${pieces.join('')}`
      let expected: string | undefined
      try {
        expected = decodeURIComponent(raw.replaceAll('+', ' '))
      } catch {
        expected = undefined
      }
      const r = parse(`v=${raw}&w=${raw}`, FORM)
      if (expected === undefined) assert.is(leftTag(r), 'invalid_payload')
      else assert.equal(r, E.right(rec({ v: expected, w: expected })))
    }),
    { numRuns: 2000, seed: 20261206 },
  )
  const hash = 'ZTc2ODMyMmEzNDNlNGNkOTQxMzhhOTE4MDNiZWRkNTQ0NWRjZjU2YTU2MmFkMzU0MjMxMTBhZDMwYmYwZWRhMQ'
  assert.equal(parse(`hash=${hash}%3D%3D`, FORM), E.right(rec({ hash: `${hash}==` })))
})

test('property: values decoded before (account, bank: remembered per field) decode the same every time, whatever came in between', () => {
  // a small pool, so values repeat; lengths that collide in the remembered slots (by length) included
  const pool = fc.constantFrom(
    'Kadıköy İşbank TL Hesabı',
    'Kadıköy İşbank TL Hesabi',
    'Türkiye İş Bankası A.Ş.',
    'Türkiye İş Bankası A.Ş',
    'ÇAĞLAR',
    'çağlar',
    'a+b',
    '%',
    'x'.repeat(300),
  )
  fc.assert(
    fc.property(fc.array(fc.record({ account: pool, bank: pool, opponent_iban: pool }), { minLength: 1, maxLength: 30 }), (bodies) => {
      for (const fields of bodies) assert.equal(parse(encodeForm(fields), FORM), E.right(rec(fields)))
    }),
    { numRuns: 300, seed: 20261206 },
  )
  // a malformed escape is refused every time, never remembered
  for (let i = 0; i < 3; i++) assert.is(leftTag(parse('account=%C4%B1%C3', FORM)), 'invalid_payload')
  assert.equal(parse('account=Kad%C4%B1k%C3%B6y', FORM), E.right(rec({ account: 'Kadıköy' })))
  assert.equal(parse('account=Kad%C4%B1k%C3%B6y', `${FORM}; charset=iso-8859-9`), E.right(rec({ account: 'KadÄ±kÃ¶y' })))
})

test('form: a long value made of escapes is decoded whole', () => {
  const value = 'ş'.repeat(20_000)
  const r = parse(encodeForm({ v: value }), FORM)
  assert.ok(E.isRight(r) && r.right['v'] === value)
})

const contentTypes = fc.oneof(
  fc.constantFrom(FORM, `${FORM}; charset=utf-8`, 'application/json', 'multipart/form-data; boundary=b', 'multipart/form-data', 'text/plain', ''),
  fc.string(),
)

test('property: the parser never throws on arbitrary bytes and content types', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), contentTypes, (body, ct) => {
      const r = parseBody(body, ct)
      assert.ok(E.isLeft(r) || E.isRight(r))
    }),
    { numRuns: 2000 },
  )
})

test('property: the parser never throws on structured-looking hostile text', () => {
  const piece = fc.constantFrom(
    '--b',
    '\r\n',
    '\r\n\r\n',
    'Content-Disposition: form-data; name="x"',
    '%',
    '%C3',
    '=',
    '&',
    '+',
    '{',
    '}',
    '"',
    ':',
    ',',
    '[',
    ']',
    '\\',
    'é',
    '\u0000',
  )
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), contentTypes, (pieces, ct) => {
      const r = parseBody(bytes(pieces.join('')), ct)
      assert.ok(E.isLeft(r) || E.isRight(r))
    }),
    { numRuns: 2000 },
  )
})

test.run()
