/**
 * The in-process inbox: the inbox of one receiver that keeps its ledgers in memory (with or without
 * an event store behind them). `createInbox` makes it for every store but a shared one.
 *
 * Per account ledger, one delivery at a time, in arrival order: decide → handlers → append → answer.
 * The ledgers run on core's command runner (`command.ts`: read, decide, append with the expected
 * version), with each ledger's state cached between deliveries and the handlers run between the
 * decision and the append. A handler failure appends nothing and answers 500, so Banksocket retries
 * and the retry is processed afresh; a 200 is answered only once the store says the events are
 * appended (durable, for a durable store), and any re-delivery is then a duplicate. The next
 * delivery for the same ledger may start while the previous append is still being made durable: the
 * store fixes an append's place when it starts.
 *
 * There is one idempotency key space for every ledger ({@link KeyIndex}): a key recorded by any
 * ledger makes a delivery a duplicate there, whatever its unsigned `account_id` says.
 *
 * A delivery that has nothing to wait for (a synchronous hasher such as node:crypto, synchronous
 * listeners, no store) goes through without a trip through the microtask queue: a ledger's turn
 * answers with a value, not a Promise, when it can. That fast path stays inside core (this module
 * and the intake, `intake.ts`); the inbox's `deliver` always answers with a Promise. Taking that
 * Promise costs a receiver one more `.then`: about 35 ns on the machine that measured it, against
 * about 9 µs per delivery (0.4 %), which is why no synchronous answer is offered outside core.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { runWithTimeout, SerialQueue, type Step } from './async.ts'
import { Appending, type CommandResult, createCommandRunner, type RunError, type StateAt } from './command.ts'
import type { LedgerEvent } from './events.ts'
import type { Dispatch, Inbox, Outcome } from './inbox.ts'
import { decidedOutcome, failedOutcome, isStored, ledgerCommandOf, recordsKey } from './inbox-ledger.ts'
import type { InboxSettings } from './inbox-settings.ts'
import { createIntake, type Intake, inboxOf, type Verdict } from './intake.ts'
import { KeyIndex } from './keyindex.ts'
import type { KeySeen, LedgerCommand, LedgerError, LedgerState } from './ledger.ts'
import { type LedgerSummary, openGapCount, parseLedgerStream, summarizeLedger } from './projection.ts'
import type { VerifiedTransaction } from './receive.ts'
import { type EventStore, MAX_READ_LIMIT, type StoreError, storeFailure } from './store.ts'

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

const outcomeOf = (turn: Turn): Step<Outcome> => (turn instanceof Later ? turn.outcome : turn)

const later = (outcome: Step<Outcome>): Turn => (outcome instanceof Promise ? new Later(outcome) : outcome)

/**
 * A key being recorded: by which ledger, and who waits for its outcome. Taken only while the
 * outcome is not known yet (an asynchronous dispatch, an append to the store); a delivery of the
 * same notification to another ledger meanwhile waits, then looks again, so two ledgers never both
 * accept it and a failed attempt leaves the key free for the retry.
 */
type Claim = { readonly stream: string; waiting: Array<() => void> | undefined }

/**
 * The in-process inbox (`inbox`, what `createInbox` hands out) and its fast path, within reach of
 * core's own tests only: `deliverNow` and `deliverFieldsNow` answer with the outcome itself when
 * nothing had to be waited for.
 *
 * @internal
 * @example
 * const local = createLocalInbox(settingsOf({ secrets: ['s3cr3t'], sha256: nodeSha256 }), undefined)
 * ;(local.deliverNow(input, () => {}) as Outcome)._tag // 'accepted', without a Promise
 * await local.inbox.deliver(input, () => {}) // the same delivery, as every adapter sees it
 */
export type LocalInbox = Readonly<{ inbox: Inbox }> & Pick<Intake, 'deliverNow' | 'deliverFieldsNow'>

/**
 * The in-process inbox on `store` (none: no history, ledger state in memory). See the module's
 * description and `createInbox`.
 *
 * @internal
 * @example
 * const { inbox } = createLocalInbox(settingsOf({ secrets: ['s3cr3t'] }), undefined)
 * const outcome = await inbox.deliver({ body, contentType: 'application/x-www-form-urlencoded' }, () => {})
 */
