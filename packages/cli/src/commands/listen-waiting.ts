/**
 * The port of `banksocket listen --wait-for-store` while its store does not answer yet: every
 * request is answered `503 {"error":"store_unavailable"}` with `Retry-After`, so Banksocket (and a
 * load balancer's health check) knows to come back, and nothing is accepted that could not be
 * stored. Once the store opens, this server closes and the receiver listens on the same port.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** The body of every answer while the store is not open. */
const UNAVAILABLE = JSON.stringify({ error: 'store_unavailable' })

/** Seconds a client is asked to wait before it tries again. */
const RETRY_AFTER_SECONDS = 5

/**
 * A server answering 503 while the store is waited for: its port, and `close` (idempotent; ends
 * every connection, since each answer already said `Connection: close`).
 *
 * @example
 * import type { WaitingServer } from './commands/listen-waiting.ts'
 * const swap = async (waiting: WaitingServer) => { await waiting.close(); return waiting.port }
 */
export type WaitingServer = Readonly<{ port: number; close: () => Promise<void> }>

const answer = (req: IncomingMessage, res: ServerResponse): void => {
  // The body is not needed; reading it lets the answer go out on a connection that sent one.
  req.resume()
  res.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'retry-after': String(RETRY_AFTER_SECONDS),
    connection: 'close',
    'content-length': Buffer.byteLength(UNAVAILABLE),
  })
  res.end(UNAVAILABLE)
}

/**
 * Listens on `host:port` (0 picks a free port) and answers every request `503
 * {"error":"store_unavailable"}` with `Retry-After: 5`. Rejects as `server.listen` does (a port in
 * use, no permission).
 *
 * @example
 * import { openWaitingServer } from './commands/listen-waiting.ts'
 * const waiting = await openWaitingServer('127.0.0.1', 3000)
 * // ... the store opens ...
 * await waiting.close()
 */
export const openWaitingServer = (host: string, port: number): Promise<WaitingServer> =>
  new Promise((resolve, reject) => {
    const server = createServer(answer)
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      let closed: Promise<void> | undefined
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          closed ??= new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          })
          return closed
        },
      })
    })
  })
