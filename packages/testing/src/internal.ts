/**
 * Internal helpers: a small seeded pseudo-random generator (sfc32) so fake data is reproducible.
 * Not part of the public API.
 *
 * @internal
 * @module
 */

/**
 * A seeded source of pseudo-random values. Same seed, same sequence, on every runtime.
 *
 * @internal
 * @example
 * const random = createRandom('demo')
 * random.int(1, 6) // the same number every run
 */
export type Random = Readonly<{
  /** A uniformly distributed unsigned 32-bit integer. */
  uint32: () => number
  /** An integer in `[min, max]` (both inclusive, both safe integers, `max - min < 2**32`). */
  int: (min: number, max: number) => number
  /** `true` with probability `p`. */
  chance: (p: number) => boolean
  /** One element of a non-empty list. */
  pick: <T>(items: ReadonlyArray<T>) => T
  /** A bigint in `[min, max]` (inclusive). */
  bigint: (min: bigint, max: bigint) => bigint
  /** `n` decimal digits as a string (leading zeros allowed). */
  digits: (n: number) => string
}>

/** FNV-1a over the UTF-16 code units of a string: turns a string seed into 32 bits. */
const fnv1a = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** SplitMix32: spreads one 32-bit seed into well-mixed state words. */
const splitmix32 = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

/**
 * A seed as 32 bits: integers are taken modulo 2**32 (with their high bits folded in), strings are
 * hashed. Throws a `TypeError` for a non-integer number, which is a programming error.
 *
 * @internal
 * @example
 * seedBits('demo') === seedBits('demo') // true
 */
const seedBits = (seed: number | string): number => {
  if (typeof seed === 'string') return fnv1a(seed)
  if (!Number.isSafeInteger(seed)) {
    throw new TypeError(`seed must be a safe integer or a string, got ${String(seed)}`)
  }
  const high = Math.floor(Math.abs(seed) / 2 ** 32)
  return ((seed >>> 0) ^ Math.imul(high, 0x9e3779b1) ^ (seed < 0 ? 0xffffffff : 0)) >>> 0
}

/**
 * Builds a {@link Random} from a seed (sfc32 seeded through SplitMix32).
 *
 * @internal
 * @example
 * createRandom(42).int(0, 9) === createRandom(42).int(0, 9) // true
 */
export const createRandom = (seed: number | string): Random => {
  const mix = splitmix32(seedBits(seed))
  let a = mix()
  let b = mix()
  let c = mix()
  let d = mix()
  const uint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t >>> 0
  }
  for (let i = 0; i < 12; i++) uint32()
  const int = (min: number, max: number): number => min + Math.floor((uint32() / 2 ** 32) * (max - min + 1))
  const bigint = (min: bigint, max: bigint): bigint => {
    const range = max - min + 1n
    if (range <= 1n) return min
    let bits = 0n
    let value = 0n
    while (bits < BigInt(range.toString(2).length) + 32n) {
      value = (value << 32n) | BigInt(uint32())
      bits += 32n
    }
    return min + (value % range)
  }
  return {
    uint32,
    int,
    chance: (p) => uint32() / 2 ** 32 < p,
    pick: <T>(items: ReadonlyArray<T>): T => {
      if (items.length === 0) throw new TypeError('cannot pick from an empty list')
      return items[int(0, items.length - 1)] as T
    },
    bigint,
    digits: (n) => {
      let out = ''
      for (let i = 0; i < n; i++) out += String(int(0, 9))
      return out
    },
  }
}

const digitsOf = (s: string): number[] => [...s].map(Number)

/**
 * The check digits of a Turkish identity number (TCKN) from its first nine digits.
 *
 * @internal
 * @example
 * tcknCheckDigits('100000001') // two digits
 */
const tcknCheckDigits = (first9: string): string => {
  const d = digitsOf(first9)
  const odd = (d[0] ?? 0) + (d[2] ?? 0) + (d[4] ?? 0) + (d[6] ?? 0) + (d[8] ?? 0)
  const even = (d[1] ?? 0) + (d[3] ?? 0) + (d[5] ?? 0) + (d[7] ?? 0)
  const d10 = (((odd * 7 - even) % 10) + 10) % 10
  const d11 = (d.reduce((a, b) => a + b, 0) + d10) % 10
  return `${d10}${d11}`
}

/**
 * Whether a string is a well-formed TCKN (11 digits, no leading zero, both check digits right).
 *
 * @internal
 * @example
 * isTckn('10000000146') // true
 */
export const isTckn = (s: string): boolean => /^[1-9]\d{10}$/.test(s) && tcknCheckDigits(s.slice(0, 9)) === s.slice(9)

/**
 * A random valid TCKN (a person's identity number, the `opponent_id` of a person).
 *
 * @internal
 * @example
 * isTckn(fakeTckn(createRandom(1))) // true
 */
export const fakeTckn = (random: Random): string => {
  const first9 = String(random.int(1, 9)) + random.digits(8)
  return first9 + tcknCheckDigits(first9)
}

const vknCheckDigit = (first9: string): string => {
  let sum = 0
  digitsOf(first9).forEach((digit, i) => {
    const tmp = (digit + 9 - i) % 10
    sum += tmp === 9 ? 9 : (tmp * 2 ** (9 - i)) % 9
  })
  return String((10 - (sum % 10)) % 10)
}

/**
 * Whether a string is a well-formed VKN (a company's 10-digit tax number with its check digit).
 *
 * @internal
 * @example
 * isVkn('1234567890') // false
 */
export const isVkn = (s: string): boolean => /^\d{10}$/.test(s) && vknCheckDigit(s.slice(0, 9)) === s.slice(9)

/**
 * A random valid VKN (a company's tax number, the `opponent_id` of a company).
 *
 * @internal
 * @example
 * isVkn(fakeVkn(createRandom(1))) // true
 */
export const fakeVkn = (random: Random): string => {
  const first9 = random.digits(9)
  return first9 + vknCheckDigit(first9)
}
