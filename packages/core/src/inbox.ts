/**
 * The inbox: everything a receiver decides, in one place, so that every runtime adapter only
 * translates HTTP. It receives a notification, looks its idempotency key up in the one key space
 * shared by every ledger, runs the account ledger decider (balance chain, repeats, suspected
 * replays), hands the resulting events to the application's handlers and waits for them (with a
 * timeout), appends the events to the store, and says what to answer. Duplicates are counted, never
 * stored.
 *
 * Order of work, per account ledger (one at a time, in arrival order):
 * decide → handlers → append → answer. The ledgers run on core's command handler (`command.ts`:
 * read, decide, append with the expected version), with each ledger's state cached between
 * deliveries and the handlers run between the decision and the append. A handler failure appends nothing and answers 500, so
 * Banksocket retries and the retry is processed afresh; a 200 is answered only once the store
 * says the events are appended (durable, for a durable store), and any re-delivery is then a
 * duplicate. The next delivery for the same ledger may start while the previous append is still
 * being made durable: the store fixes an append's place when it starts.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Fields } from './body.ts'
import type { WebhookEvent } from './codecs.ts'
import { Appending, type CommandResult, createCommandRunner, type RunError, type StateAt, settle } from './command.ts'
import type { DuplicateIgnored, LedgerEvent, SuspectedReplay, TransactionReceived } from './events.ts'
import { KeyIndex } from './keyindex.ts'
import { DEFAULT_DEDUPE_WINDOW, type KeySeen, type LedgerCommand, type LedgerError, type LedgerState, ledgerDecider, ledgerStream } from './ledger.ts'
import { type LedgerSummary, parseLedgerStream, summarizeLedger } from './projection.ts'
import {
  DEFAULT_BODY_LIMIT,
  type DecodedNotification,
  decodeNotification,
  parseNotification,
  type ReceiveOptions,
  type VerifiedTransaction,
  verifyDecoded,
} from './receive.ts'
import type { Rejection } from './rejection.ts'
import { assertSecrets } from './secrets.ts'
import { isSharedStore, type RecordError, type SharedLedgerStore } from './shared-store.ts'
import { type EventStore, MAX_READ_LIMIT, type StoreError, type StreamEvent } from './store.ts'

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
 * @example
 * import type { Dispatch } from '@banksocket-webhooks/core/runtime-kit'
 * const dispatch: Dispatch = async (events) => { for (const e of events) console.log(e.type) }
 */
export type Dispatch = (events: ReadonlyArray<LedgerEvent>, transaction: VerifiedTransaction) => void | Promise<void>

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
 * Options of {@link createInbox}: those of `receive` plus the store, the clock, the handler timeout,
 * the dedupe window, the webhook's event filter and a hook told what was recorded.
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
    store?: EventStore<LedgerEvent> | SharedLedgerStore<LedgerEvent, LedgerState>
    /** Milliseconds a dispatch may take before the delivery fails. @default 10000 */
    handlerTimeout?: number
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
  /** Receives a raw body and processes it. Never rejects. */
  deliver(input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>, dispatch: Dispatch): Promise<Outcome>
  /** Processes fields a framework's body parser has already parsed. Never rejects. */
  deliverFields(fields: Fields, dispatch: Dispatch): Promise<Outcome>
  /**
   * What `deliver` does, answering with the outcome itself when the delivery finished without
   * waiting for anything (no store, a synchronous hasher such as node:crypto, synchronous
   * listeners), and with a Promise of it otherwise; so a runtime adapter that writes the answer at
   * once spares a trip through the microtask queue. Never throws, never rejects.
   */
  process(input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>, dispatch: Dispatch): Outcome | Promise<Outcome>
  /** What `deliverFields` does, answering as {@link Inbox.process} does. Never throws, never rejects. */
  processFields(fields: Fields, dispatch: Dispatch): Outcome | Promise<Outcome>
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
 * The default time a handler may take: 10 seconds.
 *
 * @example
 * import { DEFAULT_HANDLER_TIMEOUT } from '@banksocket-webhooks/core/runtime-kit'
 * DEFAULT_HANDLER_TIMEOUT // 10000
 */
export const DEFAULT_HANDLER_TIMEOUT = 10_000

