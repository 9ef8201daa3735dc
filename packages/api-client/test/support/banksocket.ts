/**
 * A real node:http server on 127.0.0.1 (port 0) playing Banksocket's management API, for tests.
 *
 * By default it behaves like Banksocket: `POST /v1/webhooks` (JSON or form body) answers
 * `{"webhook":{"id","endpoint","title"}}` with ids from 1233 up, `DELETE /v1/webhooks/:id` answers
 * `{"status":"success"}` for a webhook it created and 404 otherwise, and a wrong or missing
 * `Authentication` header gets 401. Tests queue scripted replies with `reply(...)`; each request
 * takes the next one, then the default behaviour resumes. Every request is recorded.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'

export const DOCUMENTED_CREATE_ANSWER = '{"webhook":{"id":1233,"endpoint":"http://test","title":"TR işbank api test"}}'
export const DOCUMENTED_DELETE_ANSWER = '{"status":"success"}'

type Recorded = Readonly<{
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** `performance.now()` when the request arrived. */
  at: number
}>

/** An HTTP answer, optionally sent after `delayMs`. */
export type Answer = Readonly<{ status: number; body?: string; headers?: Record<string, string>; delayMs?: number }>

/** A scripted reply. */
type Reply =
  | Answer
  /** Destroy the socket without answering. */
  | Readonly<{ drop: true }>
  /** Send 200 headers and part of the body, then stall (never finish). */
  | Readonly<{ stallBody: true }>
  /** Send 200 headers and part of the body, then destroy the socket. */
  | Readonly<{ cutBody: true }>
  /** Compute the reply from the request. */
  | ((request: Recorded) => Reply)

export type FakeBanksocket = Readonly<{
  /** Base URL of the API, `http://127.0.0.1:PORT/v1`. */
  url: string
  /** The URL of the server root. */
  origin: string
  requests: Recorded[]
  reply: (...replies: Reply[]) => void
  /** Forgets recorded requests and queued replies. */
  reset: () => void
  close: () => Promise<void>
}>

export type FakeOptions = Readonly<{ token?: string }>

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
})

export const startBanksocket = async (options: FakeOptions = {}): Promise<FakeBanksocket> => {
  const token = options.token ?? 'test-token-5f1c'
  const requests: Recorded[] = []
  const queue: Reply[] = []
  const timers = new Set<NodeJS.Timeout>()
  const active = new Set<number>()
  let nextId = 1233

  const banksocket = (request: Recorded): Reply => {
    if (request.headers['authentication'] !== token) return json(401, { error: 'unauthorized' })
    if (request.method === 'POST' && request.path === '/v1/webhooks') {
      const type = String(request.headers['content-type'] ?? '')
      const fields: Record<string, unknown> = type.startsWith('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(request.body))
        : (JSON.parse(request.body) as Record<string, unknown>)
      const id = nextId++
      active.add(id)
      return json(200, { webhook: { id, endpoint: fields['endpoint'], title: fields['title'] } })
    }
    const m = /^\/v1\/webhooks\/(\d+)$/.exec(request.path)
    if (request.method === 'DELETE' && m !== null) {
      const id = Number(m[1])
      if (!active.delete(id)) return json(404, { error: 'webhook not found' })
      return json(200, { status: 'success' })
    }
    return json(404, { error: 'no such route' })
  }

  const later = (ms: number, f: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      f()
    }, ms)
    timers.add(timer)
  }

  const answer = (reply: Reply, recorded: Recorded, req: IncomingMessage, res: ServerResponse): void => {
    if (typeof reply === 'function') return answer(reply(recorded), recorded, req, res)
    if ('drop' in reply) {
      req.socket.destroy()
      return
    }
    if ('stallBody' in reply || 'cutBody' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"webhook":{"id":12')
      if ('cutBody' in reply) later(20, () => req.socket.destroy())
      return
    }
    const send = (): void => {
      if (res.destroyed) return
      res.writeHead(reply.status, reply.headers ?? {})
      res.end(reply.body ?? '')
    }
    if (reply.delayMs !== undefined) later(reply.delayMs, send)
    else send()
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      }
      requests.push(recorded)
      answer(queue.shift() ?? banksocket, recorded, req, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    url: `${origin}/v1`,
    origin,
    requests,
    reply: (...replies) => void queue.push(...replies),
    reset: () => {
      requests.length = 0
      queue.length = 0
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export const TOKEN = 'test-token-5f1c'

/** Answers `status` with a JSON body. */
export const status = (code: number, body: unknown = { error: `status ${code}` }, headers: Record<string, string> = {}): Answer =>
  json(code, body, headers)

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The Left of a result the test expects to have failed, or a thrown error naming what came instead. */
export const left = <L>(r: E.Either<L, unknown>): L => {
  if (E.isRight(r)) throw new Error(`expected a Left, got ${JSON.stringify(r.right)}`)
  return r.left
}
