// A pipelining HTTP/1.1 client over raw sockets for the `listen` benchmarks (replay.mjs,
// telemetry.mjs): requests are prebuilt bytes, each lane is one keep-alive connection with DEPTH
// requests in flight, and every answer is tallied by status and body.
import { connect } from 'node:net'

/** A form POST to `/` as bytes. */
export const raw = (body) => {
  const bytes = Buffer.from(body, 'utf8')
  return Buffer.concat([
    Buffer.from(
      `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${bytes.length}\r\n\r\n`,
      'latin1',
    ),
    bytes,
  ])
}

/**
 * Sends lanes[k] over connection k, `depth` requests in flight per connection; resolves with the
 * rate and the answers counted by `"<status> <body>"`.
 */
export const drive = async (port, lanes, depth = 16) => {
  const tally = new Map()
  const started = process.hrtime.bigint()
  await Promise.all(
    lanes.map(
      (requests) =>
        new Promise((resolve, reject) => {
          const socket = connect(port, '127.0.0.1')
          let sent = 0
          let answered = 0
          let buffer = Buffer.alloc(0)
          const pump = () => {
            while (sent < requests.length && sent - answered < depth) socket.write(requests[sent++])
          }
          socket.on('connect', pump)
          socket.on('error', reject)
          socket.on('data', (chunk) => {
            buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
            for (;;) {
              const end = buffer.indexOf('\r\n\r\n')
              if (end < 0) break
              const head = buffer.toString('latin1', 0, end)
              const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0)
              if (buffer.length < end + 4 + length) break
              const key = `${head.split('\r\n')[0].split(' ')[1]} ${buffer.toString('utf8', end + 4, end + 4 + length)}`
              tally.set(key, (tally.get(key) ?? 0) + 1)
              buffer = buffer.subarray(end + 4 + length)
              answered++
            }
            if (answered === requests.length) {
              socket.end()
              resolve()
            } else pump()
          })
        }),
    ),
  )
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const total = lanes.reduce((n, l) => n + l.length, 0)
  return { perSecond: Math.round(total / seconds), answers: Object.fromEntries(tally) }
}
