// The deep equality behind DeciderSpecification: where two values first differ, and how values are
// printed in the message.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { firstDifference, showValue } from '../src/deep-equal.ts'

const same = (actual: unknown, expected: unknown) =>
  assert.is(firstDifference(actual, expected, 'v'), undefined, `${showValue(actual)} vs ${showValue(expected)}`)
const differs = (actual: unknown, expected: unknown, difference: Readonly<{ path: string; expected: string; actual: string; note?: string }>) =>
  assert.equal(firstDifference(actual, expected, 'v'), { note: undefined, ...difference })

test('primitives: bigints exactly, never equal to a number; NaN equals NaN; 0 equals -0', () => {
  same(10000n, 10000n)
  same(Number.NaN, Number.NaN)
  same(0, -0)
  same('ÇĞİÖŞÜ', 'ÇĞİÖŞÜ')
  differs(1000n, 10000n, { path: 'v', expected: '10000n', actual: '1000n' })
  differs(1n, 1, { path: 'v', expected: '1', actual: '1n', note: 'bigint where number was expected' })
  differs(undefined, null, { path: 'v', expected: 'null', actual: 'undefined' })
  differs('1', 1, { path: 'v', expected: '1', actual: '"1"', note: 'string where number was expected' })
})

test('nested readonly objects and arrays: the path of the first difference', () => {
  const expected: ReadonlyArray<Readonly<{ data: Readonly<{ amounts: ReadonlyArray<bigint> }> }>> = [
    { data: { amounts: [1n, 2n] } },
    { data: { amounts: [3n] } },
  ]
  same([{ data: { amounts: [1n, 2n] } }, { data: { amounts: [3n] } }], expected)
  differs([{ data: { amounts: [1n, 2n] } }, { data: { amounts: [4n] } }], expected, { path: 'v[1].data.amounts[0]', expected: '3n', actual: '4n' })
  differs({ 'account-id': '69' }, { 'account-id': '70' }, { path: 'v["account-id"]', expected: '"70"', actual: '"69"' })
})

test('missing and extra keys and elements; a key holding undefined is not an absent key', () => {
  differs({ a: 1 }, { a: 1, b: undefined }, { path: 'v.b', expected: 'undefined', actual: '<absent>', note: 'a key is missing' })
  differs({ a: 1, b: 2n }, { a: 1 }, { path: 'v.b', expected: '<absent>', actual: '2n', note: 'a key was not expected' })
  differs([1n], [1n, 2n], { path: 'v[1]', expected: '2n', actual: '<absent>', note: '1 element where 2 were expected' })
  differs([1n, 2n, 3n], [1n], { path: 'v[1]', expected: '<absent>', actual: '2n', note: '3 elements where 1 was expected' })
})

test('kinds and prototypes must match', () => {
  class Money {
    constructor(readonly minor: bigint) {}
  }
  same(new Money(5n), new Money(5n))
  differs(
    new Money(5n),
    { minor: 5n },
    { path: 'v', expected: '{ minor: 5n }', actual: 'Money { minor: 5n }', note: 'a Money where a plain object was expected' },
  )
  differs({ 0: 'a' }, ['a'], { path: 'v', expected: '["a"]', actual: '{ "0": "a" }', note: 'a plain object where an array was expected' })
  differs(
    Object.assign(Object.create(null), { a: 1 }),
    { a: 1 },
    { path: 'v', expected: '{ a: 1 }', actual: '{ a: 1 }', note: 'a null-prototype object where a plain object was expected' },
  )
})

test('dates, regular expressions, errors, typed arrays and buffers by content', () => {
  same(new Date('2026-11-23T10:00:00Z'), new Date('2026-11-23T10:00:00.000Z'))
  differs(new Date('2026-11-23T10:00:00Z'), new Date('2026-11-23T10:00:01Z'), {
    path: 'v',
    expected: 'Date(2026-11-23T10:00:01.000Z)',
    actual: 'Date(2026-11-23T10:00:00.000Z)',
  })
  same(/sip\d+/i, /sip\d+/i)
  differs(/sip\d+/i, /sip\d+/, { path: 'v', expected: '/sip\\d+/', actual: '/sip\\d+/i' })
  differs(new Error('a'), new Error('b'), { path: 'v.message', expected: '"b"', actual: '"a"' })
  same(new Uint8Array([1, 2]), new Uint8Array([1, 2]))
  differs(new Uint8Array([1, 2]), new Uint8Array([1, 3]), { path: 'v[1]', expected: '3', actual: '2' })
  same(new BigInt64Array([5n]), new BigInt64Array([5n]))
  differs(new Uint8Array([1]).buffer, new Uint8Array([2]).buffer, { path: 'v[0]', expected: '2', actual: '1' })
})

test('Maps by key, Sets by member (deeply equal members match)', () => {
  same(
    new Map([
      ['69', 1n],
      ['70', 2n],
    ]),
    new Map([
      ['70', 2n],
      ['69', 1n],
    ]),
  )
  differs(new Map([['69', 1n]]), new Map([['69', 2n]]), { path: 'v.get("69")', expected: '2n', actual: '1n' })
  differs(new Map([['69', 1n]]), new Map([['70', 1n]]), { path: 'v.get("70")', expected: '1n', actual: '<absent>', note: 'a key is missing' })
  same(new Set([{ key: 'k1' }, { key: 'k2' }]), new Set([{ key: 'k2' }, { key: 'k1' }]))
  differs(new Set([{ key: 'k1' }]), new Set([{ key: 'k2' }]), {
    path: 'v',
    expected: '{ key: "k2" }',
    actual: '<absent>',
    note: 'an expected member is missing',
  })
  differs(new Set([1n, 2n]), new Set([1n]), { path: 'v', expected: '<absent>', actual: '2n', note: 'a member was not expected' })
})

test('cyclic structures compare without looping forever', () => {
  type Node = { name: string; next?: Node }
  const a: Node = { name: 'a' }
  a.next = a
  const b: Node = { name: 'a' }
  b.next = b
  same(a, b)
  assert.is(showValue(a), '{ name: "a", next: [Circular] }')
})

test('showValue: strings quoted, bigints with an n, Maps and Sets with their entries, long values cut', () => {
  assert.is(showValue({ minor: 10000n, currency: 'TRY', note: 'SİPARİŞ "1042"' }), '{ minor: 10000n, currency: "TRY", note: "SİPARİŞ \\"1042\\"" }')
  assert.is(showValue([undefined, null, -0, true, Symbol('s')]), '[undefined, null, -0, true, Symbol(s)]')
  assert.is(showValue(new Map([['69', [1n]]])), 'Map { "69" => [1n] }')
  assert.is(showValue(new Set()), 'Set {}')
  assert.is(
    showValue(function decide() {}),
    '[Function decide]',
  )
  const long = showValue('x'.repeat(1000))
  assert.is(long.length, 600)
  assert.ok(long.endsWith('…'))
})

test.run()
