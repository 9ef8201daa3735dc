/**
 * The runtime side of payments: {@link createPayments} opens payments over an `EventStore`,
 * rebuilds the index of expectations from it, and gives the application `expect`, `cancel`,
 * `expire`, `applyCredit`, `assignCredit`, a receiver listener (`handleCredit`) and typed events.
 *
 * Where things live:
 *
 * - Each expected payment is a stream `payment-<id>` (the expectation decider); each credit a stream
 *   `credit-<idempotencyKey>` (the credit decider) that records where it went. Both are run by
 *   core's one command handler, so concurrent writers retry on a version conflict.
 * - The index that routes credits (each reference key to the latest expectation under it) is in
 *   memory, rebuilt from the store with `readAll` when payments open (and on `refresh()`); the store
 *   stays the truth. A credit is first routed on its own stream (the first route recorded wins),
 *   then applied to the expectation (which applies each credit once): applying a credit again, after
 *   a retry, a restart or in a second process sharing the store, changes nothing.
 *
 * @module
 */
import { type CommandHandler, createCommandHandler, type EventStore, fold, type Money, type StoredEvent } from '@banksocket-webhooks/core'
import { SerialQueue } from '@banksocket-webhooks/core/runtime-kit'
import { EventEmitter } from 'eventemitter3'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import {
  type CreditCommand,
  type CreditError,
  type CreditState,
  type CreditTransaction,
  creditDecider,
  creditOf,
  creditStream,
  matchCredit,
} from './credit.ts'
import { type CreditOutcome, unappliedOutcome } from './credit-outcome.ts'
import type { CreditEvent, PaymentsEvent } from './events.ts'
import {
  type Expectation,
  type ExpectationCommand,
  type ExpectationError,
  type ExpectationState,
  expectationDecider,
  isClosed,
  isOpen,
  paymentStream,
} from './expectation.ts'
import { ExpectationIndex } from './expectation-index.ts'
import { isCreditEvent, isExpectationEvent, onPaymentsStore } from './internal.ts'
import { notifyCredit, notifyPayment, type PaymentsEvents } from './notices.ts'
import { checkOptions, type PaymentsOptions } from './options.ts'
import { fromCommand, type PaymentsError, PaymentsFailure, refusalReason } from './payments-error.ts'
import { referenceKey } from './reference.ts'

/**
 * What to expect: the application's id for it (an order id), the reference the customer is asked
 * to write in the transfer description, the exact amount, and optionally the Banksocket
 * `account_id` it must arrive on and when it expires.
 *
 * @example
 * import type { ExpectInput } from '@banksocket-webhooks/payments'
 * const order: ExpectInput = { id: 'order-1042', reference: 'SİP1042', amount: { minor: 149990n, currency: 'TRY' },
 *   accountId: '69', expiresAt: new Date('2026-12-01T00:00:00Z') }
 */
export type ExpectInput = Readonly<{
  id: string
  reference: string
  amount: Money
  /** Only credits whose (unauthenticated) `account_id` is this one can pay it. @default any account */
  accountId?: string
  /** After this instant `expireDue()` expires it. @default never */
  expiresAt?: Date
}>

type Result<A> = E.Either<PaymentsError, A>

/**
 * Payments over one store: create them with {@link createPayments}.
 *
 * @example
 * import { createPayments } from '@banksocket-webhooks/payments'
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * import * as E from 'fp-ts/lib/Either.js'
 * const opened = await createPayments({ store: createInMemoryEventStore() })()
 * if (E.isRight(opened)) {
 *   const payments = opened.right
 *   await payments.expect({ id: 'order-1042', reference: 'SİP1042', amount: { minor: 149990n, currency: 'TRY' } })()
 *   payments.on('payment_settled', ({ expectation }) => console.log(`${expectation.id} is paid`))
 *   receiver.on('credit', payments.handleCredit)
 * }
 */
