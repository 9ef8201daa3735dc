/**
 * Sending a notification to a receiver with `fetch`, as Banksocket would: one POST, the body in the
 * chosen encoding, and the receiver's answer as data. Web APIs only.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { ENCODINGS, type Encoding, encodeNotification } from './encode.ts'
import type { NotificationFields } from './notification.ts'

/**
 * Options of {@link sendNotification}.
 *
 * @example
 * import type { SendOptions } from '@banksocket-webhooks/testing'
 * const options: SendOptions = { encoding: 'multipart', timeout: 2_000 }
 */
export type SendOptions = Readonly<{
  /** Body encoding. @default 'form' */
  encoding?: Encoding
  /** The `fetch` to use (inject one to trace or to run on another runtime). @default globalThis.fetch */
  fetch?: typeof fetch
  /** Extra request headers (the content type is set from the encoding). @default {} */
  headers?: Readonly<Record<string, string>>
  /** Milliseconds before the request is abandoned with a `timeout` error. @default 10000 */
  timeout?: number
  /** Aborts the request; it then fails with `aborted`. */
  signal?: AbortSignal
}>

/**
 * The default time a send may take: 10 seconds.
 *
 * @example
 * import { DEFAULT_SEND_TIMEOUT } from '@banksocket-webhooks/testing'
 * DEFAULT_SEND_TIMEOUT // 10000
 */
export const DEFAULT_SEND_TIMEOUT = 10_000

/**
 * The receiver's answer. Any status is an answer (a 401 `invalid_hash` is a result to look at,
 * not a failure to send). `json` is the parsed body when it is JSON, `undefined` otherwise.
 *
 * @example
 * import type { SendResult } from '@banksocket-webhooks/testing'
 * const accepted = (r: SendResult) => r.status === 200 && (r.json as { status?: string })?.status === 'ok'
 */
export type SendResult = Readonly<{
  status: number
  /** `true` for a 2xx status. */
  ok: boolean
  contentType: string | null
  /** The body as text. */
  body: string
  json: unknown
}>

/**
 * Why nothing was answered: a URL that is not absolute http(s) (`invalid_url`), a connection
 * that failed (`network_error`, with the underlying cause), no answer in time (`timeout`) or the
 * caller's signal (`aborted`).
 *
 * @example
 * import type { SendError } from '@banksocket-webhooks/testing'
 * const describe = (e: SendError) => e._tag === 'network_error' ? e.message : e._tag
 */
export type SendError =
  | Readonly<{ _tag: 'invalid_url'; url: string }>
  | Readonly<{ _tag: 'network_error'; message: string }>
  | Readonly<{ _tag: 'timeout'; timeout: number }>
  | Readonly<{ _tag: 'aborted' }>

const isHttpUrl = (url: string): boolean => {
  try {
    const { protocol } = new URL(url)
    return protocol === 'http:' || protocol === 'https:'
  } catch {
    return false
  }
}

const causeOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const cause = (error as Error & { cause?: unknown }).cause
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code
    return `${error.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`.trim()
  }
  return error.message
}

const parseJson = (contentType: string | null, text: string): unknown => {
  if (contentType === null || !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType.trim())) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/**
 * POSTs `fields` to `url` in the chosen encoding and reads the answer. The task never rejects:
 * failures are a {@link SendError}. The fields are sent as given; sign them first with
 * {@link signNotification}. Redirects are not followed (a 3xx is an answer like any other).
 * Bad options (a non-positive timeout, an unknown encoding) throw a `TypeError` at once, before
 * anything is sent.
 *
 * @example
 * import { sendNotification, signNotification } from '@banksocket-webhooks/testing'
 * const signed = await signNotification({ amount: '75.00', balance: '18175.00' }, 'my-secret')()
 * const result = await sendNotification('http://127.0.0.1:3000/', signed, { encoding: 'json' })()
 * // Right({ status: 200, ok: true, json: { status: 'ok' }, ... }) or Left({ _tag: 'network_error', ... })
 */
export const sendNotification = (url: string, fields: NotificationFields, options: SendOptions = {}): TE.TaskEither<SendError, SendResult> => {
  const timeout = options.timeout ?? DEFAULT_SEND_TIMEOUT
  if (!Number.isSafeInteger(timeout) || timeout <= 0) {
    throw new TypeError(`timeout must be a positive integer number of milliseconds, got ${String(timeout)}`)
  }
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (name.toLowerCase() !== 'content-type') headers[name] = value
  }
  const encoding = options.encoding ?? 'form'
  if (!ENCODINGS.includes(encoding)) {
    throw new TypeError(`encoding must be one of ${ENCODINGS.join(', ')}, got "${String(encoding)}"`)
  }
  return async () => {
    if (!isHttpUrl(url)) return E.left({ _tag: 'invalid_url', url })
    const { body, contentType } = encodeNotification(fields, encoding)
    const timer = AbortSignal.timeout(timeout)
    const signal = options.signal === undefined ? timer : AbortSignal.any([timer, options.signal])
    const doFetch = options.fetch ?? globalThis.fetch
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { ...headers, 'content-type': contentType },
        body,
        signal,
        redirect: 'manual',
      })
      const text = await response.text()
      const responseType = response.headers.get('content-type')
      return E.right({
        status: response.status,
        ok: response.ok,
        contentType: responseType,
        body: text,
        json: parseJson(responseType, text),
      })
    } catch (error) {
      if (options.signal?.aborted === true) return E.left({ _tag: 'aborted' })
      if (timer.aborted) return E.left({ _tag: 'timeout', timeout })
      return E.left({ _tag: 'network_error', message: causeOf(error) })
    }
  }
}
