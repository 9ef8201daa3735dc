/**
 * Deep equality for assertions, answering where two values first differ rather than only whether
 * they do: the path of the first difference (`events[0].data.amount`) and both sides there, printed
 * readably (bigints with an `n`, strings quoted). Web APIs only, no test runner assumed.
 *
 * Equal means: the same primitive (`NaN` equals `NaN`, `0` equals `-0`, `1n` never equals `1`);
 * objects with the same prototype and the same own enumerable keys holding deeply equal values (a
 * key holding `undefined` is not an absent key); arrays and typed arrays element by element; dates
 * by time, regular expressions by source and flags, errors by name and message too; Maps by keys
 * (as `Map.has` finds them) and deeply equal values; Sets by members (deeply equal ones match).
 *
 * @internal
 * @module
 */

/**
 * Where two values first differ: a path from the root (`events[1].data.amount`), both sides there
 * printed readably (`<absent>` for a missing key or element), and what differs when the printed
 * sides alone would not say (`3 elements decided, 2 expected`).
 *
 * @internal
 * @example
 * const difference: Difference = { path: 'events[0].data.minor', expected: '10000n', actual: '1000n', note: undefined }
 */
export type Difference = Readonly<{ path: string; expected: string; actual: string; note: string | undefined }>

const ABSENT = '<absent>'
const MAX_SHOWN = 600

