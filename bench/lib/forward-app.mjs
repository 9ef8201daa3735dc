// The application the forwarding benchmark (bench/consumers.mjs) POSTs to: node:http on a loopback
// port, keep-alive, reads each body to the end and answers 204. It does not verify signatures; it
// counts requests and body bytes, notes a request without the three Standard Webhooks headers, and
// checks that each account's events arrive in order (the version at the end of `webhook-id`,
// `msg_<stream>_<version>`, grows per stream). Forked with IPC: tells the parent its port, answers
// `stats` and `reset`, exits on `close`.
import { createServer } from 'node:http'

let counts
const reset = () => {
  counts = { requests: 0, bytes: 0, missingHeaders: 0, outOfOrder: 0, streams: new Map() }
}
reset()

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  let bytes = 0
  req.on('data', (chunk) => {
    bytes += chunk.length
  })
  req.on('end', () => {
    counts.requests++
    counts.bytes += bytes
    const id = req.headers['webhook-id']
    if (id === undefined || req.headers['webhook-timestamp'] === undefined || req.headers['webhook-signature'] === undefined) counts.missingHeaders++
    else {
      const cut = id.lastIndexOf('_')
      const stream = id.slice(4, cut)
      const version = Number(id.slice(cut + 1))
      if ((counts.streams.get(stream) ?? 0) >= version) counts.outOfOrder++
      counts.streams.set(stream, version)
    }
    res.writeHead(204)
    res.end()
  })
})

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port })
})
process.on('message', (message) => {
  if (message?.type === 'stats') {
    const { streams, ...rest } = counts
    process.send({ type: 'stats', counts: { ...rest, streams: streams.size } })
  } else if (message?.type === 'reset') {
    reset()
    process.send({ type: 'reset' })
  } else if (message?.type === 'close') {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  }
})
process.on('disconnect', () => process.exit(0))
