/**
 * One idempotency key space for every ledger: which ledger recorded each of the last N keys
 * (exact), and a compact probabilistic memory of every older key (a scalable Bloom filter), so a
 * replay older than the window is still recognised as "probably seen".
 *
 * @module
 */

/** The second hash's seed (the first's is 0). */
const SEED2 = 0x9e3779b9

/** FNV-1a's final mix. */
const mix = (h: number): number => {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return h >>> 0
}

/** Words of a key packed as 32 bytes (64 lowercase hex digits: a hex SHA-256, as receive.ts makes keys). */
const WORDS = 8
const HEX_LENGTH = WORDS * 8

/**
 * What {@link hashKey} found for the last key it read: the key, its two hashes (the second one odd)
 * and, when the key is 64 lowercase hex digits, its 32 bytes in `words`. Each {@link KeyIndex} owns
 * one and reuses it for every key, so that hashing allocates nothing; nothing is shared between
 * indexes.
 */
type Hashed = { key: string | undefined; h1: number; h2: number; hex: boolean; readonly words: Uint32Array }

const newHashed = (): Hashed => ({ key: undefined, h1: 0, h2: 0, hex: false, words: new Uint32Array(WORDS) })

/**
 * Hashes `key` into `into` and returns it (once: when `into` already holds `key`, as after a lookup
 * of the same key, it is returned as it is).
 *
 * - A key of 64 lowercase hex digits is read as its 32 bytes, and its first two words are its
 *   hashes: such a key is a SHA-256 (receive.ts makes every idempotency key so), whose bits are
 *   uniform and independent already, so hashing it again would only cost time.
 * - Any other key is hashed with FNV-1a over its UTF-16 code units (seeds 0 and {@link SEED2}) and
 *   a final mix.
 */
const hashKey = (key: string, into: Hashed): Hashed => {
  if (into.key === key) return into
  const words = into.words
  let hex = key.length === HEX_LENGTH
  if (hex) {
    let word = 0
    for (let i = 0; i < HEX_LENGTH; i++) {
      const c = key.charCodeAt(i)
      const nibble = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
      if (nibble < 0) {
        hex = false
        break
      }
      word = (word << 4) | nibble
      if ((i & 7) === 7) {
        words[i >>> 3] = word
        word = 0
      }
    }
  }
  if (hex) {
    into.h1 = words[0] as number
    into.h2 = ((words[1] as number) | 1) >>> 0
  } else {
    let a = 0x811c9dc5
    let b = (0x811c9dc5 ^ SEED2) >>> 0
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i)
      a = Math.imul(a ^ c, 0x01000193)
      b = Math.imul(b ^ c, 0x01000193)
    }
    into.h1 = mix(a)
    into.h2 = mix(b) | 1
  }
  into.key = key
  into.hex = hex
  return into
}

/** One Bloom filter segment: `keys` keys at `bitsPerKey` bits each, `hashes` probes per key. */
class Segment {
  readonly bits: Uint32Array
  readonly size: number
  count = 0
  constructor(
    readonly keys: number,
    bitsPerKey: number,
    readonly hashes: number,
  ) {
    this.size = Math.max(64, Math.ceil(keys * bitsPerKey))
    this.bits = new Uint32Array(Math.ceil(this.size / 32))
  }
  add(h1: number, h2: number): void {
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0
      const at = bit % this.size
      this.bits[at >>> 5] = (this.bits[at >>> 5] as number) | (1 << (at & 31))
    }
    this.count++
  }
  has(h1: number, h2: number): boolean {
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0
      const at = bit % this.size
      if (((this.bits[at >>> 5] as number) & (1 << (at & 31))) === 0) return false
    }
    return true
  }
}

/**
 * Bits per key and probes of the history's segments: 15 bits and 10 probes give about 0.07 % false
 * positives per segment; segments double in size, so a history of N keys has about log2(N / window)
 * segments and stays under 1 % false positives.
 */
const BITS_PER_KEY = 15
const HASHES = 10

/**
 * The idempotency keys recorded by every ledger of a receiver.
 *
 * - The last `capacity` keys are known exactly, with the ledger stream that recorded each (about
 *   55 bytes a key, in typed arrays outside the JavaScript heap: 5.5 MB for the default 100,000).
 *   A key that is 64 lowercase hex digits (a hex SHA-256, as every delivery's key is) is kept as its
 *   32 bytes; any other key is kept as it is. Stream names are kept once each, however many keys
 *   name them. Recording allocates nothing on the heap once the window is full, so a busy receiver
 *   promotes no garbage to the old generation for its dedupe window (see `record`).
 * - Every key that left the window is remembered approximately (about 4 bytes a key): `maybeSeen`
 *   answers `true` for all of them, and wrongly for under 1 % of keys never seen (0.2 % measured
 *   after 1,000,000 keys left a window of 100,000).
 *
 * @example
 * import { KeyIndex } from '@banksocket-webhooks/core'
 * const index = new KeyIndex(2)
 * index.record('a', 'ledger-69-TRY')
 * index.record('b', 'ledger-69-TRY')
 * index.record('c', 'ledger-70-TRY')
 * index.owner('c') // 'ledger-70-TRY'
 * index.owner('a') // undefined: it left the window...
 * index.maybeSeen('a') // true: ...but the history remembers it
 */