export const createLocalInbox = (settings: InboxSettings, store: EventStore<LedgerEvent> | undefined): LocalInbox => {
  const { decider, recorded, receivedAt, filter, handlerTimeout, dedupeWindow, metrics } = settings
  let keys = new KeyIndex(dedupeWindow)
  /** Keys claimed by a delivery under way (decided, not yet answered). */
  const pendingKeys = new Map<string, Claim>()
  const ledgers = new Map<string, Ledger>()
  /** Deliveries to one ledger, one at a time: later deliveries to a ledger wait for its turn under way. */
  const queue = new SerialQueue()

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
    const index = new KeyIndex(dedupeWindow)
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
   * The ledgers' command runner (core's one: read, decide, append with the expected version):
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
    // Each append timed (`banksocket.store.append.duration`); without a meter, `timeWrite` answers the append as it is.
    ...(store === undefined
      ? {}
      : { write: (stream, events, expectedVersion) => metrics.timeWrite(metrics.now(), store.appendToStream(stream, events, expectedVersion)()) }),
  })

  /** Takes `key` for a delivery from its decision until its outcome (see {@link Claim}). */
  const claim = (key: string, stream: string): Claim => {
    const held: Claim = { stream, waiting: undefined }
    pendingKeys.set(key, held)
    return held
  }

  /** Gives `key` back: deliveries that waited for it look again. */
  const release = (key: string, held: Claim | undefined): void => {
    if (held === undefined) return
    if (pendingKeys.get(key) === held) pendingKeys.delete(key)
    const waiting = held.waiting
    if (waiting === undefined) return
    held.waiting = undefined
    for (const wake of waiting) wake()
  }

  /** Resolves once the delivery holding the claim has its outcome. */
  const released = (held: Claim): Promise<void> =>
    new Promise<void>((resolve) => {
      if (held.waiting === undefined) held.waiting = [resolve]
      else held.waiting.push(resolve)
    })

  /**
   * What a ledger's command came to, as the delivery's outcome: keys recorded and `onRecorded` told
   * for what was recorded, the key's claim given back whatever happened. A duplicate appended
   * nothing (its event only counted it in the ledger's state).
   */
  const conclude = (
    transaction: VerifiedTransaction,
    result: E.Either<RunError<LedgerError>, CommandResult<LedgerEvent, LedgerState>>,
    held: Claim | undefined,
  ): Outcome => {
    const key = transaction.idempotencyKey
    if (E.isLeft(result)) {
      release(key, held)
      return failedOutcome(result.left, transaction)
    }
    const { stream, events, nextVersion } = result.right
    if (events[0]?.type === 'DuplicateIgnored') {
      release(key, held)
      return decidedOutcome(events, transaction)
    }
    try {
      recordKeys(stream, events)
    } finally {
      release(key, held)
    }
    recorded?.(stream, events, nextVersion, transaction)
    return decidedOutcome(events, transaction)
  }

  /**
   * A ledger's command for one verified delivery: look the key up, then run the command (decide,
   * dispatch, start the append). A key recorded by another ledger, or being recorded, sends the
   * delivery there (after the recording settles). Synchronous as long as the listeners are and
   * nothing is appended; a Promise when a listener returned one. The append's place in the stream
   * is fixed when it starts, so the turn passes to the next delivery then, and this one waits for
   * durability {@link Later} (a file store syncs many deliveries at once). A key is claimed only
   * while its outcome is not known yet: across an asynchronous dispatch or an append.
   */
  const runLedger = (verdict: Verdict, dispatch: Dispatch, stream: string): Step<Turn> => {
    if (verdict._tag === 'Thrown') return { _tag: 'internal_error', error: verdict.error }
    if (E.isLeft(verdict)) return { _tag: 'rejected', rejection: verdict.left }
    const transaction = verdict.right
    const key = transaction.idempotencyKey
    const pending = pendingKeys.get(key)
    if (pending !== undefined) {
      const retry = () => schedule(keys.owner(key) ?? stream, verdict, dispatch)
      return new Later(released(pending).then(retry))
    }
    const owner = keys.owner(key)
    if (owner !== undefined && owner !== stream) return later(schedule(owner, verdict, dispatch))
    const seen: KeySeen | undefined = owner !== undefined ? 'recorded' : keys.maybeSeen(key) ? 'maybe' : undefined
    const command = ledgerCommandOf(transaction, receivedAt(), seen)
    let held: Claim | undefined
    const dispatchThenClaim = (events: ReadonlyArray<LedgerEvent>): Step<E.Either<unknown, void>> => {
      const handled = runWithTimeout(() => dispatch(events, transaction), handlerTimeout)
      if (events[0]?.type !== 'DuplicateIgnored' && (handled instanceof Promise || (store !== undefined && E.isRight(handled)))) {
        held = claim(key, stream)
      }
      return handled
    }
    const turnFrom = (result: LedgerRun): Turn =>
      E.isRight(result) && result.right instanceof Appending
        ? new Later(result.right.result.then((r) => conclude(transaction, r, held)))
        : conclude(transaction, result as E.Either<RunError<LedgerError>, CommandResult<LedgerEvent, LedgerState>>, held)
    const releaseAndThrow = (error: unknown): never => {
      release(key, held)
      throw error
    }
    let ran: Step<LedgerRun>
    try {
      ran = runner.run(stream, command, dispatchThenClaim)
    } catch (error) {
      return releaseAndThrow(error)
    }
    return ran instanceof Promise ? ran.then(turnFrom, releaseAndThrow) : turnFrom(ran)
  }

  /**
   * A ledger's turn, from the start: waits for the verdict and, on a ledger's first delivery, for
   * its history when there is a store; then {@link runLedger}. Synchronous when nothing needs
   * waiting for.
   */
  const turn = (verdict: Step<Verdict>, dispatch: Dispatch, stream: string): Step<Turn> => {
    if (verdict instanceof Promise) return verdict.then((v) => turn(v, dispatch, stream))
    if (verdict._tag === 'Thrown') return { _tag: 'internal_error', error: verdict.error }
    if (E.isLeft(verdict)) return { _tag: 'rejected', rejection: verdict.left }
    if (ledgers.has(stream)) return runLedger(verdict, dispatch, stream)
    if (!loaded) {
      return load().then((ready) =>
        E.isLeft(ready) ? { _tag: 'store_failed', transaction: verdict.right, error: ready.left } : turn(verdict, dispatch, stream),
      )
    }
    // A key recorded (or being recorded) by another ledger goes there before this ledger is read:
    // an unauthenticated account_id must not make the receiver open ledgers.
    const key = verdict.right.idempotencyKey
    const elsewhere = pendingKeys.get(key)?.stream ?? keys.owner(key)
    if (elsewhere !== undefined && elsewhere !== stream) return later(schedule(elsewhere, verdict, dispatch))
    const ledger = runner.stateOf(stream)
    const withLedger = (l: E.Either<StoreError, Ledger>): Step<Turn> =>
      E.isLeft(l) ? { _tag: 'store_failed', transaction: verdict.right, error: l.left } : runLedger(verdict, dispatch, stream)
    return ledger instanceof Promise ? ledger.then(withLedger) : withLedger(ledger)
  }

  /**
   * Queues a delivery on a ledger, in call order: when the ledger is free its turn starts now, and
   * when nothing in it needs waiting for (a loaded ledger, a synchronous hasher and listeners) the
   * outcome is known without a trip through the microtask queue. The ledger is free again once the
   * turn is over, which may be before the outcome is known ({@link Later}).
   */
  const schedule = (stream: string, verdict: Step<Verdict>, dispatch: Dispatch): Step<Outcome> => {
    const done = queue.run(stream, () => turn(verdict, dispatch, stream))
    return done instanceof Promise ? done.then(outcomeOf) : outcomeOf(done)
  }

  const summaries = async (): Promise<E.Either<StoreError, ReadonlyMap<string, LedgerSummary>>> => {
    if (!loaded) {
      const ready = await load()
      if (E.isLeft(ready)) return ready
    }
    const all = new Map<string, LedgerSummary>()
    for (const [stream, ledger] of ledgers) {
      if (ledger.version === 0) continue
      const owner = parseLedgerStream(stream)
      if (owner !== undefined) all.set(stream, summarizeLedger(ledger.state, owner.accountId, owner.currency, filter))
    }
    return E.right(all)
  }

  /**
   * The open gaps of every ledger, for the `banksocket.gaps.open` gauge: the ledgers in memory, once
   * the store's history is read (a collection before the first delivery reads it, as `ledgers()`
   * does); `undefined` when the store cannot be read.
   */
  const openGaps = async (): Promise<number | undefined> => {
    if (!loaded && E.isLeft(await load())) return undefined
    let open = 0
    for (const ledger of ledgers.values()) open += openGapCount(ledger.state, filter)
    return open
  }

  const intake = createIntake(settings, schedule)
  const inbox = inboxOf(intake, store, summaries)
  metrics.watchGaps(inbox, openGaps)
  return { inbox, deliverNow: intake.deliverNow, deliverFieldsNow: intake.deliverFieldsNow }
}
