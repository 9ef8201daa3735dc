/**
 * Signed notifications for the reliability tests: numbered, spread over a few accounts, each with a
 * distinct description (so a distinct idempotency key), encoded as a form body with core's
 * `encodeForm` and signed with core's `sign`.
 */
import { encodeForm, type SignedFields, sign } from '@banksocket-webhooks/core'
import { nodeSha256 } from '../../../src/index.ts'

export const SECRET = 'reliability-secret-ÇĞİÖŞÜ'

export const FORM = 'application/x-www-form-urlencoded'

export type Notification = Readonly<{ n: number; description: string; body: string }>

/** The fields of notification `n`: account `69 + n % accounts`, 1.00 TRY, a running balance. */
export const fieldsOf = (n: number, accounts: number): Record<string, string> => {
  const account = n % accounts
  const nth = Math.floor(n / accounts) + 1
  return {
    dc: 'Credit',
    code: 'EFT',
    amount: '1.00',
    balance: `${1000 + nth}.00`,
    currency: 'TRY',
    description: `SN:${n} SİPARİŞ ÖDEMESİ`,
    account_id: String(69 + account),
    account: 'Kadıköy İşbank TL Hesabı',
    bank: 'Türkiye İş Bankası A.Ş.',
    opponent_id: '1234567890',
    opponent_iban: 'TR330006100519786457841326',
  }
}

/** Signs fields (with node:crypto) and returns them with their `hash`. */
export const signFields = async (fields: Record<string, string>, secret = SECRET): Promise<Record<string, string>> => ({
  ...fields,
  hash: await sign(fields as unknown as SignedFields, secret, { sha256: nodeSha256 })(),
})

/** Notification `n` as a signed form body. */
export const notification = async (n: number, accounts = 3): Promise<Notification> => {
  const fields = await signFields(fieldsOf(n, accounts))
  return { n, description: fields['description'] ?? '', body: encodeForm(fields) }
}

/** A raw HTTP/1.1 POST of `body` to `/`, keep-alive. */
export const post = (body: string | Buffer, contentType = FORM, extraHeaders = ''): Buffer => {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  return Buffer.concat([
    Buffer.from(
      `POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: ${contentType}\r\ncontent-length: ${bytes.length}\r\n${extraHeaders}\r\n`,
      'latin1',
    ),
    bytes,
  ])
}