const isIdentifier = (key: string): boolean => /^[A-Za-z_$][\w$]*$/.test(key)
const keyPath = (path: string, key: string): string => (isIdentifier(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`)

/** The constructor's name of a non-plain object (`Money`, `Uint8Array`), or '' for plain and null-prototype objects. */
const className = (value: object): string => {
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === null || proto === Object.prototype) return ''
  const ctor: unknown = (proto as { constructor?: unknown }).constructor
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : ''
}

const isTypedArray = (value: object): value is ArrayLike<number | bigint> & ArrayBufferView =>
  ArrayBuffer.isView(value) && !(value instanceof DataView)

const render = (value: unknown, seen: Set<object>): string => {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'bigint':
      return `${value}n`
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'symbol':
      return value.toString()
    case 'function':
      return `[Function ${value.name === '' ? '(anonymous)' : value.name}]`
    case 'undefined':
    case 'boolean':
      return String(value)
  }
  if (value === null) return 'null'
  const object = value as object
  if (seen.has(object)) return '[Circular]'
  seen.add(object)
  try {
    const name = className(object)
    const prefix = name === '' || name === 'Array' ? '' : `${name} `
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Date(Invalid)' : `Date(${object.toISOString()})`
    if (object instanceof RegExp) return String(object)
    if (object instanceof Error) return `${object.name}(${JSON.stringify(object.message)})`
    if (Array.isArray(object)) return `${prefix}[${object.map((item) => render(item, seen)).join(', ')}]`
    if (isTypedArray(object)) return `${prefix}[${Array.from(object, (item) => render(item, seen)).join(', ')}]`
    if (object instanceof Map) {
      const entries = [...object].map(([k, v]) => `${render(k, seen)} => ${render(v, seen)}`)
      return `${prefix}{${entries.length === 0 ? '' : ` ${entries.join(', ')} `}}`
    }
    if (object instanceof Set) {
      const members = [...object].map((m) => render(m, seen))
      return `${prefix}{${members.length === 0 ? '' : ` ${members.join(', ')} `}}`
    }
    const entries = Object.keys(object).map(
      (key) => `${isIdentifier(key) ? key : JSON.stringify(key)}: ${render((object as Record<string, unknown>)[key], seen)}`,
    )
    return `${prefix}{${entries.length === 0 ? '' : ` ${entries.join(', ')} `}}`
  } finally {
    seen.delete(object)
  }
}

/**
 * A value printed for an assertion message, on one line: strings quoted as JSON, bigints with an
 * `n` (`10000n`), `-0`, dates in ISO 8601, Maps and Sets with their entries, class instances
 * prefixed with their class name. Anything longer than 600 characters is cut, with `…`.
 *
 * @internal
 * @example
 * showValue({ minor: 10000n, currency: 'TRY' }) // '{ minor: 10000n, currency: "TRY" }'
 */
export const showValue = (value: unknown): string => {
  const shown = render(value, new Set())
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN - 1)}…` : shown
}

const differ = (path: string, actual: unknown, expected: unknown, note?: string): Difference => ({
  path,
  expected: showValue(expected),
  actual: showValue(actual),
  note,
})

const absentOne = (path: string, side: 'actual' | 'expected', value: unknown, note: string): Difference => ({
  path,
  expected: side === 'actual' ? showValue(value) : ABSENT,
  actual: side === 'actual' ? ABSENT : showValue(value),
  note,
})

/** `3 elements where 2 were expected`. */
const elementCounts = (actual: number, expected: number): string =>
  `${actual} element${actual === 1 ? '' : 's'} where ${expected} ${expected === 1 ? 'was' : 'were'} expected`

/** Pairs already under comparison, so cyclic structures compare without looping forever. */
type Visiting = WeakMap<object, Set<object>>

const compareSequences = (actual: ArrayLike<unknown>, expected: ArrayLike<unknown>, path: string, visiting: Visiting): Difference | undefined => {
  const length = Math.max(actual.length, expected.length)
  const note = elementCounts(actual.length, expected.length)
  for (let i = 0; i < length; i++) {
    const at = `${path}[${i}]`
    if (i >= actual.length) return absentOne(at, 'actual', expected[i], note)
    if (i >= expected.length) return absentOne(at, 'expected', actual[i], note)
    const difference = compare(actual[i], expected[i], at, visiting)
    if (difference !== undefined) return difference
  }
  return undefined
}

const compareMaps = (actual: Map<unknown, unknown>, expected: Map<unknown, unknown>, path: string, visiting: Visiting): Difference | undefined => {
  for (const [key, value] of expected) {
    const at = `${path}.get(${showValue(key)})`
    if (!actual.has(key)) return absentOne(at, 'actual', value, 'a key is missing')
    const difference = compare(actual.get(key), value, at, visiting)
    if (difference !== undefined) return difference
  }
  for (const [key, value] of actual) {
    if (!expected.has(key)) return absentOne(`${path}.get(${showValue(key)})`, 'expected', value, 'a key was not expected')
  }
  return undefined
}

/** The members of `from` that no member of `among` matches (identical or deeply equal), each matched once. */
const unmatched = (from: Set<unknown>, among: Set<unknown>): unknown[] => {
  const left = [...among].filter((m) => !from.has(m))
  const missing: unknown[] = []
  for (const member of from) {
    if (among.has(member)) continue
    const i = left.findIndex((candidate) => compare(candidate, member, '', new WeakMap()) === undefined)
    if (i === -1) missing.push(member)
    else left.splice(i, 1)
  }
  return missing
}

const compareSets = (actual: Set<unknown>, expected: Set<unknown>, path: string): Difference | undefined => {
  const missing = unmatched(expected, actual)
  if (missing.length > 0) return absentOne(path, 'actual', missing[0], 'an expected member is missing')
  const extra = unmatched(actual, expected)
  if (extra.length > 0) return absentOne(path, 'expected', extra[0], 'a member was not expected')
  return undefined
}

const compareKeys = (actual: object, expected: object, path: string, visiting: Visiting): Difference | undefined => {
  const a = actual as Record<string, unknown>
  const e = expected as Record<string, unknown>
  for (const key of Object.keys(expected)) {
    const at = keyPath(path, key)
    if (!Object.hasOwn(actual, key)) return absentOne(at, 'actual', e[key], 'a key is missing')
    const difference = compare(a[key], e[key], at, visiting)
    if (difference !== undefined) return difference
  }
  for (const key of Object.keys(actual)) {
    if (!Object.hasOwn(expected, key)) return absentOne(keyPath(path, key), 'expected', a[key], 'a key was not expected')
  }
  return undefined
}

const compareObjects = (actual: object, expected: object, path: string, visiting: Visiting): Difference | undefined => {
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) {
    const kind = (o: object) => {
      if (Array.isArray(o)) return 'an array'
      if (Object.getPrototypeOf(o) === null) return 'a null-prototype object'
      return className(o) === '' ? 'a plain object' : `a ${className(o)}`
    }
    return differ(path, actual, expected, `${kind(actual)} where ${kind(expected)} was expected`)
  }
  if (actual instanceof Date && expected instanceof Date) {
    return Object.is(actual.getTime(), expected.getTime()) ? compareKeys(actual, expected, path, visiting) : differ(path, actual, expected)
  }
  if (actual instanceof RegExp && expected instanceof RegExp) {
    return String(actual) === String(expected) ? compareKeys(actual, expected, path, visiting) : differ(path, actual, expected)
  }
  if (actual instanceof Error && expected instanceof Error) {
    if (actual.name !== expected.name) return differ(`${path}.name`, actual.name, expected.name)
    if (actual.message !== expected.message) return differ(`${path}.message`, actual.message, expected.message)
    return compareKeys(actual, expected, path, visiting)
  }
  if (Array.isArray(actual) && Array.isArray(expected)) return compareSequences(actual, expected, path, visiting)
  if (isTypedArray(actual) && isTypedArray(expected)) return compareSequences(actual, expected, path, visiting)
  if (actual instanceof DataView && expected instanceof DataView) {
    const bytes = (view: DataView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
    return compareSequences(bytes(actual), bytes(expected), path, visiting)
  }
  if (actual instanceof ArrayBuffer && expected instanceof ArrayBuffer) {
    return compareSequences(new Uint8Array(actual), new Uint8Array(expected), path, visiting)
  }
  if (actual instanceof Map && expected instanceof Map) return compareMaps(actual, expected, path, visiting)
  if (actual instanceof Set && expected instanceof Set) return compareSets(actual, expected, path)
  return compareKeys(actual, expected, path, visiting)
}

const compare = (actual: unknown, expected: unknown, path: string, visiting: Visiting): Difference | undefined => {
  if (actual === expected) return undefined
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) {
    if (typeof actual === 'number' && typeof expected === 'number' && Number.isNaN(actual) && Number.isNaN(expected)) return undefined
    const note =
      typeof actual === typeof expected || actual === null || expected === null ? undefined : `${typeof actual} where ${typeof expected} was expected`
    return differ(path, actual, expected, note)
  }
  const pairs = visiting.get(actual)
  if (pairs?.has(expected)) return undefined
  if (pairs === undefined) visiting.set(actual, new Set([expected]))
  else pairs.add(expected)
  return compareObjects(actual, expected, path, visiting)
}

/**
 * The first difference between `actual` and `expected`, or `undefined` when they are deeply
 * equal; paths start at `root`. Keys are walked in `expected`'s order, then `actual`'s extra ones.
 *
 * @internal
 * @example
 * firstDifference([{ minor: 1000n }], [{ minor: 10000n }], 'events')
 * // { path: 'events[0].minor', expected: '10000n', actual: '1000n', note: undefined }
 */
export const firstDifference = (actual: unknown, expected: unknown, root: string): Difference | undefined =>
  compare(actual, expected, root, new WeakMap())
