/**
 * Body parsing for the three encodings a notification may arrive in:
 * `application/x-www-form-urlencoded`, `multipart/form-data` and `application/json`.
 * Works on bytes, honours the `charset` parameter, refuses a field sent twice, and never throws.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { NOTIFICATION_FIELDS, UNAUTHENTICATED_FIELDS } from './codecs.ts'
import { invalidPayload, type Rejection } from './rejection.ts'

/**
 * Parsed fields by name. Form and multipart values are strings; JSON values are whatever the JSON
 * held (the notification codec then insists on strings for known fields). The record inherits
 * nothing (its prototype is an empty object without a prototype), so a field called `__proto__`,
 * `constructor` or `toString` is just a field.
 *
 * @example
 * import type { Fields } from '@banksocket-webhooks/core/runtime-kit'
 * const f: Fields = { dc: 'Credit' }
 */
export type Fields = Readonly<Record<string, unknown>>

/**
 * A parsed `Content-Type`: lowercased media type and its parameters (names lowercased).
 *
 * @example
 * import { parseContentType } from '@banksocket-webhooks/core/runtime-kit'
 * parseContentType('multipart/form-data; boundary="x y"')
 * // { mediaType: 'multipart/form-data', params: { boundary: 'x y' } }
 */
export type ContentType = Readonly<{ mediaType: string; params: Readonly<Record<string, string>> }>

/**
 * Parses a `Content-Type` header value. Quoted parameter values are unquoted.
 *
 * @example
 * import { parseContentType } from '@banksocket-webhooks/core/runtime-kit'
 * parseContentType('application/x-www-form-urlencoded; charset=UTF-8').params.charset // 'UTF-8'
 */
export const parseContentType = (header: string): ContentType => {
  const params: Record<string, string> = Object.create(null)
  const firstSemicolon = header.indexOf(';')
  const type = firstSemicolon < 0 ? header : header.slice(0, firstSemicolon)
  let i = firstSemicolon < 0 ? header.length : firstSemicolon + 1
  while (i < header.length) {
    const eq = header.indexOf('=', i)
    const semicolon = header.indexOf(';', i)
    if (eq < 0 || (semicolon >= 0 && semicolon < eq)) {
      i = semicolon < 0 ? header.length : semicolon + 1
      continue
    }
    const name = header.slice(i, eq).trim().toLowerCase()
    let j = eq + 1
    while (j < header.length && (header[j] === ' ' || header[j] === '\t')) j++
    let value = ''
    if (header[j] === '"') {
      // quoted-string: a `;` inside the quotes belongs to the value
      j++
      while (j < header.length && header[j] !== '"') {
        if (header[j] === '\\' && j + 1 < header.length) j++
        value += header[j]
        j++
      }
      const end = header.indexOf(';', j)
      i = end < 0 ? header.length : end + 1
    } else {
      const end = header.indexOf(';', j)
      value = header.slice(j, end < 0 ? header.length : end).trim()
      i = end < 0 ? header.length : end + 1
    }
    if (name !== '' && !(name in params)) params[name] = value
  }
  return { mediaType: type.trim().toLowerCase(), params }
}

/**
 * The most fields a notification may carry. Banksocket sends 12; extra fields are kept, but a body
 * with more than this many is refused so that a hostile body cannot make the receiver build a huge
 * record.
 *
 * @example
 * import { MAX_FIELDS } from '@banksocket-webhooks/core/runtime-kit'
 * MAX_FIELDS // 100
 */
export const MAX_FIELDS = 100

type Decoder = (bytes: Uint8Array) => string | undefined

const decoders = new Map<string, Decoder | undefined>()

/** A fatal decoder for a charset label, made once per label (decoding without `stream` keeps no state). */
const decoderFor = (charset: string | undefined): Decoder | undefined => {
  const label = (charset ?? 'utf-8').trim().toLowerCase()
  if (decoders.has(label)) return decoders.get(label)
  let decoder: TextDecoder | undefined
  try {
    decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true })
  } catch {
    decoder = undefined
  }
  const decode: Decoder | undefined =
    decoder === undefined
      ? undefined
      : (bytes) => {
          try {
            return decoder.decode(bytes)
          } catch {
            return undefined
          }
        }
  if (decoders.size < 64) decoders.set(label, decode)
  return decode
}

