import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { isWireNotification, NOTIFICATION_FIELDS } from '../src/codecs.ts'
import { encodeForm, type Rejection, receive, type VerifiedTransaction, WireNotification } from '../src/index.ts'
import { receiveFields } from '../src/receive.ts'
import { SECRET, signed } from './support/fields.ts'

const FORM = 'application/x-www-form-urlencoded'
const run = (fields: Record<string, string>, secrets = [SECRET]) => receive({ body: encodeForm(fields), contentType: FORM }, { secrets })()
const right = async (p: Promise<E.Either<Rejection, VerifiedTransaction>>) => {
  const r = await p
  if (E.isLeft(r)) throw new Error(`expected Right, got ${JSON.stringify(r.left)}`)
  return r.right
}

test('authenticated fields are kept apart from unauthenticated ones, as exact strings', async () => {
  const tx = await right(run(await signed()))
  assert.equal(tx.verified, {
    dc: 'Credit',
    code: 'EFT',
    amount: '100.00',
    balance: '18100.00',
    currency: 'TRY',
    description: 'SN:276689 TEST BANKA HAREKETİ AÇIKLAMASI ARALIK/2019',
  })
  assert.equal(tx.unverified, {
    account_id: '69',
    account: 'Kadıköy İşbank TL Hesabı',
    bank: 'Türkiye İş Bankası A.Ş.',
    opponent_id: '1234567890',
    opponent_iban: 'TR5600000111000022200023456',
  })
  assert.equal(tx.amount, { minor: 10000n, currency: 'TRY' })
  assert.equal(tx.balance, { minor: 1810000n, currency: 'TRY' })
  assert.equal(tx.opponentIban, { value: 'TR5600000111000022200023456', valid: false, problem: 'length' })
})

test('amounts are never reformatted before hashing: 100.0 and 100.00 are different messages', async () => {
  const fields = await signed({ amount: '100.0' })
  assert.is((await right(run(fields))).verified.amount, '100.0')
  assert.equal(await run({ ...fields, amount: '100.00' }), E.left({ _tag: 'invalid_hash' }))
})

test('the idempotency key ignores unauthenticated fields and the secret, and changes with authenticated ones', async () => {
  const a = await right(run(await signed()))
  const b = await right(run({ ...(await signed()), account_id: '70', bank: 'X' }))
  const c = await right(run(await signed({}, 'rotated'), ['rotated']))
  const d = await right(run(await signed({ balance: '18100.01' })))
  assert.is(a.idempotencyKey, b.idempotencyKey)
  assert.is(a.idempotencyKey, c.idempotencyKey)
  assert.is.not(a.idempotencyKey, d.idempotencyKey)
  assert.match(a.idempotencyKey, /^[0-9a-f]{64}$/)
})

test('unknown extra fields are kept aside, not dropped', async () => {
  const tx = await right(run({ ...(await signed()), transaction_id: 'T-1', note: 'x' }))
  assert.equal({ ...tx.extra }, { transaction_id: 'T-1', note: 'x' })
})

test('absent optional fields decode as empty strings; absent required ones are named', async () => {
  const { account, bank, opponent_id, opponent_iban, ...rest } = await signed()
  const tx = await right(run(rest))
  assert.equal(tx.unverified, { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' })
  const { dc, account_id, hash, ...missing } = await signed()
  const r = await run(missing)
  assert.equal(
    r,
    E.left({
      _tag: 'invalid_payload',
      details: [
        { path: 'dc', message: 'is required' },
        { path: 'account_id', message: 'is required' },
        { path: 'hash', message: 'is required' },
      ],
    }),
  )
})

test('a number where a string belongs is invalid_payload naming the field', async () => {
  const fields = await signed()
  const body = JSON.stringify({ ...fields, amount: 100 })
  const r = await receive({ body, contentType: 'application/json' }, { secrets: [SECRET] })()
  assert.equal(r, E.left({ _tag: 'invalid_payload', details: [{ path: 'amount', message: 'expected a string' }] }))
})

test('invalid amounts: separators, exponents, signs, missing integer part, too many decimals for the currency', async () => {
  for (const amount of ['1,000.00', '1e3', '-5', '.5', '5.', '', ' 1.00', '0x10']) {
    const r = await run(await signed({ amount }))
    assert.is(E.isLeft(r) && r.left._tag, 'invalid_payload', amount)
  }
  const jpy = await run(await signed({ currency: 'JPY', amount: '100.50', balance: '1000' }))
  assert.equal(
    jpy,
    E.left({ _tag: 'invalid_payload', details: [{ path: 'amount', message: 'has more than 0 decimal places, which JPY does not allow' }] }),
  )
  const kwd = await right(run(await signed({ currency: 'KWD', amount: '1.005', balance: '-2.500' })))
  assert.equal(
    [kwd.amount, kwd.balance],
    [
      { minor: 1005n, currency: 'KWD' },
      { minor: -2500n, currency: 'KWD' },
    ],
  )
})

test('bodies over the limit are too_large before anything is parsed', async () => {
  const r = await receive({ body: 'x'.repeat(11), contentType: FORM }, { secrets: [SECRET], limit: 10 })()
  assert.equal(r, E.left({ _tag: 'too_large', limit: 10 }))
})

test('receiveFields accepts fields a framework already parsed', async () => {
  const tx = await right(receiveFields(await signed(), { secrets: [SECRET] })())
  assert.is(tx.verified.dc, 'Credit')
  assert.equal(
    await receiveFields(undefined as never, { secrets: [SECRET] })(),
    E.left({ _tag: 'invalid_payload', details: [{ path: '', message: 'expected an object of notification fields' }] }),
  )
})

test('receive composes in an fp-ts pipe', async () => {
  const fields = await signed()
  const describe = pipe(
    receive({ body: encodeForm(fields), contentType: FORM }, { secrets: [SECRET] }),
    TE.map((tx) => `${tx.verified.dc} ${tx.verified.amount} ${tx.verified.currency}`),
    TE.getOrElse((rejection) => async () => `rejected: ${rejection._tag}`),
  )
  assert.is(await describe(), 'Credit 100.00 TRY')
})

test('property: receive never throws and never rejects its promise, whatever the bytes and content type', async () => {
  const contentTypes = fc.oneof(fc.constantFrom(FORM, 'application/json', 'multipart/form-data; boundary=x', 'text/plain'), fc.string())
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), contentTypes, async (body, contentType) => {
      const r = await receive({ body, contentType }, { secrets: [SECRET] })()
      return E.isLeft(r)
    }),
    { numRuns: 1000 },
  )
})

