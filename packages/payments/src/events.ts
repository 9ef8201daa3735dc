/**
 * The events of payments, as tagged io-ts codecs: `Readonly<{ type, data }>` records that encode to
 * plain JSON, amounts as exact decimal strings (`"1499.90"`), never floats.
 *
 * - Expectation streams (`payment-<id>`, one per expected payment): {@link PaymentExpected},
 *   {@link PaymentPartiallyPaid}, {@link PaymentSettled}, {@link PaymentOverpaid},
 *   {@link PaymentExpired}, {@link PaymentCancelled}.
 * - Credit streams (`credit-<idempotencyKey>`, one per credit): where the credit ended:
 *   {@link CreditMatched}, {@link CreditUnmatched}, {@link CreditAmbiguous}, {@link CreditAssigned}.
 *
 * @module
 */
import * as t from 'io-ts'

const event = <T extends string, D extends t.Mixed>(type: T, data: D) => t.readonly(t.type({ type: t.literal(type), data: t.readonly(data) }), type)

const DECIMAL = /^\d+(?:\.\d+)?$/

/**
 * An exact, unsigned dot-decimal amount as events carry it (`"1499.90"`): the syntax core's
 * `parseAmount` reads (digits, optionally a dot and digits). Its type is a plain string.
 *
 * @example
 * import { DecimalAmount } from '@banksocket-webhooks/payments'
 * DecimalAmount.is('1499.90') // true
 * DecimalAmount.is('1e3')     // false
 */
export const DecimalAmount = new t.Type<string, string, unknown>(
  'DecimalAmount',
  (u): u is string => typeof u === 'string' && DECIMAL.test(u),
  (u, c) => (typeof u === 'string' && DECIMAL.test(u) ? t.success(u) : t.failure(u, c, 'expected an unsigned dot-decimal amount such as 1499.90')),
  t.identity,
)

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null])

/**
 * A payment is expected: an id chosen by the application (an order id), the reference the customer
 * is asked to write (`reference`, as given) and the key it is matched by (`key`, folded), the exact
 * amount, and optionally the Banksocket account it must arrive on and when it expires (ISO 8601).
 *
 * @example
 * import { PaymentExpected } from '@banksocket-webhooks/payments'
 * const e: PaymentExpected = { type: 'PaymentExpected', data: { id: 'order-1042', reference: 'SİP1042', key: 'SIP1042',
 *   amount: '1499.90', currency: 'TRY', accountId: null, expiresAt: '2026-12-01T00:00:00.000Z' } }
 */
export const PaymentExpected = event(
  'PaymentExpected',
  t.type({
    id: t.string,
    reference: t.string,
    key: t.string,
    amount: DecimalAmount,
    currency: t.string,
    accountId: nullable(t.string),
    expiresAt: nullable(t.string),
  }),
)
/** @see {@link PaymentExpected} */
export type PaymentExpected = t.TypeOf<typeof PaymentExpected>

/**
 * A credit paid part of an expected payment: `amount` is this credit, `paid` the total so far,
 * `remaining` what is still due.
 *
 * @example
 * import { PaymentPartiallyPaid } from '@banksocket-webhooks/payments'
 * const e: PaymentPartiallyPaid = { type: 'PaymentPartiallyPaid', data: { id: 'order-1042', credit: '9f86d0...',
 *   amount: '1000.00', paid: '1000.00', remaining: '499.90', currency: 'TRY' } }
 */
export const PaymentPartiallyPaid = event(
  'PaymentPartiallyPaid',
  t.type({ id: t.string, credit: t.string, amount: DecimalAmount, paid: DecimalAmount, remaining: DecimalAmount, currency: t.string }),
)
/** @see {@link PaymentPartiallyPaid} */
export type PaymentPartiallyPaid = t.TypeOf<typeof PaymentPartiallyPaid>

/**
 * A credit brought an expected payment to exactly its amount.
 *
 * @example
 * import { PaymentSettled } from '@banksocket-webhooks/payments'
 * const e: PaymentSettled = { type: 'PaymentSettled', data: { id: 'order-1042', credit: '9f86d0...',
 *   amount: '499.90', paid: '1499.90', currency: 'TRY' } }
 */
