/**
 * References made of digits only (`1042`), which many shops use: only the number 1042 written as
 * one run of digits, standing alone, names them. Never its digits inside a longer number
 * (`10421`, `1042.50`, `1042,50`, `1/042`, `10.42`), nor split by separators (`10 42`,
 * `tel 0532 104 2`). Full-width digits and hyphen variants count as their ASCII forms.
 */
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { findReferences, mentions } from '../src/index.ts'
import { numberOracle } from './support/oracle.ts'

// ---------------------------------------------------------------------------------------------
// The wrong matches of the report, and the right ones

test('the reported wrong matches: "10.42", "ODEME 1042.50 TL", "1/042" and "tel 0532 104 2" do not name 1042', () => {
  for (const description of ['10.42', 'ODEME 1042.50 TL', '1/042', 'tel 0532 104 2']) assert.not.ok(mentions(description, '1042'), description)
})

test('1042 standing alone names 1042: "SIPARIS 1042 ODEME", "1042", "NO:1042,"', () => {
  for (const description of ['SIPARIS 1042 ODEME', '1042', 'NO:1042,', 'sipariş no 1042.', '(1042)', '#1042', 'SN:901 FAST GELEN 1042 ödemesi']) {
    assert.ok(mentions(description, '1042'), description)
  }
})

test('part of a longer number is not 1042: a decimal with a comma, a date, a time, a range, a longer run', () => {
  for (const description of [
    'ODEME 1042,50 TL',
    '1.042,50',
    '12/1042',
    '1042/2019',
    '10:42',
    '12:1042',
    '1042-1',
    '2019-1042',
    '1042_1',
    '10421',
    '01042',
  ]) {
    assert.not.ok(mentions(description, '1042'), description)
  }
})

test('only digits and separators around it: a letter glued to 1042 makes another token, white space does not join numbers', () => {
  for (const description of ['SIP1042', '1042TL', 'NO1042']) assert.not.ok(mentions(description, '1042'), description)
  for (const description of ['1042 1 ADET', 'ODEME 1500 TL 1042', '1042. 50 TL', 'x-1042', '1042.-', '1042,-', 'no.1042']) {
    assert.ok(mentions(description, '1042'), description)
  }
})

test('full-width digits and hyphen variants are read as ASCII', () => {
  assert.ok(mentions('ＳＩＰＡＲＩＳ １０４２ ＯＤＥＭＥ', '1042'))
  assert.ok(mentions('１０４２', '1042'))
  assert.ok(mentions('SIPARIS 1042 ODEME', '１０４２'), 'a reference given in full-width digits has the key 1042')
  assert.not.ok(mentions('１０．４２', '1042'))
  assert.not.ok(mentions('1042–1', '1042'), 'an en dash joins numbers like "-"')
  assert.not.ok(mentions('2019—1042', '1042'), 'so does an em dash')
})

test('the key decides: a reference given with separators whose key is digits only is named by the number alone', () => {
  assert.ok(mentions('SIPARIS 1042', '10-42'))
  assert.not.ok(mentions('SIPARIS 10-42', '10-42'))
})

test('references with a letter keep the token rule: separators inside them do not matter', () => {
  for (const description of ['SIP-1042', 'sip 1042', 'SİP1042', 'SIP–1042', 'ＳＩＰ１０４２', 'SIP1042.50']) {
    assert.ok(mentions(description, 'SİP1042'), description)
  }
})

test('a credit naming order 50 and its amount 1042.50 is for order 50 only, even when order 1042 exists', () => {
  const open = new Set(['1042', '50'])
  assert.equal(
    findReferences('SIPARIS 50 ODEME 1042.50 TL', (k) => open.has(k)),
    ['50'],
  )
  assert.equal(
    findReferences('SIPARIS 1042 VE 50', (k) => open.has(k)),
    ['1042', '50'],
  )
})

// ---------------------------------------------------------------------------------------------
// Laws

const DIGITS = [...'0123456789']
const JOINERS = ['.', ',', '/', ':', '-', '_']
const fullWidth = (ch: string): string => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)

const digits = (minLength: number, maxLength = 8) => fc.array(fc.constantFrom(...DIGITS), { minLength, maxLength }).map((ds) => ds.join(''))
/** A digits-only key, from 1 to 8 digits. */
const digitKey = digits(1)

/** How a customer may write a run of digits: each digit in ASCII or full width. */
const written = (run: string) =>
  fc
    .array(fc.boolean(), { minLength: run.length, maxLength: run.length })
    .map((wide) => [...run].map((d, i) => (wide[i] ? fullWidth(d) : d)).join(''))

