import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type IbanView, ibanView } from '../src/index.ts'

test('a valid Turkish IBAN is reported valid with its electronic form', () => {
  assert.equal(ibanView('TR33 0006 1005 1978 6457 8413 26'), {
    value: 'TR33 0006 1005 1978 6457 8413 26',
    valid: true,
    country: 'TR',
    electronic: 'TR330006100519786457841326',
  })
  assert.is(ibanView('GB82WEST12345698765432').valid, true)
  assert.is(ibanView('de89370400440532013000').valid, true)
})

test('the documented sample IBAN is invalid (27 characters) but reported, not rejected', () => {
  assert.equal(ibanView('TR5600000111000022200023456'), { value: 'TR5600000111000022200023456', valid: false, problem: 'length' })
})

test('each problem is named', () => {
  assert.equal(ibanView(''), { value: '', valid: false, problem: 'empty' })
  assert.equal(ibanView('not an iban'), { value: 'not an iban', valid: false, problem: 'format' })
  assert.equal(ibanView('ZZ330006100519786457841326'), { value: 'ZZ330006100519786457841326', valid: false, problem: 'country' })
  assert.equal(ibanView('TR340006100519786457841326'), { value: 'TR340006100519786457841326', valid: false, problem: 'checksum' })
})

/** ISO 13616's check as the standard states it: letters to numbers, one big number, modulo 97. */
const checksumByDefinition = (electronic: string): boolean => {
  const digits = (electronic.slice(4) + electronic.slice(0, 4)).replace(/[A-Z]/g, (ch) => String(ch.charCodeAt(0) - 55))
  return BigInt(digits) % 97n === 1n
}

test('property: the check digits are verified exactly as the standard defines them, spaces and case aside', () => {
  const body = fc.array(fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'), { minLength: 22, maxLength: 22 }).map((a) => a.join(''))
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 99 }), body, fc.boolean(), (check, rest, spaced) => {
      const electronic = `TR${String(check).padStart(2, '0')}${rest}`
      const written = spaced ? electronic.toLowerCase().replace(/(.{4})/g, '$1 ') : electronic
      const view = ibanView(written)
      assert.is(view.valid, checksumByDefinition(electronic))
      if (view.valid) assert.is(view.electronic, electronic)
    }),
    { numRuns: 3000 },
  )
})

/**
 * The first steps of ibanView as they were before its one-pass check of the electronic form (three
 * regular expressions): the view of text not in IBAN form, or the electronic form to check further.
 */
const regexView = (value: string): IbanView | Readonly<{ value: string; valid: undefined; electronic: string }> => {
  const compact = /\s/.test(value) ? value.replace(/\s+/g, '') : value
  const electronic = /[^A-Z0-9]/.test(compact) ? compact.toUpperCase() : compact
  if (electronic === '') return { value, valid: false, problem: 'empty' }
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(electronic)) return { value, valid: false, problem: 'format' }
  return { value, valid: undefined, electronic }
}

test('property: the one-pass form check answers as the regular expressions did, for IBAN-like text of any shape', () => {
  const unit = fc.constantFrom(...'0123456789ABCTRZ', 'a', 'z', ' ', '\t', '-', 'İ', '٣', '\n')
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit, maxLength: 36 }),
        fc.constantFrom('TR', 'DE', 'GB', 'NO', 'LC').chain((c) => fc.string({ unit, maxLength: 34 }).map((r) => c + r)),
      ),
      (text) => {
        const view = ibanView(text)
        const expected = regexView(text)
        if (expected.valid === false) assert.equal(view, expected)
        else {
          // in IBAN form: the same view as its spaced form gives, which goes the regular expressions' way
          const spaced = ibanView(`${expected.electronic.slice(0, 2)} ${expected.electronic.slice(2)}`)
          assert.equal({ ...view, value: '' }, { ...spaced, value: '' })
          assert.is(view.value, text)
        }
      },
    ),
    { numRuns: 5000 },
  )
})

test.run()
