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
  parseBody,
  parseContentType,
  encodeForm,
  MAX_FIELDS,
  MAX_JSON_DEPTH,
  type Fields,
  type ContentType,
} from './body.ts'
export {
  AccountId,
  AccountSelector,
  AUTHENTICATED_FIELDS,
  CreateWebhookInput,
  CreateWebhookResponse,
  Dc,
  DeleteWebhookResponse,
  EndpointUrl,
  NonEmptyString,
  NOTIFICATION_FIELDS,
  UNAUTHENTICATED_FIELDS,
  Webhook,
  WebhookEvent,
  WebhookId,
  WireNotification,
} from './codecs.ts'
export { fold, type Decider } from './decider.ts'
export {
  addLink,
  bridgeGap,
  continuesHead,
  emptyChain,
  fitsChain,
  gapsOf,
  headOf,
  linkOf,
  type Chain,
  type ChainChange,
  type ChainGap,
  type Fragment,
  type Link,
  type Placement,
} from './chain.ts'
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
  digestHex,
  sign,
  signingInput,
  toHex,
  verify,
  webCryptoSha256,
  type HashVariant,
  type InvalidHash,
  type Sha256,
  type SignedFields,
  type Verified,
} from './hash.ts'
export { answerFor, clientErrorAnswer, METHOD_NOT_ALLOWED, NOT_FOUND, rejectionAnswer, TOO_LARGE, TRUNCATED_BODY, type HttpAnswer } from './http.ts'
export { ibanView, type IbanProblem, type IbanView } from './iban.ts'
export {
  createInbox,
  DEFAULT_HANDLER_TIMEOUT,
  HandlerTimeoutError,
  SHARED_STORE_ATTEMPTS,
  type Dispatch,
  type Inbox,
  type InboxOptions,
  type Outcome,
} from './inbox.ts'
export { KeyIndex } from './keyindex.ts'
export { LedgerStateCodec, type LedgerStateJson } from './ledger-state.ts'
export { isSharedStore, type KeyConflict, type RecordError, type Recording, type SharedLedgerStore, type StreamState } from './shared-store.ts'
export {
  DEFAULT_DEDUPE_WINDOW,
  emptyLedgerState,
  expectedBalance,
  isUnobserved,
  ledgerBalance,
  ledgerDecider,
  ledgerStream,
  type KeySeen,
  type LedgerCommand,
  type LedgerError,
  type LedgerOptions,
  type LedgerState,
} from './ledger.ts'
export {
  addMoney,
  AMOUNT_SYNTAX,
  BALANCE_SYNTAX,
  currencyExponent,
  formatMoney,
  Money,
  parseAmount,
  parseBalance,
  subtractMoney,
  zero,
  type InvalidAmount,
} from './money.ts'
export { parseLedgerStream, summarizeLedger, summarizeLedgers, type LedgerSummary, type OpenGap } from './projection.ts'
export {
  DEFAULT_BODY_LIMIT,
  problemsOf,
  receive,
  receiveFields,
  type AuthenticatedFields,
  type ReceiveOptions,
  type UnauthenticatedFields,
  type VerifiedTransaction,
} from './receive.ts'
export { assertSecrets, checkSecrets, InvalidSecretError, type InvalidSecret } from './secrets.ts'
export { invalidPayload, type PayloadProblem, type Rejection } from './rejection.ts'
export {
  checkSubscribe,
  checkUnsubscribe,
  findSubscription,
  subscriptionDecider,
  type Subscription,
  type SubscriptionCommand,
  type SubscriptionError,
  type SubscriptionSpec,
  type SubscriptionState,
} from './subscription.ts'
export {
  createInMemoryEventStore,
  versionMatches,
  type EventStore,
  type ExpectedVersion,
  type StoredEvent,
  type StoreError,
  type StreamRead,
} from './store.ts'
export {
  createCommandHandler,
  DEFAULT_MAX_RETRIES,
  type CommandError,
  type CommandHandler,
  type CommandHandlerOptions,
  type CommandResult,
  type DeciderSource,
  type VersionConflict,
} from './command.ts'
