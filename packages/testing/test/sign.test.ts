import { createHash } from 'node:crypto'
import { AUTHENTICATED_FIELDS, receive } from '@banksocket-webhooks/core'
import { receiveFields } from '@banksocket-webhooks/core/runtime-kit'
import { vectors } from '@banksocket-webhooks/test-support/vectors'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeNotification, type NotificationInput, SAMPLE_NOTIFICATION, signNotification } from '../src/index.ts'

const withoutHash = (fields: Readonly<Record<string, string>>): Record<string, string> => {
  const { hash: _hash, ...rest } = fields
  return rest
}

const vector = (name: string) => {
  const found = vectors.cases.find((c) => c.name === name)
  if (found === undefined) throw new Error(`no vector ${name}`)
  return found
}

test('signing the doc-sample-fields-credit vector with its secret gives its hash', async () => {
  const c = vector('doc-sample-fields-credit')
  const signed = await signNotification(withoutHash(c.fields), c.secret)()
  assert.is(signed.hash, c.fields.hash)
  assert.equal(signed, c.fields)
})

for (const name of ['debit', 'empty-opponent', 'unauthenticated-field-changed']) {
  test(`signing the ${name} vector gives its hash`, async () => {
    const c = vector(name)
    assert.is((await signNotification(withoutHash(c.fields), c.secret)()).hash, c.fields.hash)
  })
}

test('the raw variant gives the raw-digest-variant vector hash', async () => {
  const c = vector('raw-digest-variant')
  const signed = await signNotification(withoutHash(c.fields), c.secret, { variant: 'raw' })()
  assert.is(signed.hash, c.fields.hash)
  assert.is(atob(signed.hash).length, 32)
})

test('the wrong-secret and tampered-amount vectors are not what the secret signs', async () => {
  for (const name of ['wrong-secret', 'tampered-amount']) {
    const c = vector(name)
    assert.is.not((await signNotification(withoutHash(c.fields), c.secret)()).hash, c.fields.hash)
  }
})

test('a node:crypto hasher gives the same hash as Web Crypto', async () => {
  const c = vector('debit')
  const sha256 = (m: string) => createHash('sha256').update(m, 'utf8').digest('hex')
  assert.is((await signNotification(withoutHash(c.fields), c.secret, { sha256 })()).hash, c.fields.hash)
})

test('missing fields come from the documented sample; order is the documented one', async () => {
  const signed = await signNotification({ amount: '42.00', balance: '18042.00' }, 'k')()
  assert.equal(Object.keys(signed), [
    'dc',
    'code',
    'amount',
    'balance',
    'currency',
    'description',
    'account_id',
    'account',
    'bank',
    'opponent_id',
    'opponent_iban',
    'hash',
  ])
  assert.is(signed.amount, '42.00')
  assert.is(signed.description, SAMPLE_NOTIFICATION.description)
  assert.is(signed.bank, 'Türkiye İş Bankası A.Ş.')
  const empty = await signNotification({}, 'k')()
  assert.equal(withoutHash(empty), { ...SAMPLE_NOTIFICATION })
})

test('extra fields pass through (even __proto__); an input hash is replaced', async () => {
  const input = JSON.parse('{"__proto__":"x","channel":"api","hash":"forged"}') as NotificationInput
  const signed = (await signNotification(input, 'k')()) as unknown as Record<string, string>
  assert.is(Object.getPrototypeOf(signed), Object.prototype)
  assert.is(Object.getOwnPropertyDescriptor(signed, '__proto__')?.value, 'x')
  assert.is(signed['channel'], 'api')
  assert.is.not(signed['hash'], 'forged')
  const result = await receiveFields(signed, { secrets: ['k'] })()
  assert.is(result._tag, 'Right')
  if (result._tag === 'Right') assert.is(result.right.extra['channel'], 'api')
})

test('invalid fields are signed as given, so receivers can be tested with them', async () => {
  const signed = await signNotification({ dc: 'Refund', amount: '1,000.00' }, 'k')()
  assert.is(signed.dc, 'Refund')
  const result = await receiveFields(signed, { secrets: ['k'] })()
  assert.is(result._tag === 'Left' && result.left._tag, 'invalid_payload')
})

const amount = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 99 }))
  .map(([whole, cents]) => `${whole}.${String(cents).padStart(2, '0')}`)
const text = fc.string({ unit: 'binary', maxLength: 60 })

test('property: sign-then-receive holds for any text, in every encoding and both variants', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        dc: fc.constantFrom('Credit', 'Debit'),
        code: fc.constantFrom('EFT', 'HAVALE', 'FAST', 'POS'),
        amount,
        balance: amount,
        description: text,
        account: text,
        bank: text,
      }),
      // any usable secret: a blank one is refused where secrets are configured (InvalidSecretError)
      fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== ''),
      fc.constantFrom('form' as const, 'json' as const, 'multipart' as const),
      fc.constantFrom('hex' as const, 'raw' as const),
      async (input, secret, encoding, variant) => {
        const signed = await signNotification(input, secret, { variant })()
        const { body, contentType } = encodeNotification(signed, encoding)
        const result = await receive({ body, contentType }, { secrets: ['other', secret] })()
        return result._tag === 'Right' && result.right.secretIndex === 1 && result.right.verified.description === input.description
      },
    ),
    { numRuns: 150 },
  )
})

test('property: changing any authenticated field breaks the signature', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...AUTHENTICATED_FIELDS), text, async (field, replacement) => {
      const signed = await signNotification({}, 'k')()
      fc.pre(signed[field] !== replacement)
      const tampered = { ...signed, [field]: replacement }
      const result = await receiveFields(tampered, { secrets: ['k'] })()
      return result._tag === 'Left'
    }),
    { numRuns: 100 },
  )
})

test.run()
