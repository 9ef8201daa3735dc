/**
 * Domain events, as tagged io-ts codecs: `Readonly<{ type, data }>` records that encode to plain JSON
 * (money stays in exact decimal strings).
 *
 * - Subscription stream: {@link WebhookCreated}, {@link WebhookDeleted}.
 * - Account ledger streams: {@link TransactionReceived}, {@link BalanceGapDetected},
 *   {@link BalanceGapNarrowed}, {@link BalanceGapClosed}, {@link UnobservedMovements},
 *   {@link SuspectedReplay}; {@link DuplicateIgnored} is handed to listeners, not stored.
 *
 * @module
 */
import * as t from 'io-ts'
import { AuthenticatedFieldsCodec, CreateWebhookInput, UnauthenticatedFieldsCodec, Webhook } from './codecs.ts'

const event = <T extends string, D extends t.Mixed>(type: T, data: D) => t.readonly(t.type({ type: t.literal(type), data: t.readonly(data) }), type)

/**
 * A webhook was registered at Banksocket: its id and the spec it was created with.
 *
 * @example
 * import { WebhookCreated } from '@banksocket-webhooks/core'
 * const e: WebhookCreated = { type: 'WebhookCreated', data: {
 *   webhook: { id: 1233, endpoint: 'https://shop.example/bs', title: 'orders' },
 *   spec: { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' } } }
 */
export const WebhookCreated = event('WebhookCreated', t.type({ webhook: Webhook, spec: CreateWebhookInput }))
/** @see {@link WebhookCreated} */
export type WebhookCreated = t.TypeOf<typeof WebhookCreated>

/**
 * A webhook was deleted at Banksocket.
 *
 * @example
 * import { WebhookDeleted } from '@banksocket-webhooks/core'
 * const e: WebhookDeleted = { type: 'WebhookDeleted', data: { id: 1233 } }
 */
export const WebhookDeleted = event('WebhookDeleted', t.type({ id: t.number }))
/** @see {@link WebhookDeleted} */
export type WebhookDeleted = t.TypeOf<typeof WebhookDeleted>

/**
 * Events of the subscription stream.
 *
 * @example
 * import { SubscriptionEvent } from '@banksocket-webhooks/core'
 * SubscriptionEvent.is({ type: 'WebhookDeleted', data: { id: 1 } }) // true
 */
export const SubscriptionEvent = t.union([WebhookCreated, WebhookDeleted], 'SubscriptionEvent')
/** @see {@link SubscriptionEvent} */
export type SubscriptionEvent = t.TypeOf<typeof SubscriptionEvent>

const transactionData = t.type({
  idempotencyKey: t.string,
  receivedAt: t.string,
  hash: t.string,
  verified: AuthenticatedFieldsCodec,
  unverified: UnauthenticatedFieldsCodec,
})

/**
 * A verified transaction, as stored: the exact authenticated strings apart from the unauthenticated
 * ones, the idempotency key, and when it was received (ISO 8601). `repeat: true` marks a genuine
 * repeat: a delivery whose idempotency key was already recorded but which continues the chain's
 * head exactly (Credit 100 / Debit 100 / Credit 100 with the same description), recorded again.
 *
 * @example
 * import { TransactionReceived } from '@banksocket-webhooks/core'
 * const e: TransactionReceived = { type: 'TransactionReceived', data: {
 *   idempotencyKey: '9f86d0...', receivedAt: '2026-11-23T10:00:00.000Z', hash: 'MTQy...',
 *   verified: { dc: 'Credit', code: 'EFT', amount: '100.00', balance: '18100.00', currency: 'TRY', description: 'SN:1' },
 *   unverified: { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' } } }
 */
export const TransactionReceived = event('TransactionReceived', t.intersection([transactionData, t.partial({ repeat: t.literal(true) })]))
/** @see {@link TransactionReceived} */
export type TransactionReceived = t.TypeOf<typeof TransactionReceived>

/**
 * A notification arrived again with an idempotency key already recorded; it was not processed
 * twice. Handed to the `duplicate` listeners, never stored: a replay costs no disk (the ledger
 * counts duplicates in memory). Stores written by version 0.1 may hold such events; they are read
 * and counted.
 *
 * @example
 * import { DuplicateIgnored } from '@banksocket-webhooks/core'
 * const e: DuplicateIgnored = { type: 'DuplicateIgnored', data: { idempotencyKey: '9f86d0...', accountId: '69', receivedAt: '2026-11-23T10:00:01.000Z' } }
 */
export const DuplicateIgnored = event('DuplicateIgnored', t.type({ idempotencyKey: t.string, accountId: t.string, receivedAt: t.string }))
/** @see {@link DuplicateIgnored} */
export type DuplicateIgnored = t.TypeOf<typeof DuplicateIgnored>

/**
 * The balance chain broke: this movement does not continue any chain fragment, so it starts one,
 * and a gap opens between the head (`from`, the balance the chain had reached) and where this
 * movement starts (`to`). `missing` is `to - from`: positive means money in that was never
 * notified, negative money out. `expectedBalance` (`from` ± this amount) and `actualBalance` (the
 * notification's balance) say the same from the movement's side. `gapId` names the gap in later
 * {@link BalanceGapNarrowed} and {@link BalanceGapClosed} events.
 *
 * @example
 * import { BalanceGapDetected } from '@banksocket-webhooks/core'
 * const e: BalanceGapDetected = { type: 'BalanceGapDetected', data: { accountId: '69', currency: 'TRY', gapId: 1,
 *   from: '18100.00', to: '18350.00', missing: '250.00', previousKey: 'aa..', idempotencyKey: 'bb..',
 *   expectedBalance: '18100.00', actualBalance: '18350.00' } }
 */
