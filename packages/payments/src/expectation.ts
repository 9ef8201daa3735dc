/**
 * The expectation decider: one stream per expected payment (`payment-<id>`). It records that a
 * payment is expected, applies the credits routed to it (each once: partially paid, settled or
 * overpaid), and closes it when it is cancelled or expires.
 *
 * @module
 */
import { addMoney, type Decider, formatMoney, type Money, subtractMoney, zero } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type { ExpectationEvent, PaymentExpected } from './events.ts'
import { exactMoney, isCurrencyCode, isInstant } from './internal.ts'
import { referenceKey } from './reference.ts'

/**
 * Where an expected payment stands.
 *
 * - `expected`: nothing paid yet; `partially_paid`: some paid, `remaining` due. Both are **open**.
 * - `settled`: paid exactly; `overpaid`: paid more (`excess`). Both still take credits that name
 *   them (as overpayments), so that no credit depends on which arrived first.
 * - `cancelled`, `expired`: **closed**; credits naming them are unmatched (`expectation_closed`).
 *
 * @example
 * import type { ExpectationStatus } from '@banksocket-webhooks/payments'
 * const open = (s: ExpectationStatus) => s === 'expected' || s === 'partially_paid'
 */
export type ExpectationStatus = 'expected' | 'partially_paid' | 'settled' | 'overpaid' | 'cancelled' | 'expired'

/**
 * An expected payment as it stands: what is expected, what was paid, and which credits paid it.
 * Money is exact (`{ minor: bigint, currency }`); `remaining` is what is still due (zero once
 * settled), `excess` what was paid beyond the amount.
 *
 * @example
 * import type { Expectation } from '@banksocket-webhooks/payments'
 * import { formatMoney } from '@banksocket-webhooks/core'
 * const line = (e: Expectation) => `${e.id}: ${e.status}, ${formatMoney(e.paid)} of ${formatMoney(e.amount)} ${e.amount.currency}`
 */
export type Expectation = Readonly<{
  id: string
  /** The reference as the application gave it (`SİPARİŞ 1042`). */
  reference: string
  /** The folded key it is matched by (`SIPARIS1042`). */
  key: string
  amount: Money
  paid: Money
  remaining: Money
  excess: Money
  status: ExpectationStatus
  /** The Banksocket account the credit must arrive on, or `null` for any. */
  accountId: string | null
  /** When it expires (ISO 8601), or `null` for never. */
  expiresAt: string | null
  /** The idempotency keys of the credits applied to it, in order. */
  credits: ReadonlyArray<string>
}>

/**
 * The state of one expectation stream: `undefined` before the payment is expected.
 *
 * @example
 * import { expectationDecider } from '@banksocket-webhooks/payments'
 * expectationDecider.initialState // undefined
 */
export type ExpectationState = Expectation | undefined

/**
 * Commands of the expectation decider, `Readonly<{ type, data }>`. Each names the expectation it is
 * for (`id`); amounts are exact `Money`.
 *
 * @example
 * import type { ExpectationCommand } from '@banksocket-webhooks/payments'
 * const c: ExpectationCommand = { type: 'ExpectPayment', data: { id: 'order-1042', reference: 'SİP1042',
 *   amount: { minor: 149990n, currency: 'TRY' }, accountId: null, expiresAt: null } }
 */
export type ExpectationCommand =
  | Readonly<{
      type: 'ExpectPayment'
      data: Readonly<{ id: string; reference: string; amount: Money; accountId: string | null; expiresAt: string | null }>
    }>
  | Readonly<{ type: 'ApplyCredit'; data: Readonly<{ id: string; credit: string; amount: Money }> }>
  | Readonly<{ type: 'CancelPayment'; data: Readonly<{ id: string; reason: string | null }> }>
  | Readonly<{ type: 'ExpirePayment'; data: Readonly<{ id: string; at: string }> }>

/**
 * Why the expectation decider refused a command.
 *
 * - `InvalidExpectation`: a field of an `ExpectPayment` is not usable (`field` and `reason` say why).
 * - `AlreadyExpected`: the id is taken by a different expectation (the same one again is not an error).
 * - `UnknownExpectation`: no payment with this id is expected.
 * - `ExpectationClosed`: the payment is cancelled or expired (or, for cancel and expire, already
 *   paid), so the command no longer applies; `status` says which.
 * - `CurrencyMismatch`: a credit in another currency than the expected amount.
 * - `NotDue`: an expire before the payment's `expiresAt`.
 *
 * @example
 * import type { ExpectationError } from '@banksocket-webhooks/payments'
 * const e: ExpectationError = { _tag: 'ExpectationClosed', id: 'order-1042', status: 'cancelled' }
 */