export class Payments extends EventEmitter<PaymentsEvents, never> {
  readonly #store: EventStore<PaymentsEvent>
  readonly #now: () => Date
  readonly #expectations: CommandHandler<ExpectationCommand, PaymentsEvent, ExpectationState, ExpectationError>
  readonly #credits: CommandHandler<CreditCommand, PaymentsEvent, CreditState, CreditError>
  /** Expectations by id and by reference key, rebuilt from the store. */
  readonly #index = new ExpectationIndex()
  /** `expect` calls run one at a time, so that the reference check sees every earlier expect. */
  #expecting: Promise<unknown> = Promise.resolve()
  /** Commands on one stream run one after the other. */
  /** Commands on one stream, one at a time within this instance: concurrent credits for one expectation queue instead of racing, so version conflicts remain for other processes only. */
  readonly #queue = new SerialQueue()

  /** @internal Use {@link createPayments}, which reads the store first. */
  constructor(options: PaymentsOptions, stored: ReadonlyArray<StoredEvent<PaymentsEvent>>) {
    super()
    this.#store = options.store
    this.#now = options.now ?? (() => new Date())
    const retries = options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }
    this.#expectations = createCommandHandler({ store: options.store, decider: onPaymentsStore(expectationDecider, isExpectationEvent), ...retries })
    this.#credits = createCommandHandler({ store: options.store, decider: onPaymentsStore(creditDecider, isCreditEvent), ...retries })
    this.#index.rebuild(stored)
  }

  /** The expectation with this id, as this instance knows it (its own writes and the last rebuild). */
  get(id: string): Expectation | undefined {
    return this.#index.get(id)
  }

  /** Every expectation this instance knows, in the order they were expected. */
  expectations(): ReadonlyArray<Expectation> {
    return this.#index.all()
  }

  /**
   * Expects a payment. Refused when the input is not usable (`InvalidExpectation`), when the id is
   * taken by a different expectation (`AlreadyExpected`), or when an open expectation already uses
   * the same reference key (`ReferenceInUse`). Expecting the same thing again is not an error. A
   * reference whose latest expectation is paid, cancelled or expired may be expected again: the
   * new expectation then stands for it.
   */
  expect(input: ExpectInput): TE.TaskEither<PaymentsError, Expectation> {
    return () => {
      const run = this.#expecting.then(() => this.#expect(input))
      this.#expecting = run.catch(() => undefined)
      return run
    }
  }

  /** Cancels an open expectation; credits naming it afterwards are unmatched (`expectation_closed`). */
  cancel(id: string, reason?: string): TE.TaskEither<PaymentsError, Expectation> {
    return () => this.#runExpectation(id, { type: 'CancelPayment', data: { id, reason: reason ?? null } })
  }

  /** Expires an open expectation now (by the `now` clock); refused (`NotDue`) before its `expiresAt`. */
  expire(id: string): TE.TaskEither<PaymentsError, Expectation> {
    return () => this.#runExpectation(id, { type: 'ExpirePayment', data: { id, at: this.#now().toISOString() } })
  }

  /** Expires every open expectation whose `expiresAt` has passed; resolves with those it expired. */
  expireDue(): TE.TaskEither<PaymentsError, ReadonlyArray<Expectation>> {
    return async () => {
      const now = this.#now()
      const due = this.expectations().filter((e) => isOpen(e.status) && e.expiresAt !== null && Date.parse(e.expiresAt) <= now.getTime())
      const expired: Expectation[] = []
      for (const e of due) {
        const result = await this.#runExpectation(e.id, { type: 'ExpirePayment', data: { id: e.id, at: now.toISOString() } })
        if (E.isLeft(result)) return result
        expired.push(result.right)
      }
      return E.right(expired)
    }
  }

  /**
   * Applies one verified credit: routes it by its description (see `matchCredit`), records the
   * route on the credit's own stream, applies it to the expectation it names, stores the outcome and
   * then emits it. Applying the same credit (same idempotency key) again changes and emits nothing.
   */
  applyCredit(tx: CreditTransaction): TE.TaskEither<PaymentsError, CreditOutcome> {
    return async () => {
      const credit = creditOf(tx)
      if (tx.verified.dc !== 'Credit') return E.left({ _tag: 'NotACredit', credit: credit.key, dc: tx.verified.dc })
      const stream = creditStream(credit.key)
      const routed = await this.#queue.run(stream, () =>
        this.#credits(stream, { type: 'RouteCredit', data: { credit, route: matchCredit(credit, this.#index.lookup()) } })(),
      )
      if (E.isLeft(routed)) return E.left(fromCommand(routed.left))
      return this.#follow(credit.key, routed.right.state, routed.right.events.filter(isCreditEvent))
    }
  }

  /**
   * Sends an unmatched or ambiguous credit (by its idempotency key) to an expectation, after manual
   * review. Refused when the credit is unknown (`UnknownCredit`), already went elsewhere
   * (`CreditAlreadyApplied`), or the expectation is unknown, cancelled, expired or in another
   * currency. Assigning it to the same expectation again changes nothing.
   */
  assignCredit(creditKey: string, expectationId: string): TE.TaskEither<PaymentsError, CreditOutcome> {
    return async () => {
      const target = this.get(expectationId)
      if (target === undefined) return E.left({ _tag: 'UnknownExpectation', id: expectationId })
      if (isClosed(target.status)) return E.left({ _tag: 'ExpectationClosed', id: expectationId, status: target.status })
      const stream = creditStream(creditKey)
      const read = await this.#store.readStream(stream)()
      if (E.isLeft(read)) return E.left({ _tag: 'StoreFailed', stream, error: read.left })
      const current = fold(onPaymentsStore(creditDecider, isCreditEvent))(read.right.events)
      if (current === undefined) return E.left({ _tag: 'UnknownCredit', credit: creditKey })
      if (current.credit.amount.currency !== target.amount.currency) {
        return E.left({ _tag: 'CurrencyMismatch', id: expectationId, expected: target.amount.currency, received: current.credit.amount.currency })
      }
      const assigned = await this.#queue.run(stream, () =>
        this.#credits(stream, { type: 'AssignCredit', data: { credit: creditKey, expectation: expectationId } })(),
      )
      if (E.isLeft(assigned)) return E.left(fromCommand(assigned.left))
      return this.#follow(creditKey, assigned.right.state, assigned.right.events.filter(isCreditEvent))
    }
  }

  /**
   * A receiver `credit` listener: `receiver.on('credit', payments.handleCredit)`. Resolves once the
   * credit's outcome is stored; rejects with a {@link PaymentsFailure} when it could not be (the
   * receiver then answers 500, stores nothing, and Banksocket retries; the retry completes it).
   * Debits are ignored, so it may listen to `transaction` too.
   */
  readonly handleCredit = async (tx: CreditTransaction): Promise<void> => {
    const outcome = await this.applyCredit(tx)()
    if (E.isLeft(outcome) && outcome.left._tag !== 'NotACredit') throw new PaymentsFailure(outcome.left)
  }

  /** Rebuilds the index from the store, to see expectations other processes wrote to a shared store. */
  refresh(): TE.TaskEither<PaymentsError, void> {
    return async () => {
      const all = await this.#store.readAll()()
      if (E.isLeft(all)) return E.left({ _tag: 'StoreFailed', stream: '$all', error: all.left })
      this.#index.rebuild(all.right)
      return E.right(undefined)
    }
  }

  /** Reads one expectation back from the store into the index; the index stays as it was if the read fails. */
  async #reload(id: string): Promise<void> {
    const stream = paymentStream(id)
    const read = await this.#store.readStream(stream)()
    if (E.isLeft(read)) return
    const state = fold(onPaymentsStore(expectationDecider, isExpectationEvent))(read.right.events)
    if (state !== undefined) this.#index.remember(state, read.right.version)
  }

  async #expect(input: ExpectInput): Promise<Result<Expectation>> {
    const { id, reference, amount } = input
    const expiresAt = input.expiresAt
    if (expiresAt !== undefined && Number.isNaN(expiresAt.getTime())) {
      return E.left({ _tag: 'InvalidExpectation', id, field: 'expiresAt', reason: 'is an invalid Date' })
    }
    const key = referenceKey(reference)
    if (E.isRight(key)) {
      const held = this.#index.latest(key.right)
      if (held !== undefined && held.id !== id && isOpen(held.status)) {
        return E.left({ _tag: 'ReferenceInUse', reference, key: key.right, expectation: held.id })
      }
    }
    return this.#runExpectation(id, {
      type: 'ExpectPayment',
      data: { id, reference, amount, accountId: input.accountId ?? null, expiresAt: expiresAt?.toISOString() ?? null },
    })
  }

  async #runExpectation(id: string, command: ExpectationCommand): Promise<Result<Expectation>> {
    const stream = paymentStream(id)
    const result = await this.#queue.run(stream, () => this.#expectations(stream, command)())
    if (E.isLeft(result)) return E.left(fromCommand(result.left))
    const { state, nextVersion } = result.right
    if (state === undefined) return E.left({ _tag: 'UnknownExpectation', id })
    this.#index.remember(state, nextVersion)
    return E.right(state)
  }

  /**
   * Carries out the route a credit's stream holds (which may be another process's): applies a
   * matched credit to its expectation, or, if the expectation refuses it (closed in the meantime),
   * records the credit as unmatched. Then emits what was stored.
   */
  async #follow(key: string, state: CreditState, appended: ReadonlyArray<CreditEvent>): Promise<Result<CreditOutcome>> {
    if (state === undefined) return E.left({ _tag: 'UnknownCredit', credit: key })
    const { credit, route } = state
    if (route._tag !== 'Matched') {
      notifyCredit(this, credit, appended)
      return E.right(unappliedOutcome(credit, route, appended))
    }
    const id = route.expectation
    const target = paymentStream(id)
    const applied = await this.#queue.run(target, () =>
      this.#expectations(target, { type: 'ApplyCredit', data: { id, credit: credit.key, amount: credit.amount } })(),
    )
    if (E.isLeft(applied)) {
      const refusal = applied.left
      const reason = refusal._tag === 'DomainError' ? refusalReason(refusal.error) : undefined
      if (reason === undefined) return E.left(fromCommand(refusal))
      await this.#reload(id) // another process closed it: catch the index up
      const stream = creditStream(credit.key)
      const unrouted = await this.#queue.run(stream, () =>
        this.#credits(stream, { type: 'UnrouteCredit', data: { credit: credit.key, expectation: id, reason } })(),
      )
      if (E.isLeft(unrouted)) return E.left(fromCommand(unrouted.left))
      return this.#follow(key, unrouted.right.state, [...appended, ...unrouted.right.events.filter(isCreditEvent)])
    }
    const { state: expectation, events, nextVersion } = applied.right
    if (expectation === undefined) return E.left({ _tag: 'UnknownExpectation', id })
    this.#index.remember(expectation, nextVersion)
    for (const event of events) if (isExpectationEvent(event)) notifyPayment(this, expectation, credit, event)
    const all: ReadonlyArray<PaymentsEvent> = [...appended, ...events]
    return E.right({ _tag: 'Applied', credit, expectation, events: all, replayed: all.length === 0 })
  }
}

/**
 * Opens payments over a store: reads it once (`readAll`) to rebuild the index of expectations, then
 * resolves with {@link Payments}. `maxRetries` that is not a non-negative integer throws a
 * `TypeError` saying so.
 *
 * @example
 * import { createPayments, PaymentsEvent } from '@banksocket-webhooks/payments'
 * import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
 * import * as E from 'fp-ts/lib/Either.js'
 * const store = await openFileEventStore({ path: './payments.jsonl', codec: PaymentsEvent })()
 * if (E.isLeft(store)) throw new Error(store.left._tag)
 * const payments = await createPayments({ store: store.right })()
 */
export const createPayments = (options: PaymentsOptions): TE.TaskEither<PaymentsError, Payments> => {
  checkOptions(options)
  return async () => {
    const all = await options.store.readAll()()
    if (E.isLeft(all)) return E.left({ _tag: 'StoreFailed', stream: '$all', error: all.left })
    return E.right(new Payments(options, all.right))
  }
}