export const PaymentSettled = event(
  'PaymentSettled',
  t.type({ id: t.string, credit: t.string, amount: DecimalAmount, paid: DecimalAmount, currency: t.string }),
)
/** @see {@link PaymentSettled} */
export type PaymentSettled = t.TypeOf<typeof PaymentSettled>

/**
 * A credit took an expected payment past its amount: `excess` is everything paid beyond it (to
 * refund or keep as credit). A payment already settled or overpaid that receives another credit
 * naming it is overpaid again, with the larger excess.
 *
 * @example
 * import { PaymentOverpaid } from '@banksocket-webhooks/payments'
 * const e: PaymentOverpaid = { type: 'PaymentOverpaid', data: { id: 'order-1042', credit: '9f86d0...',
 *   amount: '1500.00', paid: '1500.00', excess: '0.10', currency: 'TRY' } }
 */
export const PaymentOverpaid = event(
  'PaymentOverpaid',
  t.type({ id: t.string, credit: t.string, amount: DecimalAmount, paid: DecimalAmount, excess: DecimalAmount, currency: t.string }),
)
/** @see {@link PaymentOverpaid} */
export type PaymentOverpaid = t.TypeOf<typeof PaymentOverpaid>

/**
 * An expected payment expired unpaid or partly paid (`paid` so far, to refund), at `at` (ISO 8601).
 * Credits naming it afterwards are unmatched (`expectation_closed`).
 *
 * @example
 * import { PaymentExpired } from '@banksocket-webhooks/payments'
 * const e: PaymentExpired = { type: 'PaymentExpired', data: { id: 'order-1042', at: '2026-12-01T00:00:00.000Z', paid: '0.00', currency: 'TRY' } }
 */
export const PaymentExpired = event('PaymentExpired', t.type({ id: t.string, at: t.string, paid: DecimalAmount, currency: t.string }))
/** @see {@link PaymentExpired} */
export type PaymentExpired = t.TypeOf<typeof PaymentExpired>

/**
 * An expected payment was cancelled before it was paid in full (`paid` so far, to refund), with the
 * application's reason if it gave one. Credits naming it afterwards are unmatched
 * (`expectation_closed`).
 *
 * @example
 * import { PaymentCancelled } from '@banksocket-webhooks/payments'
 * const e: PaymentCancelled = { type: 'PaymentCancelled', data: { id: 'order-1042', reason: 'customer cancelled', paid: '0.00', currency: 'TRY' } }
 */
export const PaymentCancelled = event(
  'PaymentCancelled',
  t.type({ id: t.string, reason: nullable(t.string), paid: DecimalAmount, currency: t.string }),
)
/** @see {@link PaymentCancelled} */
export type PaymentCancelled = t.TypeOf<typeof PaymentCancelled>

/**
 * Events of an expectation stream.
 *
 * @example
 * import { ExpectationEvent } from '@banksocket-webhooks/payments'
 * ExpectationEvent.is({ type: 'PaymentExpired', data: { id: 'order-1', at: '2026-12-01T00:00:00.000Z', paid: '0.00', currency: 'TRY' } }) // true
 */
export const ExpectationEvent = t.union(
  [PaymentExpected, PaymentPartiallyPaid, PaymentSettled, PaymentOverpaid, PaymentExpired, PaymentCancelled],
  'ExpectationEvent',
)
/** @see {@link ExpectationEvent} */
export type ExpectationEvent = t.TypeOf<typeof ExpectationEvent>

/**
 * Why a credit is unmatched:
 *
 * - `no_reference`: its description names no expected payment;
 * - `other_account`: the payments it names expect another Banksocket account (`account_id`);
 * - `currency_mismatch`: the payments it names are expected in another currency;
 * - `expectation_closed`: the payments it names were cancelled or have expired.
 *
 * @example
 * import { UnmatchedReason } from '@banksocket-webhooks/payments'
 * UnmatchedReason.is('currency_mismatch') // true
 */
export const UnmatchedReason = t.keyof(
  { no_reference: null, other_account: null, currency_mismatch: null, expectation_closed: null },
  'UnmatchedReason',
)
/** @see {@link UnmatchedReason} */
export type UnmatchedReason = t.TypeOf<typeof UnmatchedReason>

const creditFields = {
  /** The credit's idempotency key (from the receiver): the same credit always has the same key. */
  credit: t.string,
  amount: DecimalAmount,
  currency: t.string,
  /** The authenticated description, exactly as received. */
  description: t.string,
  /** The `account_id` the notification carried; NOT covered by the hash. */
  accountId: t.string,
}

