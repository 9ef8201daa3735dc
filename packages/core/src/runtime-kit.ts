/**
 * `@banksocket-webhooks/core/runtime-kit`: what writing a receiver or a runtime adapter takes,
 * beyond the root entry. Body parsing and content types, the HTTP contract's answers, the inbox's
 * dispatch port and what it reports, the asynchronous plumbing (Promise-likes, in-flight counting,
 * per-key serial queues), the idempotency key index, the hashing details, the pieces of the
 * deciders that clients of the management API reuse, and metrics (the instruments of `MeterLike`,
 * OpenTelemetry's shape, and the inbox's and receiver's metrics made on them).
 * `@banksocket-webhooks/receiver` and the runtime adapters are built on it; an application does not
 * need it.
 *
 * @example
 * import { answerFor, parseBody } from '@banksocket-webhooks/core/runtime-kit'
 * parseBody('dc=Credit&amount=100.00', 'application/x-www-form-urlencoded') // Right({ dc: 'Credit', amount: '100.00' })
 * answerFor({ _tag: 'rejected', rejection: { _tag: 'invalid_hash' } }).status // 401
 *
 * @packageDocumentation
 */
export { HandlerTimeoutError, InFlight, isThenable, SerialQueue } from './async.ts'
export { type BodyParser, createBodyParser, parseBody } from './body.ts'
export {
  type AuthenticatedField,
  AuthenticatedFieldsCodec,
  NOTIFICATION_FIELDS,
  type UnauthenticatedField,
  UnauthenticatedFieldsCodec,
} from './codecs.ts'
export { type ContentType, parseContentType } from './content-type.ts'
export { type Fields, MAX_FIELDS } from './fields.ts'
export { constantTimeEqual, type HashVariant, type InvalidHash, signingInput, type Verified } from './hash.ts'
export { answerFor, type HttpAnswer, METHOD_NOT_ALLOWED, NOT_FOUND, rejectionAnswer } from './http.ts'
export type { Dispatch, Recorded } from './inbox.ts'
export { type InboxMetrics, inboxMetrics, type StoreWriteResult } from './inbox-metrics.ts'
export { DEFAULT_HANDLER_TIMEOUT } from './inbox-settings.ts'
export { MAX_JSON_DEPTH } from './json-body.ts'
export { KeyIndex } from './keyindex.ts'
export { DEFAULT_DEDUPE_WINDOW, type KeySeen } from './ledger.ts'
export { DEFAULT_BODY_LIMIT, problemsOf, receiveFields } from './receive.ts'
export { invalidPayload } from './rejection.ts'
export { assertSecrets, type InvalidSecret } from './secrets.ts'
export { checkSubscribe, checkUnsubscribe, findSubscription } from './subscription.ts'
export {
  type CounterLike,
  elapsedSeconds,
  type HistogramLike,
  type InstrumentOptions,
  monotonicNow,
  type ObservableGaugeLike,
  type ObservationCallback,
  type ObservationLike,
  perMeter,
} from './telemetry.ts'