const isUtf8 = (charset: string | undefined): boolean => {
  if (charset === undefined) return true
  const label = charset.trim().toLowerCase()
  return label === 'utf-8' || label === 'utf8'
}

const unsupported = (contentType: string): E.Either<Rejection, never> => E.left({ _tag: 'unsupported_media_type', contentType })

/**
 * The prototype of every parsed record: empty, with no prototype of its own. Records made with
 * `Object.create(null)` live in V8's slow dictionary mode; records on this prototype keep fast
 * properties (and share a shape when fields arrive in the same order) while inheriting nothing.
 */
const NOTHING: object = Object.freeze(Object.create(null))

class FieldCollector {
  readonly fields: Record<string, unknown> = Object.create(NOTHING)
  private count = 0
  add(name: string, value: unknown): Rejection | undefined {
    if (Object.hasOwn(this.fields, name)) {
      return invalidPayload(name, 'sent more than once')
    }
    if (++this.count > MAX_FIELDS) return invalidPayload('', `more than ${MAX_FIELDS} fields`)
    this.fields[name] = value
    return undefined
  }
}

/** Char code -> value of a hex digit (either case), -1 for anything else below 128. */
const HEX_DIGIT = new Int8Array(128).fill(-1)
for (let d = 0; d < 10; d++) HEX_DIGIT[48 + d] = d
for (let d = 0; d < 6; d++) {
  HEX_DIGIT[65 + d] = 10 + d
  HEX_DIGIT[97 + d] = 10 + d
}

const hexValue = (code: number): number => (code < 128 ? (HEX_DIGIT[code] as number) : -1)

/**
 * The documented field names (core's one list, and `id`), as the engine's own constant strings. A field name in a
 * form body that is one of them exactly (no escape to decode) is taken from here instead of being
 * sliced out of the body: no copy, and storing a property under a constant name skips looking the
 * fresh string up in the engine's string table, which was a large part of building the record.
 */
const KNOWN_NAMES: ReadonlyArray<string> = [...NOTIFICATION_FIELDS, 'id']

/** By length: the indexes in {@link KNOWN_NAMES} of the names of that length (at most three). */
const KNOWN_BY_LENGTH: ReadonlyArray<ReadonlyArray<number>> = Array.from({ length: Math.max(...KNOWN_NAMES.map((n) => n.length)) + 1 }, (_, length) =>
  KNOWN_NAMES.flatMap((name, k) => (name.length === length ? [k] : [])),
)

/** The index in {@link KNOWN_NAMES} of the name that `text[from, to)` spells exactly, or -1. */
const knownIndex = (text: string, from: number, to: number): number => {
  const candidates = KNOWN_BY_LENGTH[to - from]
  if (candidates === undefined) return -1
  const first = text.charCodeAt(from)
  for (let c = 0; c < candidates.length; c++) {
    const k = candidates[c] as number
    const name = KNOWN_NAMES[k] as string
    if (name.charCodeAt(0) === first && text.startsWith(name, from)) return k
  }
  return -1
}

/**
 * Escaped UTF-8 values of each known field seen before, raw and decoded. Some fields arrive the same
 * on every notification of an account (`account`, `bank`: text with percent-escaped letters); a
 * value received before is taken from here instead of being decoded again. Small and bounded: per
 * field, {@link REMEMBERED} slots chosen by the raw value's length (one comparison per value, a
 * new value replaces the one of its slot), values of at most {@link REMEMBERED_LENGTH}
 * characters; a raw value is kept as a copy, never as a slice of a body.
 */
