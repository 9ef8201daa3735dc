/**
 * `multipart/form-data` bodies: each part a field, named by its `Content-Disposition`, decoded in
 * its own charset or the body's.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { BodyMemory } from './body-memory.ts'
import { decoderFor } from './charset.ts'
import { type ContentType, parseContentType } from './content-type.ts'
import { FieldCollector, type Fields } from './fields.ts'
import { invalidPayload, type Rejection } from './rejection.ts'

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

/**
 * Parses a multipart body (`ct` is its parsed `Content-Type`, with the boundary; `contentType` the
 * header, for the rejection of an unknown charset; `memory` the parser's, if it has one).
 *
 * @internal
 * @example
 * const body = new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="dc"\r\n\r\nCredit\r\n--b--')
 * parseMultipart(body, parseContentType('multipart/form-data; boundary=b'), 'multipart/form-data; boundary=b', undefined)
 * // Right({ dc: 'Credit' })
 */
export const parseMultipart = (
  body: Uint8Array,
  ct: ContentType,
  contentType: string,
  memory: BodyMemory | undefined,
): E.Either<Rejection, Fields> => {
  const boundary = ct.params['boundary']
  if (boundary === undefined || boundary === '' || boundary.length > 70) {
    return E.left(invalidPayload('', 'multipart/form-data without a valid boundary parameter'))
  }
  const defaultDecode = decoderFor(ct.params['charset'], memory)
  if (defaultDecode === undefined) return E.left({ _tag: 'unsupported_media_type', contentType })
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
        const d = decoderFor(value.params['charset'], memory)
        if (d === undefined) return E.left({ _tag: 'unsupported_media_type', contentType })
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
