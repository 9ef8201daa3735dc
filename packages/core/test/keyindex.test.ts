import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { KeyIndex } from '../src/keyindex.ts'

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

/** The window as it was specified first: a Map from key to stream and a ring of keys. */
class ModelWindow {
  readonly owners = new Map<string, string>()
  private readonly ring: string[] = []
  private next = 0
  evicted = 0
  constructor(readonly capacity: number) {}
  record(key: string, stream: string): void {
    if (this.owners.has(key)) return
    const old = this.ring[this.next]
    if (old !== undefined) {
      this.owners.delete(old)
      this.evicted++
    }
    this.ring[this.next] = key
    this.owners.set(key, stream)
    this.next = (this.next + 1) % this.capacity
  }
}

const hexKey = (n: number): string => n.toString(16).padStart(8, '0').repeat(8)

test('law: the window answers as a Map and a ring of the last N keys would (hex and other keys, any streams)', () => {
  // Keys from a small pool, so that keys come back while in the window and after leaving it: hex
  // keys (kept packed), keys that only look hex (upper case, 63 or 65 digits) and short keys.
  const pool = [
    ...Array.from({ length: 40 }, (_, i) => hexKey(Math.imul(i, 2654435761) >>> 0)),
    hexKey(0),
    'ABCDEF01'.repeat(8),
    '0'.repeat(63),
    '0'.repeat(65),
    ...Array.from({ length: 20 }, (_, i) => `k${i}`),
    '',
  ]
  const streams = ['ledger-1-TRY', 'ledger-2-TRY', 'ledger-3-USD', 'ledger-4-EUR']
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.array(fc.tuple(fc.nat(pool.length - 1), fc.nat(streams.length - 1)), { maxLength: 400 }),
      (capacity, steps) => {
        const index = new KeyIndex(capacity)
        const model = new ModelWindow(capacity)
        for (const [k, s] of steps) {
          const key = pool[k] as string
          // A fresh copy of the stream name, as a receiver builds one per delivery.
          const stream = `${streams[s] as string} `.trimEnd()
          index.record(key, stream)
          model.record(key, stream)
        }
        for (const key of pool) assert.is(index.owner(key), model.owners.get(key), key)
        assert.is(index.size, model.owners.size)
        assert.is(index.historySize, model.evicted)
      },
    ),
    { numRuns: 500 },
  )
})

test('law: indexes used in turn answer as each would alone (no index reads what another hashed)', () => {
  const pool = [...Array.from({ length: 30 }, (_, i) => hexKey(Math.imul(i, 2654435761) >>> 0)), ...Array.from({ length: 10 }, (_, i) => `k${i}`)]
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(1), fc.constantFrom('record' as const, 'owner' as const, 'maybeSeen' as const), fc.nat(pool.length - 1)), {
        maxLength: 300,
      }),
      (steps) => {
        const indexes = [new KeyIndex(8), new KeyIndex(8)]
        const models = [new ModelWindow(8), new ModelWindow(8)]
        const everRecorded = [new Set<string>(), new Set<string>()]
        for (const [which, op, k] of steps) {
          const index = indexes[which] as KeyIndex
          const model = models[which] as ModelWindow
          const key = pool[k] as string
          if (op === 'record') {
            index.record(key, `ledger-${which}`)
            model.record(key, `ledger-${which}`)
            everRecorded[which]?.add(key)
          } else if (op === 'owner') assert.is(index.owner(key), model.owners.get(key), key)
          else if (everRecorded[which]?.has(key) && !model.owners.has(key)) assert.ok(index.maybeSeen(key), `${key} forgotten`)
          else index.maybeSeen(key)
        }
        indexes.forEach((index, which) => {
          for (const key of pool) assert.is(index.owner(key), models[which]?.owners.get(key), key)
        })
      },
    ),
    { numRuns: 500 },
  )
})

test('a window larger than its first allocation grows, and keeps every key exactly', () => {
  const index = new KeyIndex(5000)
  const model = new ModelWindow(5000)
  for (let i = 0; i < 12_000; i++) {
    const key = i % 3 === 0 ? `key-${i}` : hexKey(Math.imul(i, 2654435761) >>> 0)
    const stream = `ledger-${i % 7}-TRY`
    index.record(key, stream)
    model.record(key, stream)
  }
  assert.is(index.size, 5000)
  assert.is(index.historySize, 7000)
  for (let i = 0; i < 12_000; i++) {
    const key = i % 3 === 0 ? `key-${i}` : hexKey(Math.imul(i, 2654435761) >>> 0)
    assert.is(index.owner(key), model.owners.get(key), key)
    if (model.owners.get(key) === undefined) assert.ok(index.maybeSeen(key), `${key} forgotten`)
  }
})

test('a stream name no key in the window names any more is dropped, and a new one takes its place', () => {
  const index = new KeyIndex(2)
  index.record(hexKey(1), 'ledger-1-TRY')
  index.record(hexKey(2), 'ledger-2-TRY')
  index.record(hexKey(3), 'ledger-3-TRY')
  index.record(hexKey(4), 'ledger-3-TRY')
  index.record(hexKey(5), 'ledger-4-TRY')
  assert.equal(
    [1, 2, 3, 4, 5].map((n) => index.owner(hexKey(n))),
    [undefined, undefined, undefined, 'ledger-3-TRY', 'ledger-4-TRY'],
  )
})

test('a window of less than one key is refused', () => {
  assert.throws(() => new KeyIndex(0), /positive integer/)
  assert.throws(() => new KeyIndex(1.5), /positive integer/)
})

test.run()
