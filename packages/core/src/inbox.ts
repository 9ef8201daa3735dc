/**
 * The inbox: everything a receiver decides, in one place, so that every runtime adapter only
 * translates HTTP. It receives a notification, looks its idempotency key up in the one key space
 * shared by every ledger, runs the account ledger decider (balance chain, repeats, suspected
 * replays), hands the resulting events to the application's handlers and waits for them (with a
 * timeout), appends the events to the store, and says what to answer. Duplicates are counted, never
 * stored.
 *
 * This module is the contract ({@link Outcome}, {@link Dispatch}, {@link Recorded},
 * {@link InboxOptions}, {@link Inbox}) and {@link createInbox}, which picks the implementation: the
 * in-process inbox (`local-inbox.ts`) or, for a store that declares itself shared, the shared-store
 * inbox (`shared-inbox.ts`). Both go through the same intake (`intake.ts`: parse, decode, verify,
 * count for `drain`), the same option defaults (`inbox-settings.ts`) and the same reading of a
 * ledger command's result (`inbox-ledger.ts`). docs/architecture.md follows one request through them.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { WebhookEvent } from './codecs.ts'
import type { LedgerEvent } from './events.ts'
import type { Fields } from './fields.ts'
import { settingsOf } from './inbox-settings.ts'
import type { LedgerState } from './ledger.ts'
import { createLocalInbox } from './local-inbox.ts'
import type { LedgerSummary } from './projection.ts'
import type { ReceiveOptions, VerifiedTransaction } from './receive.ts'
import type { Rejection } from './rejection.ts'
import { assertSecrets } from './secrets.ts'
import { createSharedInbox } from './shared-inbox.ts'
import { isShared, type SharedLedgerStore } from './shared-store.ts'
import type { EventStore, StoreError, StreamEvent } from './store.ts'
import type { MeterLike } from './telemetry.ts'

/**
 * What happened to one delivery.
 *
 * - `accepted`: verified, new (or a genuine repeat), handled and stored; `events` are the stored
 *   events: the `TransactionReceived`, preceded by a `BalanceGapDetected` or `UnobservedMovements`
 *   when it opened a gap, followed by `BalanceGapNarrowed` / `BalanceGapClosed` for gaps it filled.
 * - `duplicate`: verified, but already recorded; handlers saw only the `DuplicateIgnored` event,
 *   nothing was stored.
 * - `suspected_replay`: verified, older than the exact dedupe window and fitting nowhere in the
 *   balance chain; stored as `SuspectedReplay` for review, never handed to transaction handlers.
 * - `rejected`: refused before any handler ran.
 * - `handler_failed`: a handler threw, rejected or timed out; nothing was stored.
 * - `store_failed`: the store refused or failed the append; nothing was stored.
 * - `internal_error`: something below the application failed (a hasher that threw, say).
 *
 * @example
 * import type { Outcome } from '@banksocket-webhooks/core'
 * const label = (o: Outcome) => o._tag === 'accepted' ? o.transaction.verified.amount : o._tag
 */
export type Outcome =
  | Readonly<{ _tag: 'accepted'; transaction: VerifiedTransaction; events: ReadonlyArray<LedgerEvent> }>
  | Readonly<{ _tag: 'duplicate'; transaction: VerifiedTransaction; events: ReadonlyArray<LedgerEvent> }>
  | Readonly<{ _tag: 'suspected_replay'; transaction: VerifiedTransaction; events: ReadonlyArray<LedgerEvent> }>
  | Readonly<{ _tag: 'rejected'; rejection: Rejection }>
  | Readonly<{ _tag: 'handler_failed'; transaction: VerifiedTransaction; error: unknown }>
  | Readonly<{ _tag: 'store_failed'; transaction: VerifiedTransaction; error: StoreError }>
  | Readonly<{ _tag: 'internal_error'; error: unknown }>

/**
 * The application's side of a delivery: called with the events the ledger decided (and the
 * verified transaction) before anything is stored. Its Promise is awaited; a rejection or a
 * timeout makes the delivery fail with 500 so that Banksocket retries.
 *
 * `listensTo`, when given, says whether dispatching these events would call anything. On a shared
 * store the inbox then skips looking the key up before a write nobody would see beforehand (the
 * write checks the key itself): one round trip per notification instead of two. Without it, the
 * inbox assumes every dispatch is seen.
 *
 * @example
 * import type { Dispatch } from '@banksocket-webhooks/core/runtime-kit'
 * const dispatch: Dispatch = async (events) => { for (const e of events) console.log(e.type) }
 * const quiet: Dispatch = Object.assign(() => {}, { listensTo: () => false })
 */
export type Dispatch = ((events: ReadonlyArray<LedgerEvent>, transaction: VerifiedTransaction) => void | Promise<void>) &
  Readonly<{ listensTo?: (events: ReadonlyArray<LedgerEvent>) => boolean }>

