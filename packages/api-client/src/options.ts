/**
 * Client options: their types (documented where declared, with defaults) and the one place where
 * defaults are applied and bad options are refused with a message that says what to do.
 *
 * @module
 */

/**
 * Banksocket's management API base URL.
 *
 * @example
 * import { DEFAULT_BASE_URL } from '@banksocket-webhooks/api-client'
 * DEFAULT_BASE_URL // 'https://api.banksocket.com/v1'
 */
export const DEFAULT_BASE_URL = 'https://api.banksocket.com/v1'

/**
 * Per-attempt timeout, in milliseconds.
 *
 * @example
 * import { DEFAULT_TIMEOUT } from '@banksocket-webhooks/api-client'
 * DEFAULT_TIMEOUT // 10000
 */
export const DEFAULT_TIMEOUT = 10_000

/**
 * Where the API token comes from: the token itself, or a function returning it (or a Promise of
 * it), called once per API call, so a rotated token is picked up without a new client. It is sent
 * as the `Authentication` header (not `Authorization`), and never appears in errors or hooks.
 *
 * @example
 * import type { TokenSource } from '@banksocket-webhooks/api-client'
 * const fromEnv: TokenSource = () => process.env.BANKSOCKET_TOKEN ?? ''
 */
export type TokenSource = string | (() => string | Promise<string>)

/**
 * When and how long to wait before repeating a failed request.
 *
 * Only `DELETE` is retried, and only after a network error (no answer), `429`, `500`, `502`, `503`
 * or `504`. `POST /webhooks` is never retried: once a request may have reached Banksocket, sending
 * it again could create a second webhook. Timeouts are not retried either.
 *
 * The wait before retry `n` (1, 2, ...) is `backoff * 2 ** (n - 1)`; on `429` and `503` a
 * `Retry-After` header (seconds or an HTTP date) replaces it. Either way the wait is at most `maxDelay`.
 *
 * @example
 * import type { RetryPolicy } from '@banksocket-webhooks/api-client'
 * const patient: RetryPolicy = { limit: 5, backoff: 500, maxDelay: 30_000 }
 */
export type RetryPolicy = Readonly<{
  /**
   * Retries after the first attempt: `2` means at most three requests. `0` disables retries.
   * @default 2
   */
  limit?: number
  /**
   * Wait before the first retry, in milliseconds; it doubles with each further retry.
   * @default 300
   */
  backoff?: number
  /**
   * The longest wait between two attempts, in milliseconds. Caps both the exponential backoff and
   * a server's `Retry-After`.
   * @default 10000
   */
  maxDelay?: number
}>

/**
 * The retry policy used when none is given: `{ limit: 2, backoff: 300, maxDelay: 10_000 }`.
 *
 * @example
 * import { DEFAULT_RETRY } from '@banksocket-webhooks/api-client'
 * DEFAULT_RETRY.limit // 2
 */
export const DEFAULT_RETRY: Required<RetryPolicy> = { limit: 2, backoff: 300, maxDelay: 10_000 }

/**
 * A `fetch` function: the runtime's own by default. Inject one to add a proxy agent, tracing, or a
 * platform's bound fetch (for example a Cloudflare service binding).
 *
 * @example
 * import type { FetchLike } from '@banksocket-webhooks/api-client'
 * const traced: FetchLike = (input, init) => fetch(input, init)
 */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>

/**
 * An attempt is about to be sent. `attempt` is 1 for the first request, 2 for the first retry.
 *
 * @example
 * import type { RequestEvent } from '@banksocket-webhooks/api-client'
 * const e: RequestEvent = { method: 'POST', url: 'https://api.banksocket.com/v1/webhooks', attempt: 1 }
 */
export type RequestEvent = Readonly<{ method: string; url: string; attempt: number }>

/**
 * An attempt got an answer (any status), `durationMs` after it was sent.
 *
 * @example
 * import type { ResponseEvent } from '@banksocket-webhooks/api-client'
 * const e: ResponseEvent = { method: 'POST', url: 'https://api.banksocket.com/v1/webhooks', attempt: 1, status: 200, durationMs: 84 }
 */
export type ResponseEvent = Readonly<{ method: string; url: string; attempt: number; status: number; durationMs: number }>

/**
 * An attempt got no answer: the connection failed (`network`) or the timeout fired (`timeout`).
 *
 * @example
 * import type { AttemptErrorEvent } from '@banksocket-webhooks/api-client'
 * const e: AttemptErrorEvent = { method: 'DELETE', url: 'https://api.banksocket.com/v1/webhooks/7', attempt: 1, reason: 'network', durationMs: 3 }
 */
export type AttemptErrorEvent = Readonly<{
  method: string
  url: string
  attempt: number
  reason: 'network' | 'timeout'
  durationMs: number
}>