/**
 * A handler ran longer than the timeout.
 *
 * @example
 * import { HandlerTimeoutError } from '@banksocket-webhooks/core/runtime-kit'
 * new HandlerTimeoutError(10_000).message // 'handler did not finish within 10000 ms'
 */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError'
  constructor(readonly timeout: number) {
    super(`handler did not finish within ${timeout} ms`)
  }
}

type Ledger = StateAt<LedgerState>

/** What the ledgers' command runner answers for one delivery. */
type LedgerRun = E.Either<RunError<LedgerError>, CommandResult<LedgerEvent, LedgerState> | Appending<LedgerEvent, LedgerState, LedgerError>>

/**
 * An outcome still waiting for something (the store's append, a delivery of the same key under
 * way elsewhere) once its ledger's turn is over: the ledger may take its next delivery meanwhile.
 */
class Later {
  constructor(readonly outcome: Promise<Outcome>) {}
}

/** The result of a ledger turn: the outcome itself when it is known, or one that comes {@link Later}. */
type Turn = Outcome | Later

/** A verification that threw or rejected (a failing hasher): answered as an internal error. */
type Thrown = Readonly<{ _tag: 'Thrown'; error: unknown }>

type Verification = E.Either<Rejection, VerifiedTransaction> | Thrown

const outcomeOf = (turn: Turn): Outcome | Promise<Outcome> => (turn instanceof Later ? turn.outcome : turn)

const later = (outcome: Outcome | Promise<Outcome>): Turn => (outcome instanceof Promise ? new Later(outcome) : outcome)

/**
 * A key being recorded: by which ledger, and who waits for its outcome. Taken only while the
 * outcome is not known yet (an asynchronous dispatch, an append to the store); a delivery of the
 * same notification to another ledger meanwhile waits, then looks again, so two ledgers never both
 * accept it and a failed attempt leaves the key free for the retry.
 */
type Claim = { readonly stream: string; waiting: Array<() => void> | undefined }

const isThenable = <A>(value: A | PromiseLike<A>): value is PromiseLike<A> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'

const HANDLED: E.Either<unknown, void> = E.right(undefined)

/** Whether recording an event records its idempotency key: a new or suspected transaction's (a repeat's is there already). */
const recordsKey = (event: LedgerEvent): event is TransactionReceived | SuspectedReplay =>
  event.type === 'TransactionReceived' || event.type === 'SuspectedReplay'

/** What the ledgers append: every event but a duplicate's, which is counted in the state and never stored. */
const isStored = (event: LedgerEvent): boolean => event.type !== 'DuplicateIgnored'

/**
 * Runs the dispatch: its result at once when it returned synchronously (no timer, no microtask),
 * or a Promise that settles when it does or when the timeout fires, whichever comes first.
 */
const runWithTimeout = (
  dispatch: Dispatch,
  events: ReadonlyArray<LedgerEvent>,
  transaction: VerifiedTransaction,
  timeout: number,
): E.Either<unknown, void> | Promise<E.Either<unknown, void>> => {
  let result: void | Promise<void>
  try {
    result = dispatch(events, transaction)
  } catch (error) {
    return E.left(error)
  }
  if (!isThenable(result)) return HANDLED
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(E.left(new HandlerTimeoutError(timeout))), timeout)
    Promise.resolve(result).then(
      () => {
        clearTimeout(timer)
        resolve(HANDLED)
      },
      (error: unknown) => {
        clearTimeout(timer)
        resolve(E.left(error))
      },
    )
  })
}

/** `receivedAt`: from the `now` option, or the system clock, formatted once per millisecond. */
const clockOf = (now: (() => Date) | undefined): (() => string) => {
  let lastMs = Number.NaN
  let lastIso = ''
  return () => {
    if (now !== undefined) return now().toISOString()
    const ms = Date.now()
    if (ms !== lastMs) {
      lastMs = ms
      lastIso = new Date(ms).toISOString()
    }
    return lastIso
  }
}

/**
 * The `onRecorded` hook as the inbox calls it: each event with its version (the last one's is
 * `version`), a throw ignored; nothing at all when there is no hook.
 */
const recordedHook = (onRecorded: ((recorded: Recorded) => void) | undefined) =>
  onRecorded === undefined
    ? undefined
    : (stream: string, events: ReadonlyArray<LedgerEvent>, version: number, transaction: VerifiedTransaction): void => {
        const first = version - events.length
        try {
          onRecorded({
            outcome: events[0]?.type === 'SuspectedReplay' ? 'suspected_replay' : 'accepted',
            stream,
            events: events.map((event, i) => ({ stream, version: first + i + 1, event })),
            transaction,
          })
        } catch {
          // the events are stored: a failing hook cannot undo that
        }
      }

