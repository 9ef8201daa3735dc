/**
 * Turkish banks as they appear in Banksocket notifications: the legal name (the `bank` field), the
 * short brand used in account titles, and the 5-digit EFT bank code that sits inside an IBAN.
 *
 * @module
 */

/**
 * A Turkish bank.
 *
 * @example
 * import type { TurkishBank } from '@banksocket-webhooks/testing'
 * const isbank: TurkishBank = { name: 'Türkiye İş Bankası A.Ş.', short: 'İşbank', code: '00064' }
 */
export type TurkishBank = Readonly<{
  /** Legal name, as Banksocket sends it in `bank`. */
  name: string
  /** Brand used in account titles (`Kadıköy İşbank TL Hesabı`). */
  short: string
  /** 5-digit EFT bank code, the first digits of the IBAN's BBAN. */
  code: string
}>

/**
 * The banks the fake data generator draws from.
 *
 * @example
 * import { TURKISH_BANKS } from '@banksocket-webhooks/testing'
 * TURKISH_BANKS.find((b) => b.short === 'Garanti BBVA')?.code // '00062'
 */
export const TURKISH_BANKS: ReadonlyArray<TurkishBank> = [
  { name: 'Türkiye İş Bankası A.Ş.', short: 'İşbank', code: '00064' },
  { name: 'Türkiye Garanti Bankası A.Ş.', short: 'Garanti BBVA', code: '00062' },
  { name: 'Akbank T.A.Ş.', short: 'Akbank', code: '00046' },
  { name: 'Yapı ve Kredi Bankası A.Ş.', short: 'Yapı Kredi', code: '00067' },
  { name: 'T.C. Ziraat Bankası A.Ş.', short: 'Ziraat', code: '00010' },
  { name: 'Türkiye Vakıflar Bankası T.A.O.', short: 'VakıfBank', code: '00015' },
  { name: 'Türkiye Halk Bankası A.Ş.', short: 'Halkbank', code: '00012' },
  { name: 'QNB Bank A.Ş.', short: 'QNB', code: '00111' },
  { name: 'DenizBank A.Ş.', short: 'DenizBank', code: '00134' },
  { name: 'Türk Ekonomi Bankası A.Ş.', short: 'TEB', code: '00032' },
  { name: 'ING Bank A.Ş.', short: 'ING', code: '00099' },
  { name: 'Kuveyt Türk Katılım Bankası A.Ş.', short: 'Kuveyt Türk', code: '00205' },
  { name: 'Şekerbank T.A.Ş.', short: 'Şekerbank', code: '00059' },
]
