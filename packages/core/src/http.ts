/**
 * The receiver's HTTP contract, decided once for every runtime: status, headers and JSON body for
 * each outcome.
 *
 * | case | status | body |
 * |---|---|---|
 * | accepted | 200 | `{"status":"ok"}` |
 * | duplicate | 200 | `{"status":"duplicate"}` |
 * | suspected replay (held back for review) | 200 | `{"status":"suspected_replay"}` |
 * | invalid_payload | 400 | `{"error":"invalid_payload","details":[...]}` |
 * | invalid_hash | 401 | `{"error":"invalid_hash"}` |
 * | another path | 404 | `{"error":"not_found"}` |
 * | wrong method | 405 | `{"error":"method_not_allowed"}`, `Allow: POST` |
 * | too_large | 413 | `{"error":"too_large"}` |
 * | unsupported_media_type | 415 | `{"error":"unsupported_media_type"}` |
 * | handler failed or timed out | 500 | `{"error":"handler_failed"}` |
 * | store failed | 500 | `{"error":"store_failed"}` |
 * | internal error | 500 | `{"error":"internal_error"}` |
 * | request refused by the runtime's HTTP parser | 400, 408, 431 | the Node adapter answers these itself |
 *
 * @module
 */
import type { Outcome } from './inbox.ts'
import type { Rejection } from './rejection.ts'

/**
 * An HTTP answer in runtime-neutral form.
 *
 * @example
 * import type { HttpAnswer } from '@banksocket-webhooks/core/runtime-kit'
 * const toResponse = (a: HttpAnswer) => new Response(a.body, { status: a.status, headers: a.headers })
 */
export type HttpAnswer = Readonly<{ status: number; headers: Readonly<Record<string, string>>; body: string }>

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const

const json = (status: number, value: unknown, headers: Readonly<Record<string, string>> = JSON_HEADERS): HttpAnswer => ({
  status,
  headers,
  body: JSON.stringify(value),
})

/** An answer that never changes, made once and frozen (an adapter may cache what it derives from it). */
const fixed = (status: number, value: unknown, headers: Readonly<Record<string, string>> = JSON_HEADERS): HttpAnswer =>
  Object.freeze(json(status, value, Object.freeze(headers)))

const OK = fixed(200, { status: 'ok' })
const DUPLICATE = fixed(200, { status: 'duplicate' })
const SUSPECTED_REPLAY = fixed(200, { status: 'suspected_replay' })
const INVALID_HASH = fixed(401, { error: 'invalid_hash' })
const TOO_LARGE = fixed(413, { error: 'too_large' })
const UNSUPPORTED_MEDIA_TYPE = fixed(415, { error: 'unsupported_media_type' })
const HANDLER_FAILED = fixed(500, { error: 'handler_failed' })
const STORE_FAILED = fixed(500, { error: 'store_failed' })
const INTERNAL_ERROR = fixed(500, { error: 'internal_error' })

/**
 * The answer to a rejection.
 *
 * @example
 * import { rejectionAnswer } from '@banksocket-webhooks/core/runtime-kit'
 * rejectionAnswer({ _tag: 'invalid_hash' }) // { status: 401, body: '{"error":"invalid_hash"}', ... }
 */
export const rejectionAnswer = (rejection: Rejection): HttpAnswer => {
  switch (rejection._tag) {
    case 'invalid_payload':
      return json(400, { error: 'invalid_payload', details: rejection.details })
    case 'invalid_hash':
      return INVALID_HASH
    case 'too_large':
      return TOO_LARGE
    case 'unsupported_media_type':
      return UNSUPPORTED_MEDIA_TYPE
  }
}

/**
 * The answer to an inbox outcome.
 *
 * @example
 * import { answerFor } from '@banksocket-webhooks/core/runtime-kit'
 * answerFor(await inbox.deliver(input, dispatch)).status // 200, 400, 401, 413, 415 or 500
 */
export const answerFor = (outcome: Outcome): HttpAnswer => {
  switch (outcome._tag) {
    case 'accepted':
      return OK
    case 'duplicate':
      return DUPLICATE
    case 'suspected_replay':
      return SUSPECTED_REPLAY
    case 'rejected':
      return rejectionAnswer(outcome.rejection)
    case 'handler_failed':
      return HANDLER_FAILED
    case 'store_failed':
      return STORE_FAILED
    case 'internal_error':
      return INTERNAL_ERROR
  }
}

/**
 * The answer to any method but POST: 405 with `Allow: POST`.
 *
 * @example
 * import { METHOD_NOT_ALLOWED } from '@banksocket-webhooks/core/runtime-kit'
 * METHOD_NOT_ALLOWED.headers.allow // 'POST'
 */
export const METHOD_NOT_ALLOWED: HttpAnswer = fixed(405, { error: 'method_not_allowed' }, { ...JSON_HEADERS, allow: 'POST' })

/**
 * The answer to a request for another path than the receiver's: 404 `{"error":"not_found"}`.
 *
 * @example
 * import { NOT_FOUND } from '@banksocket-webhooks/core/runtime-kit'
 * NOT_FOUND.status // 404
 */
export const NOT_FOUND: HttpAnswer = fixed(404, { error: 'not_found' })
