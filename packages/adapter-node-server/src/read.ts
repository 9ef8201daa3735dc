/**
 * Reading a node:http request body under the byte limit.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http'
import { type BodyProblem, concatBytes, declaredTooLarge } from '@banksocket-webhooks/receiver'
import * as E from 'fp-ts/lib/Either.js'

const ignore = () => {}

/**
 * Reads a node:http request body, counting bytes as they arrive. A declared `Content-Length` over
 * `limit` is refused without reading; past `limit` the stream is paused and left unread (answer
 * with `Connection: close`); a client that goes away mid-body gives `truncated`. Never rejects,
 * and leaves an error listener on the request so a late connection reset cannot crash the process.
 *
 * @example
 * import { readNodeBody } from '@banksocket-webhooks/adapter-node-server'
 * const body = await readNodeBody(req, 64 * 1024) // Right(Uint8Array) or Left({ _tag: 'too_large' | 'truncated' })
 */
export const readNodeBody = (req: IncomingMessage, limit: number): Promise<E.Either<BodyProblem, Uint8Array>> =>
  new Promise((resolve) => readThen(req, limit, resolve))

/** {@link readNodeBody}'s work: `done` is called once with the result, from the stream's events or at once. */
const readThen = (req: IncomingMessage, limit: number, done: (read: E.Either<BodyProblem, Uint8Array>) => void): void => {
  req.on('error', ignore)
  if (declaredTooLarge(req.headers['content-length'], limit)) {
    done(E.left({ _tag: 'too_large', limit }))
    return
  }
  if (req.readableEnded) {
    done(E.right(new Uint8Array(0)))
    return
  }
  const chunks: Uint8Array[] = []
  let total = 0
  // A flag rather than removing the three listeners (a measurable part of a request's cost): the
  // request is dropped after its answer, and after `end` only `close` can still fire.
  let finished = false
  const finish = (result: E.Either<BodyProblem, Uint8Array>) => {
    if (finished) return
    finished = true
    done(result)
  }
  const onData = (chunk: Buffer) => {
    if (finished) return
    total += chunk.byteLength
    if (total > limit) {
      req.pause()
      finish(E.left({ _tag: 'too_large', limit }))
    } else chunks.push(chunk)
  }
  const onEnd = () => finish(E.right(concatBytes(chunks, total)))
  const onClose = () => finish(E.left({ _tag: 'truncated' }))
  req.on('data', onData)
  req.on('end', onEnd)
  req.on('close', onClose)
}
