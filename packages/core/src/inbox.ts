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
  verifyNotification,
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

const settled = (outcome: Outcome): Turn => ({ outcome: Promise.resolve(outcome) })

const runWithTimeout = async (work: () => void | Promise<void>, timeout: number): Promise<E.Either<unknown, void>> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    const result = work()
    if (result === undefined || typeof (result as Promise<void>).then !== 'function') return E.right(undefined)
    await Promise.race([
      result,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HandlerTimeoutError(timeout)), timeout)
      }),
    ])
    return E.right(undefined)
  } catch (error) {
    return E.left(error)
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
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
  const now = options.now ?? (() => new Date())
  const decider = ledgerDecider(options.dedupeWindow === undefined ? {} : { dedupeWindow: options.dedupeWindow })
  const ledgers = new Map<string, Ledger>()
  const queues = new Map<string, Promise<unknown>>()
  const inFlight = new Set<Promise<Outcome>>()

  const loadLedger = async (stream: string): Promise<E.Either<StoreError, Ledger>> => {
    const cached = ledgers.get(stream)
    if (cached !== undefined) return E.right(cached)
    const read = await store.readStream(stream)()
    if (E.isLeft(read)) return read
    const ledger = { state: fold(decider)(read.right.events), version: read.right.version }
    ledgers.set(stream, ledger)
    return E.right(ledger)
  }

  const storeFailure = (error: unknown): StoreError => ({
    _tag: 'StoreFailure',
    message: error instanceof Error ? error.message : String(error),
  })

  /**
   * Runs under the ledger's turn: decide, dispatch, then start the append. The append's place in
   * the stream is fixed when it starts, so the turn passes to the next delivery right away and
   * this one waits for durability outside it (a file store then syncs many deliveries at once).
   */
  const record = async (transaction: VerifiedTransaction, dispatch: Dispatch): Promise<Turn> => {
    const data: TransactionReceived['data'] = {
      idempotencyKey: transaction.idempotencyKey,
      receivedAt: now().toISOString(),
      hash: transaction.hash,
      verified: transaction.verified,
      unverified: transaction.unverified,
    }
    const stream = ledgerStream(data.unverified.account_id, data.verified.currency)
    const loaded = await loadLedger(stream)
    if (E.isLeft(loaded)) return settled({ _tag: 'store_failed', transaction, error: loaded.left })
    const ledger = loaded.right
    const decided = decider.decide({ type: 'RecordTransaction', data }, ledger.state)
    if (E.isLeft(decided)) {
      return settled({ _tag: 'rejected', rejection: { _tag: 'invalid_payload', details: [{ path: 'amount', message: decided.left.reason }] } })
    }
    const events = decided.right
    const handled = await runWithTimeout(() => dispatch(events, transaction), timeout)
    if (E.isLeft(handled)) return settled({ _tag: 'handler_failed', transaction, error: handled.left })
    let appending: Promise<E.Either<StoreError, unknown>>
    try {
      appending = store.appendToStream(stream, events, ledger.version)().catch((error: unknown) => E.left(storeFailure(error)))
    } catch (error) {
      appending = Promise.resolve(E.left(storeFailure(error)))
    }
    ledger.state = fold(decider)(events, ledger.state)
    ledger.version += events.length
    const duplicate = events.length === 1 && events[0]?.type === 'DuplicateIgnored'
    return {
      outcome: appending.then((appended): Outcome => {
        if (E.isRight(appended)) return { _tag: duplicate ? 'duplicate' : 'accepted', transaction, events }
        // Later deliveries decided on this ledger state; their appends fail the same way, and the
        // ledger is read again from the store on the next delivery.
        if (ledgers.get(stream) === ledger) ledgers.delete(stream)
        return { _tag: 'store_failed', transaction, error: appended.left }
      }),
    }
  }

  const serialised = (stream: string, work: () => Promise<Turn>): Promise<Outcome> => {
    const previous = queues.get(stream) ?? Promise.resolve()
    const next = previous.then(work, work)
    queues.set(stream, next)
    void next.finally(() => {
      if (queues.get(stream) === next) queues.delete(stream)
    })
    return next.then((turn) => turn.outcome)
  }

  const track = (outcome: Promise<Outcome>): Promise<Outcome> => {
    inFlight.add(outcome)
    void outcome.finally(() => inFlight.delete(outcome))
    return outcome
  }

  /**
   * Takes the delivery's place in its ledger's queue as soon as it is decoded (in call order), while
   * its hash is verified alongside; the turn then waits for the verification.
   */
  const enqueue = (decoded: E.Either<Rejection, DecodedNotification>, dispatch: Dispatch): Promise<Outcome> => {
    if (E.isLeft(decoded)) return Promise.resolve({ _tag: 'rejected', rejection: decoded.left })
    const n = decoded.right
    const verification: Promise<E.Either<Rejection, VerifiedTransaction> | Readonly<{ _tag: 'Thrown'; error: unknown }>> =
      Promise.resolve()
        .then(() => verifyNotification(n, options)())
        .catch((error: unknown) => ({ _tag: 'Thrown' as const, error }))
    return serialised(ledgerStream(n.unverified.account_id, n.verified.currency), async () => {
      const result = await verification
      if (result._tag === 'Thrown') return settled({ _tag: 'internal_error', error: result.error })
      if (E.isLeft(result)) return settled({ _tag: 'rejected', rejection: result.left })
      return record(result.right, dispatch)
    })
  }

  const safely = (work: () => Promise<Outcome>): Promise<Outcome> => {
    try {
      return work().catch((error: unknown): Outcome => ({ _tag: 'internal_error', error }))
    } catch (error) {
      return Promise.resolve({ _tag: 'internal_error', error })
    }
  }

  return {
    store,
    deliver: (input, dispatch) => track(safely(() => enqueue(parseNotification(input, limit), dispatch))),
    deliverFields: (fields, dispatch) => track(safely(() => enqueue(decodeNotification(fields), dispatch))),
    ledgers: async () => {
      const all = await store.readAll()()
      return E.map(summarizeLedgers)(all)
    },
    drain: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight])
    },
  }
}
