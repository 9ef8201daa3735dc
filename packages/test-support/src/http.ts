/**
 * A plain node:http client for the tests: one connection per request, exact bytes, no retries.
 *
 * @example
 * import { send } from '@banksocket-webhooks/test-support/http'
 *
 * const { status, json } = await send('http://127.0.0.1:8080', { contentType: 'application/json', body: '{}' })
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'

export type WireRequest = Readonly<{
  method?: string
  path?: string
  contentType?: string
  headers?: Readonly<Record<string, string>>
  body?: string | Uint8Array
  /** Send the body in pieces of this many bytes with chunked transfer encoding (no Content-Length). */
  chunked?: number
}>

export type WireResponse = Readonly<{ status: number; headers: IncomingHttpHeaders; text: string; json: unknown }>

export const send = (base: string, wire: WireRequest): Promise<WireResponse> =>
  new Promise((resolve, reject) => {
    const url = new URL(wire.path ?? '/', base)
    const body = wire.body === undefined ? undefined : typeof wire.body === 'string' ? Buffer.from(wire.body, 'utf8') : Buffer.from(wire.body)
    const headers: Record<string, string | number> = { ...wire.headers }
    if (wire.contentType !== undefined) headers['content-type'] = wire.contentType
    if (body !== undefined && wire.chunked === undefined) headers['content-length'] = body.byteLength
    const req = httpRequest(url, { method: wire.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
    })
    req.on('error', reject)
    if (body !== undefined && wire.chunked !== undefined) {
      for (let i = 0; i < body.byteLength; i += wire.chunked) req.write(body.subarray(i, i + wire.chunked))
      req.end()
    } else {
      req.end(body)
    }
  })