const REMEMBERED = 8
/** By known field: whether its values are remembered (the unauthenticated ones, which describe the account and the counterparty). */
const REMEMBER: ReadonlyArray<boolean> = KNOWN_NAMES.map((name) => (UNAUTHENTICATED_FIELDS as ReadonlyArray<string>).includes(name))
const REMEMBERED_LENGTH = 256
const rememberedRaw: Array<string | undefined> = new Array<string | undefined>(KNOWN_NAMES.length * REMEMBERED).fill(undefined)
const rememberedValue: string[] = new Array<string>(KNOWN_NAMES.length * REMEMBERED).fill('')

/** {@link utf8Component} of the value of known field `k`, from what is remembered when it can be. */
const knownValue = (k: number, text: string, from: number, to: number): string | undefined => {
  const length = to - from
  const slot = k * REMEMBERED + (length % REMEMBERED)
  const raw = rememberedRaw[slot]
  if (raw !== undefined && raw.length === length && text.startsWith(raw, from)) return rememberedValue[slot]
  const value = utf8Component(text, from, to)
  // only values that had escapes to decode (shorter once decoded) are worth remembering
  if (value !== undefined && value.length < length && length <= REMEMBERED_LENGTH) {
    rememberedRaw[slot] = `${text.slice(from, to)} `.slice(0, -1)
    rememberedValue[slot] = value
  }
  return value
}

/**
 * Scratch space for the code units of one decoded component, reused from call to call (decoding is
 * synchronous, so one array serves every call) and grown up to `SCRATCH_LIMIT`; a longer component
 * gets an array of its own. Growing an array element by element made decoding the largest source of
 * garbage per notification.
 */
let scratch: number[] = new Array<number>(256).fill(0)
const SCRATCH_LIMIT = 8192

/** An array with room for `size` code units: the scratch array when it is small enough. */
const unitsFor = (size: number): number[] => {
  if (size > SCRATCH_LIMIT) return new Array<number>(size).fill(0)
  if (scratch.length < size) scratch = new Array<number>(Math.min(SCRATCH_LIMIT, Math.max(size, scratch.length * 2))).fill(0)
  return scratch
}

/** The text of the first `count` UTF-16 code units of `units`, in slices small enough for `apply`. */
const fromCodes = (units: ReadonlyArray<number>, count: number): string => {
  if (count <= 8192) return String.fromCharCode.apply(null, units.slice(0, count) as number[])
  let out = ''
  for (let i = 0; i < count; i += 8192) out += String.fromCharCode.apply(null, units.slice(i, Math.min(count, i + 8192)) as number[])
  return out
}

/** The byte a `%XX` escape at `text[i]` stands for, or -1 when `text[i + 1, i + 3)` is not two hex digits before `to`. */
const escapedByte = (text: string, i: number, to: number): number => {
  if (i + 2 >= to) return -1
  const hi = hexValue(text.charCodeAt(i + 1))
  const lo = hexValue(text.charCodeAt(i + 2))
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo
}

/**
 * `text.slice(from, to)` that does not keep `text` alive. V8 represents a slice of 13 characters or
 * more as a view into its parent, so a stored hash or IBAN would keep the whole request body in
 * memory for as long as the event that holds it; concatenating first makes the slice's parent a
 * copy of just those characters.
 */
const detached = (text: string, from: number, to: number): string => (to - from < 13 ? text.slice(from, to) : `${text.slice(from, to)} `.slice(0, -1))

/** The shortest run of plain characters before a component's first escape kept as a slice (see {@link utf8Component}). */
const PREFIX_SLICE = 16

/**
 * Percent-decodes `text[from, to)` as a UTF-8 form component (`+` is a space). Refuses what
 * `decodeURIComponent` refuses (a malformed escape, invalid UTF-8: overlong forms, surrogates, code
 * points past U+10FFFF, stray continuation bytes) and returns the same text otherwise, without
 * slicing the component out first or going through the engine's slower URI decoder.
 */
