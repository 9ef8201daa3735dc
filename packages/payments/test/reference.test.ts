import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { findReferences, foldTurkish, mentions, referenceKey } from '../src/index.ts'
import { isDigitsOnly, oracle } from './support/oracle.ts'

// ---------------------------------------------------------------------------------------------
// The examples of the issue and of the module notes

test('"SIP-1042", "sip 1042" and "SİP1042" name SİP1042; "SIP10421" does not', () => {
  for (const description of ['SIP-1042', 'sip 1042', 'SİP1042']) assert.ok(mentions(description, 'SİP1042'), description)
  assert.not.ok(mentions('SIP10421', 'SİP1042'))
})

test('folding: Turkish-aware upper case, then Ş Ğ İ Ö Ü Ç to ASCII', () => {
  assert.is(foldTurkish('Sipariş ödemesi ığdır'), 'SIPARIS ODEMESI IGDIR')
  assert.is(foldTurkish('ŞĞİÖÜÇ şğiöüç ıI'), 'SGIOUC SGIOUC II')
  // i is upper-cased the Turkish way (İ, then I); ı is I: both fold to I, as customers mix them.
  assert.is(foldTurkish('i'), 'I')
  assert.is(foldTurkish('ı'), 'I')
  // A decomposed İ (I + combining dot) is composed first; a decomposed i̇ loses the leftover dot.
  assert.is(foldTurkish('I\u0307'), 'I')
  assert.is(foldTurkish('i\u0307'), 'I')
  assert.is(foldTurkish('SN:276689 TEST BANKA HAREKETİ AÇIKLAMASI ARALIK/2019'), 'SN:276689 TEST BANKA HAREKETI ACIKLAMASI ARALIK/2019')
})

test('a reference key is its folded letters and digits; other characters are refused with the reason', () => {
  assert.equal(referenceKey('SİPARİŞ 1042'), E.right('SIPARIS1042'))
  assert.equal(referenceKey('sip-1042'), E.right('SIP1042'))
  assert.equal(referenceKey(' müşteri / 7 . a_b '), E.right('MUSTERI7AB'))
  const hash = referenceKey('#1042')
  assert.ok(E.isLeft(hash) && hash.left._tag === 'InvalidReference' && hash.left.reference === '#1042' && hash.left.reason.includes('"#"'))
  const empty = referenceKey(' - ')
  assert.ok(E.isLeft(empty) && empty.left.reason === 'has no letter or digit')
})

test('whole tokens only: a longer token, before or after, is another reference', () => {
  assert.not.ok(mentions('XSIP1042', 'SIP1042'))
  assert.not.ok(mentions('SIP1042A', 'SIP1042'))
  assert.not.ok(mentions('SIP 10421', 'SIP1042'))
  assert.not.ok(mentions('ASIP-1042', 'SIP1042'))
  assert.ok(mentions('SN:5 SİP1042 ödeme', 'SIP1042'), 'punctuation is a token boundary')
  assert.ok(mentions('(sip1042)', 'SIP1042'))
  assert.ok(mentions('SIPARIS 1042 1 ADET', 'SİPARİŞ 1042'), 'a separator ends the reference')
})

test('separators end tokens: "SIP1042-1" names both SIP1042 and SIP10421', () => {
  const keys = new Set(['SIP1042', 'SIP10421'])
  assert.equal(
    findReferences('SIP1042-1', (k) => keys.has(k)),
    ['SIP1042', 'SIP10421'],
  )
})

test('findReferences lists each named key once, in order of first appearance, within maxKeyLength', () => {
  const open = new Set(['SIP1043', 'SIP1042', 'A'])
  assert.equal(
    findReferences('SN:9 sip-1042 ve SİP 1043 ödemesi, tekrar SIP1042', (k) => open.has(k)),
    ['SIP1042', 'SIP1043'],
  )
  assert.equal(
    findReferences('SIP1042', (k) => open.has(k), 3),
    [],
  )
  assert.equal(
    findReferences('', (k) => open.has(k)),
    [],
  )
  assert.equal(
    findReferences('a b', (k) => open.has(k)),
    ['A'],
  )
})

