/**
 * Percent-decoding of form components (`application/x-www-form-urlencoded`): UTF-8 decoded by hand,
 * fast and as strict as `decodeURIComponent`, and any other charset through its decoder.
 *
 * @module
 */
import type { Decoder } from './charset.ts'

/** Char code -> value of a hex digit (either case), -1 for anything else below 128. Filled once, never changed. */
const HEX_DIGIT = new Int8Array(128).fill(-1)
for (let d = 0; d < 10; d++) HEX_DIGIT[48 + d] = d
for (let d = 0; d < 6; d++) {
  HEX_DIGIT[65 + d] = 10 + d
  HEX_DIGIT[97 + d] = 10 + d
}

const hexValue = (code: number): number => (code < 128 ? (HEX_DIGIT[code] as number) : -1)

/** The longest component decoded in a {@link Scratch}; a longer one gets an array of its own. */
const SCRATCH_LIMIT = 8192

/**
 * Scratch space for the code units of one decoded component, reused from component to component by
 * its owner (a parser, for every body it parses; a parse that remembers nothing, for its body):
 * decoding is synchronous, so one array serves every call. It starts with room for `capacity`
 * units and grows up to 8192. Growing an array element by element made decoding the largest source
 * of garbage per notification.
 *
 * @internal
 * @example
 * const scratch = new Scratch(256)
 * scratch.units(300).length // at least 300
 */
export class Scratch {
  #units: number[]

  constructor(capacity: number) {
    this.#units = new Array<number>(capacity).fill(0)
  }

  /** An array with room for `size` code units: this scratch space, grown if need be, when `size` is small enough. */
  units(size: number): number[] {
    if (size > SCRATCH_LIMIT) return new Array<number>(size).fill(0)
    if (this.#units.length < size) this.#units = new Array<number>(Math.min(SCRATCH_LIMIT, Math.max(size, this.#units.length * 2))).fill(0)
    return this.#units
  }
}

/** The text of the first `count` UTF-16 code units of `units`, in slices small enough for `apply`. */
const fromCodes = (units: ReadonlyArray<number>, count: number): string => {
  // A short run (the `==` that ends a base64 hash) without copying the units out first.
  if (count <= 2)
    return count === 1 ? String.fromCharCode(units[0] as number) : count === 2 ? String.fromCharCode(units[0] as number, units[1] as number) : ''
  if (count <= 8192) return String.fromCharCode.apply(null, units.slice(0, count) as number[])
  let out = ''
  for (let i = 0; i < count; i += 8192) out += String.fromCharCode.apply(null, units.slice(i, Math.min(count, i + 8192)) as number[])
  return out
}

/** The byte a `%XX` escape at `text[i]` stands for, or -1 when `text[i + 1, i + 3)` is not two hex digits before `to`. */
const escapedByte = (text: string, i: number, to: number): number => {
  if (i + 2 >= to) return -1
  const hi = hexValue(text.charCodeAt(i + 1))
  const lo = hexValue(text.charCodeAt(i + 2))
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo
}

/**
 * `text.slice(from, to)` that does not keep `text` alive. V8 represents a slice of 13 characters or
 * more as a view into its parent, so a stored hash or IBAN would keep the whole request body in
 * memory for as long as the event that holds it; concatenating first makes the slice's parent a
 * copy of just those characters.
 */
const detached = (text: string, from: number, to: number): string => (to - from < 13 ? text.slice(from, to) : `${text.slice(from, to)} `.slice(0, -1))

/** The shortest run of plain characters before a component's first escape kept as a slice (see {@link utf8Component}). */
const PREFIX_SLICE = 16

/**
 * Percent-decodes `text[from, to)` as a UTF-8 form component (`+` is a space), with `scratch` as its
 * working space. Refuses what `decodeURIComponent` refuses (a
 * malformed escape, invalid UTF-8: overlong forms, surrogates, code points past U+10FFFF, stray
 * continuation bytes) and returns the same text otherwise, without slicing the component out first
 * or going through the engine's slower URI decoder.
 *
 * @internal
 * @example
 * utf8Component('v=%C3%96DEME+1', 2, 14, new Scratch(0)) // 'ÖDEME 1'
 * utf8Component('v=%C3', 2, 5, new Scratch(0)) // undefined
 */
export const utf8Component = (text: string, from: number, to: number, scratch: Scratch): string | undefined => {
  let i = from
  while (i < to) {
    const c = text.charCodeAt(i)
    if (c === 37 || c === 43) break
    i++
  }
  if (i === to) return detached(text, from, to)
  // A long run before the first escape (a base64 hash ending in `%3D`) is kept as one slice rather
  // than copied code unit by code unit; a short one is copied.
  const prefix = i - from >= PREFIX_SLICE ? i : from
  // at most one code unit per character of the component
  const units = scratch.units(to - prefix)
  let count = 0
  for (let k = prefix; k < i; k++) units[count++] = text.charCodeAt(k)
  while (i < to) {
    const c = text.charCodeAt(i)
    if (c === 43) {
      units[count++] = 32
      i++
      continue
    }
    if (c !== 37) {
      units[count++] = c
      i++
      continue
    }
    const lead = escapedByte(text, i, to)
    if (lead < 0) return undefined
    i += 3
    if (lead < 0x80) {
      units[count++] = lead
      continue
    }
    // the lead byte says how many continuation bytes follow and the least code point they may make
    const continuation = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0
    if (continuation === 0) return undefined
    let point = lead & (0x3f >> continuation)
    const least = continuation === 1 ? 0x80 : continuation === 2 ? 0x800 : 0x10000
    for (let k = 0; k < continuation; k++) {
      if (i >= to || text.charCodeAt(i) !== 37) return undefined
      const b = escapedByte(text, i, to)
      if (b < 0 || (b & 0xc0) !== 0x80) return undefined
      point = (point << 6) | (b & 0x3f)
      i += 3
    }
    if (point < least || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return undefined
    if (point >= 0x10000) {
      units[count++] = 0xd800 + ((point - 0x10000) >> 10)
      units[count++] = 0xdc00 + ((point - 0x10000) & 0x3ff)
    } else units[count++] = point
  }
  // the slice and the decoded rest joined, then copied (see `detached`), so the body is not kept alive
  return prefix === from ? fromCodes(units, count) : `${text.slice(from, prefix)}${fromCodes(units, count)} `.slice(0, -1)
}

/**
 * Percent-decodes one form component in another charset than UTF-8; runs of escapes are decoded
 * together.
 *
 * @internal
 * @example
 * charsetComponent('%DDSTANBUL+%DE', makeDecoder('iso-8859-9')!) // 'İSTANBUL Ş'
 */
export const charsetComponent = (raw: string, decode: Decoder): string | undefined => {
  const s = raw.includes('+') ? raw.replaceAll('+', ' ') : raw
  if (!s.includes('%')) return s
  let out = ''
  let i = 0
  while (i < s.length) {
    if (s.charCodeAt(i) !== 37) {
      const next = s.indexOf('%', i)
      const end = next < 0 ? s.length : next
      out += s.slice(i, end)
      i = end
      continue
    }
    const bytes: number[] = []
    while (i < s.length && s.charCodeAt(i) === 37) {
      const hi = hexValue(s.charCodeAt(i + 1))
      const lo = hexValue(s.charCodeAt(i + 2))
      if (hi < 0 || lo < 0) return undefined
      bytes.push((hi << 4) | lo)
      i += 3
    }
    const text = decode(Uint8Array.from(bytes))
    if (text === undefined) return undefined
    out += text
  }
  return out
}