/**
 * A retry is starting: `attempt` is the attempt about to be sent, `status` what the previous one
 * answered (`null` when it got no answer), `waitedMs` how long the client waited since then.
 *
 * @example
 * import type { RetryEvent } from '@banksocket-webhooks/api-client'
 * const e: RetryEvent = { method: 'DELETE', url: 'https://api.banksocket.com/v1/webhooks/7', attempt: 2, status: 503, waitedMs: 301 }
 */
export type RetryEvent = Readonly<{ method: string; url: string; attempt: number; status: number | null; waitedMs: number }>

/**
 * Observers for logging and metrics. They receive method, URL, attempt, status and timings, never
 * the token or the request body. A hook that throws is ignored: it cannot break a request.
 *
 * @example
 * import type { ClientHooks } from '@banksocket-webhooks/api-client'
 * const hooks: ClientHooks = {
 *   onResponse: (e) => console.log(`${e.method} ${e.url} ${e.status} ${e.durationMs.toFixed(0)}ms`),
 *   onRetry: (e) => console.warn(`retrying ${e.method} ${e.url} (attempt ${e.attempt})`),
 * }
 */
export type ClientHooks = Readonly<{
  /** Before each attempt. */
  onRequest?: (event: RequestEvent) => void
  /** After each attempt that got an answer, whatever its status. */
  onResponse?: (event: ResponseEvent) => void
  /** After each attempt that got no answer. */
  onAttemptError?: (event: AttemptErrorEvent) => void
  /** Before each retry. */
  onRetry?: (event: RetryEvent) => void
}>

/**
 * How `POST /webhooks` encodes its body: `json` (`application/json`) or `form`
 * (`application/x-www-form-urlencoded`, UTF-8).
 *
 * @example
 * import type { BodyEncoding } from '@banksocket-webhooks/api-client'
 * const encoding: BodyEncoding = 'form'
 */
export type BodyEncoding = 'json' | 'form'

/**
 * Options of {@link createClient}. Only `token` is required.
 *
 * @example
 * import { createClient } from '@banksocket-webhooks/api-client'
 * const client = createClient({ token: () => process.env.BANKSOCKET_TOKEN ?? '', timeout: 5_000, retry: { limit: 3 } })
 */
export type ClientOptions = Readonly<{
  /** The API token, or a function returning it. Sent as the `Authentication` header. */
  token: TokenSource
  /**
   * The management API base URL (absolute http or https, no credentials, query or fragment).
   * `undefined` means the default, so `process.env.BANKSOCKET_API_URL` can be passed as is.
   * @default 'https://api.banksocket.com/v1'
   */
  baseUrl?: string | undefined
  /**
   * Per-attempt timeout in milliseconds, for the answer and again for reading its body.
   * @default 10000
   */
  timeout?: number
  /**
   * Retry policy for `DELETE` (see {@link RetryPolicy}); `POST` is never retried.
   * @default { limit: 2, backoff: 300, maxDelay: 10000 }
   */
  retry?: RetryPolicy
  /**
   * The `fetch` to use.
   * @default globalThis.fetch
   */
  fetch?: FetchLike
  /**
   * Body encoding of `POST /webhooks`.
   * @default 'json'
   */
  bodyEncoding?: BodyEncoding
  /** Logging and metrics observers. @default {} */
  hooks?: ClientHooks
}>

/** @internal Options with every default applied and every value checked. */
export type Settings = Readonly<{
  baseUrl: string
  token: () => Promise<string>
  timeout: number
  retry: Required<RetryPolicy>
  fetch: FetchLike
  bodyEncoding: BodyEncoding
  hooks: ClientHooks
}>

const MAX_TIMER = 2_147_483_647
const KNOWN = ['token', 'baseUrl', 'timeout', 'retry', 'fetch', 'bodyEncoding', 'hooks']
const KNOWN_RETRY = ['limit', 'backoff', 'maxDelay']
const KNOWN_HOOKS = ['onRequest', 'onResponse', 'onAttemptError', 'onRetry']

const fail = (message: string): never => {
  throw new TypeError(`createClient: ${message}`)
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const refuseUnknown = (where: string, value: Record<string, unknown>, known: ReadonlyArray<string>): void => {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(`unknown option \`${where}${key}\`; the known ones are ${known.map((k) => `\`${k}\``).join(', ')}`)
  }
}

/**
 * Why a token cannot be sent as a header, or `undefined` when it can. The message describes the
 * problem without quoting the token.
 *
 * @internal
 */
export const tokenProblem = (token: unknown): string | undefined => {
  if (typeof token !== 'string') return `the token must be a string, got ${token === null ? 'null' : typeof token}`
  if (token.trim() === '') return 'the token is empty'
  if (!/^[\x20-\x7e]+$/.test(token)) return 'the token may only contain printable ASCII characters (it is sent as an HTTP header)'
  return undefined
}

const milliseconds = (name: string, value: unknown, min: number, hint: string): number => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER) {
    return fail(`\`${name}\` must be a number of milliseconds between ${min} and ${MAX_TIMER}, got ${String(value)}; ${hint}`)
  }
  return value
}

