/**
 * The inbox on a store shared by several receivers (several processes on one database, a
 * {@link SharedLedgerStore} that says `shared: true`): it keeps nothing in memory between
 * deliveries, since other processes write too, and lets the store decide. `createInbox` makes it
 * for such a store.
 *
 * Per delivery (one at a time per ledger within a process), on core's command runner: decide on
 * the ledger's state as this process last wrote or read it (read from the store when it has none),
 * as if the key were new; if a handler would see the decided events, look the key up first; then
 * `record` the events, the evolved state, its chain head and the key's claim in one transaction.
 * So a new movement nobody listens to before it is stored (`banksocket listen`, consumers) costs
 * one round trip, and so does a duplicate: the store counts it on the ledger that recorded the key
 * in the same call, or, with the `duplicateCountInterval` option, only says that it is one to count
 * (`countable`), and the inbox counts it and writes the counts in batches. The store arbitrates:
 *
 * - a `KeyConflict` counted by the store is a duplicate; one it did not count (the recording
 *   ledger's head may make it a genuine repeat, or a race undid the call), or a key found by the
 *   lookup, is decided on the recording ledger as `seen: 'recorded'`, read afresh;
 * - a `VersionConflict` (another receiver moved the ledger on) forgets the state, reads and decides
 *   again, at most {@link SHARED_STORE_ATTEMPTS} times, after a random pause;
 * - a store failure answers `store_failed`, and nothing is acknowledged.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { runWithTimeout, SerialQueue, type Step } from './async.ts'
import { headOf, linkOf } from './chain.ts'
import { createCommandRunner, type RunError, type StateAt, untilAppended } from './command.ts'
import type { DuplicateIgnored, LedgerEvent } from './events.ts'
import type { Dispatch, Inbox, Outcome } from './inbox.ts'
import { decidedOutcome, failedOutcome, isStored, ledgerCommandOf, recordsKey } from './inbox-ledger.ts'
import type { InboxSettings } from './inbox-settings.ts'
import { createIntake, inboxOf, type Verdict } from './intake.ts'
import type { LedgerCommand, LedgerError, LedgerState } from './ledger.ts'
import { type LedgerSummary, openGapCount, parseLedgerStream, summarizeLedger } from './projection.ts'
import type { VerifiedTransaction } from './receive.ts'
import type { RecordError, Recording, SharedLedgerStore } from './shared-store.ts'
import type { StoreError } from './store.ts'

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

/** A ledger as the shared store holds it: its stream and owner, its state, and the duplicates counted on it. */
type StoredLedger = Readonly<{ stream: string; owner: Readonly<{ accountId: string; currency: string }>; state: LedgerState; duplicates: number }>

/**
 * A random pause before attempt `attempt + 1`: up to 2 ms times the attempts made. Two receivers
 * that retry at the same moment keep meeting; a random pause that grows parts them.
 */
const pause = (attempt: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * attempt))

/**
 * How many ledgers' states a process keeps between deliveries (the most recently used): a ledger
 * beyond them is read from the store again at its next delivery, which costs one query more.
 */
const CACHED_LEDGERS = 1000

/** The head token stored beside a ledger's state: its chain head balance in minor units, if it has one. */
const headToken = (state: LedgerState): string | undefined => headOf(state.chain)?.toString()

/**
 * What a write asks the store to do with a key recorded already: count the duplicate, unless the
 * recording ledger's head is the balance before this movement (it continues the head exactly, so
 * it may be a genuine repeat). Nothing is asked without the parsed money (the inbox always has it).
 */
const duplicateUnlessRepeat = (command: LedgerCommand, later: boolean): Pick<Recording<LedgerEvent, LedgerState>, 'duplicate'> => {
  const money = command.money
  if (money === undefined) return {}
  const { before } = linkOf(command.data.idempotencyKey, command.data.verified.dc, money.amount.minor, money.balance.minor)
  return { duplicate: later ? { unlessHead: before.toString(), later } : { unlessHead: before.toString() } }
}

