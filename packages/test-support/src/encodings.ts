/**
 * The three encodings a notification may arrive in, for sending signed fields in tests.
 *
 * @example
 * import { encodings, signed } from '@banksocket-webhooks/test-support/encodings'
 *
 * const { contentType, body } = encodings.multipart(await signed({ amount: '250.00' }))
 */
import { encodeForm, sign } from '@banksocket-webhooks/core'
import type { WireRequest } from './http.ts'

export type NotificationFields = Readonly<Record<string, string>>

/** multipart/form-data with one text part per field, UTF-8, CRLF line ends. */
const encodeMultipart = (fields: NotificationFields, boundary = '----banksocket-test-boundary-7MA4YWxkTrZu0gW'): WireRequest => {
  let body = ''
  for (const [name, value] of Object.entries(fields)) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '%22')}"\r\n\r\n${value}\r\n`
  }
  body += `--${boundary}--\r\n`
  return { contentType: `multipart/form-data; boundary=${boundary}`, body }
}

export const encodings = {
  form: (fields: NotificationFields): WireRequest => ({ contentType: 'application/x-www-form-urlencoded', body: encodeForm(fields) }),
  json: (fields: NotificationFields): WireRequest => ({ contentType: 'application/json', body: JSON.stringify(fields) }),
  multipart: (fields: NotificationFields): WireRequest => encodeMultipart(fields),
} as const

export type Encoding = keyof typeof encodings

export const SECRET = 'contract-secret-ÇĞİÖŞÜ'

const BASE = {
  dc: 'Credit',
  code: 'EFT',
  amount: '100.00',
  balance: '1100.00',
  currency: 'TRY',
  description: 'SN:1 SİPARİŞ #1001',
  account_id: '69',
  account: 'Kadıköy İşbank TL Hesabı',
  bank: 'Türkiye İş Bankası A.Ş.',
  opponent_id: '1234567890',
  opponent_iban: 'TR330006100519786457841326',
}

/** A notification signed with `secret` (the base sample with `overrides` applied before signing). */
export const signed = async (overrides: Partial<NotificationFields> = {}, secret: string = SECRET): Promise<NotificationFields> => {
  const fields = { ...BASE, ...overrides } as Record<string, string>
  const hash = await sign(
    {
      dc: fields['dc'] ?? '',
      code: fields['code'] ?? '',
      amount: fields['amount'] ?? '',
      balance: fields['balance'] ?? '',
      currency: fields['currency'] ?? '',
      description: fields['description'] ?? '',
    },
    secret,
  )()
  return { ...fields, hash }
}
