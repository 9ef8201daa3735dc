/**
 * Payments as a consumer of the receiver's store: {@link followCredits} reads the receiver's feed
 * (a `@banksocket-webhooks/consumers` consumer, with a checkpoint) and applies every stored credit,
 * instead of being fed by the receiver's `credit` event. Payments' state can then be rebuilt from
 * the receiver's history (a new payments store following from the beginning), and survives a crash
 * between the receiver's store and the payments store: the consumer resumes from its checkpoint,
 * and a credit applied again changes nothing (docs/architecture.md, "Consumers").
 *
 * @module
 */
import {
  type Consumer,
  type ConsumerCommonOptions,
  type ConsumerEvent,
  type ConsumerOptions,
  createConsumer,
  type RetryPolicy,
} from '@banksocket-webhooks/consumers'
import { type LedgerEvent, parseAmount, type StreamEvent, TransactionReceived } from '@banksocket-webhooks/core'
import type { CheckpointStore } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type { CreditTransaction } from './credit.ts'
import type { Payments } from './payments.ts'
import { type PaymentsError, PaymentsFailure } from './payments-error.ts'

/** The streams a receiver records movements on: `ledger-<account_id>-<currency>` (core's `ledgerStream`). */
const LEDGER_PREFIX = 'ledger-'

/**
 * The {@link CreditTransaction} of one stored event, as `applyCredit` takes it, or `undefined` for
 * anything that is not a credit a receiver recorded: an event of a stream other than
 * `ledger-<account>-<currency>`, a ledger event other than `TransactionReceived` (gaps, their
 * closings, suspected replays, duplicates of old stores), or a `Debit`. The amount is parsed from
 * the exact stored string with the currency's exponent, as the receiver parsed it (no floats); a
 * genuine repeat keeps its `repeat: true`, so it is the same credit (`<idempotencyKey>:repeat`)
 * as when the receiver's `credit` event handed it over.
 *
 * Throws a `TypeError` for a `TransactionReceived` on a ledger stream that core cannot read (its
 * fields are not those of the codec, or its amount is not exact money): a receiver never stores
 * one, so it is a damaged store, not a credit.
 *
 * @example
 * import { creditTransactionOf } from '@banksocket-webhooks/payments'
 * const tx = creditTransactionOf({ stream: 'ledger-69-TRY', event: { type: 'TransactionReceived', data: {
 *   idempotencyKey: '9f86d0...', receivedAt: '2026-11-23T10:00:00.000Z', hash: 'MTQy...',
 *   verified: { dc: 'Credit', code: 'EFT', amount: '1499.90', balance: '19499.90', currency: 'TRY', description: 'SN:1 SİP1042' },
 *   unverified: { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' } } } })
 * tx?.amount // { minor: 149990n, currency: 'TRY' }
 * creditTransactionOf({ stream: 'payment-order-1042', event: { type: 'PaymentExpected' } }) // undefined
 */
export const creditTransactionOf = (stored: Pick<StreamEvent<unknown>, 'stream' | 'event'>): CreditTransaction | undefined => {
  if (!stored.stream.startsWith(LEDGER_PREFIX)) return undefined
  const event = stored.event
  if ((event as { type?: unknown } | null)?.type !== 'TransactionReceived') return undefined
  if (!TransactionReceived.is(event)) throw new TypeError(`a TransactionReceived on ${stored.stream} does not have the fields core stores`)
  const { idempotencyKey, verified, unverified, repeat } = event.data
  if (verified.dc !== 'Credit') return undefined
  const amount = parseAmount(verified.amount, verified.currency)
  if (E.isLeft(amount)) {
    throw new TypeError(
      `a TransactionReceived on ${stored.stream} holds an amount that is not exact money: "${verified.amount}" ${amount.left.reason}`,
    )
  }
  return {
    idempotencyKey,
    amount: amount.right,
    verified: { dc: verified.dc, description: verified.description, currency: verified.currency },
    unverified: { account_id: unverified.account_id },
    repeat: repeat === true,
  }
}

