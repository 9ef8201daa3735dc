import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { addMoney, currencyExponent, formatMoney, parseAmount, parseBalance, subtractMoney } from '../src/index.ts'
import { AMOUNT_SYNTAX, BALANCE_SYNTAX } from '../src/money.ts'

test('amounts parse to exact minor units with the currency exponent', () => {
  assert.equal(parseAmount('100.00', 'TRY'), E.right({ minor: 10000n, currency: 'TRY' }))
  assert.equal(parseAmount('0.5', 'TRY'), E.right({ minor: 50n, currency: 'TRY' }))
  assert.equal(parseAmount('7', 'TRY'), E.right({ minor: 700n, currency: 'TRY' }))
  assert.equal(parseAmount('1500', 'JPY'), E.right({ minor: 1500n, currency: 'JPY' }))
  assert.equal(parseAmount('1.234', 'KWD'), E.right({ minor: 1234n, currency: 'KWD' }))
  assert.equal(parseAmount('100.000', 'TRY'), E.right({ minor: 10000n, currency: 'TRY' }))
  assert.equal(parseAmount('99999999999999999999.99', 'TRY'), E.right({ minor: 9999999999999999999999n, currency: 'TRY' }))
})

test('1,000.00, 1e3, -5, .5 and friends are invalid amounts', () => {
  for (const input of ['1,000.00', '1e3', '-5', '.5', '5.', '', '+5', '1 000', 'NaN', 'Infinity', '0x1F', '١٢٣']) {
    assert.ok(E.isLeft(parseAmount(input, 'TRY')), input)
  }
  assert.ok(E.isLeft(parseAmount('1.001', 'TRY')))
  assert.ok(E.isLeft(parseAmount('1.00', 'try')))
})

test('balances may be negative (overdraft), amounts may not', () => {
  assert.equal(parseBalance('-150.25', 'TRY'), E.right({ minor: -15025n, currency: 'TRY' }))
  assert.ok(E.isLeft(parseAmount('-150.25', 'TRY')))
})

test('formatMoney writes exactly the currency decimals', () => {
  assert.is(formatMoney({ minor: 10000n, currency: 'TRY' }), '100.00')
  assert.is(formatMoney({ minor: -5n, currency: 'TRY' }), '-0.05')
  assert.is(formatMoney({ minor: 0n, currency: 'TRY' }), '0.00')
  assert.is(formatMoney({ minor: 1500n, currency: 'JPY' }), '1500')
  assert.is(formatMoney({ minor: 1n, currency: 'BHD' }), '0.001')
  assert.is(currencyExponent('CLF'), 4)
})

test('arithmetic is exact and refuses to mix currencies', () => {
  assert.equal(addMoney({ minor: 10n, currency: 'TRY' }, { minor: 20n, currency: 'TRY' }), { minor: 30n, currency: 'TRY' })
  assert.equal(subtractMoney({ minor: 10n, currency: 'TRY' }, { minor: 20n, currency: 'TRY' }), { minor: -10n, currency: 'TRY' })
  assert.throws(() => addMoney({ minor: 1n, currency: 'TRY' }, { minor: 1n, currency: 'USD' }), /TRY and USD/)
})

const currencies = fc.constantFrom('TRY', 'USD', 'EUR', 'JPY', 'KWD', 'CLF')

test('property: parse(format(m)) is m for any bigint amount', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), currencies, (minor, currency) => {
      assert.equal(parseBalance(formatMoney({ minor, currency }), currency), E.right({ minor, currency }))
    }),
  )
})

test('property: canonical decimal strings survive parse then format unchanged', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), (minor) => {
      const text = formatMoney({ minor, currency: 'TRY' })
      assert.equal(E.map(formatMoney)(parseAmount(text, 'TRY')), E.right(text))
    }),
  )
})

test('property: parseAmount never throws', () => {
  fc.assert(
    fc.property(fc.string(), currencies, (s, c) => {
      parseAmount(s, c)
      parseBalance(s, c)
    }),
  )
})

/** The definition the parsers implement: the documented syntax, then the currency, then the places. */
const reference = (input: string, currency: string, signed: boolean): bigint | string => {
  const m = (signed ? BALANCE_SYNTAX : AMOUNT_SYNTAX).exec(input)
  if (m === null) return 'syntax'
  if (!/^[A-Z]{3}$/.test(currency)) return 'currency'
  const [whole, fraction = ''] = (signed ? input.replace(/^-/, '') : input).split('.') as [string, string?]
  const exponent = currencyExponent(currency)
  if (/[^0]/.test(fraction.slice(exponent))) return 'places'
  const minor = BigInt(whole + fraction.slice(0, exponent).padEnd(exponent, '0'))
  return input.startsWith('-') ? -minor : minor
}

const outcome = (r: ReturnType<typeof parseAmount>): bigint | string =>
  E.isRight(r) ? r.right.minor : r.left.reason.startsWith('is not') ? 'syntax' : r.left.reason.startsWith('currency') ? 'currency' : 'places'

test('property: amounts and balances parse exactly as the documented syntax says, digits of any length', () => {
  const piece = fc.oneof(fc.constantFrom('-', '.', '0', '00', '+', 'e', ' ', ',', '١'), fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String))
  const currency = fc.oneof(currencies, fc.constantFrom('try', 'TR', 'TRYY', 'T1Y', ''))
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 5 }), currency, (pieces, c) => {
      const input = pieces.join('')
      assert.is(outcome(parseAmount(input, c)), reference(input, c, false))
      assert.is(outcome(parseBalance(input, c)), reference(input, c, true))
    }),
    { numRuns: 5000 },
  )
})

test.run()
