/**
 * `@banksocket-webhooks/testing`: what you need to test code that receives Banksocket webhooks.
 *
 * - Sign: {@link signNotification} signs fields exactly as Banksocket does (hex-then-base64, or the
 *   raw-digest variant), filling missing fields from {@link SAMPLE_NOTIFICATION}.
 * - Send: {@link encodeNotification} (form, JSON, multipart) and {@link sendNotification} (fetch).
 * - Fake: {@link createMovementGenerator}, a seeded generator of realistic Turkish bank movements
 *   with valid IBANs and consistent running balances.
 * - Mock: `startMockBanksocket` from `@banksocket-webhooks/testing/node`, the management API plus
 *   signed, filtered, retried deliveries with a log to assert on.
 * - Decide: {@link DeciderSpecification}, given/when/then over a decider (`given(events)`,
 *   `when(command)`, `then(events)` or `thenFails(error)`), throwing an {@link AssertionError} with
 *   the path of the first difference under any test runner.
 *
 * This entry uses Web APIs only (it runs on Node, Deno and Workers); the mock needs Node
 * (`node:http`), so it has its own entry, `@banksocket-webhooks/testing/node`.
 *
 * @example
 * import { createMovementGenerator, sendNotification, signNotification } from '@banksocket-webhooks/testing'
 *
 * const movements = createMovementGenerator({ seed: 'demo' })
 * const signed = await signNotification(movements.next(), 'my-secret')()
 * const result = await sendNotification('http://127.0.0.1:3000/', signed)()
 *
 * @packageDocumentation
 */
export { type AssertionDetails, AssertionError } from './assertion-error.ts'
export { TURKISH_BANKS, type TurkishBank } from './banks.ts'
export { DeciderSpecification, type Decision, type Given } from './decider-specification.ts'
export { ENCODINGS, type EncodedBody, type Encoding, encodeNotification } from './encode.ts'
export { turkishIban } from './iban.ts'
export {
  type AccountSpec,
  createMovementGenerator,
  type GeneratedAccount,
  type MovementGenerator,
  type MovementGeneratorOptions,
} from './movements.ts'
export {
  type NotificationFields,
  type NotificationInput,
  SAMPLE_NOTIFICATION,
  type SignedNotification,
  type UnsignedNotification,
} from './notification.ts'
export { webhookMatches } from './registry.ts'
export {
  DEFAULT_SEND_TIMEOUT,
  type SendError,
  type SendOptions,
  type SendResult,
  sendNotification,
} from './send.ts'
export { type SignOptions, signNotification } from './sign.ts'
