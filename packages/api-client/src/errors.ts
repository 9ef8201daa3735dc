/**
 * Why a management API call failed: a tagged union, one case per kind of failure. Errors are plain
 * data (they serialise with `JSON.stringify`) and never contain the API token: it is only sent as the
 * `Authentication` header, messages are built from parts that never hold it (method, URL, status,
 * the cause's message), and a response body that echoes it is redacted: a token of 8 characters or
 * more is replaced by `[redacted]`, and a body holding a shorter one is withheld whole.
 *
 * @module
 */
import type { PayloadProblem } from '@banksocket-webhooks/core'

/**
 * The request was refused before it left the process: the input failed the core codecs. `problems`
 * name the field paths (`endpoint`, `account`, `id`, ...).
 *
 * @example
 * import type { InvalidInput } from '@banksocket-webhooks/api-client'
 * const e: InvalidInput = { _tag: 'InvalidInput', problems: [{ path: 'endpoint', message: 'expected an absolute http(s) URL' }] }
 */
export type InvalidInput = Readonly<{ _tag: 'InvalidInput'; problems: ReadonlyArray<PayloadProblem> }>

/**
 * Banksocket answered with a non-2xx status. `body` is the response text as received (at most
 * {@link MAX_ERROR_BODY} characters; an echoed token of 8 characters or more reads `[redacted]`,
 * and a body holding a shorter token is replaced by a note saying it was withheld); Banksocket
 * does not document its error bodies.
 * `attempts` counts the requests made, retries included.
 *
 * @example
 * import type { HttpError } from '@banksocket-webhooks/api-client'
 * const e: HttpError = { _tag: 'HttpError', method: 'DELETE', url: 'https://api.banksocket.com/v1/webhooks/7',
 *   status: 404, body: '{"error":"not found"}', attempts: 1 }
 */
export type HttpError = Readonly<{
  _tag: 'HttpError'
  method: string
  url: string
  status: number
  body: string
  attempts: number
}>

/**
 * No answer arrived: the connection was refused, reset or dropped (also while the body was read).
 * `message` is what the runtime said (`fetch failed: getaddrinfo ENOTFOUND api.example`), or, for a
 * port fetch blocks (1, 6000, 10080, ...), a sentence saying so and to use another port.
 *
 * @example
 * import type { NetworkError } from '@banksocket-webhooks/api-client'
 * const e: NetworkError = { _tag: 'NetworkError', method: 'POST', url: 'https://api.banksocket.com/v1/webhooks',
 *   message: 'fetch failed', attempts: 1 }
 */
export type NetworkError = Readonly<{ _tag: 'NetworkError'; method: string; url: string; message: string; attempts: number }>

/**
 * An attempt took longer than the client's `timeout` (waiting for the answer or reading its body).
 *
 * @example
 * import type { Timeout } from '@banksocket-webhooks/api-client'
 * const e: Timeout = { _tag: 'Timeout', method: 'POST', url: 'https://api.banksocket.com/v1/webhooks', timeoutMs: 10000, attempts: 1 }
 */
export type Timeout = Readonly<{ _tag: 'Timeout'; method: string; url: string; timeoutMs: number; attempts: number }>

/**
 * A 2xx answer did not have the documented shape (or was not JSON). `problems` name the paths,
 * for example `webhook.id`; `body` is the text received (truncated, without the token as in {@link HttpError}).
 *
 * @example
 * import type { DecodeError } from '@banksocket-webhooks/api-client'
 * const e: DecodeError = { _tag: 'DecodeError', method: 'POST', url: 'https://api.banksocket.com/v1/webhooks', status: 200,
 *   problems: [{ path: 'webhook.id', message: 'expected number' }], body: '{"webhook":{"id":"x"}}' }
 */
export type DecodeError = Readonly<{
  _tag: 'DecodeError'
  method: string
  url: string
  status: number
  problems: ReadonlyArray<PayloadProblem>
  body: string
}>

/**
 * The token function threw, rejected, or returned something that is not a usable header value. No
 * request was sent. The message never repeats the token.
 *
 * @example
 * import type { TokenUnavailable } from '@banksocket-webhooks/api-client'
 * const e: TokenUnavailable = { _tag: 'TokenUnavailable', message: 'the token function returned an empty string' }
 */
