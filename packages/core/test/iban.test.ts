import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ibanView } from '../src/index.ts'

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

test.run()