/**
 * Duplicates counted in this process (with the `duplicateCountInterval` option) and written in
 * batches: one `countDuplicate(stream, n)` per ledger that had any, `interval` ms after the first
 * one not written yet, and at `flush` (the inbox's `drain`). A failed write keeps its counts for
 * the next one. `pending(stream)` is what this process counted and has not written yet (a
 * `ledgers()` read while a batch is written may count one of its ledgers twice, never none).
 */
const createDuplicateCounts = (store: SharedLedgerStore<LedgerEvent, LedgerState>, interval: number) => {
  let pending = new Map<string, number>()
  /** The batch being written, less what is written already: still this process's to report. */
  const unwritten = new Map<string, number>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let writing: Promise<void> = Promise.resolve()

  const write = async (batch: ReadonlyMap<string, number>): Promise<void> => {
    for (const [stream, n] of batch) unwritten.set(stream, n)
    for (const [stream, n] of batch) {
      const written = await store.countDuplicate(stream, n)()
      unwritten.delete(stream)
      if (E.isLeft(written)) pending.set(stream, (pending.get(stream) ?? 0) + n)
    }
    if (pending.size > 0) schedule()
  }
  /** Writes what is pending, after any write under way; resolves when both are done. */
  const flush = (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    const batch = pending
    pending = new Map()
    writing = writing.then(() => (batch.size === 0 ? undefined : write(batch)))
    return writing
  }
  const schedule = (): void => {
    if (timer !== undefined) return
    timer = setTimeout(() => void flush(), interval)
    // A timer of its own must not keep a process alive that has nothing else to do (Node, Deno, Bun).
    ;(timer as { unref?: () => void }).unref?.()
  }
  return {
    add: (stream: string): void => {
      pending.set(stream, (pending.get(stream) ?? 0) + 1)
      schedule()
    },
    pending: (stream: string): number => (pending.get(stream) ?? 0) + (unwritten.get(stream) ?? 0),
    flush,
  }
}

/** Why a write was not made before the handlers ran: the key lookup found the key recorded, or failed. */
class KeyRecorded {
  constructor(readonly owner: string) {}
}
class LookupFailed {
  constructor(readonly error: StoreError) {}
}

/**
 * The inbox on a shared store: see the module's description and `createInbox`.
 *
 * @internal
 * @example
 * const inbox = createSharedInbox(settingsOf({ secrets: ['s3cr3t'], store }), store)
 */