const utf8Component = (text: string, from: number, to: number): string | undefined => {
  let i = from
  while (i < to) {
    const c = text.charCodeAt(i)
    if (c === 37 || c === 43) break
    i++
  }
  if (i === to) return detached(text, from, to)
  // A long run before the first escape (a base64 hash ending in `%3D`) is kept as one slice rather
  // than copied code unit by code unit; a short one is copied.
  const prefix = i - from >= PREFIX_SLICE ? i : from
  // at most one code unit per character of the component
  const units = unitsFor(to - prefix)
  let count = 0
  for (let k = prefix; k < i; k++) units[count++] = text.charCodeAt(k)
  while (i < to) {
    const c = text.charCodeAt(i)
    if (c === 43) {
      units[count++] = 32
      i++
      continue
    }
    if (c !== 37) {
      units[count++] = c
      i++
      continue
    }
    const lead = escapedByte(text, i, to)
    if (lead < 0) return undefined
    i += 3
    if (lead < 0x80) {
      units[count++] = lead
      continue
    }
    // the lead byte says how many continuation bytes follow and the least code point they may make
    const continuation = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0
    if (continuation === 0) return undefined
    let point = lead & (0x3f >> continuation)
    const least = continuation === 1 ? 0x80 : continuation === 2 ? 0x800 : 0x10000
    for (let k = 0; k < continuation; k++) {
      if (i >= to || text.charCodeAt(i) !== 37) return undefined
      const b = escapedByte(text, i, to)
      if (b < 0 || (b & 0xc0) !== 0x80) return undefined
      point = (point << 6) | (b & 0x3f)
      i += 3
    }
    if (point < least || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return undefined
    if (point >= 0x10000) {
      units[count++] = 0xd800 + ((point - 0x10000) >> 10)
      units[count++] = 0xdc00 + ((point - 0x10000) & 0x3ff)
    } else units[count++] = point
  }
  // the slice and the decoded rest joined, then copied (see `detached`), so the body is not kept alive
  return prefix === from ? fromCodes(units, count) : `${text.slice(from, prefix)}${fromCodes(units, count)} `.slice(0, -1)
}

/** Percent-decodes one form component in another charset; runs of escapes are decoded together. */
const charsetComponent = (raw: string, decode: Decoder): string | undefined => {
  const s = raw.includes('+') ? raw.replaceAll('+', ' ') : raw
  if (!s.includes('%')) return s
  let out = ''
  let i = 0
  while (i < s.length) {
    if (s.charCodeAt(i) !== 37) {
      const next = s.indexOf('%', i)
      const end = next < 0 ? s.length : next
      out += s.slice(i, end)
      i = end
      continue
    }
    const bytes: number[] = []
    while (i < s.length && s.charCodeAt(i) === 37) {
      const hi = hexValue(s.charCodeAt(i + 1))
      const lo = hexValue(s.charCodeAt(i + 2))
      if (hi < 0 || lo < 0) return undefined
      bytes.push((hi << 4) | lo)
      i += 3
    }
    const text = decode(Uint8Array.from(bytes))
    if (text === undefined) return undefined
    out += text
  }
  return out
}

/** One component `text[from, to)` of a form body, decoded in its charset. */
const formComponent = (text: string, from: number, to: number, decode: Decoder, utf8: boolean): string | undefined =>
  utf8 ? utf8Component(text, from, to) : charsetComponent(text.slice(from, to), decode)

const parseForm = (body: Uint8Array, charset: string | undefined, contentType: string): E.Either<Rejection, Fields> => {
  const decode = decoderFor(charset)
  if (decode === undefined) return unsupported(contentType)
  const text = decode(body)
  if (text === undefined) return E.left(invalidPayload('', `body is not valid ${charset ?? 'utf-8'}`))
  const utf8 = isUtf8(charset)
  const collector = new FieldCollector()
  let start = 0
  while (start <= text.length) {
    let end = text.indexOf('&', start)
    if (end < 0) end = text.length
    if (end > start) {
      let eq = text.indexOf('=', start)
      if (eq < 0 || eq > end) eq = end
      const k = knownIndex(text, start, eq)
      const name = k >= 0 ? (KNOWN_NAMES[k] as string) : formComponent(text, start, eq, decode, utf8)
      if (name === undefined) return E.left(invalidPayload('', 'malformed percent-escape in a field name'))
      const value = eq === end ? '' : utf8 && REMEMBER[k] === true ? knownValue(k, text, eq + 1, end) : formComponent(text, eq + 1, end, decode, utf8)
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

const indexOfBytes = (haystack: Uint8Array, needle: Uint8Array, from: number): number => {
  const first = needle[0] as number
  const last = haystack.length - needle.length
  let i = haystack.indexOf(first, from)
  while (i >= 0 && i <= last) {
    let j = 1
    while (j < needle.length && haystack[i + j] === needle[j]) j++
    if (j === needle.length) return i
    i = haystack.indexOf(first, i + 1)
  }
  return -1
}

const latin1 = (bytes: Uint8Array): string => {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number)
  return s
}

const ascii = new TextEncoder()

const parseMultipart = (body: Uint8Array, ct: ContentType, contentType: string): E.Either<Rejection, Fields> => {
  const boundary = ct.params['boundary']
  if (boundary === undefined || boundary === '' || boundary.length > 70) {
    return E.left(invalidPayload('', 'multipart/form-data without a valid boundary parameter'))
  }
  const defaultDecode = decoderFor(ct.params['charset'])
  if (defaultDecode === undefined) return unsupported(contentType)
  const delimiter = ascii.encode(`--${boundary}`)
  const nextDelimiter = ascii.encode(`\r\n--${boundary}`)
  const collector = new FieldCollector()
  let pos = indexOfBytes(body, delimiter, 0)
  if (pos < 0) return E.left(invalidPayload('', 'multipart body has no boundary line'))
  pos += delimiter.length
  for (;;) {
    if (body[pos] === 45 && body[pos + 1] === 45) return E.right(collector.fields) // closing "--"
    if (body[pos] !== 13 || body[pos + 1] !== 10) {
      return E.left(invalidPayload('', 'multipart boundary line is not followed by CRLF'))
    }
    pos += 2
    const headersEnd = indexOfBytes(body, ascii.encode('\r\n\r\n'), pos)
    if (headersEnd < 0) return E.left(invalidPayload('', 'multipart part headers are cut off'))
    const headerText = defaultDecode(body.subarray(pos, headersEnd)) ?? latin1(body.subarray(pos, headersEnd))
    const contentStart = headersEnd + 4
    const contentEnd = indexOfBytes(body, nextDelimiter, contentStart)
    if (contentEnd < 0) return E.left(invalidPayload('', 'multipart body ends before its closing boundary'))
    let name: string | undefined
    let partDecode = defaultDecode
    for (const line of headerText.split('\r\n')) {
      const colon = line.indexOf(':')
      if (colon < 0) continue
      const header = line.slice(0, colon).trim().toLowerCase()
      const value = parseContentType(line.slice(colon + 1))
      if (header === 'content-disposition' && value.mediaType === 'form-data') name = value.params['name']
      if (header === 'content-type' && value.params['charset'] !== undefined) {
        const d = decoderFor(value.params['charset'])
        if (d === undefined) return unsupported(contentType)
        partDecode = d
      }
    }
    if (name === undefined) return E.left(invalidPayload('', 'multipart part without a form-data name'))
    const text = partDecode(body.subarray(contentStart, contentEnd))
    if (text === undefined) return E.left(invalidPayload(name, 'is not valid text in its charset'))
    const problem = collector.add(name, text)
    if (problem !== undefined) return E.left(problem)
    pos = contentEnd + nextDelimiter.length
  }
}

/**
 * How deeply a JSON body may nest. Notification fields are flat strings; deeper bodies are refused
 * before they are parsed, so no later step (a log line's JSON.stringify, say) meets a structure
 * deep enough to overflow its stack.
 *
 * @example
 * import { MAX_JSON_DEPTH } from '@banksocket-webhooks/core/runtime-kit'
 * MAX_JSON_DEPTH // 32
 */
export const MAX_JSON_DEPTH = 32

/** The deepest nesting in JSON text (strings skipped); stops counting past `MAX_JSON_DEPTH`. */
const tooDeep = (text: string): boolean => {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      i++
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return true
    } else if (c === 125 || c === 93) {
      depth--
    }
  }
  return false
}

/** Finds a top-level key that appears twice in valid JSON object text; JSON.parse would keep the last. */
const duplicateTopLevelKey = (text: string): string | undefined => {
  const seen = new Set<string>()
  let depth = 0
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      let j = i + 1
      while (j < text.length && text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string
        if (seen.has(key)) return key
        seen.add(key)
        expectKey = false
      }
      i = j
    } else if (c === 123 || c === 91) {
      depth++
      if (depth === 1) expectKey = c === 123
    } else if (c === 125 || c === 93) {
      depth--
    } else if (c === 44 && depth === 1) {
      expectKey = true
    }
  }
  return undefined
}