export const BalanceGapDetected = event(
  'BalanceGapDetected',
  t.type({
    accountId: t.string,
    currency: t.string,
    gapId: t.number,
    from: t.string,
    to: t.string,
    missing: t.string,
    previousKey: t.string,
    idempotencyKey: t.string,
    expectedBalance: t.string,
    actualBalance: t.string,
  }),
)
/** @see {@link BalanceGapDetected} */
export type BalanceGapDetected = t.TypeOf<typeof BalanceGapDetected>

const gapChange = t.type({
  accountId: t.string,
  currency: t.string,
  gapId: t.number,
  idempotencyKey: t.string,
  from: t.string,
  to: t.string,
  missing: t.string,
})

/**
 * A late movement filled part of an open gap: the gap `gapId` now runs from `from` to `to` and
 * `missing` (`to - from`) is what is still unaccounted for. `idempotencyKey` is the delivery that
 * filled it.
 *
 * @example
 * import { BalanceGapNarrowed } from '@banksocket-webhooks/core'
 * const e: BalanceGapNarrowed = { type: 'BalanceGapNarrowed', data: { accountId: '69', currency: 'TRY', gapId: 1,
 *   idempotencyKey: 'cc..', from: '18200.00', to: '18350.00', missing: '150.00' } }
 */
export const BalanceGapNarrowed = event('BalanceGapNarrowed', gapChange)
/** @see {@link BalanceGapNarrowed} */
export type BalanceGapNarrowed = t.TypeOf<typeof BalanceGapNarrowed>

/**
 * A late movement closed an open gap: `from`, `to` and `missing` are the gap as it was just before
 * the delivery `idempotencyKey` filled it. No money is unaccounted for there any more.
 *
 * @example
 * import { BalanceGapClosed } from '@banksocket-webhooks/core'
 * const e: BalanceGapClosed = { type: 'BalanceGapClosed', data: { accountId: '69', currency: 'TRY', gapId: 1,
 *   idempotencyKey: 'cc..', from: '1100.00', to: '1150.00', missing: '50.00' } }
 */
export const BalanceGapClosed = event('BalanceGapClosed', gapChange)
/** @see {@link BalanceGapClosed} */
export type BalanceGapClosed = t.TypeOf<typeof BalanceGapClosed>

/**
 * On a ledger told that its webhook sees one direction only (`NEW_CREDIT` or `NEW_DEBIT`), a break
 * in the chain that the unseen direction explains: a balance drop between credits, a rise between
 * debits. Not a missed notification; `net` (`to - from`) is what the unseen movements add up to.
 *
 * @example
 * import { UnobservedMovements } from '@banksocket-webhooks/core'
 * const e: UnobservedMovements = { type: 'UnobservedMovements', data: { accountId: '69', currency: 'TRY', gapId: 2,
 *   filter: 'NEW_CREDIT', from: '1100.00', to: '1050.00', net: '-50.00', previousKey: 'aa..', idempotencyKey: 'bb..' } }
 */
export const UnobservedMovements = event(
  'UnobservedMovements',
  t.type({
    accountId: t.string,
    currency: t.string,
    gapId: t.number,
    filter: t.keyof({ NEW_CREDIT: null, NEW_DEBIT: null }),
    from: t.string,
    to: t.string,
    net: t.string,
    previousKey: t.string,
    idempotencyKey: t.string,
  }),
)
/** @see {@link UnobservedMovements} */
export type UnobservedMovements = t.TypeOf<typeof UnobservedMovements>

/**
 * A verified notification whose key is older than the exact dedupe window (the key history says
 * it was probably seen) and which fits nowhere in the balance chain: most likely a replay of an old
 * notification. It is stored for review, held back from the `transaction`, `credit` and `debit`
 * listeners, and its key is remembered, so it is reported once.
 *
 * @example
 * import { SuspectedReplay } from '@banksocket-webhooks/core'
 * const isOld = (e: SuspectedReplay) => e.data.verified.amount
 */
export const SuspectedReplay = event('SuspectedReplay', transactionData)
/** @see {@link SuspectedReplay} */
export type SuspectedReplay = t.TypeOf<typeof SuspectedReplay>

/**
 * Events of an account ledger stream.
 *
 * @example
 * import { LedgerEvent } from '@banksocket-webhooks/core'
 * LedgerEvent.decode(JSON.parse(line)) // Right(event) or Left(errors)
 */
export const LedgerEvent = t.union(
  [TransactionReceived, BalanceGapDetected, BalanceGapNarrowed, BalanceGapClosed, UnobservedMovements, SuspectedReplay, DuplicateIgnored],
  'LedgerEvent',
)
/** @see {@link LedgerEvent} */
export type LedgerEvent = t.TypeOf<typeof LedgerEvent>

/**
 * Every domain event of the toolkit.
 *
 * @example
 * import { DomainEvent } from '@banksocket-webhooks/core'
 * DomainEvent.is({ type: 'WebhookDeleted', data: { id: 1 } }) // true
 */
export const DomainEvent = t.union(
  [
    WebhookCreated,
    WebhookDeleted,
    TransactionReceived,
    BalanceGapDetected,
    BalanceGapNarrowed,
    BalanceGapClosed,
    UnobservedMovements,
    SuspectedReplay,
    DuplicateIgnored,
  ],
  'DomainEvent',
)
/** @see {@link DomainEvent} */
export type DomainEvent = t.TypeOf<typeof DomainEvent>
