/**
 * Text decoding by charset label, as the body parser needs it: fatal (malformed bytes are refused,
 * never replaced) and without a byte order mark being dropped.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { invalidPayload, type Rejection } from './rejection.ts'

/**
 * Decodes bytes in one charset: the text, or `undefined` when the bytes are not valid in it.
 *
 * @internal
 * @example
 * const decode: Decoder = (bytes) => new TextDecoder().decode(bytes)
 */
export type Decoder = (bytes: Uint8Array) => string | undefined

/**
 * The fatal decoder of a charset label, or `undefined` for a label the platform does not know.
 * Decoding without `stream` keeps no state, so one decoder serves any number of bodies.
 *
 * @internal
 * @example
 * makeDecoder('iso-8859-9')?.(new Uint8Array([0xdd])) // 'İ'
 * makeDecoder('klingon') // undefined
 */
export const makeDecoder = (label: string): Decoder | undefined => {
  let decoder: TextDecoder
  try {
    decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true })
  } catch {
    return undefined
  }
  return (bytes) => {
    try {
      return decoder.decode(bytes)
    } catch {
      return undefined
    }
  }
}

/** UTF-8, the charset of nearly every body: one decoder, made once (it keeps no state). */
const UTF8 = makeDecoder('utf-8') as Decoder

/** A charset parameter as a decoder label: trimmed and lowercased, `utf-8` when there is none. */
const charsetLabel = (charset: string | undefined): string => (charset ?? 'utf-8').trim().toLowerCase()

/**
 * Whether a charset parameter names UTF-8 (or is absent, which means UTF-8).
 *
 * @internal
 * @example
 * isUtf8(undefined) // true
 * isUtf8('UTF8') // true
 * isUtf8('iso-8859-9') // false
 */
export const isUtf8 = (charset: string | undefined): boolean => {
  if (charset === undefined) return true
  const label = charset.trim().toLowerCase()
  return label === 'utf-8' || label === 'utf8'
}

/**
 * The decoder for a charset parameter: UTF-8's own for UTF-8, otherwise the one a parser's memory
 * keeps for its label, or a new one when there is no memory; `undefined` for an unknown charset.
 *
 * @internal
 * @example
 * decoderFor(undefined, undefined)?.(new Uint8Array([0xc3, 0x96])) // 'Ö'
 * decoderFor('klingon', undefined) // undefined
 */
export const decoderFor = (
  charset: string | undefined,
  memory: Readonly<{ decoder: (label: string) => Decoder | undefined }> | undefined,
): Decoder | undefined => {
  if (isUtf8(charset)) return UTF8
  const label = charsetLabel(charset)
  return memory === undefined ? makeDecoder(label) : memory.decoder(label)
}

/**
 * A body's text in its declared charset, with the decoder that read it (a form decodes its
 * components with it too): `unsupported_media_type` for a charset no decoder knows, `invalid_payload`
 * for bytes that are not valid in it. What every text body (form, JSON) does first.
 *
 * @internal
 * @example
 * textOf(new TextEncoder().encode('{}'), undefined, 'application/json', undefined) // Right({ decode, text: '{}' })
 */
export const textOf = (
  body: Uint8Array,
  charset: string | undefined,
  contentType: string,
  memory: Readonly<{ decoder: (label: string) => Decoder | undefined }> | undefined,
): E.Either<Rejection, Readonly<{ decode: Decoder; text: string }>> => {
  const decode = decoderFor(charset, memory)
  if (decode === undefined) return E.left({ _tag: 'unsupported_media_type', contentType })
  const text = decode(body)
  return text === undefined ? E.left(invalidPayload('', `body is not valid ${charset ?? 'utf-8'}`)) : E.right({ decode, text })
}
