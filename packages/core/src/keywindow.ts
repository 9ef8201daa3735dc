/**
 * A bounded set of recently seen keys, for deduplication with memory that does not grow forever.
 *
 * @module
 */

/**
 * Storage shared by a window and its descendants: each key's version, and a ring of the last
 * `capacity` keys by version, so that eviction deletes exactly one known key (deleting the oldest
 * Map entry instead makes V8 walk every deleted entry before it, which grows without bound).
 */
class Slots {
  readonly versions = new Map<string, number>()
  /**
   * Grows as keys arrive, up to the capacity: allocating the whole ring up front cost 800 KB per
   * ledger for the default 100,000 keys, before a single key was seen.
   */
  readonly ring: Array<string | undefined> = []
  head = 0
}

/**
 * The last `capacity` distinct keys added. Adding returns a new window and leaves the old one
 * answering as before, so it can live in a decider's state; adding to the newest window costs O(1)
 * (older windows share storage and are copied only if they are added to). An older window may
 * forget keys the newest one has since evicted.
 *
 * @example
 * import { KeyWindow } from '@banksocket-webhooks/core'
 * const w0 = KeyWindow.empty(2)
 * const w1 = w0.add('a').add('b').add('c')
 * w1.has('a') // false: evicted, the window holds 2 keys
 * w1.has('c') // true
 * w0.has('c') // false: w0 is unchanged
 */
export class KeyWindow {
  private constructor(
    private readonly slots: Slots,
    private readonly version: number,
    /** How many distinct keys the window keeps. */
    readonly capacity: number,
  ) {}

  /**
   * An empty window holding at most `capacity` keys (a positive integer).
   *
   * @example
   * import { KeyWindow } from '@banksocket-webhooks/core'
   * KeyWindow.empty(100_000).size // 0
   */
  static empty(capacity: number): KeyWindow {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`KeyWindow capacity must be a positive integer, got ${String(capacity)}`)
    }
    return new KeyWindow(new Slots(), 0, capacity)
  }

  /**
   * Whether `key` is among this window's keys.
   *
   * @example
   * import { KeyWindow } from '@banksocket-webhooks/core'
   * KeyWindow.empty(1).add('k').has('k') // true
   */
  has(key: string): boolean {
    const v = this.slots.versions.get(key)
    return v !== undefined && v <= this.version && v > this.version - this.capacity
  }

  /**
   * The number of keys this window holds.
   *
   * @example
   * import { KeyWindow } from '@banksocket-webhooks/core'
   * KeyWindow.empty(5).add('a').add('a').size // 1
   */
  get size(): number {
    if (this.slots.head === this.version) return this.slots.versions.size
    let n = 0
    for (const v of this.slots.versions.values()) if (v <= this.version && v > this.version - this.capacity) n++
    return n
  }

  /**
   * A window with `key` added (the oldest key leaves when the window is full).
   *
   * @example
   * import { KeyWindow } from '@banksocket-webhooks/core'
   * const w = KeyWindow.empty(10).add('k')
   */
  add(key: string): KeyWindow {
    if (this.has(key)) return this
    let slots = this.slots
    if (slots.head !== this.version) {
      slots = new Slots()
      for (const [k, v] of this.slots.versions) {
        if (v <= this.version && v > this.version - this.capacity) {
          slots.versions.set(k, v)
          slots.ring[v % this.capacity] = k
        }
      }
    }
    const version = this.version + 1
    const slot = version % this.capacity
    const evicted = slots.ring[slot]
    if (evicted !== undefined && slots.versions.get(evicted) === version - this.capacity) slots.versions.delete(evicted)
    slots.ring[slot] = key
    slots.versions.set(key, version)
    slots.head = version
    return new KeyWindow(slots, version, this.capacity)
  }
}
