// README: the receiver alone, driven the way a runtime adapter drives it.
import { createReceiver } from '@banksocket-webhooks/receiver'
import * as E from 'fp-ts/lib/Either.js'

export const paid = new Map<string, bigint>() // payment reference -> kuruş received
export const log: string[] = []

export const receiver = createReceiver({ secrets: [process.env.BANKSOCKET_SECRET!], path: '/banksocket' })
  .on('credit', (tx) => void paid.set(tx.verified.description, tx.amount.minor)) // before anything is stored
  .on('recorded', ({ stream, events, transaction, outcome }) => {
    // once the events are stored, before the 200
    for (const { version, event } of events) log.push(`${stream}#${version} ${event.type} ${transaction.verified.amount} (${outcome})`)
  })

/** What an adapter does with each request: describe it to the receiver, then write the answer back. */
export const answer = async (request: Request): Promise<Response> => {
  const { status, headers, body } = await receiver.handle({
    method: request.method,
    url: request.url, // absolute, or origin-form ('/banksocket?x=1'): only the path is used
    contentType: request.headers.get('content-type'),
    body: async (limit) => {
      // or the raw bytes or text, or fields a body parser already parsed
      const bytes = new Uint8Array(await request.arrayBuffer())
      return bytes.byteLength > limit ? E.left({ _tag: 'too_large', limit }) : E.right(bytes)
    },
  })
  return new Response(body, { status, headers })
}
