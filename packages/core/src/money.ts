/**
 * Exact money: decimal strings as received from Banksocket, and bigint minor units for arithmetic.
 * A JavaScript number never holds an amount.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

/**
 * ISO 4217 currencies whose minor unit is not 2 decimal places. Every other three-letter code uses 2.
 *
 * @example
 * import { currencyExponent } from '@banksocket-webhooks/core'
 * currencyExponent('TRY') // 2
 * currencyExponent('JPY') // 0
 * currencyExponent('KWD') // 3
 */
const EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
}

/**
 * The number of decimal places of a currency's minor unit (ISO 4217); 2 when the code is not listed
 * as an exception.
 *
 * @example
 * import { currencyExponent } from '@banksocket-webhooks/core'
 * currencyExponent('TRY') // 2
 */
export const currencyExponent = (currency: string): number => EXPONENTS[currency] ?? 2

/**
 * An exact amount of money: an integer count of the currency's minor units (kuruş for TRY).
 *
 * @example
 * import type { Money } from '@banksocket-webhooks/core'
 * const m: Money = { minor: 10000n, currency: 'TRY' } // 100.00 TRY
 */
export type Money = Readonly<{ minor: bigint; currency: string }>

/**
 * Why a decimal string is not an amount.
 *
 * @example
 * import { parseAmount } from '@banksocket-webhooks/core'
 * parseAmount('1,000.00', 'TRY') // Left({ _tag: 'InvalidAmount', input: '1,000.00', reason: '...' })
 */
export type InvalidAmount = Readonly<{ _tag: 'InvalidAmount'; input: string; reason: string }>

const UNSIGNED = /^(\d+)(?:\.(\d+))?$/
const SIGNED = /^(-?)(\d+)(?:\.(\d+))?$/

/**
 * The syntax of an amount: digits, optionally a dot and more digits (`100.00`). No sign, no
 * exponent, no thousands separator.
 *
 * @example
 * import { AMOUNT_SYNTAX } from '@banksocket-webhooks/core'
 * AMOUNT_SYNTAX.test('1,000.00') // false
 */
export const AMOUNT_SYNTAX: RegExp = UNSIGNED

/**
 * The syntax of a balance: an amount that may start with a minus (an overdrawn account).
 *
 * @example
 * import { BALANCE_SYNTAX } from '@banksocket-webhooks/core'
 * BALANCE_SYNTAX.test('-15.50') // true
 */
export const BALANCE_SYNTAX: RegExp = SIGNED

/** Why an amount is refused when it is not `digits[.digits]`. @internal */
export const AMOUNT_SYNTAX_REASON = 'is not an unsigned dot-decimal amount such as 100.00'

/** Why a balance is refused when it is not `[-]digits[.digits]`. @internal */
export const BALANCE_SYNTAX_REASON = 'is not a dot-decimal balance such as 18100.00 or -15.50'

const invalid = (input: string, reason: string): E.Either<InvalidAmount, never> => E.left({ _tag: 'InvalidAmount', input, reason })

const isDigit = (code: number): boolean => code >= 48 && code <= 57

const isUpper = (code: number): boolean => code >= 65 && code <= 90

const isCurrencyCode = (currency: string): boolean =>
  currency.length === 3 && isUpper(currency.charCodeAt(0)) && isUpper(currency.charCodeAt(1)) && isUpper(currency.charCodeAt(2))

/** Below this many digits a value is exact in a double, so it is built as a number first. */
const SAFE_DIGITS = 15

/**
 * Reads `input` from `start` as `digits[.digits]` (what `AMOUNT_SYNTAX` accepts) and turns it into
 * minor units of `currency`: the syntax first, then the currency, then the decimal places. Reads
 * characters in place (no regular expression, no substrings for the common sizes).
 */
