/**
 * Helpers shared by the modules of this package. Not part of the public API.
 *
 * @internal
 * @module
 */
import { MAX_ERROR_BODY } from './errors.ts'

/** @internal Cuts `text` to {@link MAX_ERROR_BODY} characters, marking the cut with `…`. */
export const truncate = (text: string): string => (text.length > MAX_ERROR_BODY ? `${text.slice(0, MAX_ERROR_BODY)}…` : text)

/** @internal A monotonic clock in milliseconds (`performance.now()`, a Web API). */
export const now = (): number => globalThis.performance.now()

/** @internal Calls an observer, ignoring anything it throws: observers cannot break a request. */
export const notify = <E>(observer: ((event: E) => void) | undefined, event: E): void => {
  if (observer === undefined) return
  try {
    observer(event)
  } catch {
    // An observer's failure is its own business; the request goes on.
  }
}

/** @internal The messages of an error and its causes, joined: `fetch failed: other side closed`. */
export const describeError = (error: unknown): string => {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code
      const text = current.message !== '' ? current.message : current.name
      parts.push(typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text)
      current = current.cause
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.length === 0 ? 'unknown error' : parts.join(': ')
}
