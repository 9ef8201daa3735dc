/**
 * Payment references as customers type them: Turkish-aware folding, and whole-token matching in
 * transfer descriptions where separators inside a reference do not matter, except in a reference
 * made of digits only, which only the same number names.
 *
 * The rules, in order:
 *
 * 1. Fold: first the forms phones produce, to their ASCII look-alikes: full-width ASCII
 *    (`ＳＩＰ１０４２`, U+FF01 to U+FF5E) to ASCII, the ideographic space to a space, and the hyphen
 *    variants (`‐` `‑` `‒` `–` `—` `―`, the minus sign `−`, the small `﹘` `﹣`) to `-`. Then
 *    Unicode NFC; Turkish-aware upper case (`i` to `İ`, `ı` to `I`, everything else by its Unicode
 *    upper case); then `Ş`→`S`, `Ğ`→`G`, `İ`→`I`, `Ö`→`O`, `Ü`→`U`, `Ç`→`C`; then combining marks
 *    left over (the dot of a decomposed `i̇`) are dropped. `"sipariş"`, `"SİPARİŞ"` and `"SIPARIS"`
 *    all fold to `"SIPARIS"`; `"ＳＩＰ–１０４２"` folds to `"SIP-1042"`.
 * 2. A reference is letters and digits, optionally split by separators: space (any white space),
 *    `-`, `/`, `.`, `_`. Its key is its folded letters and digits: `"SİP-1042"` has the key `"SIP1042"`.
 * 3. A key with a letter in it is named when the key's characters appear in order with nothing but
 *    separators between them, starting where a token starts and ending where a token ends (a token
 *    is a run of letters and digits). `"sip 1042"`, `"SIP-1042"` and `"SN:5 SİP1042 ödeme"` name
 *    `SİP1042`; `"SIP10421"` and `"XSIP1042"` do not.
 * 4. A key of digits only (every character a decimal digit: `1042`) is named only by that number
 *    written as one run of digits: a token that is exactly those digits (no letter or digit right
 *    before or after it, no separator inside it) and that is not part of a longer number, that is
 *    neither preceded by a digit and one of `.` `,` `/` `:` `-` `_`, nor followed by one of them
 *    and a digit (a decimal `1042.50` or `1042,50`, a date `1/042`, a time, a phone number in
 *    parts). `"SIPARIS 1042 ODEME"`, `"1042"`, `"NO:1042,"` and `"sipariş no 1042."` name `1042`;
 *    `"10.42"`, `"1/042"`, `"tel 0532 104 2"`, `"ODEME 1042.50 TL"`, `"1042-1"`, `"10421"` and
 *    `"SIP1042"` do not. White space does not join numbers: `"1042 1 ADET"` names `1042`.
 *
 * Separators end tokens, so `"SIP1042-1"` names both `SIP1042` and `SIP10421`: when both are
 * expected, the credit is ambiguous and applied to neither. A reference given with separators
 * whose key is digits only (`"10-42"`) is named by `"1042"` alone.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

/**
 * Why a string is not a payment reference.
 *
 * @example
 * import { referenceKey } from '@banksocket-webhooks/payments'
 * referenceKey('#1042') // Left({ _tag: 'InvalidReference', reference: '#1042', reason: '...' })
 */
export type InvalidReference = Readonly<{ _tag: 'InvalidReference'; reference: string; reason: string }>

const FULL_WIDTH_ASCII = /[\uFF01-\uFF5E]/gu
const FULL_WIDTH_OFFSET = 0xfee0
const IDEOGRAPHIC_SPACE = /\u3000/gu
const HYPHEN_VARIANTS = /[\u2010-\u2015\u2212\uFE58\uFE63]/gu
const TURKISH_UPPER: Readonly<Record<string, string>> = { i: 'İ', ı: 'I' }
const TO_ASCII: Readonly<Record<string, string>> = { Ş: 'S', Ğ: 'G', İ: 'I', Ö: 'O', Ü: 'U', Ç: 'C' }
const COMBINING_MARK = /\p{M}/u
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u
const DIGIT = /^\p{Nd}$/u
const SEPARATOR = /^[\s\-/._]$/u
/** What joins digits into one written number: `1042.50`, `1042,50`, `1/042`, `10:42`, `0532-104`, `10_42`. */
const NUMBER_JOINER = /^[.,/:_-]$/u

/** Full-width ASCII, the ideographic space and the hyphen variants, as their ASCII look-alikes. */
const foldForms = (text: string): string =>
  text
    .replace(FULL_WIDTH_ASCII, (ch) => String.fromCharCode(ch.charCodeAt(0) - FULL_WIDTH_OFFSET))
    .replace(IDEOGRAPHIC_SPACE, ' ')
    .replace(HYPHEN_VARIANTS, '-')

/**
 * Folds text the way customers type Turkish references: full-width forms and hyphen variants to
 * ASCII, Turkish-aware upper case, then the six Turkish letters to their ASCII look-alikes (see
 * the module notes).
 *
 * @example
 * import { foldTurkish } from '@banksocket-webhooks/payments'
 * foldTurkish('Sipariş ödemesi ığdır') // 'SIPARIS ODEMESI IGDIR'
 * foldTurkish('ｓｉｐ–１０４２')         // 'SIP-1042'
 */
export const foldTurkish = (text: string): string => {
  let folded = ''
  for (const ch of foldForms(text).normalize('NFC')) {
    const upper = TURKISH_UPPER[ch] ?? ch.toUpperCase()
    for (const u of upper) {
      if (!COMBINING_MARK.test(u)) folded += TO_ASCII[u] ?? u
    }
  }
  return folded
}

