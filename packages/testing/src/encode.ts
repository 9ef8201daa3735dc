/**
 * Encoding notification fields as an HTTP body, in the three encodings receivers accept:
 * `application/x-www-form-urlencoded` (core's `encodeForm`), `application/json` (string values) and
 * `multipart/form-data` (UTF-8 values, random boundary). Web APIs only.
 *
 * @module
 */
import { encodeForm } from '@banksocket-webhooks/core'
import type { NotificationFields } from './notification.ts'

/**
 * A body encoding: `form` (`application/x-www-form-urlencoded`), `json` or `multipart`.
 *
 * @example
 * import type { Encoding } from '@banksocket-webhooks/testing'
 * const e: Encoding = 'multipart'
 */
export type Encoding = 'form' | 'json' | 'multipart'

/**
 * Every {@link Encoding}, for option parsing and for looping over all of them in tests.
 *
 * @example
 * import { ENCODINGS } from '@banksocket-webhooks/testing'
 * ENCODINGS.includes('json') // true
 */
export const ENCODINGS: ReadonlyArray<Encoding> = ['form', 'json', 'multipart']

/**
 * An encoded body and the `Content-Type` to send it with. `form` and `json` bodies are strings
 * (UTF-8 once sent); a `multipart` body is bytes.
 *
 * @example
 * import type { EncodedBody } from '@banksocket-webhooks/testing'
 * const toRequest = (url: string, e: EncodedBody) =>
 *   new Request(url, { method: 'POST', body: e.body, headers: { 'content-type': e.contentType } })
 */
export type EncodedBody = Readonly<{ body: Uint8Array<ArrayBuffer> | string; contentType: string }>

const utf8 = new TextEncoder()

const randomBoundary = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return `----BanksocketFormBoundary${hex}`
}

/** Field names are quoted in Content-Disposition; escape as browsers do (WHATWG form encoding). */
const quoteName = (name: string): string => name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array<ArrayBuffer> => {
  let length = 0
  for (const c of chunks) length += c.byteLength
  const out = new Uint8Array(length)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.byteLength
  }
  return out
}

const encodeMultipart = (fields: NotificationFields): EncodedBody => {
  const entries = Object.entries(fields)
  let boundary = randomBoundary()
  // A value that contains the boundary would end its part early: draw another one (practically never).
  while (entries.some(([name, value]) => name.includes(boundary) || value.includes(boundary))) {
    boundary = randomBoundary()
  }
  const chunks: Uint8Array[] = []
  for (const [name, value] of entries) {
    chunks.push(utf8.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${quoteName(name)}"\r\n\r\n`))
    chunks.push(utf8.encode(value))
    chunks.push(utf8.encode('\r\n'))
  }
  chunks.push(utf8.encode(`--${boundary}--\r\n`))
  return { body: concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

/**
 * Encodes fields as a request body. Values are UTF-8; lone UTF-16 surrogates (not valid Unicode)
 * become U+FFFD in `form` and `multipart`, as in any UTF-8 encoder. Field names in `multipart` have
 * `"`, CR and LF percent-escaped, as browsers do. An encoding outside {@link ENCODINGS} (possible
 * from untyped callers) throws a `TypeError`.
 *
 * @example
 * import { encodeNotification } from '@banksocket-webhooks/testing'
 * import { parseBody } from '@banksocket-webhooks/core/runtime-kit'
 * const { body, contentType } = encodeNotification({ description: 'FATURA ÖDEMESİ' }, 'multipart')
 * parseBody(typeof body === 'string' ? new TextEncoder().encode(body) : body, contentType)
 * // Right({ description: 'FATURA ÖDEMESİ' })
 */
export const encodeNotification = (fields: NotificationFields, encoding: Encoding): EncodedBody => {
  switch (encoding) {
    case 'form':
      return { body: encodeForm(fields), contentType: 'application/x-www-form-urlencoded' }
    case 'json':
      return { body: JSON.stringify(fields), contentType: 'application/json' }
    case 'multipart':
      return encodeMultipart(fields)
    default:
      throw new TypeError(`encoding must be one of ${ENCODINGS.join(', ')}, got "${String(encoding)}"`)
  }
}
