// A tiny real receiver for the tests: node:http on 127.0.0.1, verifying with core's `receive`.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Rejection, receive, type VerifiedTransaction } from '@banksocket-webhooks/core'
import { rejectionAnswer } from '@banksocket-webhooks/core/runtime-kit'
import type * as E from 'fp-ts/lib/Either.js'

type Received = Readonly<{
  method: string
  contentType: string | undefined
  body: Uint8Array
  result: E.Either<Rejection, VerifiedTransaction>
  status: number
}>

export type Receiver = Readonly<{
  url: string
  received: Received[]
  close: () => Promise<void>
}>

/**
 * Starts a receiver. `respond(n)` chooses the status of the n-th request (1-based) before
 * verification; `undefined` means "answer as a real receiver would" (200 ok or the rejection's
 * status). `'hang'` never answers.
 */
export const startReceiver = async (
  secrets: ReadonlyArray<string>,
  respond: (n: number) => number | 'hang' | undefined = () => undefined,
): Promise<Receiver> => {
  const received: Received[] = []
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', async () => {
      const body = new Uint8Array(Buffer.concat(chunks))
      const contentType = request.headers['content-type']
      const result = await receive({ body, contentType }, { secrets })()
      const forced = respond(received.length + 1)
      const answer = result._tag === 'Right' ? { status: 200, body: '{"status":"ok"}' } : rejectionAnswer(result.left)
      const status = forced === undefined || forced === 'hang' ? answer.status : forced
      received.push({ method: request.method ?? '', contentType, body, result, status })
      if (forced === 'hang') return
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(forced === undefined ? answer.body : JSON.stringify({ error: 'forced', status }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/banksocket`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/**
 * A URL on loopback where nothing listens: port 2, which no test and no service here binds (port 1
 * is on fetch's list of bad ports). A port just released would not do on a busy machine: another
 * test's server may be given it before the request is sent.
 */
export const deadUrl = async (): Promise<string> => 'http://127.0.0.1:2/'
