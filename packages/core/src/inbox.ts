/**
 * The inbox: everything a receiver decides, in one place, so that every runtime adapter only
 * translates HTTP. It receives a notification, runs the account ledger decider (dedupe, balance
 * continuity), hands the resulting events to the application's handlers and waits for them (with a
 * timeout), appends the events to the store, and says what to answer.
 *
 * Order of work, per account ledger (one at a time, in arrival order):
 * decide → handlers → append → answer. A handler failure appends nothing and answers 500, so
 * Banksocket retries and the retry is processed afresh; a 200 is answered only once the store
 * says the events are appended (durable, for a durable store), and any re-delivery is then a
 * duplicate. The next delivery for the same ledger may start while the previous append is still
 * being made durable: the store fixes an append's place when it starts.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Fields } from './body.ts'
import { fold } from './decider.ts'
import type { LedgerEvent, TransactionReceived } from './events.ts'
import { ledgerDecider, ledgerStream, type LedgerState } from './ledger.ts'
import { summarizeLedgers, type LedgerSummary } from './projection.ts'
import {
  DEFAULT_BODY_LIMIT,
  decodeNotification,
  parseNotification,
  verifyDecoded,
  type DecodedNotification,
  type ReceiveOptions,
  type VerifiedTransaction,
} from './receive.ts'
import type { Rejection } from './rejection.ts'
import { createInMemoryEventStore, type EventStore, type StoreError } from './store.ts'

/**
 * What happened to one delivery.
 *
 * - `accepted`: verified, new, handled and stored; `events` are the stored events (a
 *   `BalanceGapDetected` before the `TransactionReceived` when the running balance broke).
 * - `duplicate`: verified, but already recorded; handlers saw only the `DuplicateIgnored` event.
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
 * import type { Dispatch } from '@banksocket-webhooks/core'
 * const dispatch: Dispatch = async (events) => { for (const e of events) console.log(e.type) }
 */
export type Dispatch = (events: ReadonlyArray<LedgerEvent>, transaction: VerifiedTransaction) => void | Promise<void>

/**
 * Options of {@link createInbox}: those of `receive` plus the store, the clock, the handler timeout
 * and the dedupe window.
 *
 * @example
 * import type { InboxOptions } from '@banksocket-webhooks/core'
 * const options: InboxOptions = { secrets: ['s3cr3t'], handlerTimeout: 5_000 }
 */
export type InboxOptions = ReceiveOptions &
  Readonly<{
    /** Where ledger events are kept. @default an in-memory store */
    store?: EventStore<LedgerEvent>
    /** Milliseconds a dispatch may take before the delivery fails. @default 10000 */
    handlerTimeout?: number
    /** Idempotency keys remembered per ledger. @default 100000 */
    dedupeWindow?: number
    /** The clock used for `receivedAt`. @default () => new Date() */
    now?: () => Date
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
  /** Summaries of every ledger in the store. */
  ledgers(): Promise<E.Either<StoreError, ReadonlyMap<string, LedgerSummary>>>
  /** Resolves when every delivery under way has finished. */
  drain(): Promise<void>
  /** The store the inbox appends to. */
  readonly store: EventStore<LedgerEvent>
}

/**
 * The default time a handler may take: 10 seconds.
 *
 * @example
 * import { DEFAULT_HANDLER_TIMEOUT } from '@banksocket-webhooks/core'
 * DEFAULT_HANDLER_TIMEOUT // 10000
 */
export const DEFAULT_HANDLER_TIMEOUT = 10_000

/**
 * A handler ran longer than the timeout.
 *
 * @example
 * import { HandlerTimeoutError } from '@banksocket-webhooks/core'
 * new HandlerTimeoutError(10_000).message // 'handler did not finish within 10000 ms'
 */
export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError'
  constructor(readonly timeout: number) {
    super(`handler did not finish within ${timeout} ms`)
  }
}

type Ledger = { state: LedgerState; version: number }

/** The result of a ledger turn: the outcome, which may still wait for the store. */
type Turn = Readonly<{ outcome: Promise<Outcome> }>

/** A verification that threw or rejected (a failing hasher): answered as an internal error. */
type Thrown = Readonly<{ _tag: 'Thrown'; error: unknown }>

type Verification = E.Either<Rejection, VerifiedTransaction> | Thrown

const settled = (outcome: Outcome): Turn => ({ outcome: Promise.resolve(outcome) })

const isThenable = <A>(value: A | PromiseLike<A>): value is PromiseLike<A> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'

const HANDLED: E.Either<unknown, void> = E.right(undefined)

/**
 * Runs the dispatch: its result at once when it returned synchronously (no timer, no microtask),
 * or a Promise that settles when it does or when the timeout fires, whichever comes first.
 */
