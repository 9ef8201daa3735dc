/**
 * One management API call on ky: resolves the token, sends the request with the retry policy,
 * reports each attempt to the hooks, decodes the 2xx answer with an io-ts codec, and turns every
 * failure into an {@link ApiError}.
 *
 * @internal
 * @module
 */
import { problemsOf } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import ky, { isHTTPError, isNetworkError, isTimeoutError, type RetryOptions } from 'ky'
import type { ApiError, DecodeError, TokenUnavailable } from './errors.ts'
import { describeError, notify, now, truncate } from './internal.ts'
import { networkFailure } from './network-failure.ts'
import { type FetchLike, type Settings, tokenProblem } from './options.ts'
import { bodyWithoutToken, textWithoutToken } from './redaction.ts'

/** @internal A request: method, path below the base URL, and an optional encoded body. */
export type Call = Readonly<{
  method: 'POST' | 'DELETE'
  path: string
  body?: Readonly<{ contentType: string; text: string }>
}>

/** Statuses after which a DELETE is retried; `Retry-After` is honoured on 429 and 503. */
const RETRY_STATUSES = [429, 500, 502, 503, 504]
const RETRY_AFTER_STATUSES = [429, 503]

const resolveToken = async (settings: Settings): Promise<E.Either<TokenUnavailable, string>> => {
  let token: unknown
  try {
    token = await settings.token()
  } catch (error) {
    return E.left({ _tag: 'TokenUnavailable', message: `the token function failed: ${describeError(error)}` })
  }
  const problem = tokenProblem(token)
  return problem === undefined
    ? E.right(token as string)
    : E.left({ _tag: 'TokenUnavailable', message: `the token function returned an unusable token: ${problem}` })
}

const retryOptions = (settings: Settings, method: Call['method']): RetryOptions =>
  method === 'POST'
    ? // Never retried: once a POST may have reached Banksocket, a second one could create a second webhook.
      { limit: 0 }
    : {
        limit: settings.retry.limit,
        methods: ['delete'],
        statusCodes: RETRY_STATUSES,
        afterStatusCodes: RETRY_AFTER_STATUSES,
        maxRetryAfter: settings.retry.maxDelay,
        backoffLimit: settings.retry.maxDelay,
        delay: (n) => settings.retry.backoff * 2 ** (n - 1),
        retryOnTimeout: false,
      }

/**
 * Sends `call` and decodes its 2xx JSON answer with `codec`, or answers the {@link ApiError} that
 * ended it.
 *
 * @internal
 */
export const send =
  <A>(settings: Settings, call: Call, codec: t.Decoder<unknown, A>) =>
  async (): Promise<E.Either<ApiError, A>> => {
    const token = await resolveToken(settings)
    if (E.isLeft(token)) return token
    // The token goes in the Authentication header and nowhere else: no message is built from it.
    const secret = token.right
    const { method } = call
    const url = `${settings.baseUrl}/${call.path}`
    const { hooks } = settings
    let attempts = 0
    let lastEnded = now()

    const attempt: FetchLike = async (input, init) => {
      attempts += 1
      const current = attempts
      const started = now()
      notify(hooks.onRequest, { method, url, attempt: current })
      try {
        const response = await settings.fetch(input, init)
        lastEnded = now()
        notify(hooks.onResponse, { method, url, attempt: current, status: response.status, durationMs: lastEnded - started })
        return response
      } catch (error) {
        lastEnded = now()
        const signal = input instanceof Request ? input.signal : init?.signal
        const reason = signal?.aborted === true ? 'timeout' : 'network'
        notify(hooks.onAttemptError, { method, url, attempt: current, reason, durationMs: lastEnded - started })
        throw error
      }
    }

    let text: string
    let status: number
    const headers: Record<string, string> = { Authentication: secret, Accept: 'application/json' }
    if (call.body !== undefined) headers['Content-Type'] = call.body.contentType
    try {
      const pending = ky(url, {
        method,
        headers,
        ...(call.body === undefined ? {} : { body: call.body.text }),
        // Not followed: fetch would send the custom Authentication header on to wherever a redirect
        // points (only Authorization is dropped across origins). A 3xx becomes an HttpError.
        redirect: 'manual',
        timeout: settings.timeout,
        retry: retryOptions(settings, method),
        fetch: attempt,
        // Keep error bodies as the raw text Banksocket sent: `HTTPError.data` is then always a string.
        parseJson: (text) => text,
        hooks: {
          beforeRetry: [
            ({ error }) => {
              notify(hooks.onRetry, {
                method,
                url,
                attempt: attempts + 1,
                status: isHTTPError(error) ? error.response.status : null,
                waitedMs: now() - lastEnded,
              })
            },
          ],
        },
      })
      text = await pending.text()
      status = (await pending).status
    } catch (error) {
      return E.left(toApiError(error, { method, url, attempts, timeoutMs: settings.timeout, secret }))
    }
    const decodeError = (problems: DecodeError['problems']): E.Either<ApiError, never> =>
      E.left({ _tag: 'DecodeError', method, url, status, problems, body: truncate(bodyWithoutToken(text, secret)) })
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return decodeError([{ path: '', message: 'expected a JSON body' }])
    }
    const decoded = codec.decode(json)
    return E.isRight(decoded) ? decoded : decodeError(problemsOf(decoded.left))
  }

const toApiError = (
  error: unknown,
  ctx: Readonly<{ method: string; url: string; attempts: number; timeoutMs: number; secret: string }>,
): ApiError => {
  const { method, url, attempts, secret } = ctx
  if (isHTTPError(error)) {
    const body = typeof error.data === 'string' ? error.data : ''
    return { _tag: 'HttpError', method, url, status: error.response.status, body: truncate(bodyWithoutToken(body, secret)), attempts }
  }
  if (isTimeoutError(error)) return { _tag: 'Timeout', method, url, timeoutMs: ctx.timeoutMs, attempts }
  // ky wraps connection failures in NetworkError; a body cut off mid-read ("terminated") or an
  // injected fetch's own failure arrive unwrapped. Either way no usable answer arrived. The message
  // describes the connection, never the request's headers (see redaction.ts).
  const message = networkFailure(isNetworkError(error) ? error.cause : error, url)
  return { _tag: 'NetworkError', method, url, message: textWithoutToken(message, secret), attempts }
}
