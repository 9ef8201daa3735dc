/**
 * What payments emit once an outcome is stored: the events ({@link PaymentsEvents}), what they
 * carry ({@link PaymentNotice}, {@link CreditNotice}), and how listeners are called: each on its
 * own, one that throws or rejects reported on `error` without changing what was stored.
 *
 * @module
 */
import { isThenable } from '@banksocket-webhooks/core/runtime-kit'
import type { EventEmitter } from 'eventemitter3'
import type { Credit } from './credit.ts'
import type {
  CreditAmbiguous,
  CreditEvent,
  CreditUnmatched,
  ExpectationEvent,
  PaymentOverpaid,
  PaymentPartiallyPaid,
  PaymentSettled,
} from './events.ts'
import type { Expectation } from './expectation.ts'

/**
 * What the `payment_*` events carry: the expectation after the credit, the credit, and the stored event.
 *
 * @example
 * import type { PaymentNotice, PaymentSettled } from '@banksocket-webhooks/payments'
 * const ship = (n: PaymentNotice<PaymentSettled>) => console.log(`ship ${n.expectation.id}`)
 */
export type PaymentNotice<Ev> = Readonly<{ expectation: Expectation; credit: Credit; event: Ev }>

/**
 * What the `credit_*` events carry: the credit and the stored event (its reason and candidates).
 *
 * @example
 * import type { CreditNotice, CreditUnmatched } from '@banksocket-webhooks/payments'
 * const review = (n: CreditNotice<CreditUnmatched>) => console.log(`review ${n.credit.key}: ${n.event.data.reason}`)
 */
export type CreditNotice<Ev> = Readonly<{ credit: Credit; event: Ev }>

/**
 * A payments listener threw or rejected, as the `error` event carries it. The outcome was already
 * stored; a listener's failure changes nothing there.
 *
 * @example
 * import type { PaymentsListenerError } from '@banksocket-webhooks/payments'
 * const log = (e: PaymentsListenerError) => console.error(`a ${e.event} listener failed`)
 */
export type PaymentsListenerError = Readonly<{ _tag: 'listener_failed'; event: Exclude<keyof PaymentsEvents, 'error'>; error: unknown }>

/**
 * The events payments emit, as listener signatures. Each is emitted once, by the instance that
 * stored the outcome, right after it is stored; a replayed credit emits nothing. Listeners may be
 * async; one that throws or rejects is reported on `error` and does not change the outcome. The
 * store is the truth: a process that must not miss an outcome reads it back from the store.
 *
 * @example
 * import type { PaymentsEvents } from '@banksocket-webhooks/payments'
 * const onSettled: PaymentsEvents['payment_settled'] = ({ expectation }) => console.log(`${expectation.id} paid`)
 */
export interface PaymentsEvents {
  /** A credit paid an expectation exactly (the total now equals its amount). */
  payment_settled: (notice: PaymentNotice<PaymentSettled>) => void | Promise<void>
  /** A credit paid part of an expectation; `event.data.remaining` is still due. */
  payment_partial: (notice: PaymentNotice<PaymentPartiallyPaid>) => void | Promise<void>
  /** A credit took an expectation past its amount; `event.data.excess` is the overpayment. */
  payment_overpaid: (notice: PaymentNotice<PaymentOverpaid>) => void | Promise<void>
  /** A credit matched no expectation (`event.data.reason`), for manual review. */
  credit_unmatched: (notice: CreditNotice<CreditUnmatched>) => void | Promise<void>
  /** A credit named several expectations (`event.data.candidates`) and went to none. */
  credit_ambiguous: (notice: CreditNotice<CreditAmbiguous>) => void | Promise<void>
  /** A listener of the events above threw or rejected. */
  error: (error: PaymentsListenerError) => void
}

type Emitter = EventEmitter<PaymentsEvents, never>

/**
 * Emits what an expectation event stored for a credit means: `payment_settled`, `payment_partial`
 * or `payment_overpaid` (the other expectation events are not about a credit and emit nothing).
 *
 * @internal
 * @example
 * import { notifyPayment } from './notices.ts'
 * notifyPayment(payments, expectation, credit, { type: 'PaymentSettled', data }) // calls the payment_settled listeners
 */
export const notifyPayment = (emitter: Emitter, expectation: Expectation, credit: Credit, event: ExpectationEvent): void => {
  switch (event.type) {
    case 'PaymentSettled':
      notify(emitter, 'payment_settled', { expectation, credit, event })
      break
    case 'PaymentPartiallyPaid':
      notify(emitter, 'payment_partial', { expectation, credit, event })
      break
    case 'PaymentOverpaid':
      notify(emitter, 'payment_overpaid', { expectation, credit, event })
      break
    case 'PaymentExpected':
    case 'PaymentCancelled':
    case 'PaymentExpired':
      break
  }
}

/**
 * Emits `credit_unmatched` and `credit_ambiguous` for the credit events stored (a match emits
 * through the expectation events instead).
 *
 * @internal
 * @example
 * import { notifyCredit } from './notices.ts'
 * notifyCredit(payments, credit, [{ type: 'CreditUnmatched', data }]) // calls the credit_unmatched listeners
 */
export const notifyCredit = (emitter: Emitter, credit: Credit, events: ReadonlyArray<CreditEvent>): void => {
  for (const event of events) {
    if (event.type === 'CreditUnmatched') notify(emitter, 'credit_unmatched', { credit, event })
    else if (event.type === 'CreditAmbiguous') notify(emitter, 'credit_ambiguous', { credit, event })
  }
}

/** Calls each listener on its own: one that throws or rejects is reported on `error`, the rest still run. */
const notify = <K extends Exclude<keyof PaymentsEvents, 'error'>>(emitter: Emitter, name: K, payload: Parameters<PaymentsEvents[K]>[0]): void => {
  for (const listener of emitter.listeners(name)) {
    emitter.removeListener(name, listener, undefined, true) // removes it only if it was added with `once`
    try {
      const result: unknown = (listener as (p: typeof payload) => unknown)(payload)
      if (isThenable(result)) result.then(undefined, (error: unknown) => failed(emitter, name, error))
    } catch (error) {
      failed(emitter, name, error)
    }
  }
}

const failed = (emitter: Emitter, event: PaymentsListenerError['event'], error: unknown): void => {
  for (const listener of emitter.listeners('error')) {
    emitter.removeListener('error', listener, undefined, true)
    try {
      listener({ _tag: 'listener_failed', event, error })
    } catch {
      // An error listener that fails has nowhere left to report to.
    }
  }
}
