/**
 * `@banksocket-webhooks/core`: the Banksocket webhook domain, on Web APIs only (runs unchanged on
 * Node, Deno, Cloudflare Workers and Bun).
 *
 * - Wire: {@link WireNotification} and the management API codecs.
 * - Authenticity: {@link sign}, {@link verify} (hex-then-base64, raw digest accepted, rotation).
 * - Receiving: {@link parseBody}, {@link receive}, and the {@link createInbox} pipeline with
 *   its HTTP contract ({@link answerFor}).
 * - Exact money: {@link parseAmount}, {@link formatMoney} (bigint minor units, never floats).
 * - Event sourcing: domain events, the subscription and ledger deciders, the {@link EventStore}
 *   port with an in-memory store, and the ledger projection.
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
  type ContentType,
  encodeForm,
  type Fields,
  MAX_FIELDS,
  MAX_JSON_DEPTH,
  parseBody,
  parseContentType,
} from './body.ts'
export {
  addLink,
  bridgeGap,
  type Chain,
  type ChainChange,
  type ChainGap,
  continuesHead,
  emptyChain,
  type Fragment,
  fitsChain,
  gapsOf,
  headOf,
  type Link,
  linkOf,
  type Placement,
} from './chain.ts'
export {
  AccountId,
  AccountSelector,
  AUTHENTICATED_FIELDS,
  type AuthenticatedField,
  AuthenticatedFieldsCodec,
  CreateWebhookInput,
  CreateWebhookResponse,
  Dc,
  DeleteWebhookResponse,
  EndpointUrl,
  NOTIFICATION_FIELDS,
  NonEmptyString,
  UNAUTHENTICATED_FIELDS,
  type UnauthenticatedField,
  UnauthenticatedFieldsCodec,
  Webhook,
  WebhookEvent,
  WebhookId,
  WireNotification,
} from './codecs.ts'
export {
  type CommandError,
  type CommandHandler,
  type CommandHandlerOptions,
  type CommandResult,
  createCommandHandler,
  DEFAULT_MAX_RETRIES,
  type DeciderSource,
  type VersionConflict,
} from './command.ts'
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
export {
  claimedDigest,
  constantTimeEqual,
  type HashVariant,
  type InvalidHash,
  type Sha256,
  type SignedFields,
  sign,
  signingInput,
  toHex,
  type Verified,
  verify,
  webCryptoSha256,
} from './hash.ts'
export { answerFor, type HttpAnswer, METHOD_NOT_ALLOWED, NOT_FOUND, rejectionAnswer } from './http.ts'
export { type IbanProblem, type IbanView, ibanView } from './iban.ts'
export {
  createInbox,
  DEFAULT_HANDLER_TIMEOUT,
  type Dispatch,
  HandlerTimeoutError,
  type Inbox,
  type InboxOptions,
  type Outcome,
  type Recorded,
  SHARED_STORE_ATTEMPTS,
} from './inbox.ts'
export { KeyIndex } from './keyindex.ts'
export {
  DEFAULT_DEDUPE_WINDOW,
  emptyLedgerState,
  expectedBalance,
  isUnobserved,
  type KeySeen,
  type LedgerCommand,
  type LedgerError,
  type LedgerOptions,
  type LedgerState,
  ledgerBalance,
  ledgerDecider,
  ledgerStream,
} from './ledger.ts'
export { LedgerStateCodec, type LedgerStateJson } from './ledger-state.ts'
export {
  AMOUNT_SYNTAX,
  addMoney,
  BALANCE_SYNTAX,
  currencyExponent,
  formatMoney,
  type InvalidAmount,
  type Money,
  parseAmount,
  parseBalance,
  subtractMoney,
  zero,
} from './money.ts'
export { type LedgerSummary, type OpenGap, parseLedgerStream, summarizeLedger, summarizeLedgers } from './projection.ts'
export {
  type AuthenticatedFields,
  DEFAULT_BODY_LIMIT,
  problemsOf,
  type ReceiveOptions,
  receive,
  receiveFields,
  type UnauthenticatedFields,
  type VerifiedTransaction,
} from './receive.ts'
export { invalidPayload, type PayloadProblem, type Rejection } from './rejection.ts'
export { assertSecrets, checkSecrets, type InvalidSecret, InvalidSecretError } from './secrets.ts'
export { isSharedStore, type KeyConflict, type RecordError, type Recording, type SharedLedgerStore, type StreamState } from './shared-store.ts'
export {
  checkReadOptions,
  createInMemoryEventStore,
  type EventStore,
  type ExpectedVersion,
  MAX_READ_LIMIT,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type StoreError,
  type StreamEvent,
  type StreamRead,
  unknownPosition,
  versionMatches,
} from './store.ts'
export {
  checkSubscribe,
  checkUnsubscribe,
  findSubscription,
  type Subscription,
  type SubscriptionCommand,
  type SubscriptionError,
  type SubscriptionSpec,
  type SubscriptionState,
  subscriptionDecider,
} from './subscription.ts'
