/**
 * Graceful shutdown on SIGINT and SIGTERM: the first signal starts the shutdown, a second one while
 * it runs ends the process at once with exit code 1.
 *
 * @module
 */
import type { CliIo, Signal } from './io.ts'

/**
 * A pending shutdown request: `signal` resolves with the first SIGINT or SIGTERM; `dispose` stops
 * listening for signals.
 *
 * @example
 * import type { ShutdownSignal } from './signals.ts'
 * const wait = async (s: ShutdownSignal) => { const signal = await s.signal; s.dispose(); return signal }
 */
export type ShutdownSignal = Readonly<{ signal: Promise<Signal>; dispose: () => void }>

/**
 * Waits for SIGINT or SIGTERM. After the first one, another signal writes a line on stderr and
 * exits with code 1 without waiting (for a shutdown that hangs).
 *
 * @example
 * import { awaitShutdown } from './signals.ts'
 * const shutdown = awaitShutdown(io, 'banksocket listen')
 * await shutdown.signal
 * await server.close()
 * shutdown.dispose()
 */
export const awaitShutdown = (io: CliIo, name: string): ShutdownSignal => {
  let received: Signal | undefined
  let resolve: (signal: Signal) => void = () => {}
  const signal = new Promise<Signal>((r) => {
    resolve = r
  })
  const dispose = io.onSignal((s) => {
    if (received === undefined) {
      received = s
      resolve(s)
      return
    }
    io.stderr.write(`${name}: ${s} again, exiting without waiting\n`)
    io.exit(1)
  })
  return { signal, dispose }
}