const checkBaseUrl = (value: unknown): string => {
  if (value === undefined) return DEFAULT_BASE_URL
  const hint = `pass an absolute URL such as '${DEFAULT_BASE_URL}', or leave it out`
  if (typeof value !== 'string') return fail(`\`baseUrl\` must be a string, got ${typeof value}; ${hint}`)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return fail(`\`baseUrl\` is not an absolute URL; ${hint}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(`\`baseUrl\` must use http or https; ${hint}`)
  if (url.username !== '' || url.password !== '') {
    return fail('`baseUrl` must not contain credentials; pass the API token as the `token` option')
  }
  if (url.search !== '' || url.hash !== '') return fail(`\`baseUrl\` must not have a query or a fragment; ${hint}`)
  return url.href.replace(/\/+$/, '')
}

const checkToken = (value: unknown): Settings['token'] => {
  if (typeof value === 'function') {
    const source = value as () => unknown
    return async () => (await source()) as string
  }
  const problem = tokenProblem(value)
  if (problem !== undefined) {
    fail(`${problem}; pass the Banksocket API token, e.g. { token: process.env.BANKSOCKET_TOKEN }, or a function returning it`)
  }
  const token = value as string
  return () => Promise.resolve(token)
}

const checkRetry = (value: unknown): Required<RetryPolicy> => {
  if (value === undefined) return DEFAULT_RETRY
  if (!isRecord(value)) return fail('`retry` must be an object such as { limit: 2, backoff: 300, maxDelay: 10000 }')
  refuseUnknown('retry.', value, KNOWN_RETRY)
  const limit = value['limit'] ?? DEFAULT_RETRY.limit
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0 || limit > 100) {
    fail(`\`retry.limit\` must be a whole number from 0 to 100, got ${String(limit)}; use 0 to disable retries`)
  }
  return {
    limit: limit as number,
    backoff: milliseconds('retry.backoff', value['backoff'] ?? DEFAULT_RETRY.backoff, 0, 'for example 300'),
    maxDelay: milliseconds('retry.maxDelay', value['maxDelay'] ?? DEFAULT_RETRY.maxDelay, 0, 'for example 10000'),
  }
}

const checkHooks = (value: unknown): ClientHooks => {
  if (value === undefined) return {}
  if (!isRecord(value)) return fail('`hooks` must be an object such as { onResponse: (e) => console.log(e) }')
  refuseUnknown('hooks.', value, KNOWN_HOOKS)
  for (const [name, hook] of Object.entries(value)) {
    if (hook !== undefined && typeof hook !== 'function') fail(`\`hooks.${name}\` must be a function`)
  }
  return value as ClientHooks
}

const checkFetch = (value: unknown): FetchLike => {
  if (value === undefined) {
    if (typeof globalThis.fetch !== 'function') {
      return fail('this runtime has no global `fetch`; pass one as the `fetch` option')
    }
    return (input, init) => globalThis.fetch(input, init)
  }
  if (typeof value !== 'function') return fail('`fetch` must be a function compatible with the Fetch API')
  return value as FetchLike
}

/**
 * Applies defaults and checks every option, throwing a `TypeError` that names the option and says
 * what to pass instead. Messages never quote the token.
 *
 * @internal
 */
export const normalizeOptions = (options: unknown): Settings => {
  if (!isRecord(options)) return fail('pass an options object such as { token: process.env.BANKSOCKET_TOKEN }')
  refuseUnknown('', options, KNOWN)
  if (!('token' in options) || options['token'] === undefined) {
    return fail('`token` is required; pass the Banksocket API token, e.g. { token: process.env.BANKSOCKET_TOKEN }')
  }
  const bodyEncoding = options['bodyEncoding'] ?? 'json'
  if (bodyEncoding !== 'json' && bodyEncoding !== 'form') {
    fail(`\`bodyEncoding\` must be 'json' or 'form', got ${JSON.stringify(bodyEncoding)}`)
  }
  return {
    baseUrl: checkBaseUrl(options['baseUrl']),
    token: checkToken(options['token']),
    timeout: milliseconds('timeout', options['timeout'] ?? DEFAULT_TIMEOUT, 1, 'for example 10000'),
    retry: checkRetry(options['retry']),
    fetch: checkFetch(options['fetch']),
    bodyEncoding: bodyEncoding as BodyEncoding,
    hooks: checkHooks(options['hooks']),
  }
}
