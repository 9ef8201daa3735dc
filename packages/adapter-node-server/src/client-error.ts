/**
 * node:http's parser errors, in the receiver's HTTP contract: the codes are Node's, so the mapping
 * lives in the Node adapter, not in core.
 *
 * @module
 */
import type { HttpAnswer } from '@banksocket-webhooks/core/runtime-kit'

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json; charset=utf-8' })

const answer = (status: number, value: unknown): HttpAnswer => Object.freeze({ status, headers: JSON_HEADERS, body: JSON.stringify(value) })

const REQUEST_TIMEOUT = answer(408, { error: 'request_timeout' })
const HEADERS_TOO_LARGE = answer(431, { error: 'headers_too_large' })
const MALFORMED = answer(400, { error: 'invalid_payload', details: [{ path: '', message: 'malformed HTTP request' }] })

/**
 * The answer to a request node:http's parser refused before the receiver saw it, by the error's
 * code: 408 `request_timeout` when the request took too long (`ERR_HTTP_REQUEST_TIMEOUT`), 431
 * `headers_too_large` (`HPE_HEADER_OVERFLOW`), otherwise 400 `invalid_payload` for a malformed
 * request. The connection is closed after these.
 *
 * @internal
 */
export const clientErrorAnswer = (code: string | undefined): HttpAnswer => {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return REQUEST_TIMEOUT
    case 'HPE_HEADER_OVERFLOW':
      return HEADERS_TOO_LARGE
    default:
      return MALFORMED
  }
}
