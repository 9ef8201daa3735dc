import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { vectors } from '../../test-support/src/vectors.ts'
import { AuthenticatedFieldsCodec, NOTIFICATION_FIELDS, UnauthenticatedFieldsCodec } from '../src/codecs.ts'
import { claimedDigest, constantTimeEqual, signingInput, toHex } from '../src/hash.ts'
import { AUTHENTICATED_FIELDS, type SignedFields, sign, UNAUTHENTICATED_FIELDS, verify, webCryptoSha256 } from '../src/index.ts'

const credit = vectors.cases[0]!
const fieldsOf = (f: Record<string, string>): SignedFields => ({
  dc: f['dc']!,
  code: f['code']!,
  amount: f['amount']!,
  balance: f['balance']!,
  currency: f['currency']!,
  description: f['description']!,
})

test('sign reproduces the vector hash for the documented sample fields', async () => {
  assert.is(await sign(fieldsOf(credit.fields), credit.secret)(), credit.fields.hash)
})

test('the canonical hash is base64 of the lowercase hex digest', async () => {
  const hash = await sign(fieldsOf(credit.fields), credit.secret)()
  const hex = await webCryptoSha256(signingInput(fieldsOf(credit.fields)) + credit.secret)
  assert.is(atob(hash), hex)
  assert.match(hex, /^[0-9a-f]{64}$/)
})

test('webCryptoSha256 answers lowercase hex, as toHex writes the digest', async () => {
  const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
  assert.is(await webCryptoSha256('abc'), abc)
  assert.is(toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc')))), abc)
  assert.is(toHex(new Uint8Array([0, 15, 171, 255])), '000fabff')
})

test('base64 of the raw 32-byte digest verifies as the same digest', async () => {
  const raw = await sign(fieldsOf(credit.fields), credit.secret, { variant: 'raw' })()
  assert.is(atob(raw).length, 32)
  const r = await verify(fieldsOf(credit.fields), raw, [credit.secret])()
  assert.ok(E.isRight(r))
})

test('rotation: a hash made with any active secret verifies and reports its index, never the secret', async () => {
  const hash = await sign(fieldsOf(credit.fields), 'old-secret')()
  const r = await verify(fieldsOf(credit.fields), hash, ['new-secret', 'old-secret'])()
  assert.equal(E.map((v: { secretIndex: number }) => v.secretIndex)(r), E.right(1))
  assert.not.match(JSON.stringify(r), /old-secret|new-secret/)
})

test('no secrets, wrong-length and non-base64 hashes are invalid_hash', async () => {
  const f = fieldsOf(credit.fields)
  assert.equal(await verify(f, credit.fields.hash, [])(), E.left({ _tag: 'invalid_hash' }))
  assert.equal(await verify(f, credit.fields.hash.slice(0, -4), [credit.secret])(), E.left({ _tag: 'invalid_hash' }))
  assert.equal(await verify(f, '!'.repeat(88), [credit.secret])(), E.left({ _tag: 'invalid_hash' }))
  assert.is(claimedDigest(btoa('Z'.repeat(64))), undefined)
})

test('an uppercase hex digest is not the canonical lowercase form', async () => {
  const hex = await webCryptoSha256(signingInput(fieldsOf(credit.fields)) + credit.secret)
  const upper = btoa(hex.toUpperCase())
  assert.equal(await verify(fieldsOf(credit.fields), upper, [credit.secret])(), E.left({ _tag: 'invalid_hash' }))
})

test('a synchronous hasher gives the same answer as Web Crypto', async () => {
  const hashes = new Map<string, string>()
  const f = fieldsOf(credit.fields)
  hashes.set(signingInput(f) + credit.secret, await webCryptoSha256(signingInput(f) + credit.secret))
  const sync = (m: string) => hashes.get(m) ?? '0'.repeat(64)
  assert.ok(E.isRight(await verify(f, credit.fields.hash, [credit.secret], sync)()))
})

test('a synchronous hex hasher verifies both the hex and the raw variants, as Web Crypto does', async () => {
  const f = fieldsOf(credit.fields)
  const hashes = new Map<string, string>()
  for (const secret of [credit.secret, 'other']) hashes.set(signingInput(f) + secret, await webCryptoSha256(signingInput(f) + secret))
  const hex = (m: string) => hashes.get(m) ?? '0'.repeat(64)
  assert.ok(E.isRight(await verify(f, credit.fields.hash, [credit.secret], hex)()))
  const raw = await sign(f, credit.secret, { variant: 'raw', sha256: hex })()
  assert.is(raw, await sign(f, credit.secret, { variant: 'raw' })())
  assert.ok(E.isRight(await verify(f, raw, [credit.secret], hex)()))
  assert.equal(await verify(f, raw, ['other'], hex)(), E.left({ _tag: 'invalid_hash' }))
  assert.is(await sign(f, credit.secret, { sha256: hex })(), credit.fields.hash)
})

test('claimedDigest decodes both variants to the same 32 bytes', async () => {
  const f = fieldsOf(credit.fields)
  const raw = await sign(f, credit.secret, { variant: 'raw' })()
  assert.equal(claimedDigest(raw), claimedDigest(credit.fields.hash))
  assert.is(claimedDigest(credit.fields.hash)?.length, 32)
})

test('constantTimeEqual compares whole arrays', () => {
  assert.ok(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])))
  assert.not.ok(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4])))
  assert.not.ok(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3])))
})

