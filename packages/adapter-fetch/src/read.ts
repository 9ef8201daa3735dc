/**
 * Reading a Web `Request` body under the byte limit.
 *
 * @module
 */
import { type BodyProblem, concatBytes, declaredTooLarge } from '@banksocket-webhooks/receiver'
import * as E from 'fp-ts/lib/Either.js'

/**
 * Reads a Web `Request` body under `limit` bytes. A declared length over the limit is refused
 * without reading a byte; otherwise chunks are counted as they arrive and reading stops (the stream
 * is cancelled) as soon as the count passes the limit. A stream that errors (the client went away)
 * is `truncated`. Never rejects.
 *
 * @example
 * import { readRequestBody } from '@banksocket-webhooks/adapter-fetch'
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
