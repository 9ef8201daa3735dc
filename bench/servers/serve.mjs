// What every bench server process shares: listen on a loopback port, tell the parent which one,
// answer its questions (counters, memory) and stop when told. The parent (bench/lib/load.mjs)
// spawns one process per server so that each one's RSS and CPU time are its own.
import { createServer } from 'node:http'

/**
 * Counters a server keeps of what its application saw: `accepted` new transactions, `gaps`,
 * `duplicates`, `rejected` (4xx) and `errors` (5xx).
 */
export const counters = () => ({ accepted: 0, gaps: 0, duplicates: 0, rejected: 0, errors: 0 })

/**
 * Serves `handler` (a node:http request listener) on 127.0.0.1, port 0.
 *
 * @param {import('node:http').RequestListener} handler
 * @param {ReturnType<typeof counters>} counts
 */
export const serve = (handler, counts) => {
  const server = createServer({ keepAliveTimeout: 60_000 }, handler)
  server.listen(0, '127.0.0.1', () => announce(server, counts))
}

/**
 * Tells the parent the port of a listening `server`, then answers its questions: `stats` (the
 * counters and process.memoryUsage()) and `close`.
 *
 * @param {import('node:http').Server} server
 * @param {ReturnType<typeof counters>} counts
 */
export const announce = (server, counts) => {
  process.send({ type: 'listening', port: server.address().port })
  process.on('message', (message) => {
    if (message?.type === 'stats') {
      process.send({ type: 'stats', counts, memory: process.memoryUsage() })
    } else if (message?.type === 'close') {
      server.closeAllConnections()
      server.close(() => process.exit(0))
    }
  })
  process.on('disconnect', () => process.exit(0))
}
