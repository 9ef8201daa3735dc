import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KeyIndex } from '../src/index.ts'

test('the window knows the last N keys exactly, with the stream that recorded each', () => {
  const index = new KeyIndex(3)
  for (const [key, stream] of [
    ['a', 's1'],
    ['b', 's2'],
    ['c', 's1'],
    ['d', 's2'],
  ] as const)
    index.record(key, stream)
  assert.equal(
    ['a', 'b', 'c', 'd'].map((k) => index.owner(k)),
    [undefined, 's2', 's1', 's2'],
  )
  assert.is(index.size, 3)
  assert.is(index.historySize, 1)
})

test('recording a key already in the window changes nothing (its first stream stays)', () => {
  const index = new KeyIndex(2)
  index.record('a', 's1')
  index.record('a', 's2')
  index.record('b', 's1')
  assert.equal([index.owner('a'), index.size], ['s1', 2])
})

test('law: every key that left the window is maybe seen (the history never forgets)', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 300 }),
      fc.integer({ min: 1, max: 50 }),
      (keys, capacity) => {
        const index = new KeyIndex(capacity)
        for (const k of keys) index.record(k, 's')
        keys.forEach((k, i) => {
          if (i < keys.length - capacity) assert.ok(index.maybeSeen(k), `${k} forgotten`)
          else assert.is(index.owner(k), 's')
        })
      },
    ),
    { numRuns: 300 },
  )
})

test('the history rarely claims a key it never saw (under 1 %)', () => {
  const index = new KeyIndex(1000)
  for (let i = 0; i < 21_000; i++) index.record(`key-${i}`, 's')
  let wrong = 0
  for (let i = 0; i < 20_000; i++) if (index.maybeSeen(`other-${i}`)) wrong++
  assert.ok(wrong < 200, `${wrong} false positives in 20,000`)
})

test('a window of less than one key is refused', () => {
  assert.throws(() => new KeyIndex(0), /positive integer/)
  assert.throws(() => new KeyIndex(1.5), /positive integer/)
})

test.run()