/**
 * What one delivery recorded, as the `onRecorded` option of {@link InboxOptions} is told it once
 * the events are stored: the ledger's stream, the events with their versions in it, the verified
 * transaction, and the outcome (`accepted`, or `suspected_replay` for a replay held back for
 * review).
 *
 * @example
 * import type { Recorded } from '@banksocket-webhooks/core/runtime-kit'
 * const line = (r: Recorded) => `${r.stream}@${r.events.at(-1)?.version}: ${r.events.map((s) => s.event.type).join(', ')}`
 */
export type Recorded = Readonly<{
  outcome: 'accepted' | 'suspected_replay'
  stream: string
  /** The events as stored, each with its stream and 1-based version (what projections such as `summarizeLedgers` fold). */
  events: ReadonlyArray<StreamEvent<LedgerEvent>>
  transaction: VerifiedTransaction
}>

/**
 * An event of another kind a store may hold beside the ledgers' (a consumer's record of a failure,
 * say): the inbox takes a store typed with such events too, and never reads them as its own.
 *
 * @example
 * import type { ForeignEvent } from '@banksocket-webhooks/core'
 * const record: ForeignEvent = { type: 'ConsumerFailed', data: { consumer: 'forward' } }
 */
export type ForeignEvent = Readonly<{ type: string; data: unknown }>

/**
 * Options of {@link createInbox}: those of `receive` plus the store, the clock, the handler timeout,
 * the dedupe window, the webhook's event filter, a hook told what was recorded and a meter.
 *
 * @example
 * import type { InboxOptions } from '@banksocket-webhooks/core'
 * const options: InboxOptions = { secrets: ['s3cr3t'], handlerTimeout: 5_000, filter: 'NEW_CREDIT' }
 */
export type InboxOptions = ReceiveOptions &
  Readonly<{
    /**
     * Where ledger events are kept. Without one, the inbox keeps no history: only each ledger's
     * state (its balance chain and counts) and the dedupe window, in memory, so a long-running
     * receiver does not grow with every notification. Keeping every event is a choice:
     * `createInMemoryEventStore()` (tests), a file store or a database (durable history, and
     * deduplication that survives restarts). A store shared by several receivers (a
     * {@link SharedLedgerStore} whose state codec is `LedgerStateCodec`, such as the PostgreSQL
     * store) makes the inbox keep nothing between deliveries: see {@link createInbox}.
     * @default undefined: no history, ledger state in memory
     */
    store?: EventStore<LedgerEvent | ForeignEvent> | SharedLedgerStore<LedgerEvent | ForeignEvent, LedgerState>
    /** Milliseconds a dispatch may take before the delivery fails. @default 10000 */
    handlerTimeout?: number
    /**
     * With a store shared by several receivers: count duplicates in this process and write the
     * counts every this many milliseconds (one write per ledger that had any), instead of one write
     * per duplicate, so that a duplicate costs the database a read. The counts reach the other
     * receivers (their `ledgers()`, metrics) within that time and this inbox's `ledgers()` at once;
     * `drain()` writes what is pending, and a crash forgets at most that long of counts, never an
     * event, a key or a state. For a long-running process: it needs a timer, which a serverless
     * runtime may not run after its answer. Ignored without a shared store, and by a store that
     * cannot tell a duplicate to count without counting it (it counts each at once).
     * @default undefined: each duplicate counted by the write that met its key
     */
    duplicateCountInterval?: number
    /**
     * Idempotency keys remembered exactly, across every ledger: about 5.5 MB per 100,000 keys. Older
     * keys are remembered approximately (about 4 bytes each, under 1 % false positives), enough to
     * flag a replay. @default 100000
     */
    dedupeWindow?: number
    /**
     * The event filter of the webhook that delivers here: with `NEW_CREDIT` or `NEW_DEBIT` a
     * balance difference explained by the unseen direction is reported as unobserved movements,
     * not as a gap. @default 'NEW_TRANSACTION'
     */
    filter?: WebhookEvent
    /** The clock used for `receivedAt`. @default () => new Date() */
    now?: () => Date
    /**
     * Told what an `accepted` or `suspected_replay` delivery recorded, once its events are stored
     * (durably, for a durable store; without a store, once the ledger's state moved on) and before
     * its outcome resolves. Never for a duplicate or a failure. A throw is ignored: the events are
     * stored either way. @default undefined
     */
    onRecorded?: (recorded: Recorded) => void
    /**
     * Where to report metrics: an OpenTelemetry `Meter` (`@opentelemetry/api`, an optional peer
     * dependency) or anything shaped like one ({@link MeterLike}). The inbox counts notifications by
     * outcome (`banksocket.notifications`), gaps opened and closed (`banksocket.gaps.opened`,
     * `banksocket.gaps.closed`), observes the gaps open now (`banksocket.gaps.open`, read from its
     * ledgers at each collection; on a shared store, from the store) and times each store write
     * (`banksocket.store.append.duration`); a receiver adds the duration of each HTTP request
     * (`http.server.request.duration`). Without an SDK registered the API's meter does nothing.
     * Every inbox and receiver on one meter shares its instruments.
     *
     * ```ts
     * import { metrics } from '@opentelemetry/api'
     * createNodeReceiver({ secrets, meter: metrics.getMeter('banksocket-webhooks') })
     * ```
     * @default undefined: nothing is measured, and nothing is allocated for it per delivery
     */
    meter?: MeterLike
  }>

