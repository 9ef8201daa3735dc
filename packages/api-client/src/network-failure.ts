/**
 * The message of a {@link NetworkError}: what the runtime said about the connection, in words a
 * user can act on where the runtime's own are cryptic (`fetch failed: bad port`).
 *
 * @internal
 * @module
 */
import { describeError } from './internal.ts'

/** Whether `error` or one of its causes is fetch's refusal of a blocked port (undici says `bad port`). */
const isBadPort = (error: unknown): boolean => {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current.message === 'bad port') return true
    current = current.cause
  }
  return false
}

/**
 * Describes a failure to reach `url`: the messages of the error and its causes
 * (`fetch failed: connect ECONNREFUSED 127.0.0.1:4000`), except for a port the Fetch standard blocks
 * (https://fetch.spec.whatwg.org/#port-blocking: 1, 6000, 10080 and others), which fetch refuses
 * before connecting: that one says so and what to do.
 *
 * @internal
 * @example
 * networkFailure(new TypeError('fetch failed', { cause: new Error('bad port') }), 'http://127.0.0.1:1/v1/webhooks')
 * // 'cannot connect to http://127.0.0.1:1: port 1 is refused by fetch (bad port: the Fetch standard blocks it); use another port'
 */
export const networkFailure = (error: unknown, url: string): string => {
  if (!isBadPort(error)) return describeError(error)
  const { origin, port } = new URL(url)
  const which = port === '' ? 'its port' : `port ${port}`
  return `cannot connect to ${origin}: ${which} is refused by fetch (bad port: the Fetch standard blocks it); use another port`
}