export type ExpectationError =
  | Readonly<{ _tag: 'InvalidExpectation'; id: string; field: 'id' | 'reference' | 'amount' | 'accountId' | 'expiresAt'; reason: string }>
  | Readonly<{ _tag: 'AlreadyExpected'; id: string; existing: Expectation }>
  | Readonly<{ _tag: 'UnknownExpectation'; id: string }>
  | Readonly<{ _tag: 'ExpectationClosed'; id: string; status: ExpectationStatus }>
  | Readonly<{ _tag: 'CurrencyMismatch'; id: string; expected: string; received: string }>
  | Readonly<{ _tag: 'NotDue'; id: string; expiresAt: string; at: string }>

/**
 * The stream of one expectation.
 *
 * @example
 * import { paymentStream } from '@banksocket-webhooks/payments'
 * paymentStream('order-1042') // 'payment-order-1042'
 */
export const paymentStream = (id: string): string => `payment-${id}`

/**
 * Whether an expectation still waits for money (`expected` or `partially_paid`).
 *
 * @example
 * import { isOpen } from '@banksocket-webhooks/payments'
 * isOpen('partially_paid') // true
 * isOpen('settled')        // false
 */
export const isOpen = (status: ExpectationStatus): boolean => status === 'expected' || status === 'partially_paid'

/**
 * Whether an expectation is closed to credits (`cancelled` or `expired`).
 *
 * @example
 * import { isClosed } from '@banksocket-webhooks/payments'
 * isClosed('expired') // true
 * isClosed('settled') // false: a settled payment takes an overpayment
 */
export const isClosed = (status: ExpectationStatus): boolean => status === 'cancelled' || status === 'expired'

type ExpectData = Extract<ExpectationCommand, { type: 'ExpectPayment' }>['data']

const invalid = (id: string, field: Extract<ExpectationError, { _tag: 'InvalidExpectation' }>['field'], reason: string) =>
  E.left<ExpectationError, never>({ _tag: 'InvalidExpectation', id, field, reason })

/** The `PaymentExpected` event an `ExpectPayment` command stands for, once its fields are checked. */
const expectedEvent = (data: ExpectData): E.Either<ExpectationError, PaymentExpected> => {
  const { id, reference, amount, accountId, expiresAt } = data
  if (id.trim() === '') return invalid(id, 'id', 'must not be empty')
  const key = referenceKey(reference)
  if (E.isLeft(key)) return invalid(id, 'reference', key.left.reason)
  if (!isCurrencyCode(amount.currency)) return invalid(id, 'amount', `currency "${amount.currency}" is not an ISO 4217 code`)
  if (amount.minor <= 0n) return invalid(id, 'amount', 'must be more than zero')
  if (accountId !== null && accountId.trim() === '') return invalid(id, 'accountId', 'must not be empty (use null for any account)')
  if (expiresAt !== null && !isInstant(expiresAt)) return invalid(id, 'expiresAt', `"${expiresAt}" is not an ISO 8601 date-time`)
  return E.right({
    type: 'PaymentExpected',
    data: { id, reference, key: key.right, amount: formatMoney(amount), currency: amount.currency, accountId, expiresAt },
  })
}

const sameExpectation = (existing: Expectation, event: PaymentExpected): boolean =>
  existing.reference === event.data.reference &&
  formatMoney(existing.amount) === event.data.amount &&
  existing.amount.currency === event.data.currency &&
  existing.accountId === event.data.accountId &&
  existing.expiresAt === event.data.expiresAt

const decideCredit = (state: Expectation, credit: string, amount: Money): E.Either<ExpectationError, ReadonlyArray<ExpectationEvent>> => {
  if (state.credits.includes(credit)) return E.right([])
  if (isClosed(state.status)) return E.left({ _tag: 'ExpectationClosed', id: state.id, status: state.status })
  if (amount.currency !== state.amount.currency) {
    return E.left({ _tag: 'CurrencyMismatch', id: state.id, expected: state.amount.currency, received: amount.currency })
  }
  const paid = addMoney(state.paid, amount)
  const common = { id: state.id, credit, amount: formatMoney(amount), paid: formatMoney(paid), currency: paid.currency }
  if (paid.minor < state.amount.minor) {
    return E.right([{ type: 'PaymentPartiallyPaid', data: { ...common, remaining: formatMoney(subtractMoney(state.amount, paid)) } }])
  }
  if (paid.minor === state.amount.minor) return E.right([{ type: 'PaymentSettled', data: common }])
  return E.right([{ type: 'PaymentOverpaid', data: { ...common, excess: formatMoney(subtractMoney(paid, state.amount)) } }])
}

