/**
 * The mock's management API as a pure request-to-answer function, so the HTTP adapter only
 * translates: `POST /v1/webhooks`, `DELETE /v1/webhooks/:id`, checked with the `Authentication`
 * header. Web APIs only.
 *
 * @module
 */

import type { PayloadProblem } from '@banksocket-webhooks/core'
import { constantTimeEqual, type HttpAnswer, parseBody } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'
import type { WebhookRegistry } from './registry.ts'

/**
 * A management API request, already read: method, path (query ignored), the `Authentication`
 * header, the content type, and the body (or `too_large` when it exceeded the limit).
 *
 * @internal
 * @example
 * const request: ApiRequest = { method: 'DELETE', path: '/v1/webhooks/1', authentication: 'token', contentType: undefined, body: new Uint8Array() }
 */
export type ApiRequest = Readonly<{
  method: string
  path: string
  authentication: string | undefined
  contentType: string | undefined
  body: Uint8Array | 'too_large'
}>

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' } as const

const json = (status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): HttpAnswer => ({
  status,
  headers: { ...JSON_TYPE, ...headers },
  body: JSON.stringify(value),
})

const utf8 = new TextEncoder()

const tokenMatches = (given: string, token: string): boolean => constantTimeEqual(utf8.encode(given), utf8.encode(token))

const problems = (error: string, details: ReadonlyArray<PayloadProblem>): HttpAnswer =>
  json(error === 'invalid_input' ? 422 : 400, { error, details })

/**
 * Answers one management API request. Order of checks: unknown path 404, wrong method 405
 * (with `Allow`), missing or wrong token 401, then the body: 413 over the limit, 415 for a type
 * other than JSON, form or multipart, 400 when it cannot be parsed, 422 when it does not decode
 * as `CreateWebhookInput`. Error bodies never echo the token.
 *
 * @internal
 * @example
 * const answer = handleApiRequest(request, { token: 'token', registry: new WebhookRegistry() })
 */
export const handleApiRequest = (request: ApiRequest, context: Readonly<{ token: string; registry: WebhookRegistry }>): HttpAnswer => {
  const path = request.path.split('?')[0]?.replace(/\/+$/, '') ?? ''
  const item = /^\/v1\/webhooks\/([^/]+)$/.exec(path)
  const route = path === '/v1/webhooks' ? 'collection' : item !== null ? 'item' : undefined
  if (route === undefined) return json(404, { error: 'not_found', message: 'no such route' })
  const allowed = route === 'collection' ? 'POST' : 'DELETE'
  if (request.method !== allowed) return json(405, { error: 'method_not_allowed' }, { allow: allowed })
  if (request.authentication === undefined || request.authentication === '') {
    return json(401, { error: 'unauthorized', message: 'missing Authentication header' })
  }
  if (!tokenMatches(request.authentication, context.token)) {
    return json(401, { error: 'unauthorized', message: 'invalid token' })
  }
  if (route === 'item') {
    const raw = item?.[1] ?? ''
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : undefined
    if (id === undefined || !context.registry.delete(id)) {
      return json(404, { error: 'not_found', message: 'no webhook with this id' })
    }
    return json(200, { status: 'success' })
  }
  if (request.body === 'too_large') return json(413, { error: 'too_large' })
  const parsed = parseBody(request.body, request.contentType)
  if (E.isLeft(parsed)) {
    const rejection = parsed.left
    return rejection._tag === 'unsupported_media_type'
      ? json(415, { error: 'unsupported_media_type', message: 'send JSON, form or multipart' })
      : problems('bad_request', rejection._tag === 'invalid_payload' ? rejection.details : [])
  }
  const created = context.registry.create(parsed.right)
  if (E.isLeft(created)) return problems('invalid_input', created.left)
  return json(200, { webhook: created.right.webhook })
}
