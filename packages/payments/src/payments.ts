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
import {
  type CommandError,
  type CommandHandler,
  createCommandHandler,
  type EventStore,
  fold,
  type Money,
  type StoredEvent,
  type StoreError,
} from '@banksocket-webhooks/core'
import { EventEmitter } from 'eventemitter3'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import {
  type Credit,
  type CreditCommand,
  type CreditError,
  type CreditState,
  type CreditTransaction,
  creditDecider,
  creditOf,
  creditStream,
  type ExpectationLookup,
  matchCredit,
} from './credit.ts'
import type {
  CreditAmbiguous,
  CreditEvent,
  CreditUnmatched,
  ExpectationEvent,
  PaymentOverpaid,
  PaymentPartiallyPaid,
  PaymentSettled,
  PaymentsEvent,
  UnmatchedReason,
} from './events.ts'
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
import { isCreditEvent, isExpectationEvent, onPaymentsStore } from './internal.ts'
import { summarizePayments } from './projection.ts'
import { referenceKey } from './reference.ts'

/**
 * Options of {@link createPayments}.
 *
 * @example
 * import type { PaymentsOptions } from '@banksocket-webhooks/payments'
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * const options: PaymentsOptions = { store: createInMemoryEventStore(), now: () => new Date() }
 */
export type PaymentsOptions = Readonly<{
  /**
   * Where expectations and credit outcomes are kept. In memory for tests and demos; a durable store
   * (the file store with the `PaymentsEvent` codec, a database) for idempotence across restarts.
   */
  store: EventStore<PaymentsEvent>
  /** The clock `expire` and `expireDue` read. @default () => new Date() */
  now?: () => Date
  /** Retries of a command after a version conflict (another writer on the same stream). @default 3 */
  maxRetries?: number
}>

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

/**
 * Why a payments operation failed. The domain refusals of the two deciders
 * ({@link ExpectationError}, {@link CreditError}) and:
 *
 * - `ReferenceInUse`: another expectation still open was expected under the same reference key;
 * - `NotACredit`: `applyCredit` was given a debit;
 * - `StoreFailed`: the store failed a read or an append (nothing was half-done that a retry does
 *   not complete);
 * - `RetriesExhausted`: other writers kept winning the race on `stream`.
 *
 * @example
 * import type { PaymentsError } from '@banksocket-webhooks/payments'
 * const retryable = (e: PaymentsError) => e._tag === 'StoreFailed' || e._tag === 'RetriesExhausted'
 */
export type PaymentsError =
  | ExpectationError
  | CreditError
  | Readonly<{ _tag: 'ReferenceInUse'; reference: string; key: string; expectation: string }>
  | Readonly<{ _tag: 'NotACredit'; credit: string; dc: string }>
  | Readonly<{ _tag: 'StoreFailed'; stream: string; error: StoreError }>
  | Readonly<{ _tag: 'RetriesExhausted'; stream: string; attempts: number }>

/**
 * Where a credit ended, with the events this call stored (none, and `replayed: true`, when the
 * credit had been applied before: applying it again changed nothing).
 *
 * - `Applied`: to `expectation` (as it stands now: partially paid, settled or overpaid).
 * - `Unmatched`: to nothing, for manual review, with the reason and the expectations named.
 * - `Ambiguous`: it names several expectations (`candidates`) and went to none of them.
 *
 * @example
 * import type { CreditOutcome } from '@banksocket-webhooks/payments'
 * const say = (o: CreditOutcome) => o._tag === 'Applied' ? `${o.expectation.id} is ${o.expectation.status}` : o._tag
 */
export type CreditOutcome = Readonly<{ credit: Credit; events: ReadonlyArray<PaymentsEvent>; replayed: boolean }> &
  (
    | Readonly<{ _tag: 'Applied'; expectation: Expectation }>
    | Readonly<{ _tag: 'Unmatched'; reason: UnmatchedReason; candidates: ReadonlyArray<string> }>
    | Readonly<{ _tag: 'Ambiguous'; candidates: ReadonlyArray<string> }>
  )

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

/**
 * The Error `handleCredit` rejects with when a credit could not be applied (the store failed, or
 * other writers kept winning), so that the receiver answers 500 and Banksocket retries. `error` is
 * the {@link PaymentsError}; the message names only its tag.
 *
 * @example
 * import { PaymentsFailure } from '@banksocket-webhooks/payments'
 * receiver.on('error', (e) => { if (e._tag === 'handler_failed' && e.error instanceof PaymentsFailure) console.error(e.error.error._tag) })
 */
export class PaymentsFailure extends Error {
  override readonly name = 'PaymentsFailure'
  constructor(readonly error: PaymentsError) {
    super(`payments could not apply the credit: ${error._tag}`)
  }
}

type Indexed = Readonly<{ expectation: Expectation; version: number }>
type Result<A> = E.Either<PaymentsError, A>

