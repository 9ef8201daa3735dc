/**
 * Body parsing for the three encodings a notification may arrive in, chosen by `Content-Type`:
 * `application/x-www-form-urlencoded` (`form.ts`), `multipart/form-data` (`multipart.ts`) and
 * `application/json` (`json-body.ts`). Works on bytes, honours the `charset` parameter, refuses a
 * field sent twice, and never throws. A parser made with {@link createBodyParser} remembers what
 * repeats from body to body (`body-memory.ts`); {@link parseBody} remembers nothing.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { BodyMemory } from './body-memory.ts'
import { contentTypeOf } from './content-type.ts'
import type { Fields } from './fields.ts'
import { parseForm } from './form.ts'
import { parseJson } from './json-body.ts'
import { parseMultipart } from './multipart.ts'
import type { Rejection } from './rejection.ts'

/**
 * Parses a notification body by its `Content-Type` header: the fields, or why the body is refused.
 *
 * @example
 * import { createBodyParser, type BodyParser } from '@banksocket-webhooks/core/runtime-kit'
 * const parse: BodyParser = createBodyParser()
 * parse(new TextEncoder().encode('dc=Credit'), 'application/x-www-form-urlencoded') // Right({ dc: 'Credit' })
 */
export type BodyParser = (body: Uint8Array, contentType: string | null | undefined) => E.Either<Rejection, Fields>

/** {@link parseBody}'s work, with the memory of the parser that calls it, if any. */
const parseWith = (body: Uint8Array, contentType: string | null | undefined, memory: BodyMemory | undefined): E.Either<Rejection, Fields> => {
  const header = contentType ?? ''
  const ct = memory === undefined ? contentTypeOf(header) : memory.contentType(header)
  switch (ct.mediaType) {
    case 'application/x-www-form-urlencoded':
      return parseForm(body, ct.params['charset'], header, memory)
    case 'multipart/form-data':
      return parseMultipart(body, ct, header, memory)
    case 'application/json':
      return parseJson(body, ct.params['charset'], header, memory)
    default:
      return E.left({ _tag: 'unsupported_media_type', contentType: header })
  }
}

/**
 * Parses a notification body by its `Content-Type`. Any other media type, a missing header or an
 * unknown charset is `unsupported_media_type`; malformed bodies are `invalid_payload` with the path
 * of the offending field where there is one. Remembers nothing from one call to the next: a
 * receiver parses with a {@link createBodyParser} parser of its own.
 *
 * @example
 * import { parseBody } from '@banksocket-webhooks/core/runtime-kit'
 * const body = new TextEncoder().encode('dc=Credit&description=FATURA+%C3%96DEMES%C4%B0')
 * parseBody(body, 'application/x-www-form-urlencoded')
 * // Right({ dc: 'Credit', description: 'FATURA ÖDEMESİ' })
 */
export const parseBody: BodyParser = (body, contentType) => parseWith(body, contentType, undefined)

/**
 * Makes a body parser that parses as {@link parseBody} does and remembers, for itself only, what
 * repeats from body to body: decoders by charset, parsed `Content-Type` headers, the decoded values
 * of the fields that describe the account and the counterparty, scratch space. Every inbox makes
 * its own; all of it is bounded.
 *
 * @example
 * import { createBodyParser } from '@banksocket-webhooks/core/runtime-kit'
 * const parse = createBodyParser()
 * const body = new TextEncoder().encode('bank=T%C3%BCrkiye+%C4%B0%C5%9F+Bankas%C4%B1')
 * parse(body, 'application/x-www-form-urlencoded') // Right({ bank: 'Türkiye İş Bankası' }), decoded
 * parse(body, 'application/x-www-form-urlencoded') // the same, remembered
 */
export const createBodyParser = (): BodyParser => {
  const memory = new BodyMemory()
  return (body, contentType) => parseWith(body, contentType, memory)
}
