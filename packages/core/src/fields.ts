/**
 * The fields of a parsed body, whichever its encoding: the record every body parser builds (a field
 * sent twice refused, at most {@link MAX_FIELDS} of them, inheriting nothing) and the documented
 * field names as constant strings.
 *
 * @module
 */
import { NOTIFICATION_FIELDS } from './codecs.ts'
import { invalidPayload, type Rejection } from './rejection.ts'

/**
 * Parsed fields by name. Form and multipart values are strings; JSON values are whatever the JSON
 * held (the notification codec then insists on strings for known fields). The record inherits
 * nothing (its prototype is an empty object without a prototype), so a field called `__proto__`,
 * `constructor` or `toString` is just a field.
 *
 * @example
 * import type { Fields } from '@banksocket-webhooks/core/runtime-kit'
 * const f: Fields = { dc: 'Credit' }
 */
export type Fields = Readonly<Record<string, unknown>>

/**
 * The most fields a notification may carry. Banksocket sends 12; extra fields are kept, but a body
 * with more than this many is refused so that a hostile body cannot make the receiver build a huge
 * record.
 *
 * @example
 * import { MAX_FIELDS } from '@banksocket-webhooks/core/runtime-kit'
 * MAX_FIELDS // 100
 */
export const MAX_FIELDS = 100

/**
 * The prototype of every parsed record: empty, with no prototype of its own. Records made with
 * `Object.create(null)` live in V8's slow dictionary mode; records on this prototype keep fast
 * properties (and share a shape when fields arrive in the same order) while inheriting nothing.
 */
const NOTHING: object = Object.freeze(Object.create(null))

/**
 * Builds one parsed record: refuses a field sent twice and more than {@link MAX_FIELDS} fields.
 *
 * @internal
 * @example
 * const collector = new FieldCollector()
 * collector.add('dc', 'Credit') // undefined: added
 * collector.add('dc', 'Debit') // invalid_payload: 'dc' sent more than once
 */
export class FieldCollector {
  readonly fields: Record<string, unknown> = Object.create(NOTHING)
  #count = 0

  /** Adds a field; the rejection of the body when it cannot be added. */
  add(name: string, value: unknown): Rejection | undefined {
    if (Object.hasOwn(this.fields, name)) {
      return invalidPayload(name, 'sent more than once')
    }
    if (++this.#count > MAX_FIELDS) return invalidPayload('', `more than ${MAX_FIELDS} fields`)
    this.fields[name] = value
    return undefined
  }
}

/**
 * The documented field names (core's one list, and `id`), as the engine's own constant strings. A
 * field name in a form body that is one of them exactly (no escape to decode) is taken from here
 * instead of being sliced out of the body: no copy, and storing a property under a constant name
 * skips looking the fresh string up in the engine's string table, which was a large part of
 * building the record.
 *
 * @internal
 * @example
 * KNOWN_NAMES.includes('amount') // true
 */
export const KNOWN_NAMES: ReadonlyArray<string> = [...NOTIFICATION_FIELDS, 'id']

/** By length: the indexes in {@link KNOWN_NAMES} of the names of that length (at most three). */
const KNOWN_BY_LENGTH: ReadonlyArray<ReadonlyArray<number>> = Array.from({ length: Math.max(...KNOWN_NAMES.map((n) => n.length)) + 1 }, (_, length) =>
  KNOWN_NAMES.flatMap((name, k) => (name.length === length ? [k] : [])),
)

/**
 * The index in {@link KNOWN_NAMES} of the name that `text[from, to)` spells exactly, or -1.
 *
 * @internal
 * @example
 * knownIndex('x&amount=1', 2, 8) // KNOWN_NAMES.indexOf('amount')
 */
export const knownIndex = (text: string, from: number, to: number): number => {
  const candidates = KNOWN_BY_LENGTH[to - from]
  if (candidates === undefined) return -1
  const first = text.charCodeAt(from)
  for (let c = 0; c < candidates.length; c++) {
    const k = candidates[c] as number
    const name = KNOWN_NAMES[k] as string
    if (name.charCodeAt(0) === first && text.startsWith(name, from)) return k
  }
  return -1
}
