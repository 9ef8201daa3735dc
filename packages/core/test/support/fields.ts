import { sign, type SignedFields } from '../../src/index.ts'

export const SECRET = 's3cr3t-ÇĞİÖŞÜ-key'

export const baseFields = {
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
} as const

/** Signs fields (merged over the documented sample) and returns them with `hash`. */
export const signed = async (
  overrides: Partial<Record<keyof typeof baseFields, string>> & Record<string, string> = {},
  secret = SECRET,
): Promise<Record<string, string>> => {
  const fields: Record<string, string> = { ...baseFields, ...overrides }
  const hash = await sign(fields as unknown as SignedFields, secret)()
  return { ...fields, hash }
}
