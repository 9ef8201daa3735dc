/**
 * What every runtime adapter needs to read a request body under a byte limit the same way: refuse a
 * declared `Content-Length` over the limit without reading, stop reading as soon as the count
 * passes it, and tell a body cut off by the client apart from a complete one. The reading itself is
 * the adapter's (`readRequestBody` in adapter-fetch, `readNodeBody` in adapter-node-server).
 *
 * @module
 */

import type { Rejection } from '@banksocket-webhooks/core'
import { invalidPayload } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Why a body could not be read whole: over the limit (413), or cut off before its end (400;
 * usually the client went away and will never see the answer).
 *
 * @example
 * import type { BodyProblem } from '@banksocket-webhooks/receiver'
 * const p: BodyProblem = { _tag: 'too_large', limit: 65536 }
 */
export type BodyProblem = Readonly<{ _tag: 'too_large'; limit: number }> | Readonly<{ _tag: 'truncated' }>

/**
 * The rejection a body problem is answered with.
 *
 * @example
 * import { bodyRejection } from '@banksocket-webhooks/receiver'
 * bodyRejection({ _tag: 'truncated' })
 * // { _tag: 'invalid_payload', details: [{ path: '', message: 'body ended before its declared length' }] }
 */
export const bodyRejection = (problem: BodyProblem): Rejection =>
  problem._tag === 'too_large' ? problem : invalidPayload('', 'body ended before its declared length')

/**
 * Whether a `Content-Length` header already says the body is over the limit.
 *
 * @example
 * import { declaredTooLarge } from '@banksocket-webhooks/receiver'
 * declaredTooLarge('70000', 65536) // true
 * declaredTooLarge(null, 65536) // false: unknown until read
 */
export const declaredTooLarge = (contentLength: string | null | undefined, limit: number): boolean =>
  contentLength !== null && contentLength !== undefined && /^\s*\d+\s*$/.test(contentLength) && Number(contentLength) > limit

/**
 * Joins body chunks into one byte array.
 *
 * @example
 * import { concatBytes } from '@banksocket-webhooks/receiver'
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])], 3) // Uint8Array [1, 2, 3]
 */
export const concatBytes = (chunks: ReadonlyArray<Uint8Array>, total: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const out = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.byteLength
  }
  return out
}

/**
 * Reads a request's body under `limit` bytes, as a runtime adapter does it: the bytes, or why they
 * could not be read whole. The receiver calls it only for a request it delivers (never for a 404 or
 * a 405), with its own limit. It should not reject; a rejection is answered 500.
 *
 * @example
 * import type { BodyReader } from '@banksocket-webhooks/receiver'
 * import * as E from 'fp-ts/lib/Either.js'
 * const fromBytes = (bytes: Uint8Array): BodyReader => async (limit) =>
 *   bytes.byteLength > limit ? E.left({ _tag: 'too_large', limit }) : E.right(bytes)
 */
export type BodyReader = (limit: number) => Promise<E.Either<BodyProblem, Uint8Array>>

/**
 * Reads a Web `Request` body under `limit` bytes. A declared length over the limit is refused
 * without reading a byte; otherwise chunks are counted as they arrive and reading stops (the stream
 * is cancelled) as soon as the count passes the limit. A stream that errors (the client went away)
 * is `truncated`. Never rejects. Every adapter that has a fetch API `Request` reads with it (the
 * fetch adapter, the Durable Object's inbox).
 *
 * @example
 * import { readRequestBody } from '@banksocket-webhooks/receiver'
 * const body = await readRequestBody(request, 64 * 1024) // Right(Uint8Array) or Left(BodyProblem)
 */
export const readRequestBody = async (request: Request, limit: number): Promise<E.Either<BodyProblem, Uint8Array>> => {
  const stream = request.body
  if (declaredTooLarge(request.headers.get('content-length'), limit)) {
    stream?.cancel().catch(() => {})
    return E.left({ _tag: 'too_large', limit })
  }
  if (stream === null) return E.right(new Uint8Array(0))
  const chunks: Uint8Array[] = []
  let total = 0
  let reader: ReadableStreamDefaultReader<Uint8Array>
  try {
    reader = stream.getReader()
  } catch {
    return E.left({ _tag: 'truncated' })
  }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return E.right(concatBytes(chunks, total))
      total += value.byteLength
      if (total > limit) {
        reader.cancel().catch(() => {})
        return E.left({ _tag: 'too_large', limit })
      }
      chunks.push(value)
    }
  } catch {
    return E.left({ _tag: 'truncated' })
  }
}
