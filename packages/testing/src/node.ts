/**
 * `@banksocket-webhooks/testing/node`: the mock Banksocket, which needs Node (`node:http`). The
 * package's main entry (`@banksocket-webhooks/testing`) uses Web APIs only, so signing, encoding,
 * sending and fake movements also run on Deno and Workers; import the mock from here.
 *
 * - {@link startMockBanksocket}: the management API (`POST /v1/webhooks`, `DELETE /v1/webhooks/:id`)
 *   plus signed, filtered, retried deliveries to the registered webhooks, with a log to assert on.
 *
 * @example
 * import { startMockBanksocket } from '@banksocket-webhooks/testing/node'
 *
 * const started = await startMockBanksocket({ token: 'api-token', secret: 'whsec-test' })()
 * if (started._tag === 'Right') {
 *   const mock = started.right
 *   console.log(mock.url) // http://127.0.0.1:<port>
 *   await mock.close()
 * }
 *
 * @packageDocumentation
 */
export {
  type AttemptOutcome,
  DEFAULT_RETRY,
  type Delivery,
  type DeliveryAttempt,
  type RetryOptions,
} from './delivery.ts'
export {
  type EmitOptions,
  type Emitted,
  type MockBanksocket,
  type MockBanksocketOptions,
  type MockStartError,
  startMockBanksocket,
} from './mock.ts'