export class KeyIndex {
  // The window is a ring of slots (filled in order, then reused oldest first), in parallel typed
  // arrays that grow by doubling up to `capacity`, and an open-addressing hash table (linear
  // probing, at most half full) from a key's first hash to its slot.
  /** Slots in use (at most `capacity`). */
  private filled = 0
  /** The slot the next key goes to (the oldest key's, once the window is full). */
  private next = 0
  /** Per slot: the key's two hashes (the table's and the history's). */
  private h1: Uint32Array
  private h2: Uint32Array
  /** Per slot: the key's 32 bytes when it is hex, else zeros (the key is in `others`). */
  private words: Uint32Array
  /** Per slot: 1 when the key is kept as words, 0 when it is kept in `others`. */
  private packed: Uint8Array
  /** Per slot: the id of the stream that recorded the key. */
  private streamOf: Uint32Array
  /** Keys that are not 64 lowercase hex digits, by slot. */
  private readonly others = new Map<number, string>()
  /** Slot + 1 of each key at its probe position; 0 is free. */
  private table: Int32Array
  private mask: number
  /** Stream names, by id, and how many keys in the window name each (a name with none is dropped). */
  private readonly streamIds = new Map<string, number>()
  private readonly streams: Array<string | undefined> = []
  private readonly streamKeys: number[] = []
  private readonly freeStreamIds: number[] = []
  private readonly history: Segment[] = []
  private evicted = 0
  /** The last key this index hashed, with its hashes and words (see {@link hashKey}). */
  private readonly hashed: Hashed = newHashed()