test('property: JSON objects with arbitrary values are Rejections or verified, never throws', async () => {
  const fields = await signed()
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...Object.keys(fields)), fc.jsonValue(), async (name, value) => {
      const body = JSON.stringify({ ...fields, [name]: value })
      const r = await receive({ body, contentType: 'application/json' }, { secrets: [SECRET] })()
      return E.isLeft(r) || E.isRight(r)
    }),
    { numRuns: 500 },
  )
})

test('property: WireNotification.is accepts exactly what decode accepts, and decode then returns the record itself', () => {
  // receive checks a notification with `is` and calls `decode` only for the errors of an invalid one
  const value = fc.oneof(
    fc.constantFrom('Credit', 'Debit', 'credit', 'EFT', ' ', '', '100.00', '-5.10', '1e3', 'TRY', 'try', '69', '6a', 'SN:1', 'aGFzaA=='),
    fc.string({ maxLength: 6 }),
    fc.constantFrom(undefined, null, 7, true, {}, ['x']),
  )
  const record = fc.dictionary(fc.oneof(fc.constantFrom(...NOTIFICATION_FIELDS), fc.constantFrom('extra', '__proto__')), value)
  fc.assert(
    fc.property(record, (fields) => {
      const decoded = WireNotification.decode(fields)
      assert.is(WireNotification.is(fields), E.isRight(decoded))
      if (E.isRight(decoded)) assert.is(decoded.right, fields)
    }),
    { numRuns: 5000 },
  )
})

test('extra fields are kept in a record of their own; without any, extra is empty', async () => {
  const withExtra = await receiveFields({ ...(await signed()), channel: 'api', source: 'mobile' }, { secrets: [SECRET] })()
  assert.ok(E.isRight(withExtra))
  if (E.isRight(withExtra)) assert.equal({ ...withExtra.right.extra }, { channel: 'api', source: 'mobile' })
  const plain = await receiveFields(await signed(), { secrets: [SECRET] })()
  assert.ok(E.isRight(plain))
  if (E.isRight(plain)) assert.equal(Object.keys(plain.right.extra), [])
})

test('property: isWireNotification answers as WireNotification.is for any value, valid notifications and near misses alike', () => {
  const valid = {
    dc: 'Credit',
    code: 'EFT',
    amount: '100.00',
    balance: '18100.00',
    currency: 'TRY',
    description: 'SN:1 ÖDEME',
    account_id: '69',
    hash: 'aGFzaA==',
  }
  const value = fc.oneof(
    fc.constantFrom(
      'Credit',
      'Debit',
      'credit',
      'CreditX',
      'EFT',
      ' ',
      '\t\n',
      '',
      '100.00',
      'TRY',
      'TR',
      'TRYY',
      'try',
      'TŞY',
      '69',
      '6a',
      '٣',
      '0',
    ),
    fc.constantFrom('1'.repeat(15), '1'.repeat(16), '123456789012345', ' 69'),
    fc.string({ maxLength: 4 }),
    fc.string({ maxLength: 3, unit: fc.constantFrom('A', 'Z', '@', '[', '0', '9', '/', ':', 'a') }),
    fc.constantFrom(undefined, null, 7, true, {}, ['x'], new String('TRY')),
  )
  const changes = fc.dictionary(fc.oneof(fc.constantFrom(...NOTIFICATION_FIELDS), fc.constantFrom('extra', 'id')), value, { maxKeys: 3 })
  const base = fc.constantFrom<'object' | 'parsed' | 'null' | 'array' | 'string'>('object', 'object', 'parsed', 'null', 'array', 'string')
  let accepted = 0
  fc.assert(
    fc.property(base, changes, fc.boolean(), (kind, change, drop) => {
      const fields: Record<string, unknown> = { ...valid, ...change }
      if (drop) delete fields[Object.keys(change)[0] ?? 'hash']
      const subject =
        kind === 'null'
          ? null
          : kind === 'array'
            ? Object.assign([], fields)
            : kind === 'string'
              ? 'dc=Credit'
              : kind === 'parsed'
                ? Object.assign(Object.create(Object.create(null)), fields)
                : fields
      const expected = WireNotification.is(subject)
      if (expected) accepted++
      assert.is(isWireNotification(subject), expected)
    }),
    { numRuns: 5000 },
  )
  assert.ok(accepted > 500, `valid records were generated too (${accepted})`)
})

test.run()
