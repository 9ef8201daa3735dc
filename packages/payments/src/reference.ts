/**
 * Payment references as customers type them: Turkish-aware folding, and whole-token matching in
 * transfer descriptions where separators inside a reference do not matter.
 *
 * The rules, in order:
 *
 * 1. Fold: Unicode NFC; Turkish-aware upper case (`i` to `İ`, `ı` to `I`, everything else by its
 *    Unicode upper case); then `Ş`→`S`, `Ğ`→`G`, `İ`→`I`, `Ö`→`O`, `Ü`→`U`, `Ç`→`C`; then combining
 *    marks left over (the dot of a decomposed `i̇`) are dropped. `"sipariş"`, `"SİPARİŞ"` and
 *    `"SIPARIS"` all fold to `"SIPARIS"`.
 * 2. A reference is letters and digits, optionally split by separators: space (any white space),
 *    `-`, `/`, `.`, `_`. Its key is its folded letters and digits: `"SİP-1042"` has the key `"SIP1042"`.
 * 3. A description names a reference when the key's characters appear in order with nothing but
 *    separators between them, starting where a token starts and ending where a token ends (a token
 *    is a run of letters and digits). `"sip 1042"`, `"SIP-1042"` and `"SN:5 SİP1042 ödeme"` name
 *    `SİP1042`; `"SIP10421"` and `"XSIP1042"` do not.
 *
 * Separators end tokens, so `"SIP1042-1"` names both `SIP1042` and `SIP10421`: when both are
 * expected, the credit is ambiguous and applied to neither.
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

const TURKISH_UPPER: Readonly<Record<string, string>> = { i: 'İ', ı: 'I' }
const TO_ASCII: Readonly<Record<string, string>> = { Ş: 'S', Ğ: 'G', İ: 'I', Ö: 'O', Ü: 'U', Ç: 'C' }
const COMBINING_MARK = /\p{M}/u
const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u
const SEPARATOR = /^[\s\-/._]$/u

/**
 * Folds text the way customers type Turkish references: Turkish-aware upper case, then the six
 * Turkish letters to their ASCII look-alikes (see the module notes).
 *
 * @example
 * import { foldTurkish } from '@banksocket-webhooks/payments'
 * foldTurkish('Sipariş ödemesi ığdır') // 'SIPARIS ODEMESI IGDIR'
 */
export const foldTurkish = (text: string): string => {
  let folded = ''
  for (const ch of text.normalize('NFC')) {
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
 * Whether one character separates the parts of a reference: white space, `-`, `/`, `.` or `_`.
 *
 * @example
 * import { isReferenceSeparator } from '@banksocket-webhooks/payments'
 * isReferenceSeparator('/') // true
 * isReferenceSeparator(':') // false
 */
export const isReferenceSeparator = (ch: string): boolean => SEPARATOR.test(ch)

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
    else if (!isReferenceSeparator(ch)) {
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
 * is linear in the description for a bounded key length.
 *
 * @example
 * import { findReferences } from '@banksocket-webhooks/payments'
 * const open = new Set(['SIP1042', 'SIP1043'])
 * findReferences('SN:9 sip-1042 ve SİP 1043 ödemesi', (k) => open.has(k)) // ['SIP1042', 'SIP1043']
 * findReferences('SIP10421', (k) => open.has(k))                         // []
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
    for (let i = start; i < chars.length && length < maxKeyLength; i++) {
      const ch = chars[i] as string
      if (alnum[i]) {
        key += ch
        length++
        const endsToken = i + 1 === chars.length || !alnum[i + 1]
        if (endsToken && !seen.has(key) && isKey(key)) {
          seen.add(key)
          found.push(key)
        }
      } else if (!isReferenceSeparator(ch)) break
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
 * mentions('sip 1042', 'SİP1042') // true
 * mentions('SIP10421', 'SİP1042') // false
 */
export const mentions = (description: string, reference: string): boolean => {
  const key = referenceKey(reference)
  if (E.isLeft(key)) return false
  return findReferences(description, (k) => k === key.right, Array.from(key.right).length).length > 0
}