const parseJson = (body: Uint8Array, charset: string | undefined, contentType: string): E.Either<Rejection, Fields> => {
  const decode = decoderFor(charset)
  if (decode === undefined) return unsupported(contentType)
  const text = decode(body)
  if (text === undefined) return E.left(invalidPayload('', `body is not valid ${charset ?? 'utf-8'}`))
  if (tooDeep(text)) return E.left(invalidPayload('', `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`))
  let value: unknown
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch {
    return E.left(invalidPayload('', 'body is not valid JSON'))
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return E.left(invalidPayload('', 'JSON body must be an object of string fields'))
  }
  const duplicate = duplicateTopLevelKey(text)
  if (duplicate !== undefined) return E.left(invalidPayload(duplicate, 'sent more than once'))
  const collector = new FieldCollector()
  for (const [name, field] of Object.entries(value)) {
    const problem = collector.add(name, field)
    if (problem !== undefined) return E.left(problem)
  }
  return E.right(collector.fields)
}

/** Parsed `Content-Type` headers by their text: a sender repeats the same header on every request. */
const contentTypes = new Map<string, ContentType>()

/** {@link parseContentType}, remembered for up to 32 distinct headers (results are frozen and shared). */
const contentTypeOf = (header: string): ContentType => {
  const known = contentTypes.get(header)
  if (known !== undefined) return known
  const parsed = parseContentType(header)
  const frozen: ContentType = Object.freeze({ mediaType: parsed.mediaType, params: Object.freeze(parsed.params) })
  if (contentTypes.size < 32 && header.length <= 256) contentTypes.set(header, frozen)
  return frozen
}