test('the forms phones produce fold like ASCII: full-width letters and digits, en and em dashes, the minus sign', () => {
  assert.is(foldTurkish('ＳＩＰ–１０４２'), 'SIP-1042')
  assert.is(foldTurkish('ｓｉｐａｒｉş—１０４２'), 'SIPARIS-1042')
  assert.is(foldTurkish('SIP\u2212\u30001042'), 'SIP- 1042')
  for (const description of ['SIP–1042', 'SIP—1042', 'SIP−1042', 'ＳＩＰ１０４２', 'ｓｉｐ－１０４２', 'SIP１０４２']) {
    assert.ok(mentions(description, 'SİP1042'), description)
  }
  assert.equal(referenceKey('SİP–1042'), E.right('SIP1042'))
  assert.equal(referenceKey('ＳＩＰ１０４２'), E.right('SIP1042'))
})

test('an invalid reference is named by nothing', () => {
  assert.not.ok(mentions('#1042', '#1042'))
})

// ---------------------------------------------------------------------------------------------
// Laws

const KEY_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789']
/** How a customer may type each folded character. */
const VARIANTS: Readonly<Record<string, readonly string[]>> = {
  I: ['I', 'i', 'ı', 'İ', 'I\u0307'],
  S: ['S', 's', 'Ş', 'ş'],
  G: ['G', 'g', 'Ğ', 'ğ'],
  O: ['O', 'o', 'Ö', 'ö'],
  U: ['U', 'u', 'Ü', 'ü'],
  C: ['C', 'c', 'Ç', 'ç'],
}
const variantsOf = (ch: string): readonly string[] => VARIANTS[ch] ?? [ch, ch.toLowerCase()]

const key = fc.array(fc.constantFrom(...KEY_CHARS), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''))
/** A key with a letter in it: separators inside it do not matter (a key of digits only is one number, see numeric-reference.test.ts). */
const letterKey = key.filter((k) => !isDigitsOnly(k))
const separators = fc.constantFrom('', '', '', ' ', '-', '/', '.', '_', '  ', ' - ', '\t')

/** One way of typing `key`: each character in one of its variants, separators between them. */
const typed = (k: string, withSeparators: boolean) =>
  fc
    .tuple(
      fc.tuple(...Array.from(k).map((ch) => fc.constantFrom(...variantsOf(ch)))),
      fc.array(withSeparators ? separators : fc.constant(''), { minLength: k.length, maxLength: k.length }),
    )
    .map(([chars, seps]) => chars.map((ch, i) => (i === 0 ? ch : `${seps[i] ?? ''}${ch}`)).join(''))

const boundaryBefore = fc.constantFrom('', ' ', 'SN:276689 ', 'ödeme #', '(', 'x-', 'ali/')
const boundaryAfter = fc.constantFrom('', ' ', ' ödemesi', ')', ', teşekkürler', '-1', '/2019')
const glue = fc.array(fc.constantFrom(...KEY_CHARS, 'ş', 'ı', 'ö', 'ç', 'ü', 'ğ', 'é', '٣'), { minLength: 1, maxLength: 3 }).map((cs) => cs.join(''))

test('law: however a reference with a letter is typed (case, Turkish letters, separators), it is named in a description', () => {
  fc.assert(
    fc.property(
      letterKey.chain((k) => fc.tuple(fc.constant(k), typed(k, true), boundaryBefore, boundaryAfter)),
      ([k, rendering, before, after]) => {
        assert.equal(referenceKey(rendering), E.right(k), `"${rendering}" is a reference with the key ${k}`)
        assert.ok(findReferences(`${before}${rendering}${after}`, (x) => x === k).includes(k))
      },
    ),
  )
})

/** Contexts with no letter or digit, so that nothing in them can be a token of their own. */
const bareBefore = fc.constantFrom('', ' ', ':', '(', '#', '-', ' / ', '. ')
const bareAfter = fc.constantFrom('', ' ', ')', ',', '-', '/', ' . ')

