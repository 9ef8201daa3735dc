/**
 * Why a notification was refused. Each case maps to one HTTP status in the receiver contract.
 *
 * @module
 */

/**
 * One thing wrong with a payload: the field path (`amount`, `` for the body as a whole) and a
 * human-readable message. Messages quote field names, never secrets.
 *
 * @example
 * import type { PayloadProblem } from '@banksocket-webhooks/core'
 * const p: PayloadProblem = { path: 'amount', message: 'is not an unsigned dot-decimal amount such as 100.00' }
 */
export type PayloadProblem = Readonly<{ path: string; message: string }>

/**
 * A refused notification, tagged with the error code the receiver answers:
 * `unsupported_media_type` (415), `invalid_payload` (400), `invalid_hash` (401), `too_large` (413).
 *
 * @example
 * import type { Rejection } from '@banksocket-webhooks/core'
 * const r: Rejection = { _tag: 'invalid_payload', details: [{ path: 'dc', message: 'expected "Credit" or "Debit"' }] }
 */
export type Rejection =
  | Readonly<{ _tag: 'unsupported_media_type'; contentType: string }>
  | Readonly<{ _tag: 'invalid_payload'; details: ReadonlyArray<PayloadProblem> }>
  | Readonly<{ _tag: 'invalid_hash' }>
  | Readonly<{ _tag: 'too_large'; limit: number }>

/**
 * Builds an `invalid_payload` rejection with one problem.
 *
 * @example
 * import { invalidPayload } from '@banksocket-webhooks/core/runtime-kit'
 * invalidPayload('amount', 'sent more than once')
 */
export const invalidPayload = (path: string, message: string): Rejection => ({
  _tag: 'invalid_payload',
  details: [{ path, message }],
})
