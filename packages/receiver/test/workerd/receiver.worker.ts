/**
 * A module Worker built on the receiver alone, no adapter: each request is described to
 * `receiver.handle` (its body read as bytes) and the answer written back as a `Response`. `GET /log`
 * answers the events the receiver emitted, so the Node side can check them.
 */

import { SECRET } from '../../../test-support/src/encodings.ts'
import { createReceiver } from '../../src/index.ts'

const log: string[] = []
const receiver = createReceiver({ secrets: [SECRET], path: '/banksocket' })
  .on('credit', (tx) => void log.push(`credit ${tx.amount.minor} ${tx.amount.currency}`))
  .on('gap', (gap) => void log.push(`gap ${gap.missing.minor}`))
  .on('duplicate', (d) => void log.push(`duplicate ${d.idempotencyKey.length}`))
  .on('recorded', (r) => void log.push(`recorded ${r.stream} ${r.events.map((e) => e.version).join(',')}`))
  .on('rejected', (r) => void log.push(`rejected ${r._tag}`))

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method === 'GET' && new URL(request.url).pathname === '/log') {
      return Response.json({ log, userAgent: navigator.userAgent, hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined' })
    }
    const answer = await receiver.handle({
      method: request.method,
      url: request.url,
      contentType: request.headers.get('content-type'),
      body: new Uint8Array(await request.arrayBuffer()),
    })
    return new Response(answer.body, { status: answer.status, headers: answer.headers })
  },
}
