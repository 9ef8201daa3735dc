/**
 * The inbox on a store shared by several receivers (several processes on one database, a
 * {@link SharedLedgerStore} that says `shared: true`): it keeps nothing in memory between
 * deliveries, since other processes write too, and lets the store decide. `createInbox` makes it
 * for such a store.
 *
 * Per delivery (one at a time per ledger within a process): look up the key's owner and read the
 * ledger's stored state (two queries, at once), decide (on the owner's ledger, as
 * `seen: 'recorded'`, when the key is recorded), dispatch, then `record` the events, the evolved
 * state and the key's claim in one transaction, on core's command runner. The store arbitrates: a
 * `KeyConflict` (another receiver recorded the key first) is a duplicate, counted; a
 * `VersionConflict` (another receiver moved the ledger on) reads and decides again, at most
 * {@link SHARED_STORE_ATTEMPTS} times, after a random pause; a store failure answers
 * `store_failed` and nothing is acknowledged.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { runWithTimeout, SerialQueue, type Step } from './async.ts'
import { createCommandRunner, type RunError, type StateAt, untilAppended } from './command.ts'
import type { DuplicateIgnored, LedgerEvent } from './events.ts'
import type { Dispatch, Inbox, Outcome } from './inbox.ts'
import { decidedOutcome, failedOutcome, isStored, ledgerCommandOf } from './inbox-ledger.ts'
import type { InboxSettings } from './inbox-settings.ts'
import { createIntake, inboxOf, type Verdict } from './intake.ts'
import type { LedgerCommand, LedgerError, LedgerState } from './ledger.ts'
import { type LedgerSummary, openGapCount, parseLedgerStream, summarizeLedger } from './projection.ts'
import type { VerifiedTransaction } from './receive.ts'
import type { RecordError, SharedLedgerStore } from './shared-store.ts'
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
 * The inbox on a shared store: see the module's description and `createInbox`.
 *
 * @internal
 * @example
 * const inbox = createSharedInbox(settingsOf({ secrets: ['s3cr3t'], store }), store)
 */
export const createSharedInbox = (settings: InboxSettings, store: SharedLedgerStore<LedgerEvent, LedgerState>): Inbox => {
  const { decider, recorded, receivedAt, filter, handlerTimeout, metrics } = settings
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
    if (event === undefined) await runWithTimeout(() => dispatch([ignored], transaction), handlerTimeout)
    // The notification is recorded whatever the counter says: the answer is `duplicate` either way.
    await store.countDuplicate(owner)()
    return { _tag: 'duplicate', transaction, events: [ignored] }
  }

  /**
   * The ledgers' command runner (core's one): decide on the state just read, dispatch, then
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
      const start = metrics.now()
      return metrics.timeWrite(
        start,
        store.record(stream, { expectedVersion, events, state, ...(repeat ? {} : { claim: command.data.idempotencyKey }) })(),
      )
    },
  })

  /**
   * One verified delivery: look the key's owner up and read the ledger (at once), run the ledger's
   * command on the owner's ledger; again, after a pause, when another receiver moved it on.
   */
  const turn = async (transaction: VerifiedTransaction, dispatch: Dispatch, stream: string): Promise<Outcome> => {
    const key = transaction.idempotencyKey
    const at = receivedAt()
    const runHandlers = (events: ReadonlyArray<LedgerEvent>) => runWithTimeout(() => dispatch(events, transaction), handlerTimeout)
    for (let attempt = 1; ; attempt++) {
      const [owned, own] = await Promise.all([store.keyOwner(key)(), readLedger(stream)])
      if (E.isLeft(owned)) return { _tag: 'store_failed', transaction, error: owned.left }
      const owner = owned.right
      // A key recorded elsewhere is decided there, whatever the (unsigned) account_id says.
      const target = owner ?? stream
      const read = target === stream ? own : await readLedger(target)
      if (E.isLeft(read)) return { _tag: 'store_failed', transaction, error: read.left }
      const command = ledgerCommandOf(transaction, at, owner === undefined ? undefined : 'recorded')
      const result = await untilAppended(runner.run(target, command, runHandlers, read.right))
      if (E.isRight(result)) {
        const { events, nextVersion } = result.right
        const first = events[0]
        if (first?.type === 'DuplicateIgnored') return duplicate(transaction, dispatch, target, first)
        recorded?.(target, events, nextVersion, transaction)
        return decidedOutcome(events, transaction)
      }
      const failure = result.left
      if (failure._tag === 'StoreError' && failure.error._tag === 'KeyConflict') {
        return duplicate(transaction, dispatch, failure.error.stream === '' ? target : failure.error.stream)
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
      all.push({ stream, owner, state, duplicates: row.duplicates })
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

  const inbox = inboxOf(createIntake(settings, take), store, summaries)
  metrics.watchGaps(inbox, openGaps)
  return inbox
}
