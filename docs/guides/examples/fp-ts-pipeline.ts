import {
  type EventStore,
  fold,
  type LedgerCommand,
  type LedgerError,
  type LedgerEvent,
  ledgerDecider,
  ledgerStream,
  type Outcome,
  receive,
  type StoreError,
  type VerifiedTransaction,
} from '@banksocket-webhooks/core'
import { answerFor, type HttpAnswer } from '@banksocket-webhooks/core/runtime-kit'
import { pipe } from 'fp-ts/lib/function.js'
import * as RTE from 'fp-ts/lib/ReaderTaskEither.js'

/** What the pipeline needs from the outside world, passed as the Reader environment. */
export type Deps = Readonly<{
  secrets: ReadonlyArray<string>
  store: EventStore<LedgerEvent>
  now: () => Date
}>

/** One notification as it arrived: the raw body and its Content-Type header. */
export type Delivery = Readonly<{ body: Uint8Array | string; contentType: string | null }>

const ledger = ledgerDecider()

/** 1. Verify: parse the body, decode the fields, check the hash. A refusal is already an outcome. */
const verify = (delivery: Delivery): RTE.ReaderTaskEither<Deps, Outcome, VerifiedTransaction> =>
  pipe(
    RTE.asks((deps: Deps) => deps.secrets),
    RTE.chainTaskEitherKW((secrets) => receive(delivery, { secrets })),
    RTE.mapLeft((rejection): Outcome => ({ _tag: 'rejected', rejection })),
  )

/**
 * The command for a verified transaction. `seen` tells the decider the key was already recorded in
 * this ledger (found in its history here; the receivers keep one key space across every ledger).
 */
const command = (tx: VerifiedTransaction, receivedAt: Date, history: ReadonlyArray<LedgerEvent>): LedgerCommand => {
  const data = {
    idempotencyKey: tx.idempotencyKey,
    receivedAt: receivedAt.toISOString(),
    hash: tx.hash,
    verified: tx.verified,
    unverified: tx.unverified,
  }
  const seen = history.some((e) => e.type === 'TransactionReceived' && e.data.idempotencyKey === tx.idempotencyKey)
  return seen ? { type: 'RecordTransaction', data, seen: 'recorded' } : { type: 'RecordTransaction', data }
}

/** Duplicates are answered, not stored: only new events are appended. */
const toAppend = (events: ReadonlyArray<LedgerEvent>): ReadonlyArray<LedgerEvent> => events.filter((e) => e.type !== 'DuplicateIgnored')

const failed =
  (transaction: VerifiedTransaction) =>
  (error: StoreError | LedgerError): Outcome =>
    error._tag === 'InvalidAmount' ? { _tag: 'internal_error', error } : { _tag: 'store_failed', transaction, error }

const recorded =
  (transaction: VerifiedTransaction) =>
  ({ events }: Readonly<{ events: ReadonlyArray<LedgerEvent> }>): Outcome =>
    events.some((event) => event.type === 'DuplicateIgnored') ? { _tag: 'duplicate', transaction, events } : { _tag: 'accepted', transaction, events }

/**
 * 2. Record: replay the account's ledger, let the decider dedupe and place the movement in the
 * balance chain, then append at the version that was read. A concurrent writer makes that a
 * VersionConflict.
 */
const record = (transaction: VerifiedTransaction): RTE.ReaderTaskEither<Deps, Outcome, Outcome> => {
  const stream = ledgerStream(transaction.unverified.account_id, transaction.verified.currency)
  return pipe(
    RTE.ask<Deps>(),
    RTE.bindTo('deps'),
    RTE.bindW('history', ({ deps }) => RTE.fromTaskEither(deps.store.readStream(stream))),
    RTE.bindW('events', ({ deps, history }) =>
      RTE.fromEither(ledger.decide(command(transaction, deps.now(), history.events), fold(ledger)(history.events))),
    ),
    RTE.chainFirstW(({ deps, history, events }) =>
      toAppend(events).length === 0 ? RTE.right(undefined) : RTE.fromTaskEither(deps.store.appendToStream(stream, toAppend(events), history.version)),
    ),
    RTE.bimap(failed(transaction), recorded(transaction)),
  )
}

/** 3. Answer: every outcome, refusals included, becomes the receiver contract's HTTP answer. */
export const handle = (delivery: Delivery): RTE.ReaderTaskEither<Deps, never, HttpAnswer> =>
  pipe(
    verify(delivery),
    RTE.chain(record),
    RTE.orElse((outcome) => RTE.right<Deps, never, Outcome>(outcome)),
    RTE.map(answerFor),
  )
