import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ibanView } from '../src/index.ts'

test('a valid Turkish IBAN is reported valid with its electronic form', () => {
  assert.equal(ibanView('TR33 0006 1005 1978 6457 8413 26'), {
    value: 'TR33 0006 1005 1978 6457 8413 26', valid: true, country: 'TR', electronic: 'TR330006100519786457841326',
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

test.run()
