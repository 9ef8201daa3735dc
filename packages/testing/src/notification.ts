/**
 * The notification shapes this package produces: fields before signing, fields with their `hash`,
 * and the loose input that {@link signNotification} completes with defaults.
 *
 * @module
 */

import type { WireNotification } from '@banksocket-webhooks/core'
import type { NOTIFICATION_FIELDS } from '@banksocket-webhooks/core/runtime-kit'

/**
 * A notification before signing: every documented field except `hash`, as exact wire strings.
 * This is what the fake data generator returns.
 *
 * @example
 * import type { UnsignedNotification } from '@banksocket-webhooks/testing'
 * const n: UnsignedNotification = { dc: 'Credit', code: 'FAST', amount: '250.00', balance: '18350.00',
 *   currency: 'TRY', description: 'FAST ÖDEME - AYŞE KAYA - KİRA ARALIK', account_id: '69',
 *   account: 'Kadıköy İşbank TL Hesabı', bank: 'Türkiye İş Bankası A.Ş.', opponent_id: '', opponent_iban: '' }
 */
export type UnsignedNotification = Omit<WireNotification, 'hash'>

/**
 * A signed notification: the twelve documented fields as strings, ready to encode and send. `dc`
 * is any string here, so deliberately invalid notifications can be signed and sent too.
 *
 * @example
 * import type { SignedNotification } from '@banksocket-webhooks/testing'
 * const amountOf = (n: SignedNotification) => n.amount // '100.00'
 */
export type SignedNotification = Readonly<Record<(typeof NOTIFICATION_FIELDS)[number], string>>

/**
 * What {@link signNotification} accepts: any subset of the documented fields (missing ones come
 * from {@link SAMPLE_NOTIFICATION}), plus any extra string fields, which are passed through. A
 * `hash` in the input is replaced by the computed one.
 *
 * @example
 * import type { NotificationInput } from '@banksocket-webhooks/testing'
 * const input: NotificationInput = { amount: '42.00', balance: '18042.00', description: 'SİPARİŞ 1001' }
 */
export type NotificationInput = Readonly<{
  dc?: string
  code?: string
  amount?: string
  balance?: string
  currency?: string
  description?: string
  account_id?: string
  account?: string
  bank?: string
  opponent_id?: string
  opponent_iban?: string
  [extra: string]: string | undefined
}>

/**
 * Fields of any notification-like record, including invalid or tampered ones: what the encoders
 * and senders take.
 *
 * @example
 * import type { NotificationFields } from '@banksocket-webhooks/testing'
 * const tampered: NotificationFields = { ...signed, amount: '1000.00' }
 */
export type NotificationFields = Readonly<Record<string, string>>

/**
 * Banksocket's documented sample notification, without its hash. {@link signNotification} takes
 * missing fields from here. (Its `opponent_iban` is the documented one, which is not a valid IBAN:
 * receivers report that as data and never reject for it.)
 *
 * @example
 * import { SAMPLE_NOTIFICATION } from '@banksocket-webhooks/testing'
 * SAMPLE_NOTIFICATION.bank // 'Türkiye İş Bankası A.Ş.'
 */
export const SAMPLE_NOTIFICATION: UnsignedNotification = {
  dc: 'Credit',
  code: 'EFT',
  amount: '100.00',
  balance: '18100.00',
  currency: 'TRY',
  description: 'SN:276689 TEST BANKA HAREKETİ AÇIKLAMASI ARALIK/2019',
  account_id: '69',
  account: 'Kadıköy İşbank TL Hesabı',
  bank: 'Türkiye İş Bankası A.Ş.',
  opponent_id: '1234567890',
  opponent_iban: 'TR5600000111000022200023456',
}