test('law: folding never lets a reference match a longer token', () => {
  fc.assert(
    fc.property(
      key.chain((k) => fc.tuple(fc.constant(k), typed(k, false), typed(k, true), glue, fc.option(glue, { nil: '' }), bareBefore, bareAfter)),
      ([k, solid, spaced, x, y, before, after]) => {
        const is = (candidate: string) => candidate === k
        // Glued on either side of a reference typed as one token: "XSIP1042", "SIP1042X", "XSIP1042Y".
        assert.equal(findReferences(`${before}${x}${solid}${y}${after}`, is), [])
        assert.equal(findReferences(`${before}${solid}${x}${after}`, is), [])
        // Glued in front of a reference typed with separators: its first part is a longer token,
        // unless the glue completes the reference itself ("J" + "J/J" is "JJ/J", whose first token
        // is the key "JJ": a real match, which the oracle law below checks).
        const glued = `${before}${x}${spaced}${after}`
        if (!oracle(glued, k)) assert.equal(findReferences(glued, is), [])
      },
    ),
    { numRuns: 500 },
  )
})

test('law: findReferences agrees with the rules as regular expressions', () => {
  const piece = (k: string) => fc.oneof(typed(k, true), glue, separators, fc.constantFrom(':', '#', ' ', ',', 'SN:1', 'ödemesi'))
  fc.assert(
    fc.property(
      key.chain((k) => fc.tuple(fc.constant(k), fc.array(piece(k), { maxLength: 8 }))),
      ([k, pieces]) => {
        const description = pieces.join('')
        assert.is(findReferences(description, (x) => x === k).includes(k), oracle(description, k), `"${description}" and ${k}`)
      },
    ),
    { numRuns: 500 },
  )
})

const HYPHEN_VARIANTS = ['\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE58', '\uFE63']
/** The ways a phone may give one character: itself, its full-width form, any hyphen variant for "-", the ideographic space for " ". */
const phoneFormsOf = (ch: string): readonly string[] => {
  const code = ch.charCodeAt(0)
  const wide = code >= 0x21 && code <= 0x7e ? [String.fromCharCode(code + 0xfee0)] : []
  return [ch, ...wide, ...(ch === '-' ? HYPHEN_VARIANTS : []), ...(ch === ' ' ? ['\u3000'] : [])]
}
/** Text as a phone may give it: each character in one of its forms. */
const onPhone = (text: string) =>
  text === '' ? fc.constant('') : fc.tuple(...Array.from(text).map((ch) => fc.constantFrom(...phoneFormsOf(ch)))).map((cs) => cs.join(''))

test('law: full-width and hyphen variants of a description name exactly what its ASCII form names', () => {
  const digitKey = fc.array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: 5 }).map((ds) => ds.join(''))
  const description = (keys: readonly string[]) =>
    fc
      .array(
        fc.oneof(
          ...keys.map((k) => typed(k, true)),
          fc.constantFrom(...keys),
          fc.constantFrom(' ', ' ', '-', '.', ',', '/', ':', 'SN:9 ', '1042.50', 'TL', '(', 'x'),
        ),
        { maxLength: 8 },
      )
      .map((pieces) => pieces.join(''))
  fc.assert(
    fc.property(
      fc
        .tuple(letterKey, digitKey)
        .chain((keys) => fc.tuple(fc.constant(keys), description(keys)))
        .chain(([keys, ascii]) => fc.tuple(fc.constant(keys), fc.constant(ascii), onPhone(ascii))),
      ([keys, ascii, phone]) => {
        const isKey = (x: string) => keys.includes(x)
        assert.equal(findReferences(phone, isKey), findReferences(ascii, isKey), `"${phone}" and "${ascii}"`)
      },
    ),
    { numRuns: 500 },
  )
  fc.assert(
    fc.property(
      key.chain((k) => typed(k, true)).chain((reference) => fc.tuple(fc.constant(reference), onPhone(reference))),
      ([reference, phone]) => assert.equal(referenceKey(phone), referenceKey(reference), `"${phone}" and "${reference}"`),
    ),
  )
})

test.run()
