/**
 * `application/json` bodies: an object of fields, refused when nested too deeply or when a field
 * appears twice.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { BodyMemory } from './body-memory.ts'
import { textOf } from './charset.ts'
import { FieldCollector, type Fields } from './fields.ts'
import { invalidPayload, type Rejection } from './rejection.ts'

/**
 * How deeply a JSON body may nest. Notification fields are flat strings; deeper bodies are refused
 * before they are parsed, so no later step (a log line's JSON.stringify, say) meets a structure
 * deep enough to overflow its stack.
 *
 * @example
 * import { MAX_JSON_DEPTH } from '@banksocket-webhooks/core/runtime-kit'
 * MAX_JSON_DEPTH // 32
 */
export const MAX_JSON_DEPTH = 32

/** The deepest nesting in JSON text (strings skipped); stops counting past `MAX_JSON_DEPTH`. */
const tooDeep = (text: string): boolean => {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      i++
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return true
    } else if (c === 125 || c === 93) {
      depth--
    }
  }
  return false
}

/** Finds a top-level key that appears twice in valid JSON object text; JSON.parse would keep the last. */
const duplicateTopLevelKey = (text: string): string | undefined => {
  const seen = new Set<string>()
  let depth = 0
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      let j = i + 1
      while (j < text.length && text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string
        if (seen.has(key)) return key
        seen.add(key)
        expectKey = false
      }
      i = j
    } else if (c === 123 || c === 91) {
      depth++
      if (depth === 1) expectKey = c === 123
    } else if (c === 125 || c === 93) {
      depth--
    } else if (c === 44 && depth === 1) {
      expectKey = true
    }
  }
  return undefined
}

/**
 * Parses a JSON body in its `charset` (UTF-8 when there is none) into fields. `contentType` is the
 * header, for the rejection of an unknown charset; `memory` is the parser's, if it has one.
 *
 * @internal
 * @example
 * parseJson(new TextEncoder().encode('{"dc":"Credit"}'), undefined, 'application/json', undefined) // Right({ dc: 'Credit' })
 */
export const parseJson = (
  body: Uint8Array,
  charset: string | undefined,
  contentType: string,
  memory: BodyMemory | undefined,
): E.Either<Rejection, Fields> => {
  const read = textOf(body, charset, contentType, memory)
  if (E.isLeft(read)) return read
  const { text } = read.right
  if (tooDeep(text)) return E.left(invalidPayload('', `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`))
  let value: unknown
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch {
    return E.left(invalidPayload('', 'body is not valid JSON'))
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return E.left(invalidPayload('', 'JSON body must be an object of string fields'))
  }
  const duplicate = duplicateTopLevelKey(text)
  if (duplicate !== undefined) return E.left(invalidPayload(duplicate, 'sent more than once'))
  const collector = new FieldCollector()
  for (const [name, field] of Object.entries(value)) {
    const problem = collector.add(name, field)
    if (problem !== undefined) return E.left(problem)
  }
  return E.right(collector.fields)
}
