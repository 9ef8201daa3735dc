/**
 * The `Content-Type` header: its media type and parameters, as the body parser reads them.
 *
 * @module
 */

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

/** The headers senders use most, parsed when the module loads and frozen: a table, never written to. */
const COMMON: ReadonlyMap<string, ContentType> = new Map(
  [
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-8',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'application/json',
  ].map((header) => {
    const parsed = parseContentType(header)
    return [header, Object.freeze({ mediaType: parsed.mediaType, params: Object.freeze(parsed.params) })]
  }),
)

/**
 * {@link parseContentType}, answered from a fixed table for the most common headers (the results
 * are frozen and shared); for a parse that has no memory of its own.
 *
 * @internal
 * @example
 * contentTypeOf('application/json') === contentTypeOf('application/json') // true: the same frozen value
 */
export const contentTypeOf = (header: string): ContentType => COMMON.get(header) ?? parseContentType(header)
