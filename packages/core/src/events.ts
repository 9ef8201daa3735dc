/**
 * Domain events, as tagged io-ts codecs: `Readonly<{ type, data }>` records that encode to plain JSON
 * (money stays in exact decimal strings).
 *
 * - Subscription stream: {@link WebhookCreated}, {@link WebhookDeleted}.
 * - Account ledger streams: {@link TransactionReceived}, {@link DuplicateIgnored}, {@link BalanceGapDetected}.
 *
 * @module
 */
import * as t from 'io-ts'
import { CreateWebhookInput, Dc, Webhook } from './codecs.ts'

const event = <T extends string, D extends t.Mixed>(type: T, data: D) =>
  t.readonly(t.type({ type: t.literal(type), data: t.readonly(data) }), type)

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

/**
 * A verified transaction, as stored: the exact authenticated strings apart from the unauthenticated
 * ones, the idempotency key, and when it was received (ISO 8601).
 *
 * @example
 * import { TransactionReceived } from '@banksocket-webhooks/core'
 * const e: TransactionReceived = { type: 'TransactionReceived', data: {
 *   idempotencyKey: '9f86d0...', receivedAt: '2026-11-23T10:00:00.000Z', hash: 'MTQy...',
 *   verified: { dc: 'Credit', code: 'EFT', amount: '100.00', balance: '18100.00', currency: 'TRY', description: 'SN:1' },
 *   unverified: { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' } } }
 */
export const TransactionReceived = event(
  'TransactionReceived',
  t.type({
    idempotencyKey: t.string,
    receivedAt: t.string,
    hash: t.string,
    verified: t.type({
      dc: Dc,
      code: t.string,
      amount: t.string,
      balance: t.string,
      currency: t.string,
      description: t.string,
    }),
    unverified: t.type({
      account_id: t.string,
      account: t.string,
      bank: t.string,
      opponent_id: t.string,
      opponent_iban: t.string,
    }),
  }),
)
/** @see {@link TransactionReceived} */
export type TransactionReceived = t.TypeOf<typeof TransactionReceived>

/**
 * A notification arrived again with an idempotency key already recorded; it was not processed twice.
 *
 * @example
 * import { DuplicateIgnored } from '@banksocket-webhooks/core'
 * const e: DuplicateIgnored = { type: 'DuplicateIgnored', data: { idempotencyKey: '9f86d0...', accountId: '69', receivedAt: '2026-11-23T10:00:01.000Z' } }
 */
export const DuplicateIgnored = event(
  'DuplicateIgnored',
  t.type({ idempotencyKey: t.string, accountId: t.string, receivedAt: t.string }),
)
/** @see {@link DuplicateIgnored} */
export type DuplicateIgnored = t.TypeOf<typeof DuplicateIgnored>

/**
 * The running balance did not continue: `previous balance ± amount` should have been
 * `expectedBalance`, but the notification says `actualBalance`. `missing` is their signed
 * difference (`actual - expected`): positive means money in that was never notified, negative money
 * out. A gap means a notification was missed, reordered or duplicated upstream.
 *
 * @example
 * import { BalanceGapDetected } from '@banksocket-webhooks/core'
 * const e: BalanceGapDetected = { type: 'BalanceGapDetected', data: { accountId: '69', currency: 'TRY',
 *   previousKey: 'aa..', idempotencyKey: 'bb..', expectedBalance: '18100.00', actualBalance: '18350.00', missing: '250.00' } }
 */
export const BalanceGapDetected = event(
  'BalanceGapDetected',
  t.type({
    accountId: t.string,
    currency: t.string,
    previousKey: t.string,
    idempotencyKey: t.string,
    expectedBalance: t.string,
    actualBalance: t.string,
    missing: t.string,
  }),
)
/** @see {@link BalanceGapDetected} */
export type BalanceGapDetected = t.TypeOf<typeof BalanceGapDetected>

/**
 * Events of an account ledger stream.
 *
 * @example
 * import { LedgerEvent } from '@banksocket-webhooks/core'
 * LedgerEvent.decode(JSON.parse(line)) // Right(event) or Left(errors)
 */
export const LedgerEvent = t.union([TransactionReceived, DuplicateIgnored, BalanceGapDetected], 'LedgerEvent')
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
  [WebhookCreated, WebhookDeleted, TransactionReceived, DuplicateIgnored, BalanceGapDetected],
  'DomainEvent',
)
/** @see {@link DomainEvent} */
export type DomainEvent = t.TypeOf<typeof DomainEvent>