const fromCommand = <Err extends PaymentsError>(e: CommandError<Err>): PaymentsError => {
  switch (e._tag) {
    case 'DomainError':
      return e.error
    case 'StoreError':
      return { _tag: 'StoreFailed', stream: e.stream, error: e.error }
    case 'RetriesExhausted':
      return { _tag: 'RetriesExhausted', stream: e.stream, attempts: e.attempts }
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'

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
  #byId = new Map<string, Indexed>()
  #latestByKey = new Map<string, string>()
  #maxKeyLength = 0
  /** `expect` calls run one at a time, so that the reference check sees every earlier expect. */
  #expecting: Promise<unknown> = Promise.resolve()
  /** The command under way on each stream: commands on one stream run one after the other. */
  readonly #queues = new Map<string, Promise<void>>()

  /** @internal Use {@link createPayments}, which reads the store first. */
  constructor(options: PaymentsOptions, stored: ReadonlyArray<StoredEvent<PaymentsEvent>>) {
    super()
    this.#store = options.store
    this.#now = options.now ?? (() => new Date())
    const retries = options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }
    this.#expectations = createCommandHandler({ store: options.store, decider: onPaymentsStore(expectationDecider, isExpectationEvent), ...retries })
    this.#credits = createCommandHandler({ store: options.store, decider: onPaymentsStore(creditDecider, isCreditEvent), ...retries })
    this.#rebuild(stored)
  }

  /** The expectation with this id, as this instance knows it (its own writes and the last rebuild). */
  get(id: string): Expectation | undefined {
    return this.#byId.get(id)?.expectation
  }

  /** Every expectation this instance knows, in the order they were expected. */
  expectations(): ReadonlyArray<Expectation> {
    return [...this.#byId.values()].map((i) => i.expectation)
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
      const routed = await this.#serial(stream, () =>
        this.#credits(stream, { type: 'RouteCredit', data: { credit, route: matchCredit(credit, this.#lookup) } })(),
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
      const assigned = await this.#serial(stream, () =>
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
      this.#rebuild(all.right)
      return E.right(undefined)
    }
  }

  /** The index as the matcher reads it. */
  get #lookup(): ExpectationLookup {
    return {
      latest: (key) => {
        const id = this.#latestByKey.get(key)
        return id === undefined ? undefined : this.get(id)
      },
      maxKeyLength: this.#maxKeyLength,
    }
  }

  /**
   * Runs commands on one stream one at a time within this instance, so that concurrent credits for
   * one expectation queue instead of racing; version conflicts remain for other processes only.
   */
  #serial<A>(stream: string, task: () => Promise<A>): Promise<A> {
    const previous = this.#queues.get(stream) ?? Promise.resolve()
    const run = previous.then(task)
    const done = run.then(
      () => undefined,
      () => undefined,
    )
    this.#queues.set(stream, done)
    void done.then(() => {
      if (this.#queues.get(stream) === done) this.#queues.delete(stream)
    })
    return run
  }

  /** Reads one expectation back from the store into the index; the index stays as it was if the read fails. */
  async #reload(id: string): Promise<void> {
    const stream = paymentStream(id)
    const read = await this.#store.readStream(stream)()
    if (E.isLeft(read)) return
    const state = fold(onPaymentsStore(expectationDecider, isExpectationEvent))(read.right.events)
    if (state !== undefined) this.#remember(state, read.right.version)
  }

  /** Indexes every expectation of the stored events, in the order they were expected. */
  #rebuild(stored: ReadonlyArray<StoredEvent<PaymentsEvent>>): void {
    const versions = new Map<string, number>()
    for (const { stream, version } of stored) versions.set(stream, version)
    this.#byId = new Map()
    this.#latestByKey = new Map()
    this.#maxKeyLength = 0
    for (const e of summarizePayments(stored).expectations.values()) this.#remember(e, versions.get(paymentStream(e.id)) ?? 0)
  }

  /** Keeps the newer of what the index holds and what a command returned. */
  #remember(expectation: Expectation, version: number): void {
    const known = this.#byId.get(expectation.id)
    if (known !== undefined && known.version > version) return
    this.#byId.set(expectation.id, { expectation, version })
    if (known === undefined) {
      this.#latestByKey.set(expectation.key, expectation.id)
      this.#maxKeyLength = Math.max(this.#maxKeyLength, Array.from(expectation.key).length)
    }
  }

  async #expect(input: ExpectInput): Promise<Result<Expectation>> {
    const { id, reference, amount } = input
    const expiresAt = input.expiresAt
    if (expiresAt !== undefined && Number.isNaN(expiresAt.getTime())) {
      return E.left({ _tag: 'InvalidExpectation', id, field: 'expiresAt', reason: 'is an invalid Date' })
    }
    const key = referenceKey(reference)
    if (E.isRight(key)) {
      const holder = this.#latestByKey.get(key.right)
      const held = holder === undefined ? undefined : this.get(holder)
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
    const result = await this.#serial(stream, () => this.#expectations(stream, command)())
    if (E.isLeft(result)) return E.left(fromCommand(result.left))
    const { state, nextVersion } = result.right
    if (state === undefined) return E.left({ _tag: 'UnknownExpectation', id })
    this.#remember(state, nextVersion)
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
      this.#notifyCredit(credit, appended)
      const replayed = appended.length === 0
      return E.right(
        route._tag === 'Unmatched'
          ? { _tag: 'Unmatched', credit, reason: route.reason, candidates: route.candidates, events: appended, replayed }
          : { _tag: 'Ambiguous', credit, candidates: route.candidates, events: appended, replayed },
      )
    }
    const id = route.expectation
    const target = paymentStream(id)
    const applied = await this.#serial(target, () =>
      this.#expectations(target, { type: 'ApplyCredit', data: { id, credit: credit.key, amount: credit.amount } })(),
    )
    if (E.isLeft(applied)) {
      const refusal = applied.left
      const reason = refusal._tag === 'DomainError' ? refusalReason(refusal.error) : undefined
      if (reason === undefined) return E.left(fromCommand(refusal))
      await this.#reload(id) // another process closed it: catch the index up
      const stream = creditStream(credit.key)
      const unrouted = await this.#serial(stream, () =>
        this.#credits(stream, { type: 'UnrouteCredit', data: { credit: credit.key, expectation: id, reason } })(),
      )
      if (E.isLeft(unrouted)) return E.left(fromCommand(unrouted.left))
      return this.#follow(key, unrouted.right.state, [...appended, ...unrouted.right.events.filter(isCreditEvent)])
    }
    const { state: expectation, events, nextVersion } = applied.right
    if (expectation === undefined) return E.left({ _tag: 'UnknownExpectation', id })
    this.#remember(expectation, nextVersion)
    for (const event of events) if (isExpectationEvent(event)) this.#notifyPayment(expectation, credit, event)
    const all: ReadonlyArray<PaymentsEvent> = [...appended, ...events]
    return E.right({ _tag: 'Applied', credit, expectation, events: all, replayed: all.length === 0 })
  }

  #notifyPayment(expectation: Expectation, credit: Credit, event: ExpectationEvent): void {
    switch (event.type) {
      case 'PaymentSettled':
        this.#notify('payment_settled', { expectation, credit, event })
        break
      case 'PaymentPartiallyPaid':
        this.#notify('payment_partial', { expectation, credit, event })
        break
      case 'PaymentOverpaid':
        this.#notify('payment_overpaid', { expectation, credit, event })
        break
      case 'PaymentExpected':
      case 'PaymentCancelled':
      case 'PaymentExpired':
        break
    }
  }

  #notifyCredit(credit: Credit, events: ReadonlyArray<CreditEvent>): void {
    for (const event of events) {
      if (event.type === 'CreditUnmatched') this.#notify('credit_unmatched', { credit, event })
      else if (event.type === 'CreditAmbiguous') this.#notify('credit_ambiguous', { credit, event })
    }
  }

  /** Calls each listener on its own: one that throws or rejects is reported on `error`, the rest still run. */
  #notify<K extends Exclude<keyof PaymentsEvents, 'error'>>(name: K, payload: Parameters<PaymentsEvents[K]>[0]): void {
    for (const listener of this.listeners(name)) {
      this.removeListener(name, listener, undefined, true) // removes it only if it was added with `once`
      try {
        const result: unknown = (listener as (p: typeof payload) => unknown)(payload)
        if (isThenable(result)) result.then(undefined, (error: unknown) => this.#failed(name, error))
      } catch (error) {
        this.#failed(name, error)
      }
    }
  }

  #failed(event: PaymentsListenerError['event'], error: unknown): void {
    for (const listener of this.listeners('error')) {
      this.removeListener('error', listener, undefined, true)
      try {
        listener({ _tag: 'listener_failed', event, error })
      } catch {
        // An error listener that fails has nowhere left to report to.
      }
    }
  }
}

/** The unmatched reason for an expectation that refuses a credit routed to it, if it is one. */
const refusalReason = (error: ExpectationError): UnmatchedReason | undefined => {
  switch (error._tag) {
    case 'ExpectationClosed':
      return 'expectation_closed'
    case 'CurrencyMismatch':
      return 'currency_mismatch'
    default:
      return undefined
  }
}

/** Bad options are programming errors: they throw where they are given, saying what to pass. */
const checkOptions = (options: PaymentsOptions): void => {
  const { store, now, maxRetries } = options
  if (typeof store?.readStream !== 'function' || typeof store.appendToStream !== 'function' || typeof store.readAll !== 'function') {
    throw new TypeError('store must be an EventStore (readStream, appendToStream, readAll), e.g. createInMemoryEventStore()')
  }
  if (now !== undefined && typeof now !== 'function') throw new TypeError('now must be a function returning the current Date')
  if (maxRetries !== undefined && (!Number.isSafeInteger(maxRetries) || maxRetries < 0)) {
    throw new TypeError(`maxRetries must be a non-negative integer (retries after a version conflict), got ${String(maxRetries)}`)
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
