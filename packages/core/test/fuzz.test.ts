// Issue 8: a fixed-seed fuzz run of at least 100,000 generated bodies across the three content
// types against the whole receive pipeline (inbox: parse, decode, verify, ledger, store).
// Zero throws, zero unhandled rejections, and every outcome is one the HTTP contract knows.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { answerFor } from '../src/http.ts'
import { createInbox, encodeForm, type SignedFields, sign } from '../src/index.ts'
import { baseFields, SECRET } from './support/fields.ts'

const RUNS = 100_000
const SEED = 20261123
const encoder = new TextEncoder()

type Fields = Record<string, unknown>

const multipart = (fields: Fields, boundary: string): string =>
  `${Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`)
    .join('')}--${boundary}--\r\n`

const text = fc.string({ unit: 'grapheme', maxLength: 24 })
const fieldName = fc.constantFrom(
  'dc',
  'code',
  'amount',
  'balance',
  'currency',
  'description',
  'account_id',
  'hash',
  'opponent_iban',
  '__proto__',
  'extra',
)
const jsonish = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }))

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), name: fieldName, value: text }),
  fc.record({ kind: fc.constant('setAny' as const), name: fieldName, value: jsonish }),
  fc.record({ kind: fc.constant('delete' as const), name: fieldName }),
  fc.record({
    kind: fc.constant('amount' as const),
    value: fc.constantFrom('1,000.00', '1e3', '-5', '.5', '0.001', '99999999999999999999.99', '', '0'),
  }),
)

const shape = fc.record({
  encoding: fc.constantFrom('form', 'json', 'multipart'),
  mutations: fc.oneof({ arbitrary: fc.constant([]), weight: 1 }, { arbitrary: fc.array(mutation, { maxLength: 4 }), weight: 2 }),
  resign: fc.boolean(),
  corrupt: fc.oneof(
    { arbitrary: fc.constant({ kind: 'none' as const }), weight: 5 },
    { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 16 }) }), weight: 1 },
  ),
  contentType: fc.oneof(
    { arbitrary: fc.constant(null), weight: 9 },
    {
      arbitrary: fc.oneof(fc.constantFrom('text/plain', 'application/json; charset=latin1', 'multipart/form-data', ''), fc.string({ maxLength: 20 })),
      weight: 1,
    },
  ),
  boundary: fc.constantFrom('b', 'XyZ', '----x'),
  description: text,
})

type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never

const build = async (s: Shape) => {
  const fields: Fields = { ...baseFields, description: s.description }
  for (const m of s.mutations) {
    if (m.kind === 'delete') delete fields[m.name]
    else if (m.kind === 'amount') fields['amount'] = m.value
    else fields[m.name] = m.value
  }
  const stringy = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]))
  fields['hash'] = s.resign ? await sign(stringy as unknown as SignedFields, SECRET)() : 'bm90IGEgaGFzaA=='
  const [body, contentType] =
    s.encoding === 'form'
      ? [encodeForm(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]))), 'application/x-www-form-urlencoded']
      : s.encoding === 'json'
        ? [JSON.stringify(fields), 'application/json']
        : [multipart(fields, s.boundary), `multipart/form-data; boundary=${s.boundary}`]
  let bytes = encoder.encode(body)
  if (s.corrupt.kind === 'truncate') bytes = bytes.subarray(0, s.corrupt.at % (bytes.length + 1))
  if (s.corrupt.kind === 'flip' && bytes.length > 0) {
    bytes = bytes.slice()
    bytes[s.corrupt.at % bytes.length] = s.corrupt.byte
  }
  if (s.corrupt.kind === 'append') bytes = new Uint8Array([...bytes, ...s.corrupt.bytes])
  return { body: bytes, contentType: s.contentType ?? contentType }
}

test(`fuzz: ${RUNS} generated bodies (seed ${SEED}) never throw and always get a contract answer`, async () => {
  const unhandled: unknown[] = []
  const proc = (globalThis as { process?: { on(e: string, f: (r: unknown) => void): void; off(e: string, f: (r: unknown) => void): void } }).process
  const onUnhandled = (reason: unknown) => void unhandled.push(reason)
  proc?.on('unhandledRejection', onUnhandled)
  const inbox = createInbox({ secrets: [SECRET] })
  const statuses = new Map<number, number>()
  try {
    await fc.assert(
      fc.asyncProperty(shape, async (s) => {
        const outcome = await inbox.deliver(await build(s), () => {})
        const answer = answerFor(outcome)
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
        return outcome._tag !== 'internal_error' && [200, 400, 401, 413, 415].includes(answer.status)
      }),
      { numRuns: RUNS, seed: SEED },
    )
  } finally {
    proc?.off('unhandledRejection', onUnhandled)
  }
  assert.equal(unhandled, [])
  // The generator must really reach every branch: accepted, duplicate, and each rejection.
  for (const status of [200, 400, 401, 415]) assert.ok((statuses.get(status) ?? 0) > 1000, `status ${status}: ${statuses.get(status)}`)
  console.log('fuzz statuses', Object.fromEntries(statuses))
})

test.run()