/**
 * Counts deliveries under way for `drain`: `run` wraps one delivery (any throw or rejection becomes
 * an `internal_error`) and hands its outcome on as it came, itself when the delivery finished
 * synchronously; `drain` resolves when none is left.
 */
const deliveries = () => {
  let active = 0
  let idle: Array<() => void> = []
  const finished = (outcome: Outcome): Outcome => {
    if (--active === 0 && idle.length > 0) {
      const waiting = idle
      idle = []
      for (const resolve of waiting) resolve()
    }
    return outcome
  }
  const failed = (error: unknown): Outcome => finished({ _tag: 'internal_error', error })
  const run = <A>(work: (input: A, dispatch: Dispatch) => Outcome | Promise<Outcome>, input: A, dispatch: Dispatch): Outcome | Promise<Outcome> => {
    active++
    let outcome: Outcome | Promise<Outcome>
    try {
      outcome = work(input, dispatch)
    } catch (error) {
      return failed(error)
    }
    return outcome instanceof Promise ? outcome.then(finished, failed) : finished(outcome)
  }
  const drain = (): Promise<void> => (active === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve)))
  return { run, drain }
}

/** A Promise of the outcome, for `deliver`, whether it is known already or not. */
const eventually = (outcome: Outcome | Promise<Outcome>): Promise<Outcome> => (outcome instanceof Promise ? outcome : Promise.resolve(outcome))

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
 *   {@link MAX_READ_LIMIT} events), so a durable store makes deduplication and the balance chain
 *   survive restarts; a read that fails half-way loads nothing and the next delivery reads again. Without a store
 *   nothing is appended: each ledger keeps its state (balance chain, counts) and the key space its
 *   dedupe window, and no event is kept, so memory does not grow with every notification.
 *
 * With a store shared by several receivers ({@link isSharedStore}), nothing is kept in memory
 * between deliveries, since other processes write too; the ledgers still run on core's command
 * handler, decided on the state just read and written with the store's `record`. Per delivery (still one at a time per ledger
 * within a process): look up the key's owner and read the ledger's stored state (two queries, at
 * once), decide (on the owner's ledger, as `seen: 'recorded'`, when the key is recorded), dispatch,
 * then `record` the events, the evolved state and the key's claim in one transaction. The store
 * arbitrates: a `KeyConflict` (another receiver recorded the key first) is a duplicate, counted; a
 * `VersionConflict` (another receiver moved the ledger on) reads and decides again, at most
 * {@link SHARED_STORE_ATTEMPTS} times, after a random pause of up to 2 ms × the attempt; a store
 * failure answers `store_failed` and nothing is acknowledged. Handlers may therefore run more than
 * once for one delivery (once per attempt), and may see a decision the store then refuses.
 *
 * Throws an `InvalidSecretError` when a secret is missing, empty or only whitespace.
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
  const store = options.store
  if (store !== undefined && isSharedStore<LedgerEvent, LedgerState>(store)) return createSharedInbox(options, store)
  const timeout = options.handlerTimeout ?? DEFAULT_HANDLER_TIMEOUT
  const limit = options.limit ?? DEFAULT_BODY_LIMIT
  const filter = options.filter ?? 'NEW_TRANSACTION'
  const receivedAt = clockOf(options.now)
  const decider = ledgerDecider({ filter })
  const recorded = recordedHook(options.onRecorded)
  const window = options.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW
  let keys = new KeyIndex(window)
  /** Keys claimed by a delivery under way (decided, not yet answered). */
  const pendingKeys = new Map<string, Claim>()
  const ledgers = new Map<string, Ledger>()
  /** The turn under way per ledger, when one is: later deliveries to that ledger wait for it. */
  const queues = new Map<string, Promise<unknown>>()

  /** Keys an append records: a new or suspected transaction's (a repeat's is already there). */
  const recordKeys = (stream: string, events: ReadonlyArray<LedgerEvent>): void => {
    for (const event of events) if (recordsKey(event)) keys.record(event.data.idempotencyKey, stream)
  }

  /**
   * Reads every stream once, before the first delivery, in pages of {@link MAX_READ_LIMIT} events:
   * the ledgers and the key space.
   */
  let loading: Promise<E.Either<StoreError, void>> | undefined
  let loaded = store === undefined
  const readEverything = async (from: EventStore<LedgerEvent>): Promise<E.Either<StoreError, void>> => {
    // Folded aside and taken over only once every page is read: a failed read leaves nothing half loaded.
    const read = new Map<string, Ledger>()
    const index = new KeyIndex(window)
    for (let after = 0; ; ) {
      const page = await from.readAll({ after, limit: MAX_READ_LIMIT })()
      if (E.isLeft(page)) return page
      if (page.right.length === 0) break
      for (const { stream, event, position } of page.right) {
        after = position
        if (!stream.startsWith('ledger-')) continue
        const ledger = read.get(stream) ?? { state: decider.initialState, version: 0 }
        ledger.state = decider.evolve(ledger.state, event)
        ledger.version++
        read.set(stream, ledger)
        if (recordsKey(event)) index.record(event.data.idempotencyKey, stream)
      }
    }
    for (const [stream, ledger] of read) ledgers.set(stream, ledger)
    keys = index
    return E.right(undefined)
  }
  const load = (): Promise<E.Either<StoreError, void>> => {
    if (store === undefined) return Promise.resolve(E.right(undefined))
    loading ??= readEverything(store)
      .then((all) => {
        if (E.isLeft(all)) loading = undefined
        else loaded = true
        return all
      })
      .catch((error: unknown): E.Either<StoreError, void> => {
        loading = undefined
        return E.left(storeFailure(error))
      })
    return loading
  }

  /**
   * The ledgers' command handler (core's one: read, decide, append with the expected version):
   * each ledger's state is cached in `ledgers` between deliveries and read again from the store
   * after a failed append; a duplicate's event only moves the state on (it is counted, not stored);
   * a lost race is not retried here but answered `store_failed`, so that Banksocket delivers again.
   */
  const runner = createCommandRunner<LedgerCommand, LedgerEvent, LedgerState, LedgerError>({
    store,
    decider,
    maxRetries: 0,
    cache: ledgers,
    keep: isStored,
  })

  const storeFailure = (error: unknown): StoreError => ({
    _tag: 'StoreFailure',
    message: error instanceof Error ? error.message : String(error),
  })

  /** Takes `key` for a delivery from its decision until its outcome (see {@link Claim}). */
  const claim = (key: string, stream: string): Claim => {
    const taken: Claim = { stream, waiting: undefined }
    pendingKeys.set(key, taken)
    return taken
  }

  /** Gives `key` back: deliveries that waited for it look again. */
  const release = (key: string, taken: Claim | undefined): void => {
    if (taken === undefined) return
    if (pendingKeys.get(key) === taken) pendingKeys.delete(key)
    const waiting = taken.waiting
    if (waiting === undefined) return
    taken.waiting = undefined
    for (const wake of waiting) wake()
  }

  /** Resolves once the delivery holding the claim has its outcome. */
  const released = (taken: Claim): Promise<void> =>
    new Promise<void>((resolve) => {
      if (taken.waiting === undefined) taken.waiting = [resolve]
      else taken.waiting.push(resolve)
    })

  /**
   * What a ledger's command came to, as the delivery's outcome: keys recorded and `onRecorded` told
   * for what was recorded, the key's claim given back whatever happened. A duplicate appended
   * nothing (its event only counted it in the ledger's state).
   */
  const settled = (
    transaction: VerifiedTransaction,
    result: E.Either<RunError<LedgerError>, CommandResult<LedgerEvent, LedgerState>>,
    taken: Claim | undefined,
  ): Outcome => {
    const key = transaction.idempotencyKey
    if (E.isLeft(result)) {
      release(key, taken)
      const failure = result.left
      switch (failure._tag) {
        case 'Aborted':
          return { _tag: 'handler_failed', transaction, error: failure.error }
        case 'DomainError':
          return { _tag: 'rejected', rejection: { _tag: 'invalid_payload', details: [{ path: 'amount', message: failure.error.reason }] } }
        case 'StoreError':
          return { _tag: 'store_failed', transaction, error: failure.error }
        case 'RetriesExhausted':
          return { _tag: 'store_failed', transaction, error: failure.conflict }
      }
    }
    const { stream, events, nextVersion } = result.right
    const first = events[0]
    if (first?.type === 'DuplicateIgnored') {
      release(key, taken)
      return { _tag: 'duplicate', transaction, events }
    }
    try {
      recordKeys(stream, events)
    } finally {
      release(key, taken)
    }
    recorded?.(stream, events, nextVersion, transaction)
    return { _tag: first?.type === 'SuspectedReplay' ? 'suspected_replay' : 'accepted', transaction, events }
  }

  /**
   * A ledger's turn for one verified delivery: look the key up, then run the ledger's command
   * (decide, dispatch, start the append). A key recorded by another ledger, or being recorded,
   * sends the delivery there (after the recording settles). Synchronous as long as the listeners
   * are and nothing is appended; a Promise when a listener returned one. The append's place in the
   * stream is fixed when it starts, so the turn passes to the next delivery then, and this one
   * waits for durability {@link Later} (a file store syncs many deliveries at once). A key is
   * claimed only while its outcome is not known yet: across an asynchronous dispatch or an append.
   */
  const record = (verification: Verification, dispatch: Dispatch, stream: string): Turn | Promise<Turn> => {
    if (verification._tag === 'Thrown') return { _tag: 'internal_error', error: verification.error }
    if (E.isLeft(verification)) return { _tag: 'rejected', rejection: verification.left }
    const transaction = verification.right
    const key = transaction.idempotencyKey
    const pending = pendingKeys.get(key)
    if (pending !== undefined) {
      const retry = () => enqueueVerified(verification, dispatch, keys.owner(key) ?? stream)
      return new Later(released(pending).then(retry))
    }
    const owner = keys.owner(key)
    if (owner !== undefined && owner !== stream) return later(enqueueVerified(verification, dispatch, owner))
    const seen: KeySeen | undefined = owner !== undefined ? 'recorded' : keys.maybeSeen(key) ? 'maybe' : undefined
    const data: TransactionReceived['data'] = {
      idempotencyKey: key,
      receivedAt: receivedAt(),
      hash: transaction.hash,
      verified: transaction.verified,
      unverified: transaction.unverified,
    }
    // `money`: the amount and balance receive already parsed (the transaction carries both), so
    // decide does not parse the strings again.
    const command: LedgerCommand =
      seen === undefined ? { type: 'RecordTransaction', data, money: transaction } : { type: 'RecordTransaction', data, seen, money: transaction }
    let taken: Claim | undefined
    const dispatchThenClaim = (events: ReadonlyArray<LedgerEvent>): E.Either<unknown, void> | Promise<E.Either<unknown, void>> => {
      const handled = runWithTimeout(dispatch, events, transaction, timeout)
      if (events[0]?.type !== 'DuplicateIgnored' && (handled instanceof Promise || (store !== undefined && E.isRight(handled)))) {
        taken = claim(key, stream)
      }
      return handled
    }
    const finish = (result: LedgerRun): Turn =>
      E.isRight(result) && result.right instanceof Appending
        ? new Later(result.right.result.then((r) => settled(transaction, r, taken)))
        : settled(transaction, result as E.Either<RunError<LedgerError>, CommandResult<LedgerEvent, LedgerState>>, taken)
    const failed = (error: unknown): never => {
      release(key, taken)
      throw error
    }
    let ran: LedgerRun | Promise<LedgerRun>
    try {
      ran = runner.run(stream, command, dispatchThenClaim)
    } catch (error) {
      return failed(error)
    }
    return ran instanceof Promise ? ran.then(finish, failed) : finish(ran)
  }

  /**
   * A ledger's turn, from the start: waits for the verification and, on a ledger's first delivery,
   * for its history when there is a store; then {@link record}. Synchronous when nothing needs
   * waiting for.
   */
  const turn = (verification: Verification | Promise<Verification>, dispatch: Dispatch, stream: string): Turn | Promise<Turn> => {
    if (verification instanceof Promise) return verification.then((v) => turn(v, dispatch, stream))
    if (verification._tag === 'Thrown') return { _tag: 'internal_error', error: verification.error }
    if (E.isLeft(verification)) return { _tag: 'rejected', rejection: verification.left }
    if (ledgers.has(stream)) return record(verification, dispatch, stream)
    if (!loaded) {
      return load().then((ready) =>
        E.isLeft(ready) ? { _tag: 'store_failed', transaction: verification.right, error: ready.left } : turn(verification, dispatch, stream),
      )
    }
    // A key recorded (or being recorded) by another ledger goes there before this ledger is read:
    // an unauthenticated account_id must not make the receiver open ledgers.
    const key = verification.right.idempotencyKey
    const elsewhere = pendingKeys.get(key)?.stream ?? keys.owner(key)
    if (elsewhere !== undefined && elsewhere !== stream) return later(enqueueVerified(verification, dispatch, elsewhere))
    const ledger = runner.stateOf(stream)
    const withLedger = (l: E.Either<StoreError, Ledger>): Turn | Promise<Turn> =>
      E.isLeft(l) ? { _tag: 'store_failed', transaction: verification.right, error: l.left } : record(verification, dispatch, stream)
    return ledger instanceof Promise ? ledger.then(withLedger) : withLedger(ledger)
  }

  /** Marks the ledger busy until `busy` (its turn) ends; the next delivery to it waits for that. */
  const occupy = (stream: string, busy: Promise<Turn>): Promise<Outcome> => {
    queues.set(stream, busy)
    const free = () => {
      if (queues.get(stream) === busy) queues.delete(stream)
    }
    return busy.then(
      (t) => {
        free()
        return outcomeOf(t)
      },
      (error: unknown) => {
        free()
        throw error
      },
    )
  }

  /**
   * Queues a delivery on a ledger, in call order: when the ledger is free its turn starts now, and
   * when nothing in it needs waiting for (a loaded ledger, a synchronous hasher and listeners) the
   * outcome is known without a trip through the microtask queue.
   */
  const schedule = (verification: Verification | Promise<Verification>, dispatch: Dispatch, stream: string): Outcome | Promise<Outcome> => {
    const previous = queues.get(stream)
    if (previous !== undefined) {
      const work = () => turn(verification, dispatch, stream)
      return occupy(stream, previous.then(work, work))
    }
    const now = turn(verification, dispatch, stream)
    return now instanceof Promise ? occupy(stream, now) : outcomeOf(now)
  }

  /** A verified delivery sent to another ledger (the one that recorded its key). */
  const enqueueVerified = (verification: Verification, dispatch: Dispatch, stream: string): Outcome | Promise<Outcome> =>
    schedule(verification, dispatch, stream)

  /**
   * Takes the delivery's place in its ledger as soon as it is decoded (in call order), while its
   * hash is verified alongside.
   */
  const enqueue = (decoded: E.Either<Rejection, DecodedNotification>, dispatch: Dispatch): Outcome | Promise<Outcome> => {
    if (E.isLeft(decoded)) return { _tag: 'rejected', rejection: decoded.left }
    const n = decoded.right
    const stream = ledgerStream(n.unverified.account_id, n.verified.currency)
    let verification: Verification | Promise<Verification>
    try {
      const v = verifyDecoded(n, options)
      verification = v instanceof Promise ? v.catch((error: unknown): Thrown => ({ _tag: 'Thrown', error })) : v
    } catch (error) {
      verification = { _tag: 'Thrown', error }
    }
    return schedule(verification, dispatch, stream)
  }

  const enqueueBody = (input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>, dispatch: Dispatch) =>
    enqueue(parseNotification(input, limit), dispatch)
  const enqueueFields = (fields: Fields, dispatch: Dispatch) => enqueue(decodeNotification(fields), dispatch)
  const { run, drain } = deliveries()

  return {
    store,
    deliver: (input, dispatch) => eventually(run(enqueueBody, input, dispatch)),
    deliverFields: (fields, dispatch) => eventually(run(enqueueFields, fields, dispatch)),
    process: (input, dispatch) => run(enqueueBody, input, dispatch),
    processFields: (fields, dispatch) => run(enqueueFields, fields, dispatch),
    ledgers: async () => {
      if (!loaded) {
        const ready = await load()
        if (E.isLeft(ready)) return ready
      }
      const summaries = new Map<string, LedgerSummary>()
      for (const [stream, ledger] of ledgers) {
        if (ledger.version === 0) continue
        const owner = parseLedgerStream(stream)
        if (owner !== undefined) summaries.set(stream, summarizeLedger(ledger.state, owner.accountId, owner.currency, filter))
      }
      return E.right(summaries)
    },
    drain,
  }
}