const runWithTimeout = (work: () => void | Promise<void>, timeout: number): E.Either<unknown, void> | Promise<E.Either<unknown, void>> => {
  let result: void | Promise<void>
  try {
    result = work()
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

/**
 * Creates an inbox: the shared receive pipeline with an account ledger per account and currency.
 * Deliveries to the same ledger are processed one at a time in the order `deliver` was called
 * (hashes are verified alongside); different ledgers proceed concurrently. Ledger state is read
 * from the store on first use, so a durable store makes deduplication and continuity survive
 * restarts.
 *
 * @example
 * import { createInbox } from '@banksocket-webhooks/core'
 * const inbox = createInbox({ secrets: ['s3cr3t'] })
 * const outcome = await inbox.deliver(
 *   { body, contentType: 'application/x-www-form-urlencoded' },
 *   async (events) => { for (const e of events) console.log(e.type) },
 * )
 * outcome._tag // 'accepted' | 'duplicate' | 'rejected' | 'handler_failed' | 'store_failed' | 'internal_error'
 */
export const createInbox = (options: InboxOptions): Inbox => {
  if (options.secrets.length === 0) throw new TypeError('createInbox needs at least one secret')
  const store = options.store ?? createInMemoryEventStore<LedgerEvent>()
  const timeout = options.handlerTimeout ?? DEFAULT_HANDLER_TIMEOUT
  const limit = options.limit ?? DEFAULT_BODY_LIMIT
  const now = options.now
  let lastMs = Number.NaN
  let lastIso = ''
  /** `receivedAt`: from the `now` option, or the system clock, formatted once per millisecond. */
  const receivedAt = (): string => {
    if (now !== undefined) return now().toISOString()
    const ms = Date.now()
    if (ms !== lastMs) {
      lastMs = ms
      lastIso = new Date(ms).toISOString()
    }
    return lastIso
  }
  const decider = ledgerDecider(options.dedupeWindow === undefined ? {} : { dedupeWindow: options.dedupeWindow })
  const evolveLedger = fold(decider)
  const ledgers = new Map<string, Ledger>()
  /** The turn under way per ledger, when one is: later deliveries to that ledger wait for it. */
  const queues = new Map<string, Promise<unknown>>()
  let active = 0
  let idle: Array<() => void> = []

  const loadLedger = async (stream: string): Promise<E.Either<StoreError, Ledger>> => {
    const cached = ledgers.get(stream)
    if (cached !== undefined) return E.right(cached)
    const read = await store.readStream(stream)()
    if (E.isLeft(read)) return read
    const ledger = { state: evolveLedger(read.right.events), version: read.right.version }
    ledgers.set(stream, ledger)
    return E.right(ledger)
  }

  const storeFailure = (error: unknown): StoreError => ({
    _tag: 'StoreFailure',
    message: error instanceof Error ? error.message : String(error),
  })

  /**
   * Starts the append of decided and handled events, and moves the ledger on. The append's place in
   * the stream is fixed when it starts, so the turn passes to the next delivery right away and this
   * one waits for durability outside it (a file store then syncs many deliveries at once).
   */
  const append = (
    transaction: VerifiedTransaction,
    events: ReadonlyArray<LedgerEvent>,
    handled: E.Either<unknown, void>,
    ledger: Ledger,
    stream: string,
  ): Turn => {
    if (E.isLeft(handled)) return settled({ _tag: 'handler_failed', transaction, error: handled.left })
    let appending: Promise<E.Either<StoreError, unknown>>
    try {
      appending = store.appendToStream(stream, events, ledger.version)()
    } catch (error) {
      appending = Promise.resolve(E.left(storeFailure(error)))
    }
    ledger.state = evolveLedger(events, ledger.state)
    ledger.version += events.length
    const duplicate = events.length === 1 && events[0]?.type === 'DuplicateIgnored'
    return {
      outcome: appending.then(
        (appended): Outcome => {
          if (E.isRight(appended)) return { _tag: duplicate ? 'duplicate' : 'accepted', transaction, events }
          // Later deliveries decided on this ledger state; their appends fail the same way, and the
          // ledger is read again from the store on the next delivery.
          if (ledgers.get(stream) === ledger) ledgers.delete(stream)
          return { _tag: 'store_failed', transaction, error: appended.left }
        },
        (error: unknown): Outcome => {
          if (ledgers.get(stream) === ledger) ledgers.delete(stream)
          return { _tag: 'store_failed', transaction, error: storeFailure(error) }
        },
      ),
    }
  }

  /**
   * A ledger's turn for one verified delivery: decide, dispatch, then start the append. Synchronous
   * as long as the listeners are; a Promise when one of them returned one.
   */
  const record = (verification: Verification, dispatch: Dispatch, ledger: Ledger, stream: string): Turn | Promise<Turn> => {
    if (verification._tag === 'Thrown') return settled({ _tag: 'internal_error', error: verification.error })
    if (E.isLeft(verification)) return settled({ _tag: 'rejected', rejection: verification.left })
    const transaction = verification.right
    const data: TransactionReceived['data'] = {
      idempotencyKey: transaction.idempotencyKey,
      receivedAt: receivedAt(),
      hash: transaction.hash,
      verified: transaction.verified,
      unverified: transaction.unverified,
    }
    const decided = decider.decide({ type: 'RecordTransaction', data }, ledger.state)
    if (E.isLeft(decided)) {
      return settled({ _tag: 'rejected', rejection: { _tag: 'invalid_payload', details: [{ path: 'amount', message: decided.left.reason }] } })
    }
    const events = decided.right
    const handled = runWithTimeout(() => dispatch(events, transaction), timeout)
    return handled instanceof Promise
      ? handled.then((h) => append(transaction, events, h, ledger, stream))
      : append(transaction, events, handled, ledger, stream)
  }

  /** The slow turn: waits for the verification and, on a ledger's first delivery, for its history. */
  const recordLater = async (verification: Verification | Promise<Verification>, dispatch: Dispatch, stream: string): Promise<Turn> => {
    const result = await verification
    if (result._tag === 'Thrown') return settled({ _tag: 'internal_error', error: result.error })
    if (E.isLeft(result)) return settled({ _tag: 'rejected', rejection: result.left })
    const loaded = await loadLedger(stream)
    if (E.isLeft(loaded)) return settled({ _tag: 'store_failed', transaction: result.right, error: loaded.left })
    return record(result, dispatch, loaded.right, stream)
  }

  /** Marks the ledger busy until `turn` ends; the next delivery to it waits for that. */
  const occupy = (stream: string, turn: Promise<unknown>): void => {
    queues.set(stream, turn)
    const release = () => {
      if (queues.get(stream) === turn) queues.delete(stream)
    }
    turn.then(release, release)
  }

  /**
   * Takes the delivery's place in its ledger as soon as it is decoded (in call order), while its
   * hash is verified alongside. When the ledger is free, loaded, and the hasher and the listeners
   * answer synchronously, the whole turn runs now, without a trip through the microtask queue.
   */
  const enqueue = (decoded: E.Either<Rejection, DecodedNotification>, dispatch: Dispatch): Promise<Outcome> => {
    if (E.isLeft(decoded)) return Promise.resolve({ _tag: 'rejected', rejection: decoded.left })
    const n = decoded.right
    const stream = ledgerStream(n.unverified.account_id, n.verified.currency)
    let verification: Verification | Promise<Verification>
    try {
      const v = verifyDecoded(n, options)
      verification = v instanceof Promise ? v.catch((error: unknown): Thrown => ({ _tag: 'Thrown', error })) : v
    } catch (error) {
      verification = { _tag: 'Thrown', error }
    }
    const previous = queues.get(stream)
    const ledger = ledgers.get(stream)
    if (previous === undefined && ledger !== undefined && !(verification instanceof Promise)) {
      const turn = record(verification, dispatch, ledger, stream)
      if (!(turn instanceof Promise)) return turn.outcome
      occupy(stream, turn)
      return turn.then((t) => t.outcome)
    }
    const work = () => recordLater(verification, dispatch, stream)
    const turn = previous === undefined ? work() : previous.then(work, work)
    occupy(stream, turn)
    return turn.then((t) => t.outcome)
  }

  const finished = (outcome: Outcome): Outcome => {
    if (--active === 0) {
      const waiting = idle
      idle = []
      for (const resolve of waiting) resolve()
    }
    return outcome
  }

  const failed = (error: unknown): Outcome => finished({ _tag: 'internal_error', error })

  /** Runs a delivery: counted for `drain`, and any throw or rejection becomes an `internal_error`. */
  const run = (work: () => Promise<Outcome>): Promise<Outcome> => {
    active++
    try {
      return work().then(finished, failed)
    } catch (error) {
      return Promise.resolve(failed(error))
    }
  }

  return {
    store,
    deliver: (input, dispatch) => run(() => enqueue(parseNotification(input, limit), dispatch)),
    deliverFields: (fields, dispatch) => run(() => enqueue(decodeNotification(fields), dispatch)),
    ledgers: async () => {
      const all = await store.readAll()()
      return E.map(summarizeLedgers)(all)
    },
    drain: () => (active === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))),
  }
}
