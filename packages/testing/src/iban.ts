/**
 * Building valid Turkish IBANs: `TR`, two mod-97 check digits, the 5-digit bank code, a reserved
 * `0` and a 16-digit account number (26 characters in all).
 *
 * @module
 */

const mod97 = (digits: string): number => {
  let rest = 0
  for (let i = 0; i < digits.length; i += 7) rest = Number(String(rest) + digits.slice(i, i + 7)) % 97
  return rest
}

/** `T` = 29, `R` = 27, check digits `00` while computing them. */
const TR00 = '292700'

/**
 * The Turkish IBAN of an account at a bank, with correct check digits. Throws a `TypeError` when
 * the bank code is not 5 digits or the account number not 16 digits (a programming error).
 *
 * @example
 * import { turkishIban } from '@banksocket-webhooks/testing'
 * import { ibanView } from '@banksocket-webhooks/core'
 * const iban = turkishIban('00064', '0000012345678901') // 'TR670006400000012345678901'
 * ibanView(iban).valid // true
 */
export const turkishIban = (bankCode: string, accountNumber: string): string => {
  if (!/^\d{5}$/.test(bankCode)) throw new TypeError(`bank code must be 5 digits, got "${bankCode}"`)
  if (!/^\d{16}$/.test(accountNumber)) {
    throw new TypeError(`account number must be 16 digits, got "${accountNumber}"`)
  }
  const bban = `${bankCode}0${accountNumber}`
  const check = 98 - mod97(bban + TR00)
  return `TR${String(check).padStart(2, '0')}${bban}`
}