const unicode = fc.string({ unit: 'grapheme', maxLength: 40 })
const anyFields = fc.record({ dc: unicode, code: unicode, amount: unicode, balance: unicode, currency: unicode, description: unicode })
const FIELD_NAMES = ['dc', 'code', 'amount', 'balance', 'currency', 'description'] as const

test('property: sign then verify holds for arbitrary Unicode fields and secrets', async () => {
  await fc.assert(
    fc.asyncProperty(anyFields, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), fc.boolean(), async (f, secret, raw) => {
      const hash = await sign(f, secret, raw ? { variant: 'raw' } : {})()
      return E.isRight(await verify(f, hash, [secret])())
    }),
    { numRuns: 300 },
  )
})

test('property: changing any authenticated field breaks verification', async () => {
  await fc.assert(
    fc.asyncProperty(anyFields, fc.constantFrom(...FIELD_NAMES), unicode, async (f, name, replacement) => {
      fc.pre(f[name] !== replacement)
      const hash = await sign(f, 'k')()
      const changed = { ...f, [name]: replacement }
      // A change that leaves the concatenation identical (moving text between adjacent fields) is
      // indistinguishable by design of the wire format; only real changes of the message count.
      fc.pre(signingInput(changed) !== signingInput(f))
      return E.isLeft(await verify(changed, hash, ['k'])())
    }),
    { numRuns: 300 },
  )
})

test('the field lists come from the one declaration: hashing order, the five unauthenticated, twelve in all', () => {
  assert.equal(AUTHENTICATED_FIELDS, ['dc', 'code', 'amount', 'balance', 'currency', 'description'])
  assert.equal(UNAUTHENTICATED_FIELDS, ['account_id', 'account', 'bank', 'opponent_id', 'opponent_iban'])
  assert.equal(AUTHENTICATED_FIELDS, Object.keys(AuthenticatedFieldsCodec.props))
  assert.equal(UNAUTHENTICATED_FIELDS, Object.keys(UnauthenticatedFieldsCodec.props))
  assert.equal(NOTIFICATION_FIELDS, [...AUTHENTICATED_FIELDS, ...UNAUTHENTICATED_FIELDS, 'hash'])
  // signingInput concatenates in the declared order
  const fields = Object.fromEntries(AUTHENTICATED_FIELDS.map((name, i) => [name, String(i)])) as SignedFields
  assert.is(signingInput(fields), '012345')
})

test.run()