/**
 * Whether the follower retries a credit `applyCredit` answered with this error (by throwing it as
 * a {@link PaymentsFailure}), or takes it as the credit's answer and moves on. Exhaustive over the
 * tags, so a new one is decided here before it compiles.
 *
 * - Retried: `StoreFailed` and `RetriesExhausted` (the payments store failed, or other writers kept
 *   winning: the next attempt completes what this one left, since each step is idempotent), and
 *   `UnknownCredit` and `UnknownExpectation` (the store does not read back a route or an
 *   expectation it holds: the credit ended nowhere, so it is not passed silently).
 * - An answer: `NotACredit` (a debit is never applied), and every refusal `applyCredit` does not
 *   give for a credit (it turns `ExpectationClosed` and `CurrencyMismatch` into an `Unmatched`
 *   outcome itself; the rest belong to `expect`, `expire` and `assignCredit`): the same credit
 *   would be refused the same way on every attempt.
 *
 * @internal
 */
const retried = (error: PaymentsError): boolean => {
  switch (error._tag) {
    case 'StoreFailed':
    case 'RetriesExhausted':
    case 'UnknownCredit':
    case 'UnknownExpectation':
      return true
    case 'NotACredit':
    case 'ExpectationClosed':
    case 'CurrencyMismatch':
    case 'InvalidExpectation':
    case 'AlreadyExpected':
    case 'NotDue':
    case 'ReferenceInUse':
    case 'CreditAlreadyApplied':
      return false
  }
}

/**
 * The retry policy of {@link followCredits} unless `retry` says otherwise: 100 ms doubling to 30 s,
 * and no limit on attempts. What the follower retries is the payments store being unavailable or
 * not reading back what it wrote, which no credit outlives by being given up on: the follower waits
 * it out, reporting each attempt on `retrying`, and its checkpoint never passes a credit payments
 * did not store an outcome for.
 */
const FOLLOW_RETRY: RetryPolicy = { initialDelay: 100, maxDelay: 30_000, maxAttempts: Number.MAX_SAFE_INTEGER }

/**
 * Options of {@link followCredits}: the receiver's store and its checkpoints, and the consumer's
 * options (see `ConsumerOptions` of `@banksocket-webhooks/consumers`), passed on as they are.
 *
 * @typeParam Ev the events of the receiver's store (`LedgerEvent | ConsumerEvent` for a store
 * consumers record their failures in)
 * @typeParam Tx what the checkpoint store commits with (unused: payments writes to its own store)
 * @example
 * import { createInMemoryEventStore, type LedgerEvent } from '@banksocket-webhooks/core'
 * import { type ConsumerEvent, createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
 * import type { FollowCreditsOptions } from '@banksocket-webhooks/payments'
 * const options: FollowCreditsOptions<LedgerEvent | ConsumerEvent, undefined> = {
 *   store: createInMemoryEventStore<LedgerEvent | ConsumerEvent>(), checkpoints: createInMemoryCheckpoints(), from: 'beginning',
 * }
 */
export type FollowCreditsOptions<Ev = LedgerEvent | ConsumerEvent, Tx = unknown> = Omit<ConsumerCommonOptions<Ev>, 'name' | 'retry'> &
  Readonly<{
    /** Where the checkpoint is kept: the receiver's store's checkpoints (`createInMemoryCheckpoints()` beside a memory store). */
    checkpoints: CheckpointStore<Tx>
    /** The consumer's name: its checkpoint's key, and one active follower per name. @default 'payments' */
    name?: string
    /**
     * How a credit payments could not store is retried. Past `maxAttempts` it is given up on,
     * recorded (a `ConsumerFailed` on the stream `consumer-<name>` of the receiver's store) and
     * reported on `failed`; apply it later with `payments.applyCredit(creditTransactionOf(event))`.
     * @default 100 ms doubling to 30 s, no limit on attempts
     */
    retry?: Partial<RetryPolicy>
  }>

