import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KeyWindow } from '../src/index.ts'

test('a window keeps the last capacity distinct keys', () => {
  const w = KeyWindow.empty(3).add('a').add('b').add('a').add('c').add('d')
  assert.equal(['a', 'b', 'c', 'd'].map((k) => w.has(k)), [false, true, true, true])
  assert.is(w.size, 3)
})

test('older windows answer as before after newer ones are built', () => {
  const w1 = KeyWindow.empty(10).add('a')
  const w2 = w1.add('b')
  assert.ok(w2.has('b'))
  assert.not.ok(w1.has('b'))
  assert.is(w1.size, 1)
})

test('adding to an older window branches without disturbing the newer one', () => {
  const w1 = KeyWindow.empty(10).add('a')
  const w2 = w1.add('b')
  const w3 = w1.add('c')
  assert.equal([w2.has('b'), w2.has('c'), w3.has('b'), w3.has('c'), w3.has('a')], [true, false, false, true, true])
})

test('capacity must be a positive integer', () => {
  assert.throws(() => KeyWindow.empty(0), /positive integer/)
  assert.throws(() => KeyWindow.empty(1.5), /positive integer/)
})

test('property: the newest window matches a reference model of the last N distinct keys', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), (keys, capacity) => {
      let w = KeyWindow.empty(capacity)
      const model: string[] = []
      for (const k of keys) {
        w = w.add(k)
        if (!model.includes(k)) {
          model.push(k)
          if (model.length > capacity) model.shift()
        }
      }
      for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) assert.is(w.has(k), model.includes(k), k)
      assert.is(w.size, model.length)
    }),
  )
})

test.run()