/**
 * A running inbox. See {@link createInbox}.
 *
 * @example
 * import type { Inbox } from '@banksocket-webhooks/core'
 * const status = async (inbox: Inbox, body: Uint8Array) =>
 *   (await inbox.deliver({ body, contentType: 'application/json' }, () => {}))._tag
 */
export interface Inbox {
  /**
   * Receives a raw body and processes it; resolves with the outcome once the handlers are done and
   * the events are stored. Never rejects.
   */
  deliver(input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>, dispatch: Dispatch): Promise<Outcome>
  /** Processes fields a framework's body parser has already parsed. Never rejects. */
  deliverFields(fields: Fields, dispatch: Dispatch): Promise<Outcome>
  /**
   * Summaries of every ledger: balance at the chain's head, totals, open gaps, and the duplicates
   * counted since the inbox started (duplicates are not stored).
   */
  ledgers(): Promise<E.Either<StoreError, ReadonlyMap<string, LedgerSummary>>>
  /** Resolves when every delivery under way has finished. */
  drain(): Promise<void>
  /** The store the inbox appends to; `undefined` when it was given none and keeps no history. */
  readonly store: EventStore<LedgerEvent> | undefined
}

/**
 * Creates an inbox: the shared receive pipeline with a balance-chain ledger per account and
 * currency, and one idempotency key space for all of them.
 *
 * - A delivery whose key was recorded by any ledger is a duplicate (answered `duplicate`, counted,
 *   not stored), whatever its unauthenticated `account_id` says; it is recorded again only as a
 *   genuine repeat, when it continues the head of the ledger that recorded it.
 * - Deliveries to the same ledger are processed one at a time in the order `deliver` was called
 *   (hashes are verified alongside); different ledgers proceed concurrently. A delivery whose key
 *   is being recorded elsewhere waits for that to finish.
 * - The store is read once, on the first delivery (every stream, for the key space, in pages of
 *   `MAX_READ_LIMIT` events), so a durable store makes deduplication and the balance chain survive
 *   restarts; a read that fails half-way loads nothing and the next delivery reads again. Without a
 *   store nothing is appended: each ledger keeps its state (balance chain, counts) and the key
 *   space its dedupe window, and no event is kept, so memory does not grow with every notification.
 *
 * With a store shared by several receivers (a {@link SharedLedgerStore} that says `shared: true`;
 * a store is shared because it declares it, never because of the methods it has), nothing is kept
 * in memory between deliveries, since other processes write too; the ledgers still run on core's
 * command handler, decided on the state just read and written with the store's `record`. Per
 * delivery (still one at a time per ledger within a process): look up the key's owner and read the
 * ledger's stored state (two queries, at once), decide (on the owner's ledger, as
 * `seen: 'recorded'`, when the key is recorded), dispatch, then `record` the events, the evolved
 * state and the key's claim in one transaction. The store arbitrates: a `KeyConflict` (another
 * receiver recorded the key first) is a duplicate, counted; a `VersionConflict` (another receiver
 * moved the ledger on) reads and decides again, at most `SHARED_STORE_ATTEMPTS` times, after a
 * random pause of up to 2 ms × the attempt; a store failure answers `store_failed` and nothing is
 * acknowledged. Handlers may therefore run more than once for one delivery (once per attempt), and
 * may see a decision the store then refuses.
 *
 * Throws an `InvalidSecretError` when a secret is missing, empty or only whitespace, and a
 * `TypeError` for a `duplicateCountInterval` that is not a positive number of milliseconds.
 *
 * @example
 * import { createInbox } from '@banksocket-webhooks/core'
 * const inbox = createInbox({ secrets: ['s3cr3t'] })
 * const outcome = await inbox.deliver(
 *   { body, contentType: 'application/x-www-form-urlencoded' },
 *   async (events) => { for (const e of events) console.log(e.type) },
 * )
 * outcome._tag // 'accepted' | 'duplicate' | 'suspected_replay' | 'rejected' | 'handler_failed' | 'store_failed' | 'internal_error'
 */
export const createInbox = (options: InboxOptions): Inbox => {
  assertSecrets(options.secrets)
  const settings = settingsOf(options)
  // The inbox reads and writes the `ledger-` streams only, whose events are all LedgerEvents; the
  // other events a store may hold (a consumer's records) are never handed to it as such.
  const store = options.store as EventStore<LedgerEvent> | SharedLedgerStore<LedgerEvent, LedgerState> | undefined
  return store !== undefined && isShared<LedgerEvent, LedgerState>(store)
    ? createSharedInbox(settings, store)
    : createLocalInbox(settings, store).inbox
}