  /** @param capacity how many recent keys are known exactly (a positive integer). */
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`the dedupe window must be a positive integer, got ${String(capacity)}`)
    }
    const slots = Math.min(capacity, INITIAL_SLOTS)
    this.h1 = new Uint32Array(slots)
    this.h2 = new Uint32Array(slots)
    this.words = new Uint32Array(slots * WORDS)
    this.packed = new Uint8Array(slots)
    this.streamOf = new Uint32Array(slots)
    this.table = new Int32Array(tableSize(slots))
    this.mask = this.table.length - 1
  }

  /**
   * The stream that recorded `key`, if the key is in the window.
   *
   * @example
   * import { KeyIndex } from '@banksocket-webhooks/core'
   * new KeyIndex(10).owner('k') // undefined
   */
  owner(key: string): string | undefined {
    const at = this.find(key)
    return at < 0 ? undefined : this.streams[this.streamOf[(this.table[at] as number) - 1] as number]
  }

  /**
   * Whether `key` left the window at some point (approximate: never a false "no").
   *
   * @example
   * import { KeyIndex } from '@banksocket-webhooks/core'
   * new KeyIndex(10).maybeSeen('k') // false
   */
  maybeSeen(key: string): boolean {
    if (this.history.length === 0) return false
    const { h1, h2 } = hashKey(key, this.hashed)
    for (const segment of this.history) if (segment.has(h1, h2)) return true
    return false
  }

  /**
   * Records `key` as recorded by `stream`. The oldest key leaves the window (into the history) when
   * it is full. Recording a key already in the window changes nothing.
   *
   * @example
   * import { KeyIndex } from '@banksocket-webhooks/core'
   * new KeyIndex(10).record('k', 'ledger-69-TRY')
   */
  record(key: string, stream: string): void {
    if (this.find(key) >= 0) return
    let slot = this.next
    if (this.filled === this.capacity) this.evict(slot)
    else {
      if (slot === this.h1.length) this.grow()
      this.filled++
    }
    // find() left the key's hashes and words in `hashed` (evict and grow do not hash).
    const { h1, h2, hex, words } = this.hashed
    this.h1[slot] = h1
    this.h2[slot] = h2
    if (hex) {
      this.words.set(words, slot * WORDS)
      this.packed[slot] = 1
    } else {
      this.words.fill(0, slot * WORDS, slot * WORDS + WORDS)
      this.packed[slot] = 0
      this.others.set(slot, key)
    }
    this.streamOf[slot] = this.intern(stream)
    let at = h1 & this.mask
    while (this.table[at] !== 0) at = (at + 1) & this.mask
    this.table[at] = slot + 1
    slot++
    this.next = slot === this.capacity ? 0 : slot
  }

  /**
   * Keys known exactly (at most `capacity`).
   *
   * @example
   * import { KeyIndex } from '@banksocket-webhooks/core'
   * new KeyIndex(10).size // 0
   */
  get size(): number {
    return this.filled
  }

  /**
   * Keys that left the window and are remembered approximately.
   *
   * @example
   * import { KeyIndex } from '@banksocket-webhooks/core'
   * new KeyIndex(10).historySize // 0
   */
  get historySize(): number {
    return this.evicted
  }

  /** The table position of `key`, or -1. Leaves the key's hashes in `hashed`. */
  private find(key: string): number {
    const { h1, hex, words } = hashKey(key, this.hashed)
    const table = this.table
    const mask = this.mask
    for (let at = h1 & mask; ; at = (at + 1) & mask) {
      const entry = table[at] as number
      if (entry === 0) return -1
      const slot = entry - 1
      if (this.h1[slot] !== h1) continue
      if (hex) {
        if (this.packed[slot] === 1 && this.sameWords(slot, words)) return at
      } else if (this.packed[slot] === 0 && this.others.get(slot) === key) return at
    }
  }

  private sameWords(slot: number, words: Uint32Array): boolean {
    const base = slot * WORDS
    for (let i = 0; i < WORDS; i++) if (this.words[base + i] !== words[i]) return false
    return true
  }

  /** Moves the key in `slot` out of the window, into the history. */
  private evict(slot: number): void {
    const h1 = this.h1[slot] as number
    // Find its table position, then close the hole (backward shift: no tombstones).
    const table = this.table
    const mask = this.mask
    let hole = h1 & mask
    while (table[hole] !== slot + 1) hole = (hole + 1) & mask
    for (let at = (hole + 1) & mask; table[at] !== 0; at = (at + 1) & mask) {
      const home = (this.h1[(table[at] as number) - 1] as number) & mask
      // The entry at `at` may move to the hole unless its home lies cyclically in (hole, at].
      const stays = hole <= at ? hole < home && home <= at : hole < home || home <= at
      if (!stays) {
        table[hole] = table[at] as number
        hole = at
      }
    }
    table[hole] = 0
    if (this.packed[slot] === 0) this.others.delete(slot)
    this.release(this.streamOf[slot] as number)
    this.remember(h1, this.h2[slot] as number)
  }

  /** Doubles the slots (up to `capacity`) and rebuilds the table. */
  private grow(): void {
    const slots = Math.min(this.capacity, this.h1.length * 2)
    const widen = <A extends Uint32Array | Uint8Array>(from: A, to: A): A => {
      to.set(from)
      return to
    }
    this.h1 = widen(this.h1, new Uint32Array(slots))
    this.h2 = widen(this.h2, new Uint32Array(slots))
    this.words = widen(this.words, new Uint32Array(slots * WORDS))
    this.packed = widen(this.packed, new Uint8Array(slots))
    this.streamOf = widen(this.streamOf, new Uint32Array(slots))
    this.table = new Int32Array(tableSize(slots))
    this.mask = this.table.length - 1
    for (let slot = 0; slot < this.filled; slot++) {
      let at = (this.h1[slot] as number) & this.mask
      while (this.table[at] !== 0) at = (at + 1) & this.mask
      this.table[at] = slot + 1
    }
  }

  /** The id of `stream`, counting one more key that names it. */
  private intern(stream: string): number {
    let id = this.streamIds.get(stream)
    if (id === undefined) {
      id = this.freeStreamIds.pop() ?? this.streams.length
      this.streamIds.set(stream, id)
      this.streams[id] = stream
      this.streamKeys[id] = 0
    }
    this.streamKeys[id] = (this.streamKeys[id] as number) + 1
    return id
  }

  /** One key less names stream `id`; a name no key names any more is dropped. */
  private release(id: number): void {
    const left = (this.streamKeys[id] as number) - 1
    this.streamKeys[id] = left
    if (left > 0) return
    this.streamIds.delete(this.streams[id] as string)
    this.streams[id] = undefined
    this.freeStreamIds.push(id)
  }

  private remember(h1: number, h2: number): void {
    let segment = this.history[this.history.length - 1]
    if (segment === undefined || segment.count >= segment.keys) {
      const keys = segment === undefined ? this.capacity : segment.keys * 2
      segment = new Segment(keys, BITS_PER_KEY, HASHES)
      this.history.push(segment)
    }
    segment.add(h1, h2)
    this.evicted++
  }
}

/** Slots allocated at first (the window grows by doubling up to its capacity). */
const INITIAL_SLOTS = 1024

/** The table's length for `slots` keys: a power of two, at least twice as many. */
const tableSize = (slots: number): number => {
  let size = 2
  while (size < slots * 2) size *= 2
  return size
}