export const createSharedInbox = (settings: InboxSettings, store: SharedLedgerStore<LedgerEvent, LedgerState>): Inbox => {
  const { decider, recorded, receivedAt, filter, handlerTimeout, metrics, duplicateCountInterval } = settings
  const counts = duplicateCountInterval === undefined ? undefined : createDuplicateCounts(store, duplicateCountInterval)
  /** Deliveries to one ledger (by the notification's account and currency), one at a time. */
  const queue = new SerialQueue()

  const evolveAll = (state: LedgerState, events: ReadonlyArray<LedgerEvent>): LedgerState => {
    let next = state
    for (const event of events) next = decider.evolve(next, event)
    return next
  }

  /** A ledger's stored state, with any events appended after it folded on top (none, normally). */
  const readLedger = async (stream: string): Promise<E.Either<StoreError, StateAt<LedgerState>>> => {
    const read = await store.readState(stream)()
    if (E.isLeft(read)) return read
    const { version, state, stateVersion } = read.right
    if (state !== undefined && stateVersion === version) return E.right({ state, version })
    if (version === 0) return E.right({ state: decider.initialState, version })
    const tail = await store.readStream(stream, { after: state === undefined ? 0 : stateVersion })()
    if (E.isLeft(tail)) return tail
    return E.right({ state: evolveAll(state ?? decider.initialState, tail.right.events), version: tail.right.version })
  }

  /**
   * The states this process last wrote or read, by ledger stream, most recently used last. Another
   * receiver may have moved a ledger on since: its write then meets a `VersionConflict`, and the
   * state is forgotten and read again.
   */
  const cache = new Map<string, StateAt<LedgerState>>()
  const remember = (stream: string, at: StateAt<LedgerState>): void => {
    cache.delete(stream)
    cache.set(stream, at)
    if (cache.size > CACHED_LEDGERS) cache.delete(cache.keys().next().value as string)
  }
  const ledgerState = async (stream: string): Promise<E.Either<StoreError, StateAt<LedgerState>>> => {
    const cached = cache.get(stream)
    if (cached !== undefined) return E.right(cached)
    const read = await readLedger(stream)
    if (E.isRight(read)) remember(stream, read.right)
    return read
  }

  /**
   * Writes whose outcome this process did not learn (the store failed while the write was under
   * way: a query timeout, a dropped connection), by key: the write may still have committed. When
   * Banksocket delivers the notification again, its key is looked up first; if that write did
   * commit, the delivery is answered as the write would have been, and told to `recorded`, instead
   * of being taken for a duplicate of itself (which would leave it unprinted and uncounted as
   * this process's own). The oldest are forgotten past {@link CACHED_LEDGERS}.
   */
  const uncertain = new Map<string, Readonly<{ stream: string; version: number; count: number }>>()

  /**
   * A delivery whose last write here ended without an answer: the events that write stored, if it
   * committed (the stream holds them after `version`, the first one carrying the key); `undefined`
   * when it did not, and the delivery is decided as usual.
   */
  const committedMeanwhile = async (
    key: string,
    doubt: Readonly<{ stream: string; version: number; count: number }>,
  ): Promise<E.Either<StoreError, ReadonlyArray<LedgerEvent> | undefined>> => {
    const owner = await store.keyOwner(key)()
    if (E.isLeft(owner)) return owner
    if (owner.right !== doubt.stream) return E.right(undefined)
    const written = await store.readStream(doubt.stream, { after: doubt.version, limit: doubt.count })()
    if (E.isLeft(written)) return written
    const first = written.right.events[0]
    const ours = first !== undefined && recordsKey(first) && first.data.idempotencyKey === key && written.right.events.length === doubt.count
    return E.right(ours ? written.right.events : undefined)
  }

  /** Tells the handlers of a duplicate (their failure changes nothing) and counts it where its key is recorded, unless the store did. */
  const duplicate = async (
    transaction: VerifiedTransaction,
    dispatch: Dispatch,
    owner: string,
    at: string,
    how: Readonly<{ dispatched?: DuplicateIgnored; counted: boolean }>,
  ): Promise<Outcome> => {
    const ignored: DuplicateIgnored = how.dispatched ?? {
      type: 'DuplicateIgnored',
      data: { idempotencyKey: transaction.idempotencyKey, accountId: transaction.unverified.account_id, receivedAt: at },
    }
    if (how.dispatched === undefined) await runWithTimeout(() => dispatch([ignored], transaction), handlerTimeout)
    // The notification is recorded whatever the counter says: the answer is `duplicate` either way.
    if (!how.counted) await store.countDuplicate(owner)()
    return { _tag: 'duplicate', transaction, events: [ignored] }
  }

  /**
   * The ledgers' command runner (core's one): decide on the state given, run the step before the
   * write, then `record` the events with the state they lead to, its head and the key's claim, in
   * one transaction. A lost race is not retried inside it: the turn below reads again first.
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
      const head = headToken(state)
      const start = metrics.now()
      return metrics.timeWrite(
        start,
        store.record(stream, {
          expectedVersion,
          events,
          state,
          ...(head === undefined ? {} : { head }),
          ...(repeat ? {} : { claim: command.data.idempotencyKey, ...duplicateUnlessRepeat(command, counts !== undefined) }),
        })(),
      )
    },
  })

  /**
   * A delivery whose key a ledger recorded (`owner`; empty when the store could not say which):
   * decided there as `seen: 'recorded'` on its state read afresh (a genuine repeat is recorded
   * again, anything else is a duplicate); again, after a pause, when another receiver moved it on.
   */
  const recordedBy = async (transaction: VerifiedTransaction, dispatch: Dispatch, known: string, at: string): Promise<Outcome> => {
    const runHandlers = (events: ReadonlyArray<LedgerEvent>) => runWithTimeout(() => dispatch(events, transaction), handlerTimeout)
    let owner = known
    if (owner === '') {
      const found = await store.keyOwner(transaction.idempotencyKey)()
      if (E.isLeft(found)) return { _tag: 'store_failed', transaction, error: found.left }
      if (found.right === undefined)
        return { _tag: 'store_failed', transaction, error: { _tag: 'StoreFailure', message: 'the store reported the key recorded, then not' } }
      owner = found.right
    }
    for (let attempt = 1; ; attempt++) {
      const read = await readLedger(owner)
      if (E.isLeft(read)) return { _tag: 'store_failed', transaction, error: read.left }
      const result = await untilAppended(runner.run(owner, ledgerCommandOf(transaction, at, 'recorded'), runHandlers, read.right))
      if (E.isRight(result)) {
        const { events, nextVersion } = result.right
        const first = events[0]
        if (first?.type === 'DuplicateIgnored') return duplicate(transaction, dispatch, owner, at, { dispatched: first, counted: false })
        // A genuine repeat was written: this process's state of the owner is behind now.
        cache.delete(owner)
        recorded?.(owner, events, nextVersion, transaction)
        return decidedOutcome(events, transaction)
      }
      const failure = result.left
      if (failure._tag !== 'RetriesExhausted' || attempt >= SHARED_STORE_ATTEMPTS) return failedOutcome(failure as RunError<LedgerError>, transaction)
      await pause(attempt)
    }
  }

  /**
   * One verified delivery: decide on the ledger's state as if the key were new; before handlers
   * that would see the events run, make sure it is (the lookup); write. A recorded key goes to
   * {@link recordedBy} unless the store counted it; a lost race reads and decides again.
   */
  const turn = async (transaction: VerifiedTransaction, dispatch: Dispatch, stream: string): Promise<Outcome> => {
    const key = transaction.idempotencyKey
    const at = receivedAt()
    const listensTo = dispatch.listensTo
    const runHandlers = (events: ReadonlyArray<LedgerEvent>) => runWithTimeout(() => dispatch(events, transaction), handlerTimeout)
    // A dispatch that cannot say whether it is seen: the key is looked up with every read, at once.
    const lookUpFirst = listensTo === undefined
    const beforeWrite = (events: ReadonlyArray<LedgerEvent>): Step<E.Either<unknown, void>> => {
      if (lookUpFirst) return runHandlers(events)
      // Nobody sees these events before they are stored: the write checks the key itself.
      if (!listensTo(events)) return E.right(undefined)
      return store
        .keyOwner(key)()
        .then((owned): Step<E.Either<unknown, void>> => {
          if (E.isLeft(owned)) return E.left(new LookupFailed(owned.left))
          if (owned.right !== undefined) return E.left(new KeyRecorded(owned.right))
          return runHandlers(events)
        })
    }
    const doubt = uncertain.get(key)
    if (doubt !== undefined) {
      const meanwhile = await committedMeanwhile(key, doubt)
      if (E.isLeft(meanwhile)) return { _tag: 'store_failed', transaction, error: meanwhile.left }
      uncertain.delete(key)
      if (meanwhile.right !== undefined) {
        const events = meanwhile.right
        cache.delete(doubt.stream)
        recorded?.(doubt.stream, events, doubt.version + events.length, transaction)
        return decidedOutcome(events, transaction)
      }
    }
    let writing: Readonly<{ version: number; count: number }> | undefined
    for (let attempt = 1; ; attempt++) {
      const cached = cache.has(stream)
      const [owned, read] = lookUpFirst ? await Promise.all([store.keyOwner(key)(), ledgerState(stream)]) : [undefined, await ledgerState(stream)]
      if (owned !== undefined) {
        if (E.isLeft(owned)) return { _tag: 'store_failed', transaction, error: owned.left }
        if (owned.right !== undefined) return recordedBy(transaction, dispatch, owned.right, at)
      }
      if (E.isLeft(read)) return { _tag: 'store_failed', transaction, error: read.left }
      const version = read.right.version
      const result = await untilAppended(
        runner.run(
          stream,
          ledgerCommandOf(transaction, at, undefined),
          (events) => {
            writing = { version, count: events.filter(isStored).length }
            return beforeWrite(events)
          },
          read.right,
        ),
      )
      if (E.isRight(result)) {
        const { events, nextVersion, state } = result.right
        remember(stream, { state, version: nextVersion })
        recorded?.(stream, events, nextVersion, transaction)
        return decidedOutcome(events, transaction)
      }
      const failure = result.left
      if (failure._tag === 'Aborted') {
        if (failure.error instanceof KeyRecorded) return recordedBy(transaction, dispatch, failure.error.owner, at)
        if (failure.error instanceof LookupFailed) return { _tag: 'store_failed', transaction, error: failure.error.error }
        return failedOutcome(failure, transaction)
      }
      if (failure._tag === 'StoreError' && failure.error._tag === 'KeyConflict') {
        const conflict = failure.error
        if (conflict.counted === true) return duplicate(transaction, dispatch, conflict.stream, at, { counted: true })
        if (conflict.countable === true && counts !== undefined) {
          counts.add(conflict.stream)
          return duplicate(transaction, dispatch, conflict.stream, at, { counted: true })
        }
        return recordedBy(transaction, dispatch, conflict.stream, at)
      }
      if (failure._tag === 'StoreError' && failure.error._tag === 'StoreFailure' && writing !== undefined && writing.count > 0) {
        // The write was sent and no answer came back: it may have committed.
        uncertain.set(key, { stream, ...writing })
        if (uncertain.size > CACHED_LEDGERS) uncertain.delete(uncertain.keys().next().value as string)
      }
      if (failure._tag !== 'DomainError') cache.delete(stream)
      // A state this process kept was behind: reading it is the first real attempt, made at once.
      if (failure._tag === 'RetriesExhausted' && cached) {
        attempt--
        continue
      }
      if (failure._tag !== 'RetriesExhausted' || attempt >= SHARED_STORE_ATTEMPTS) {
        // A KeyConflict is answered above: what is left is a store's own error.
        return failedOutcome(failure as RunError<LedgerError>, transaction)
      }
      await pause(attempt)
    }
  }

  /** Takes the delivery's place in its ledger's queue (in call order) while its hash is verified. */
  const take = (stream: string, verdict: Step<Verdict>, dispatch: Dispatch): Promise<Outcome> =>
    queue.run(stream, async (): Promise<Outcome> => {
      const result = await verdict
      if (result._tag === 'Thrown') return { _tag: 'internal_error', error: result.error }
      if (E.isLeft(result)) return { _tag: 'rejected', rejection: result.left }
      return turn(result.right, dispatch, stream)
    })

  /**
   * Every ledger's stored state (read again from its events when plain appends came after it) and
   * the duplicates counted on it, from one `readStates` of every ledger stream.
   */
  const ledgerStates = async (): Promise<E.Either<StoreError, ReadonlyArray<StoredLedger>>> => {
    const states = await store.readStates('ledger-')()
    if (E.isLeft(states)) return states
    const all: StoredLedger[] = []
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
      all.push({ stream, owner, state, duplicates: row.duplicates + (counts?.pending(stream) ?? 0) })
    }
    return E.right(all)
  }

  const summaries = async (): Promise<E.Either<StoreError, ReadonlyMap<string, LedgerSummary>>> => {
    const states = await ledgerStates()
    if (E.isLeft(states)) return states
    const all = new Map<string, LedgerSummary>()
    for (const { stream, owner, state, duplicates } of states.right) {
      all.set(stream, summarizeLedger({ ...state, duplicates }, owner.accountId, owner.currency, filter))
    }
    return E.right(all)
  }

  /**
   * The open gaps of every ledger in the store, for the `banksocket.gaps.open` gauge: what the
   * database holds, written by every receiver that shares it (so each of them observes the same
   * total); `undefined` when the store cannot be read.
   */
  const openGaps = async (): Promise<number | undefined> => {
    const states = await ledgerStates()
    if (E.isLeft(states)) return undefined
    let open = 0
    for (const { state } of states.right) open += openGapCount(state, filter)
    return open
  }

  const intake = inboxOf(createIntake(settings, take), store, summaries)
  // Draining also writes the duplicates counted here and not written yet.
  const inbox: Inbox = counts === undefined ? intake : { ...intake, drain: () => intake.drain().then(counts.flush) }
  metrics.watchGaps(inbox, openGaps)
  return inbox
}