/**
 * Payments following the receiver's store: a consumer (`@banksocket-webhooks/consumers`) of the
 * store's feed that hands each stored credit (see {@link creditTransactionOf}: `TransactionReceived`
 * Credits of `ledger-` streams; debits, gaps and every other stream are passed) to
 * `payments.applyCredit`, in feed order, and saves its checkpoint after it. Returned unstarted:
 * `start()` it, and `stop()` it on shutdown.
 *
 * - **Outcomes**: every outcome `applyCredit` resolves with (applied, unmatched, ambiguous) is the
 *   credit's, emitted by `payments` as with `handleCredit`. A `Left` the next attempt can complete
 *   (the payments store failed, other writers kept winning, or the store did not read back what
 *   it holds) is thrown as a {@link PaymentsFailure}, so the consumer retries it with backoff; any
 *   other `Left` would be the same on every attempt, so it is the credit's answer and the follower
 *   moves on.
 * - **Exactly once in effect**: the consumer delivers at least once (a crash after payments stored
 *   an outcome and before the checkpoint is saved applies that credit again), and payments applies
 *   each credit key once, so a credit applied again changes and emits nothing.
 * - **Repeats**: a genuine repeat (`repeat: true`) is a second credit, keyed
 *   `<idempotencyKey>:repeat`, exactly as when the receiver's `credit` event feeds payments.
 *
 * Follow with one payments instance per payments store (or `refresh()` the others), as with
 * `handleCredit`. A new payments store following `from: 'beginning'`, with its expectations
 * expected first, rebuilds the outcomes from the receiver's whole history.
 *
 * @example
 * import { createInMemoryEventStore, type LedgerEvent } from '@banksocket-webhooks/core'
 * import { type ConsumerEvent, createInMemoryCheckpoints } from '@banksocket-webhooks/consumers'
 * import { createFetchReceiver } from '@banksocket-webhooks/adapter-fetch'
 * import { followCredits } from '@banksocket-webhooks/payments'
 * const store = createInMemoryEventStore<LedgerEvent | ConsumerEvent>()
 * const receiver = createFetchReceiver({ secrets: [secret], path: '/banksocket', store })
 * const follower = followCredits(payments, { store, checkpoints: createInMemoryCheckpoints() })
 * receiver.on('recorded', () => follower.wake()) // read at once instead of at the next poll
 * await follower.start()
 */
export const followCredits = <Ev = LedgerEvent | ConsumerEvent, Tx = unknown>(
  payments: Payments,
  options: FollowCreditsOptions<Ev, Tx>,
): Consumer<Ev> => {
  const { retry, recordFailure, failureEvent, notify, lease, random, batchSize, pollInterval } = options
  const consumer: ConsumerOptions<Ev, Tx> = {
    name: options.name ?? 'payments',
    store: options.store,
    checkpoints: options.checkpoints,
    from: options.from ?? 'beginning',
    retry: { ...FOLLOW_RETRY, ...retry },
    ...(batchSize === undefined ? {} : { batchSize }),
    ...(pollInterval === undefined ? {} : { pollInterval }),
    ...(recordFailure === undefined ? {} : { recordFailure }),
    ...(failureEvent === undefined ? {} : { failureEvent }),
    ...(notify === undefined ? {} : { notify }),
    ...(lease === undefined ? {} : { lease }),
    ...(random === undefined ? {} : { random }),
    handle: async (stored) => {
      const tx = creditTransactionOf(stored)
      if (tx === undefined) return
      const outcome = await payments.applyCredit(tx)()
      if (E.isLeft(outcome) && retried(outcome.left)) throw new PaymentsFailure(outcome.left)
    },
  }
  return createConsumer(consumer)
}
