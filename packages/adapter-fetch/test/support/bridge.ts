/**
 * A tiny loopback node:http server that turns each Node request into a Web `Request`, hands it to a
 * fetch handler and writes the `Response` back, so the fetch receiver is tested over real sockets.
 * The request body is streamed with backpressure; when the handler stops reading (a body over the
 * limit), the bridge stops reading too and closes the connection after the answer.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'

export type FetchHandler = (request: Request) => Promise<Response>

export type Bridge = Readonly<{ url: string; close: () => Promise<void> }>

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'])

const bodyOf = (req: IncomingMessage): ReadableStream<Uint8Array> | null => {
  if (req.method === 'GET' || req.method === 'HEAD') return null
  let open = true
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          if (!open) return
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) req.pause()
        })
        req.on('end', () => {
          if (open) controller.close()
          open = false
        })
        req.on('close', () => {
          if (open && !req.complete) controller.error(new Error('the client closed the connection mid-body'))
          open = false
        })
      },
      pull() {
        req.resume()
      },
      cancel() {
        open = false
        req.pause()
      },
    },
    { highWaterMark: 4 },
  )
}

export const serveFetch = async (handler: FetchHandler): Promise<Bridge> => {
  const server = createServer((req, res) => {
    const headers = new Headers()
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] as string
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers.append(name, req.rawHeaders[i + 1] as string)
    }
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      body: bodyOf(req),
      duplex: 'half',
    } as RequestInit)
    void handler(request).then(async (response) => {
      const body = Buffer.from(await response.arrayBuffer())
      if (res.destroyed) return
      response.headers.forEach((value, name) => res.setHeader(name, value))
      if (!req.complete) res.setHeader('connection', 'close')
      res.writeHead(response.status, { 'content-length': body.byteLength })
      res.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
