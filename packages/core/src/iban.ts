/**
 * A validated view of an IBAN. Banksocket's `opponent_iban` is unauthenticated and often empty, and
 * its own documented sample is not a valid IBAN, so a notification is never rejected for its IBAN:
 * validity is reported as data.
 *
 * @module
 */

/** IBAN length per country (ISO 13616 registry). */
const LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
}

/**
 * Why an IBAN is not valid: `empty` (not sent), `format` (not letters and digits in IBAN form),
 * `country` (unknown country code), `length` (wrong length for the country), `checksum` (mod 97).
 *
 * @example
 * import type { IbanProblem } from '@banksocket-webhooks/core'
 * const p: IbanProblem = 'checksum'
 */
export type IbanProblem = 'empty' | 'format' | 'country' | 'length' | 'checksum'

/**
 * The IBAN as received plus what is known about it. `value` is always the exact received string.
 *
 * @example
 * import { ibanView } from '@banksocket-webhooks/core'
 * ibanView('TR330006100519786457841326')
 * // { value: 'TR330006100519786457841326', valid: true, country: 'TR', electronic: 'TR330006100519786457841326' }
 */
export type IbanView =
  | Readonly<{ value: string; valid: true; country: string; electronic: string }>
  | Readonly<{ value: string; valid: false; problem: IbanProblem }>

/**
 * ISO 13616's check: the IBAN with its first four characters moved to the end, letters read as
 * 10 to 35, taken as one number modulo 97, must be 1. Computed over the characters (the IBAN is
 * already known to be upper-case letters and digits), reducing modulo 97 only once the running
 * number reaches eight digits: it stays below 2^31 (at most 10^9 + 35), so the arithmetic stays in
 * small integers, with a quarter of the divisions.
 */
const checksumHolds = (electronic: string): boolean => {
  let rest = 0
  const n = electronic.length
  for (let k = 4; k < n + 4; k++) {
    const c = electronic.charCodeAt(k < n ? k : k - n)
    rest = c <= 57 ? rest * 10 + (c - 48) : rest * 100 + (c - 55)
    if (rest >= 10_000_000) rest %= 97
  }
  return rest % 97 === 1
}

/**
 * Whether `s` matches `^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$`: two capital letters, two digits, then 1 to 30
 * capital letters or digits (an IBAN in electronic form, no space, no lower case).
 */
const isElectronicForm = (s: string): boolean => {
  const n = s.length
  if (n < 5 || n > 34) return false
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    const digit = c >= 48 && c <= 57
    const letter = c >= 65 && c <= 90
    if (i < 2 ? !letter : i < 4 ? !digit : !(digit || letter)) return false
  }
  return true
}

const SPACE = /\s/
const NOT_UPPER = /[^A-Z0-9]/

/**
 * Describes an IBAN without ever failing: spaces are ignored and letters upper-cased for the check
 * (the `electronic` form), the country length and the mod-97 check digits are verified.
 *
 * @example
 * import { ibanView } from '@banksocket-webhooks/core'
 * ibanView('TR5600000111000022200023456').valid // false (27 characters; Turkish IBANs have 26)
 * ibanView('').valid                            // false, problem 'empty'
 */
export const ibanView = (value: string): IbanView => {
  // The usual IBAN is in electronic form already: one pass over it instead of three expressions.
  if (isElectronicForm(value)) return checkedView(value, value)
  const compact = SPACE.test(value) ? value.replace(/\s+/g, '') : value
  const electronic = NOT_UPPER.test(compact) ? compact.toUpperCase() : compact
  if (electronic === '') return { value, valid: false, problem: 'empty' }
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(electronic)) return { value, valid: false, problem: 'format' }
  return checkedView(value, electronic)
}

/** The view of `value`, whose electronic form `electronic` is in IBAN form: its country, length and check digits checked. */
const checkedView = (value: string, electronic: string): IbanView => {
  const country = electronic.slice(0, 2)
  const length = LENGTHS[country]
  if (length === undefined) return { value, valid: false, problem: 'country' }
  if (electronic.length !== length) return { value, valid: false, problem: 'length' }
  if (!checksumHolds(electronic)) return { value, valid: false, problem: 'checksum' }
  return { value, valid: true, country, electronic }
}
