/**
 * `application/x-www-form-urlencoded`, the encoding Banksocket posts: parsing a body into fields
 * (in its charset, a field sent twice refused) and encoding fields into a body.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { BodyMemory } from './body-memory.ts'
import { type Decoder, isUtf8, textOf } from './charset.ts'
import { UNAUTHENTICATED_FIELDS } from './codecs.ts'
import { FieldCollector, type Fields, KNOWN_NAMES, knownIndex } from './fields.ts'
import { charsetComponent, Scratch, utf8Component } from './percent-decoding.ts'
import { invalidPayload, type Rejection } from './rejection.ts'

/**
 * By known field: whether a parser remembers its values (the unauthenticated ones, which describe
 * the account and the counterparty and repeat from notification to notification).
 */
const REMEMBER: ReadonlyArray<boolean> = KNOWN_NAMES.map((name) => (UNAUTHENTICATED_FIELDS as ReadonlyArray<string>).includes(name))

/** The UTF-8 value `text[from, to)` of known field `k`, from what the parser remembers when it can be. */
const knownValue = (k: number, text: string, from: number, to: number, memory: BodyMemory): string | undefined => {
  const known = memory.recall(k, text, from, to)
  if (known !== undefined) return known
  const value = utf8Component(text, from, to, memory.scratch)
  // only values that had escapes to decode (shorter once decoded) are worth remembering
  if (value !== undefined && value.length < to - from) memory.remember(k, text, from, to, value)
  return value
}

/** One component `text[from, to)` of a form body, decoded in its charset. */
const formComponent = (text: string, from: number, to: number, decode: Decoder, utf8: boolean, scratch: Scratch): string | undefined =>
  utf8 ? utf8Component(text, from, to, scratch) : charsetComponent(text.slice(from, to), decode)

/**
 * Parses a form body in its `charset` (UTF-8 when there is none) into fields. `contentType` is the
 * header, for the rejection of an unknown charset; `memory` is the parser's, if it has one.
 *
 * @internal
 * @example
 * parseForm(new TextEncoder().encode('dc=Credit&description=%C3%96DEME'), undefined, 'application/x-www-form-urlencoded', undefined)
 * // Right({ dc: 'Credit', description: 'ÖDEME' })
 */
export const parseForm = (
  body: Uint8Array,
  charset: string | undefined,
  contentType: string,
  memory: BodyMemory | undefined,
): E.Either<Rejection, Fields> => {
  const read = textOf(body, charset, contentType, memory)
  if (E.isLeft(read)) return read
  const { decode, text } = read.right
  const utf8 = isUtf8(charset)
  // A parse that remembers nothing still decodes every component of its body in one scratch space.
  const scratch = memory === undefined ? new Scratch(0) : memory.scratch
  const collector = new FieldCollector()
  let start = 0
  while (start <= text.length) {
    let end = text.indexOf('&', start)
    if (end < 0) end = text.length
    if (end > start) {
      let eq = text.indexOf('=', start)
      if (eq < 0 || eq > end) eq = end
      const k = knownIndex(text, start, eq)
      const name = k >= 0 ? (KNOWN_NAMES[k] as string) : formComponent(text, start, eq, decode, utf8, scratch)
      if (name === undefined) return E.left(invalidPayload('', 'malformed percent-escape in a field name'))
      const value =
        eq === end
          ? ''
          : utf8 && memory !== undefined && REMEMBER[k] === true
            ? knownValue(k, text, eq + 1, end, memory)
            : formComponent(text, eq + 1, end, decode, utf8, scratch)
      if (value === undefined) {
        return E.left(invalidPayload(name, `malformed percent-escape or invalid ${charset ?? 'utf-8'}`))
      }
      const problem = collector.add(name, value)
      if (problem !== undefined) return E.left(problem)
    }
    start = end + 1
  }
  return E.right(collector.fields)
}

const unreserved = /[A-Za-z0-9*\-._]/

const utf8 = new TextEncoder()

const formEscape = (s: string): string => {
  let out = ''
  for (const ch of s) {
    if (ch === ' ') out += '+'
    else if (unreserved.test(ch)) out += ch
    else for (const b of utf8.encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/**
 * Encodes fields as `application/x-www-form-urlencoded` UTF-8 (space as `+`), the inverse of the form
 * parser. Useful to send notifications in tests.
 *
 * @example
 * import { encodeForm } from '@banksocket-webhooks/core'
 * encodeForm({ description: 'A&B=C+D %20' }) // 'description=A%26B%3DC%2BD+%2520'
 */
export const encodeForm = (fields: Readonly<Record<string, string>>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${formEscape(k)}=${formEscape(v)}`)
    .join('&')
