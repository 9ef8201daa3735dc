/**
 * Signing notifications exactly as Banksocket does, with core's `sign`.
 *
 * @module
 */

import { type Sha256, sign } from '@banksocket-webhooks/core'
import { type HashVariant, NOTIFICATION_FIELDS } from '@banksocket-webhooks/core/runtime-kit'
import type * as T from 'fp-ts/lib/Task.js'
import { type NotificationInput, SAMPLE_NOTIFICATION, type SignedNotification } from './notification.ts'

/**
 * Options of {@link signNotification}.
 *
 * @example
 * import type { SignOptions } from '@banksocket-webhooks/testing'
 * const options: SignOptions = { variant: 'raw' }
 */
export type SignOptions = Readonly<{
  /**
   * `hex`: base64 of the lowercase hex digest, what Banksocket sends. `raw`: base64 of the 32
   * digest bytes, a variant receivers also accept.
   * @default 'hex'
   */
  variant?: HashVariant
  /** SHA-256 implementation (core's hashing port). @default webCryptoSha256 */
  sha256?: Sha256
}>

/**
 * Completes `input` with {@link SAMPLE_NOTIFICATION} for missing fields and signs it with
 * `secret`. The result lists the documented fields in Banksocket's order, then `hash`, then any
 * extra input fields. Nothing is validated or reformatted: what you pass is what gets hashed, so
 * invalid notifications (a bad `dc`, a malformed amount) can be produced on purpose.
 *
 * @example
 * import { signNotification } from '@banksocket-webhooks/testing'
 * const signed = await signNotification({ amount: '250.00', balance: '18350.00' }, 'my-secret')()
 * signed.hash // base64 of the hex SHA-256 of dc+code+amount+balance+currency+description+secret
 */
export const signNotification =
  (input: NotificationInput, secret: string, options: SignOptions = {}): T.Task<SignedNotification> =>
  async () => {
    const fields: Record<string, string> = {}
    for (const name of NOTIFICATION_FIELDS) {
      if (name === 'hash') continue
      fields[name] = input[name] ?? SAMPLE_NOTIFICATION[name]
    }
    const complete = fields as Omit<SignedNotification, 'hash'>
    const hash = await sign(complete, secret, {
      ...(options.variant === undefined ? {} : { variant: options.variant }),
      ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }),
    })()
    const signed: Record<string, string> = { ...complete, hash }
    for (const [name, value] of Object.entries(input)) {
      if (value === undefined || Object.hasOwn(signed, name)) continue
      // defineProperty, so that an extra field called `__proto__` stays a plain field
      Object.defineProperty(signed, name, { value, enumerable: true, writable: true, configurable: true })
    }
    return signed as SignedNotification
  }