export type TokenUnavailable = Readonly<{ _tag: 'TokenUnavailable'; message: string }>

/**
 * Every way a management API call can fail.
 *
 * | `_tag` | meaning | request sent? |
 * |---|---|---|
 * | `InvalidInput` | input failed the core codecs | no |
 * | `TokenUnavailable` | the token function failed | no |
 * | `HttpError` | non-2xx answer (status, body) | yes |
 * | `NetworkError` | connection refused, reset or dropped | maybe |
 * | `Timeout` | no answer within `timeout` | maybe |
 * | `DecodeError` | 2xx answer of an unexpected shape | yes |
 *
 * @example
 * import type { ApiError } from '@banksocket-webhooks/api-client'
 * const retryLater = (e: ApiError) => e._tag === 'NetworkError' || e._tag === 'Timeout'
 */
export type ApiError = InvalidInput | TokenUnavailable | HttpError | NetworkError | Timeout | DecodeError

/**
 * The longest response body kept in an {@link HttpError} or {@link DecodeError}, in characters.
 * Longer bodies are cut and end with `…`.
 *
 * @example
 * import { MAX_ERROR_BODY } from '@banksocket-webhooks/api-client'
 * MAX_ERROR_BODY // 16384
 */
export const MAX_ERROR_BODY = 16_384

/**
 * True for an {@link HttpError} with status 401: the token is missing, wrong or expired.
 *
 * @example
 * import { isUnauthorized } from '@banksocket-webhooks/api-client'
 * isUnauthorized({ _tag: 'HttpError', method: 'POST', url: 'u', status: 401, body: '', attempts: 1 }) // true
 */
export const isUnauthorized = (e: ApiError): e is HttpError & Readonly<{ status: 401 }> => e._tag === 'HttpError' && e.status === 401

/**
 * True for an {@link HttpError} with status 403: the token is valid but may not do this.
 *
 * @example
 * import { isForbidden } from '@banksocket-webhooks/api-client'
 * isForbidden({ _tag: 'HttpError', method: 'POST', url: 'u', status: 403, body: '', attempts: 1 }) // true
 */
export const isForbidden = (e: ApiError): e is HttpError & Readonly<{ status: 403 }> => e._tag === 'HttpError' && e.status === 403

const problemsText = (problems: ReadonlyArray<PayloadProblem>): string =>
  problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('; ')

const tries = (attempts: number): string => (attempts > 1 ? ` after ${attempts} attempts` : '')

/**
 * One line describing an {@link ApiError}, for logs and thrown messages. Never contains the token
 * (errors never hold it).
 *
 * @example
 * import { formatApiError } from '@banksocket-webhooks/api-client'
 * formatApiError({ _tag: 'Timeout', method: 'POST', url: 'https://api.banksocket.com/v1/webhooks', timeoutMs: 10000, attempts: 1 })
 * // 'POST https://api.banksocket.com/v1/webhooks timed out after 10000 ms'
 */
export const formatApiError = (e: ApiError): string => {
  switch (e._tag) {
    case 'InvalidInput':
      return `invalid input, nothing was sent: ${problemsText(e.problems)}`
    case 'TokenUnavailable':
      return `no API token, nothing was sent: ${e.message}`
    case 'HttpError': {
      const hint = e.status === 401 ? ' (check the token)' : e.status === 403 ? ' (the token may not do this)' : ''
      const body = e.body === '' ? '' : `: ${e.body.length > 200 ? `${e.body.slice(0, 200)}…` : e.body}`
      return `${e.method} ${e.url} answered ${e.status}${hint}${tries(e.attempts)}${body}`
    }
    case 'NetworkError':
      return `${e.method} ${e.url} failed${tries(e.attempts)}: ${e.message}`
    case 'Timeout':
      return `${e.method} ${e.url} timed out after ${e.timeoutMs} ms${tries(e.attempts)}`
    case 'DecodeError':
      return `${e.method} ${e.url} answered ${e.status} with an unexpected body: ${problemsText(e.problems)}`
  }
}