const toMinor = (input: string, start: number, negative: boolean, currency: string, syntax: string): E.Either<InvalidAmount, Money> => {
  const n = input.length
  let i = start
  while (i < n && isDigit(input.charCodeAt(i))) i++
  const wholeEnd = i
  if (wholeEnd === start) return invalid(input, syntax)
  let fractionStart = n
  if (i < n) {
    if (input.charCodeAt(i) !== 46) return invalid(input, syntax)
    fractionStart = ++i
    while (i < n && isDigit(input.charCodeAt(i))) i++
    if (i !== n || i === fractionStart) return invalid(input, syntax)
  }
  if (!isCurrencyCode(currency)) return invalid(input, `currency "${currency}" is not an ISO 4217 code`)
  const exponent = currencyExponent(currency)
  for (let k = fractionStart + exponent; k < n; k++) {
    if (input.charCodeAt(k) !== 48) {
      return invalid(input, `has more than ${exponent} decimal places, which ${currency} does not allow`)
    }
  }
  let minor: bigint
  if (wholeEnd - start + exponent <= SAFE_DIGITS) {
    let value = 0
    for (let k = start; k < wholeEnd; k++) value = value * 10 + (input.charCodeAt(k) - 48)
    for (let k = fractionStart; k < fractionStart + exponent; k++) value = value * 10 + (k < n ? input.charCodeAt(k) - 48 : 0)
    minor = BigInt(value)
  } else {
    const kept = input.slice(fractionStart, Math.min(n, fractionStart + exponent))
    minor = BigInt(input.slice(start, wholeEnd) + kept.padEnd(exponent, '0'))
  }
  return E.right({ minor: negative ? -minor : minor, currency })
}

/**
 * Parses an unsigned dot-decimal amount (`"100.00"`, `"0.5"`, `"7"`) into minor units. Thousands
 * separators, exponents, signs and a missing integer part (`"1,000.00"`, `"1e3"`, `"-5"`, `".5"`)
 * are rejected, as are more decimal places than the currency has (unless they are zeros).
 *
 * @example
 * import { parseAmount } from '@banksocket-webhooks/core'
 * parseAmount('100.00', 'TRY') // Right({ minor: 10000n, currency: 'TRY' })
 */
export const parseAmount = (input: string, currency: string): E.Either<InvalidAmount, Money> => {
  return toMinor(input, 0, false, currency, AMOUNT_SYNTAX_REASON)
}

/**
 * Parses a balance: like {@link parseAmount}, but a leading minus is allowed, since an overdrawn
 * account has a negative balance.
 *
 * @example
 * import { parseBalance } from '@banksocket-webhooks/core'
 * parseBalance('-150.25', 'TRY') // Right({ minor: -15025n, currency: 'TRY' })
 */
export const parseBalance = (input: string, currency: string): E.Either<InvalidAmount, Money> => {
  const negative = input.charCodeAt(0) === 45
  return toMinor(input, negative ? 1 : 0, negative, currency, BALANCE_SYNTAX_REASON)
}

/**
 * Formats money as a dot-decimal string with exactly the currency's number of decimal places.
 *
 * @example
 * import { formatMoney } from '@banksocket-webhooks/core'
 * formatMoney({ minor: -5n, currency: 'TRY' }) // '-0.05'
 */
export const formatMoney = (money: Money): string => {
  const exponent = currencyExponent(money.currency)
  const negative = money.minor < 0n
  const digits = (negative ? -money.minor : money.minor).toString().padStart(exponent + 1, '0')
  const whole = digits.slice(0, digits.length - exponent)
  const fraction = digits.slice(digits.length - exponent)
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`
}

/**
 * Zero in a currency.
 *
 * @example
 * import { zero } from '@banksocket-webhooks/core'
 * zero('TRY') // { minor: 0n, currency: 'TRY' }
 */
export const zero = (currency: string): Money => ({ minor: 0n, currency })

/**
 * Adds two amounts of the same currency. Callers keep one currency per ledger; a mismatch is a
 * programming error and throws a `TypeError` naming both currencies.
 *
 * @example
 * import { addMoney } from '@banksocket-webhooks/core'
 * addMoney({ minor: 1n, currency: 'TRY' }, { minor: 2n, currency: 'TRY' }) // { minor: 3n, currency: 'TRY' }
 */
export const addMoney = (a: Money, b: Money): Money => {
  if (a.currency !== b.currency) throw new TypeError(`cannot add ${a.currency} and ${b.currency}`)
  return { minor: a.minor + b.minor, currency: a.currency }
}

/**
 * Subtracts `b` from `a` (same currency, as {@link addMoney}).
 *
 * @example
 * import { subtractMoney } from '@banksocket-webhooks/core'
 * subtractMoney({ minor: 5n, currency: 'TRY' }, { minor: 7n, currency: 'TRY' }) // { minor: -2n, currency: 'TRY' }
 */
export const subtractMoney = (a: Money, b: Money): Money => {
  if (a.currency !== b.currency) throw new TypeError(`cannot subtract ${b.currency} from ${a.currency}`)
  return { minor: a.minor - b.minor, currency: a.currency }
}