/**
 * Parses a notification body by its `Content-Type`. Any other media type, a missing header or an
 * unknown charset is `unsupported_media_type`; malformed bodies are `invalid_payload` with the path
 * of the offending field where there is one.
 *
 * @example
 * import { parseBody } from '@banksocket-webhooks/core/runtime-kit'
 * const body = new TextEncoder().encode('dc=Credit&description=FATURA+%C3%96DEMES%C4%B0')
 * parseBody(body, 'application/x-www-form-urlencoded')
 * // Right({ dc: 'Credit', description: 'FATURA ÖDEMESİ' })
 */
export const parseBody = (body: Uint8Array, contentType: string | null | undefined): E.Either<Rejection, Fields> => {
  const header = contentType ?? ''
  const ct = contentTypeOf(header)
  switch (ct.mediaType) {
    case 'application/x-www-form-urlencoded':
      return parseForm(body, ct.params['charset'], header)
    case 'multipart/form-data':
      return parseMultipart(body, ct, header)
    case 'application/json':
      return parseJson(body, ct.params['charset'], header)
    default:
      return unsupported(header)
  }
}

const unreserved = /[A-Za-z0-9*\-._]/

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

const formEscape = (s: string): string => {
  let out = ''
  for (const ch of s) {
    if (ch === ' ') out += '+'
    else if (unreserved.test(ch)) out += ch
    else for (const b of ascii.encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