/**
 * How many times a delivery on a shared store reads, decides and writes before a `VersionConflict`
 * (another receiver writing to the same ledger each time) answers `store_failed` (500: Banksocket
 * delivers again later): 10.
 *
 * @example
 * import { SHARED_STORE_ATTEMPTS } from '@banksocket-webhooks/core/store-kit'
 * SHARED_STORE_ATTEMPTS // 10
 */
export const SHARED_STORE_ATTEMPTS = 10

/**
 * A random pause before attempt `attempt + 1`: up to 2 ms times the attempts made. Two receivers
 * that retry at the same moment keep meeting; a random pause that grows parts them.
 */
const pause = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt))

/** The inbox on a store shared by several receivers: see {@link createInbox}. */
const createSharedInbox = (options: InboxOptions, store: SharedLedgerStore<LedgerEvent, LedgerState>): Inbox => {
  const timeout = options.handlerTimeout ?? DEFAULT_HANDLER_TIMEOUT
  const limit = options.limit ?? DEFAULT_BODY_LIMIT
  const filter = options.filter ?? 'NEW_TRANSACTION'
  const receivedAt = clockOf(options.now)
  const decider = ledgerDecider({ filter })
  const recorded = recordedHook(options.onRecorded)
  /** The turn under way per ledger (by the notification's account and currency). */
  const queues = new Map<string, Promise<unknown>>()

  const evolveAll = (state: LedgerState, events: ReadonlyArray<LedgerEvent>): LedgerState => {
    let next = state
    for (const event of events) next = decider.evolve(next, event)
    return next
  }

  /** A ledger's stored state, with any events appended after it folded on top (none, normally). */
  const readLedger = async (stream: string): Promise<E.Either<StoreError, Ledger>> => {
    const read = await store.readState(stream)()
    if (E.isLeft(read)) return read
    const { version, state, stateVersion } = read.right
    if (state !== undefined && stateVersion === version) return E.right({ state, version })
    const tail = await store.readStream(stream, { after: state === undefined ? 0 : stateVersion })()
    if (E.isLeft(tail)) return tail
    return E.right({ state: evolveAll(state ?? decider.initialState, tail.right.events), version: tail.right.version })
  }

  /** Counts a duplicate where its key is recorded and tells the handlers (their failure changes nothing). */
  const duplicate = async (transaction: VerifiedTransaction, dispatch: Dispatch, owner: string, event?: DuplicateIgnored): Promise<Outcome> => {
    const ignored: DuplicateIgnored = event ?? {
      type: 'DuplicateIgnored',
      data: { idempotencyKey: transaction.idempotencyKey, accountId: transaction.unverified.account_id, receivedAt: receivedAt() },
    }
    if (event === undefined) await runWithTimeout(dispatch, [ignored], transaction, timeout)
    // The notification is recorded whatever the counter says: the answer is `duplicate` either way.
    await store.countDuplicate(owner)()
    return { _tag: 'duplicate', transaction, events: [ignored] }
  }

  /**
   * The ledgers' command handler (core's one): decide on the state just read, dispatch, then
   * `record` the events with the state they lead to and the key's claim, in one transaction. A
   * lost race is not retried inside it: the turn below looks the key's owner up again first.
   */
  const runner = createCommandRunner<LedgerCommand, LedgerEvent, LedgerState, LedgerError, RecordError>({
    store,
    decider,
    maxRetries: 0,
    keep: isStored,
    write: (stream, events, expectedVersion, state, command) => {
      // A genuine repeat's key is recorded already (by this ledger): it claims nothing.
      const first = events[0]
      const repeat = first?.type === 'TransactionReceived' && first.data.repeat === true
      return store.record(stream, { expectedVersion, events, state, ...(repeat ? {} : { claim: command.data.idempotencyKey }) })()
    },
  })

  /**
   * One verified delivery: look the key's owner up and read the ledger (at once), run the ledger's
   * command on the owner's ledger; again, after a pause, when another receiver moved it on.
   */
  const turn = async (transaction: VerifiedTransaction, dispatch: Dispatch, stream: string): Promise<Outcome> => {
    const key = transaction.idempotencyKey
    const data: TransactionReceived['data'] = {
      idempotencyKey: key,
      receivedAt: receivedAt(),
      hash: transaction.hash,
      verified: transaction.verified,
      unverified: transaction.unverified,
    }
    const handle = (events: ReadonlyArray<LedgerEvent>) => runWithTimeout(dispatch, events, transaction, timeout)
    for (let attempt = 1; ; attempt++) {
      const [owned, own] = await Promise.all([store.keyOwner(key)(), readLedger(stream)])
      if (E.isLeft(owned)) return { _tag: 'store_failed', transaction, error: owned.left }
      const owner = owned.right
      // A key recorded elsewhere is decided there, whatever the (unsigned) account_id says.
      const target = owner ?? stream
      const read = target === stream ? own : await readLedger(target)
      if (E.isLeft(read)) return { _tag: 'store_failed', transaction, error: read.left }
      const command: LedgerCommand =
        owner === undefined
          ? { type: 'RecordTransaction', data, money: transaction }
          : { type: 'RecordTransaction', data, seen: 'recorded', money: transaction }
      const result = await settle(runner.run(target, command, handle, read.right))
      if (E.isRight(result)) {
        const { events, nextVersion } = result.right
        const first = events[0]
        if (first?.type === 'DuplicateIgnored') return duplicate(transaction, dispatch, target, first)
        recorded?.(target, events, nextVersion, transaction)
        return { _tag: first?.type === 'SuspectedReplay' ? 'suspected_replay' : 'accepted', transaction, events }
      }
      const failure = result.left
      switch (failure._tag) {
        case 'DomainError':
          return { _tag: 'rejected', rejection: { _tag: 'invalid_payload', details: [{ path: 'amount', message: failure.error.reason }] } }
        case 'Aborted':
          return { _tag: 'handler_failed', transaction, error: failure.error }
        case 'StoreError': {
          const error = failure.error
          if (error._tag === 'KeyConflict') return duplicate(transaction, dispatch, error.stream === '' ? target : error.stream)
          return { _tag: 'store_failed', transaction, error }
        }
        case 'RetriesExhausted':
          if (attempt >= SHARED_STORE_ATTEMPTS) return { _tag: 'store_failed', transaction, error: failure.conflict }
          await pause(attempt)
      }
    }
  }

  /** Takes the delivery's place in its ledger's queue (in call order) while its hash is verified. */
  const enqueue = (decoded: E.Either<Rejection, DecodedNotification>, dispatch: Dispatch): Promise<Outcome> => {
    if (E.isLeft(decoded)) return Promise.resolve({ _tag: 'rejected', rejection: decoded.left })
    const n = decoded.right
    const stream = ledgerStream(n.unverified.account_id, n.verified.currency)
    const verification: Promise<Verification> = Promise.resolve()
      .then(() => verifyDecoded(n, options))
      .catch((error: unknown): Thrown => ({ _tag: 'Thrown', error }))
    const work = async (): Promise<Outcome> => {
      const result = await verification
      if (result._tag === 'Thrown') return { _tag: 'internal_error', error: result.error }
      if (E.isLeft(result)) return { _tag: 'rejected', rejection: result.left }
      return turn(result.right, dispatch, stream)
    }
    const previous = queues.get(stream)
    const outcome = previous === undefined ? work() : previous.then(work, work)
    queues.set(stream, outcome)
    const release = () => {
      if (queues.get(stream) === outcome) queues.delete(stream)
    }
    outcome.then(release, release)
    return outcome
  }

  const enqueueBody = (input: Readonly<{ body: Uint8Array | string; contentType: string | null | undefined }>, dispatch: Dispatch) =>
    enqueue(parseNotification(input, limit), dispatch)
  const enqueueFields = (fields: Fields, dispatch: Dispatch) => enqueue(decodeNotification(fields), dispatch)
  const { run, drain } = deliveries()

  return {
    store,
    deliver: (input, dispatch) => eventually(run(enqueueBody, input, dispatch)),
    deliverFields: (fields, dispatch) => eventually(run(enqueueFields, fields, dispatch)),
    process: (input, dispatch) => run(enqueueBody, input, dispatch),
    processFields: (fields, dispatch) => run(enqueueFields, fields, dispatch),
    ledgers: async () => {
      const states = await store.readStates('ledger-')()
      if (E.isLeft(states)) return states
      const summaries = new Map<string, LedgerSummary>()
      for (const [stream, row] of states.right) {
        if (row.version === 0) continue
        const owner = parseLedgerStream(stream)
        if (owner === undefined) continue
        let state = row.state
        if (state === undefined || row.stateVersion !== row.version) {
          const read = await readLedger(stream)
          if (E.isLeft(read)) return read
          state = read.right.state
        }
        summaries.set(stream, summarizeLedger({ ...state, duplicates: row.duplicates }, owner.accountId, owner.currency, filter))
      }
      return E.right(summaries)
    },
    drain,
  }
}