/**
 * Whether one character (a code point) is a letter or a digit, in any script.
 *
 * @example
 * import { isLetterOrDigit } from '@banksocket-webhooks/payments'
 * isLetterOrDigit('Ş') // true
 * isLetterOrDigit('-') // false
 */
export const isLetterOrDigit = (ch: string): boolean => LETTER_OR_DIGIT.test(ch)

/**
 * Whether one character separates the parts of a reference: white space, `-`, `/`, `.` or `_`, or
 * a form that folds to one of them (a hyphen variant such as `–`, a full-width `／`).
 *
 * @example
 * import { isReferenceSeparator } from '@banksocket-webhooks/payments'
 * isReferenceSeparator('/') // true
 * isReferenceSeparator('–') // true
 * isReferenceSeparator(':') // false
 */
export const isReferenceSeparator = (ch: string): boolean => SEPARATOR.test(foldForms(ch))

const isDigit = (ch: string | undefined): boolean => ch !== undefined && DIGIT.test(ch)
const isNumberJoiner = (ch: string | undefined): boolean => ch !== undefined && NUMBER_JOINER.test(ch)

/**
 * Whether the digits `chars[start..end]` are part of a longer number: a digit and a joiner right
 * before them (`10.42`, `1/042`), or a joiner and a digit right after them (`1042.50`, `1042-1`).
 */
const inLongerNumber = (chars: ReadonlyArray<string>, start: number, end: number): boolean =>
  (isNumberJoiner(chars[start - 1]) && isDigit(chars[start - 2])) || (isNumberJoiner(chars[end + 1]) && isDigit(chars[end + 2]))

/**
 * The key a reference is matched by: its folded letters and digits, separators removed. Anything
 * else in a reference (`#`, `:`, ...) is refused, as is a reference with no letter or digit.
 *
 * @example
 * import { referenceKey } from '@banksocket-webhooks/payments'
 * referenceKey('SİPARİŞ 1042') // Right('SIPARIS1042')
 * referenceKey('sip-1042')     // Right('SIP1042')
 * referenceKey(' - ')          // Left(InvalidReference)
 */
export const referenceKey = (reference: string): E.Either<InvalidReference, string> => {
  let key = ''
  for (const ch of foldTurkish(reference)) {
    if (isLetterOrDigit(ch)) key += ch
    else if (!SEPARATOR.test(ch)) {
      return E.left({
        _tag: 'InvalidReference',
        reference,
        reason: `contains "${ch}": a reference is letters and digits, optionally split by spaces, "-", "/", "." or "_"`,
      })
    }
  }
  return key === '' ? E.left({ _tag: 'InvalidReference', reference, reason: 'has no letter or digit' }) : E.right(key)
}

/**
 * The reference keys a description names, each once, in the order they first appear. `isKey` says
 * which keys exist (an index lookup); `maxKeyLength` (in characters) bounds the search, so the work
 * is linear in the description for a bounded key length. A key of digits only is named only by
 * that number standing alone (see the module notes).
 *
 * @example
 * import { findReferences } from '@banksocket-webhooks/payments'
 * const open = new Set(['SIP1042', 'SIP1043', '2077'])
 * findReferences('SN:9 sip-1042 ve SİP 1043 ödemesi', (k) => open.has(k)) // ['SIP1042', 'SIP1043']
 * findReferences('SIP10421', (k) => open.has(k))                         // []
 * findReferences('SIPARIS 2077 ODEME', (k) => open.has(k))               // ['2077']
 * findReferences('ODEME 2077.50 TL, 20.77, 20 77', (k) => open.has(k))   // []
 */
export const findReferences = (
  description: string,
  isKey: (key: string) => boolean,
  maxKeyLength = Number.POSITIVE_INFINITY,
): ReadonlyArray<string> => {
  const chars = Array.from(foldTurkish(description))
  const alnum = chars.map(isLetterOrDigit)
  const found: string[] = []
  const seen = new Set<string>()
  for (let start = 0; start < chars.length; start++) {
    if (!alnum[start] || (start > 0 && alnum[start - 1])) continue
    let key = ''
    let length = 0
    let digitsOnly = true
    let split = false
    for (let i = start; i < chars.length && length < maxKeyLength; i++) {
      const ch = chars[i] as string
      if (alnum[i]) {
        key += ch
        length++
        digitsOnly &&= isDigit(ch)
        const endsToken = i + 1 === chars.length || !alnum[i + 1]
        const standsAlone = !digitsOnly || (!split && !inLongerNumber(chars, start, i))
        if (endsToken && standsAlone && !seen.has(key) && isKey(key)) {
          seen.add(key)
          found.push(key)
        }
      } else if (SEPARATOR.test(ch)) split = true
      else break
    }
  }
  return found
}

/**
 * Whether a description names one reference (see the module notes for the rules). An invalid
 * reference is named by nothing.
 *
 * @example
 * import { mentions } from '@banksocket-webhooks/payments'
 * mentions('sip 1042', 'SİP1042')         // true
 * mentions('SIP10421', 'SİP1042')         // false
 * mentions('SIPARIS 1042 ODEME', '1042')  // true
 * mentions('ODEME 1042.50 TL', '1042')    // false
 */
export const mentions = (description: string, reference: string): boolean => {
  const key = referenceKey(reference)
  if (E.isLeft(key)) return false
  return findReferences(description, (k) => k === key.right, Array.from(key.right).length).length > 0
}