const paidFields = (state: Expectation, paidText: string, credit: string): Pick<Expectation, 'paid' | 'remaining' | 'excess' | 'credits'> => {
  const paid = exactMoney(paidText, state.amount.currency)
  const over = paid.minor - state.amount.minor
  return {
    paid,
    remaining: over < 0n ? { minor: -over, currency: paid.currency } : zero(paid.currency),
    excess: over > 0n ? { minor: over, currency: paid.currency } : zero(paid.currency),
    credits: [...state.credits, credit],
  }
}

/**
 * The expectation decider.
 *
 * - `ExpectPayment` on a new stream: `PaymentExpected`; the same expectation again: nothing; a
 *   different one under the same id: `AlreadyExpected`. The reference must have a key
 *   ({@link referenceKey}), the amount must be more than zero.
 * - `ApplyCredit`: `PaymentPartiallyPaid` (with `remaining`), `PaymentSettled` or `PaymentOverpaid`
 *   (with `excess`) from the total paid; nothing if this credit was applied before; refused when
 *   the payment is cancelled or expired, or the credit is in another currency.
 * - `CancelPayment`, `ExpirePayment`: only while open (`expected`, `partially_paid`); again on a
 *   payment already cancelled (or expired) is nothing; an expire before `expiresAt` is `NotDue`.
 *
 * @example
 * import { expectationDecider } from '@banksocket-webhooks/payments'
 * import { fold } from '@banksocket-webhooks/core'
 * const state = fold(expectationDecider)([expected])
 * expectationDecider.decide({ type: 'ApplyCredit', data: { id: 'order-1042', credit: 'k1', amount: { minor: 149990n, currency: 'TRY' } } }, state)
 * // Right([{ type: 'PaymentSettled', data: { id: 'order-1042', credit: 'k1', amount: '1499.90', paid: '1499.90', currency: 'TRY' } }])
 */
export const expectationDecider: Decider<ExpectationCommand, ExpectationEvent, ExpectationState, ExpectationError> = {
  initialState: undefined,
  decide: (command, state) => {
    const { id } = command.data
    if (command.type === 'ExpectPayment') {
      return E.chain((event: PaymentExpected): E.Either<ExpectationError, ReadonlyArray<ExpectationEvent>> => {
        if (state === undefined) return E.right([event])
        return sameExpectation(state, event) ? E.right([]) : E.left({ _tag: 'AlreadyExpected', id, existing: state })
      })(expectedEvent(command.data))
    }
    if (state === undefined) return E.left({ _tag: 'UnknownExpectation', id })
    switch (command.type) {
      case 'ApplyCredit':
        return decideCredit(state, command.data.credit, command.data.amount)
      case 'CancelPayment':
        if (state.status === 'cancelled') return E.right([])
        if (!isOpen(state.status)) return E.left({ _tag: 'ExpectationClosed', id, status: state.status })
        return E.right([
          { type: 'PaymentCancelled', data: { id, reason: command.data.reason, paid: formatMoney(state.paid), currency: state.paid.currency } },
        ])
      case 'ExpirePayment': {
        const { at } = command.data
        if (state.status === 'expired') return E.right([])
        if (!isOpen(state.status)) return E.left({ _tag: 'ExpectationClosed', id, status: state.status })
        if (!isInstant(at)) return E.left({ _tag: 'InvalidExpectation', id, field: 'expiresAt', reason: `"${at}" is not an ISO 8601 date-time` })
        if (state.expiresAt !== null && Date.parse(at) < Date.parse(state.expiresAt)) {
          return E.left({ _tag: 'NotDue', id, expiresAt: state.expiresAt, at })
        }
        return E.right([{ type: 'PaymentExpired', data: { id, at, paid: formatMoney(state.paid), currency: state.paid.currency } }])
      }
    }
  },
  evolve: (state, event) => {
    if (event.type === 'PaymentExpected') {
      const d = event.data
      const amount = exactMoney(d.amount, d.currency)
      return {
        id: d.id,
        reference: d.reference,
        key: d.key,
        amount,
        paid: zero(d.currency),
        remaining: amount,
        excess: zero(d.currency),
        status: 'expected',
        accountId: d.accountId,
        expiresAt: d.expiresAt,
        credits: [],
      }
    }
    if (state === undefined) return state
    switch (event.type) {
      case 'PaymentPartiallyPaid':
        return { ...state, ...paidFields(state, event.data.paid, event.data.credit), status: 'partially_paid' }
      case 'PaymentSettled':
        return { ...state, ...paidFields(state, event.data.paid, event.data.credit), status: 'settled' }
      case 'PaymentOverpaid':
        return { ...state, ...paidFields(state, event.data.paid, event.data.credit), status: 'overpaid' }
      case 'PaymentCancelled':
        return { ...state, status: 'cancelled' }
      case 'PaymentExpired':
        return { ...state, status: 'expired' }
    }
  },
}