/** Any text: letters (Turkish too), digits, separators, joiners, punctuation. */
const text = fc.string({ unit: fc.constantFrom(...'SIPARŞİıöçğü', ...DIGITS, ' ', ...JOINERS, '#', '(', ')', 'x'), maxLength: 12 })
/** Text with no digit, so that no number of its own can be the key. */
const noDigits = fc.string({ unit: fc.constantFrom(...'SIPARŞİıöçğü', ' ', ...JOINERS, '#', '(', ')', 'x', '\t'), maxLength: 8 })

/**
 * What may stand right before a number that stands alone: the start of the description, or text
 * ending in neither a letter nor a digit, and not in a joiner right after a digit.
 */
const aloneBefore = fc.oneof(
  fc.constant(''),
  fc.tuple(text, fc.constantFrom(' ', '(', '#', ' -', ' /', '\t', ': ', 'NO:', 'NO.', 'ödeme #', 'x-', '"', '\u3000')).map(([t, b]) => `${t}${b}`),
)
/** What may stand right after it: the end, a joiner that ends the description, or no joiner followed by a digit. */
const aloneAfter = fc.oneof(
  fc.constantFrom('', '.', ',', ':', '-', '/'),
  fc.tuple(fc.constantFrom(' ', ')', ', ', '. ', '.x', ',-', ' TL', '-x', '/ay', ': ', '"', '\t', '–ş'), text).map(([b, t]) => `${b}${t}`),
)

test('law: a digits-only reference is named whenever its digits stand alone, in ASCII or full width', () => {
  fc.assert(
    fc.property(
      digitKey.chain((k) => fc.tuple(fc.constant(k), written(k), aloneBefore, aloneAfter)),
      ([k, run, before, after]) => {
        const description = `${before}${run}${after}`
        assert.ok(findReferences(description, (x) => x === k).includes(k), `"${description}" names ${k}`)
      },
    ),
    { numRuns: 500 },
  )
})

test('law: a digits-only reference is never named by its digits inside a longer digit run, or joined to another number', () => {
  const longer = (k: string) =>
    fc.oneof(
      // Inside a longer run of digits: "10421", "01042", "9104233".
      fc
        .tuple(digits(0, 3), digits(0, 3))
        .filter(([p, q]) => p.length + q.length > 0)
        .map(([p, q]) => [p, k, q] as const),
      // Joined by a joiner to a number before or after it: "1042.50", "1042,50", "12/1042", "10:1042", "2019-1042".
      fc.tuple(digits(1, 3), fc.constantFrom(...JOINERS, '–', '．', '／')).map(([n, j]) => [`${n}${j}`, k, ''] as const),
      fc.tuple(digits(1, 3), fc.constantFrom(...JOINERS, '—', '，', '－')).map(([n, j]) => ['', k, `${j}${n}`] as const),
    )
  fc.assert(
    fc.property(
      digitKey.chain((k) => fc.tuple(fc.constant(k), longer(k), noDigits, noDigits)),
      ([k, [p, run, q], before, after]) => {
        const description = `${before}${p}${run}${q}${after}`
        assert.equal(
          findReferences(description, (x) => x === k),
          [],
          `"${description}" does not name ${k}`,
        )
      },
    ),
    { numRuns: 500 },
  )
})

test('law: a digits-only reference is never named by its digits split by separators ("10.42", "1/042", "104 2")', () => {
  const separator = fc.constantFrom(' ', '  ', '-', '/', '.', '_', '\t', '–', '—', '−', '．', '\u3000')
  const split = (k: string) =>
    fc
      .tuple(
        written(k),
        fc
          .array(fc.option(separator, { nil: '' }), { minLength: k.length - 1, maxLength: k.length - 1 })
          .filter((seps) => seps.some((s) => s !== '')),
      )
      .map(([run, seps]) => [...run].map((d, i) => (i === 0 ? d : `${seps[i - 1] ?? ''}${d}`)).join(''))
  fc.assert(
    fc.property(
      digits(2).chain((k) => fc.tuple(fc.constant(k), split(k), noDigits, noDigits)),
      ([k, typed, before, after]) => {
        const description = `${before}${typed}${after}`
        assert.equal(
          findReferences(description, (x) => x === k),
          [],
          `"${description}" does not name ${k}`,
        )
      },
    ),
    { numRuns: 500 },
  )
})

test('law: for digits-only keys, findReferences agrees with the rule as a regular expression', () => {
  const piece = (k: string) =>
    fc.oneof(written(k), written(k), digits(1, 4), fc.constantFrom(...JOINERS, ' ', ' ', '–', '．', '，', 'SIPARIŞ ', 'TL', 'NO:', '#', 'ödeme', 'x'))
  fc.assert(
    fc.property(
      digitKey.chain((k) => fc.tuple(fc.constant(k), fc.array(piece(k), { maxLength: 8 }))),
      ([k, pieces]) => {
        const description = pieces.join('')
        assert.is(findReferences(description, (x) => x === k).includes(k), numberOracle(description, k), `"${description}" and ${k}`)
      },
    ),
    { numRuns: 1000 },
  )
})

test.run()