/**
 * A credit named exactly one expected payment and goes to it (the expectation stream then records
 * what it did: partially paid, settled or overpaid).
 *
 * @example
 * import { CreditMatched } from '@banksocket-webhooks/payments'
 * const e: CreditMatched = { type: 'CreditMatched', data: { credit: '9f86d0...', amount: '1499.90', currency: 'TRY',
 *   description: 'SN:9 SİP1042 ödemesi', accountId: '69', expectation: 'order-1042' } }
 */
export const CreditMatched = event('CreditMatched', t.type({ ...creditFields, expectation: t.string }))
/** @see {@link CreditMatched} */
export type CreditMatched = t.TypeOf<typeof CreditMatched>

/**
 * A credit that goes to no expected payment, for manual review: the reason, and the expected
 * payments it named that did not qualify (`candidates`, empty for `no_reference`).
 *
 * @example
 * import { CreditUnmatched } from '@banksocket-webhooks/payments'
 * const e: CreditUnmatched = { type: 'CreditUnmatched', data: { credit: '9f86d0...', amount: '250.00', currency: 'TRY',
 *   description: 'SN:10 kira', accountId: '69', reason: 'no_reference', candidates: [] } }
 */
export const CreditUnmatched = event('CreditUnmatched', t.type({ ...creditFields, reason: UnmatchedReason, candidates: t.readonlyArray(t.string) }))
/** @see {@link CreditUnmatched} */
export type CreditUnmatched = t.TypeOf<typeof CreditUnmatched>

/**
 * A credit that names more than one expected payment (two orders paid in one transfer, say): it
 * is applied to none of them, and `candidates` names them for manual review.
 *
 * @example
 * import { CreditAmbiguous } from '@banksocket-webhooks/payments'
 * const e: CreditAmbiguous = { type: 'CreditAmbiguous', data: { credit: '9f86d0...', amount: '2999.80', currency: 'TRY',
 *   description: 'SİP1042 SİP1043', accountId: '69', candidates: ['order-1042', 'order-1043'] } }
 */
export const CreditAmbiguous = event('CreditAmbiguous', t.type({ ...creditFields, candidates: t.readonlyArray(t.string) }))
/** @see {@link CreditAmbiguous} */
export type CreditAmbiguous = t.TypeOf<typeof CreditAmbiguous>

/**
 * An unmatched or ambiguous credit was assigned to an expected payment by hand (after review).
 *
 * @example
 * import { CreditAssigned } from '@banksocket-webhooks/payments'
 * const e: CreditAssigned = { type: 'CreditAssigned', data: { credit: '9f86d0...', expectation: 'order-1042' } }
 */
export const CreditAssigned = event('CreditAssigned', t.type({ credit: t.string, expectation: t.string }))
/** @see {@link CreditAssigned} */
export type CreditAssigned = t.TypeOf<typeof CreditAssigned>

/**
 * Events of a credit stream.
 *
 * @example
 * import { CreditEvent } from '@banksocket-webhooks/payments'
 * CreditEvent.is({ type: 'CreditAssigned', data: { credit: 'k', expectation: 'order-1' } }) // true
 */
export const CreditEvent = t.union([CreditMatched, CreditUnmatched, CreditAmbiguous, CreditAssigned], 'CreditEvent')
/** @see {@link CreditEvent} */
export type CreditEvent = t.TypeOf<typeof CreditEvent>

/**
 * Every event of payments: what an `EventStore` for payments holds (give this codec to a durable
 * store, e.g. `openFileEventStore({ path, codec: PaymentsEvent })`).
 *
 * @example
 * import { PaymentsEvent } from '@banksocket-webhooks/payments'
 * PaymentsEvent.decode(JSON.parse(line)) // Right(event) or Left(errors)
 */
export const PaymentsEvent = t.union(
  [
    PaymentExpected,
    PaymentPartiallyPaid,
    PaymentSettled,
    PaymentOverpaid,
    PaymentExpired,
    PaymentCancelled,
    CreditMatched,
    CreditUnmatched,
    CreditAmbiguous,
    CreditAssigned,
  ],
  'PaymentsEvent',
)
/** @see {@link PaymentsEvent} */
export type PaymentsEvent = t.TypeOf<typeof PaymentsEvent>
