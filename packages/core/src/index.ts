/**
 * `@banksocket-webhooks/core`: the Banksocket webhook domain, on Web APIs only (runs unchanged on
 * Node, Deno, Cloudflare Workers and Bun). This root entry is what an application uses:
 *
 * - Wire: {@link WireNotification} and the management API codecs.
 * - Authenticity: {@link sign}, {@link verify} (hex-then-base64, raw digest accepted, rotation).
 * - Receiving: {@link receive} and the {@link createInbox} pipeline.
 * - Exact money: {@link parseAmount}, {@link formatMoney} (bigint minor units, never floats).
 * - Event sourcing: domain events, the subscription and ledger deciders, the command handler, the
 *   {@link EventStore} port with an in-memory store, and the ledger projection.
 *
 * What only implementers need lives on documented subpaths:
 * `@banksocket-webhooks/core/store-kit` (writing an event store, shared or not),
 * `@banksocket-webhooks/core/runtime-kit` (writing a receiver or a runtime adapter) and
 * `@banksocket-webhooks/core/chain` (the balance chain's algebra, which the ledger decider uses).
 *
 * @example
 * import { receive } from '@banksocket-webhooks/core'
 * import { pipe } from 'fp-ts/lib/function.js'
 * import * as TE from 'fp-ts/lib/TaskEither.js'
 *
 * const result = await pipe(
 *   receive({ body, contentType }, { secrets: [secret] }),
 *   TE.map((tx) => tx.amount),
 * )()
 *
 * @packageDocumentation
 */

export {
  AccountId,
  AccountSelector,
  AUTHENTICATED_FIELDS,
  CreateWebhookInput,
  CreateWebhookResponse,
  Dc,
  DeleteWebhookResponse,
  UNAUTHENTICATED_FIELDS,
  Webhook,
  WebhookEvent,
  WebhookId,
  WireNotification,
} from './codecs.ts'
export { type CommandError, type CommandHandler, createCommandHandler } from './command.ts'
export { type Decider, fold } from './decider.ts'
export {
  BalanceGapClosed,
  BalanceGapDetected,
  BalanceGapNarrowed,
  DomainEvent,
  DuplicateIgnored,
  LedgerEvent,
  SubscriptionEvent,
  SuspectedReplay,
  TransactionReceived,
  UnobservedMovements,
  WebhookCreated,
  WebhookDeleted,
} from './events.ts'
export { encodeForm } from './form.ts'
export { type Sha256, type SignedFields, sign, verify, webCryptoSha256 } from './hash.ts'
export { type IbanProblem, type IbanView, ibanView } from './iban.ts'
export { createInbox, type ForeignEvent, type Inbox, type InboxOptions, type Outcome } from './inbox.ts'
export { type LedgerCommand, type LedgerError, type LedgerOptions, type LedgerState, ledgerDecider, ledgerStream } from './ledger.ts'
export {
  addMoney,
  currencyExponent,
  formatMoney,
  type InvalidAmount,
  type Money,
  parseAmount,
  parseBalance,
  subtractMoney,
  zero,
} from './money.ts'
export { type LedgerSummary, type OpenGap, summarizeLedgers } from './projection.ts'
export {
  type AuthenticatedFields,
  type ReceiveOptions,
  receive,
  type UnauthenticatedFields,
  type VerifiedTransaction,
} from './receive.ts'
export type { PayloadProblem, Rejection } from './rejection.ts'
export { checkSecrets, InvalidSecretError } from './secrets.ts'
export { createInMemoryEventStore, type EventStore, type StoredEvent, type StoreError, type StreamEvent } from './store.ts'
export {
  type Subscription,
  type SubscriptionCommand,
  type SubscriptionError,
  type SubscriptionSpec,
  type SubscriptionState,
  subscriptionDecider,
} from './subscription.ts'
export type { MeterLike, MetricAttributes } from './telemetry.ts'
