// Our fetch receiver (adapter-fetch), the one that runs on Deno, Workers and Bun, served on Node
// through the smallest node:http -> Request -> Response bridge: read the body, build a `Request`,
// call `receiver.fetch`, write the `Response`. BENCH_HASHER picks its hasher: `web` (its default,
// Web Crypto, what it runs with on Workers) or `node` (node:crypto, as a Node user would pass).
import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
import { nodeSha256, SECRET } from '../lib/notifications.mjs'
import { countEvents, storeOptions } from './receiver-events.mjs'
import { counters, serve } from './serve.mjs'

const counts = counters()
const hasher = process.env.BENCH_HASHER ?? 'web'
if (hasher !== 'web' && hasher !== 'node') throw new Error(`BENCH_HASHER must be web or node, got ${hasher}`)
const receiver = createFetchReceiver({
  secrets: [SECRET],
  ...(hasher === 'node' ? { sha256: nodeSha256 } : {}),
  ...storeOptions(),
})
countEvents(receiver, counts)

const bridge = async (req, res) => {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  const headers = new Headers()
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1])
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
    method: req.method,
    headers,
    ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
  })
  const response = await receiver.fetch(request)
  const body = Buffer.from(await response.arrayBuffer())
  const out = {}
  response.headers.forEach((value, name) => {
    out[name] = value
  })
  res.writeHead(response.status, out)
  res.end(body)
}

serve((req, res) => {
  bridge(req, res).catch(() => {
    counts.errors++
    if (!res.headersSent) res.writeHead(500)
    res.end()
  })
}, counts)
