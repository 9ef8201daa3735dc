/**
 * From ledger events to listener calls: the inbox's {@link Dispatch} that runs the application's
 * listeners and waits for them, and the after-the-fact notification of `recorded`, `rejected` and `error`.
 *
 * @module
 */

import { type LedgerEvent, type Money, parseBalance, type TransactionReceived, type VerifiedTransaction } from '@banksocket-webhooks/core'
import type { Dispatch } from '@banksocket-webhooks/core/runtime-kit'
import { isThenable } from '@banksocket-webhooks/core/runtime-kit'
import type { EventEmitter } from 'eventemitter3'
import * as E from 'fp-ts/lib/Either.js'
import type {
  BalanceGap,
  BalanceGapChange,
  DuplicateDelivery,
  ReceivedTransaction,
  ReceiverEventName,
  ReceiverEvents,
  SuspectedReplayDelivery,
  Unobserved,
} from './events.ts'

/**
 * An emitter of receiver events, as the dispatch needs it.
 *
 * @example
 * import type { ReceiverEmitter } from '@banksocket-webhooks/receiver'
 * import { EventEmitter } from 'eventemitter3'
 * const emitter: ReceiverEmitter = new EventEmitter()
 */
export type ReceiverEmitter = Pick<EventEmitter<ReceiverEvents, never>, 'listeners' | 'listenerCount' | 'removeListener'>

type AnyListener = (payload: unknown) => unknown

/** Amounts in stored events were formatted by core from exact money, so this cannot fail. */
const exactMoney = (amount: string, currency: string): Money => {
  const parsed = parseBalance(amount, currency)
  if (E.isLeft(parsed)) throw new TypeError(`a ledger event holds an amount that is not exact money: ${parsed.left.reason}`)
  return parsed.right
}

/**
 * The payload of `duplicate` and `suspected_replay`: the verified transaction plus when it arrived
 * and its event. Built field by field (not by spreading), so every payload has one shape and costs
 * one allocation.
 */
const withEvent = <Ev extends LedgerEvent>(tx: VerifiedTransaction, receivedAt: string, event: Ev) => ({
  idempotencyKey: tx.idempotencyKey,
  verified: tx.verified,
  unverified: tx.unverified,
  amount: tx.amount,
  balance: tx.balance,
  opponentIban: tx.opponentIban,
  hash: tx.hash,
  secretIndex: tx.secretIndex,
  extra: tx.extra,
  receivedAt,
  event,
})

/** The payload of `transaction`/`credit`/`debit`: {@link withEvent}'s fields and `repeat`, in one allocation. */
const received = (tx: VerifiedTransaction, event: TransactionReceived): ReceivedTransaction => ({
  idempotencyKey: tx.idempotencyKey,
  verified: tx.verified,
  unverified: tx.unverified,
  amount: tx.amount,
  balance: tx.balance,
  opponentIban: tx.opponentIban,
  hash: tx.hash,
  secretIndex: tx.secretIndex,
  extra: tx.extra,
  receivedAt: event.data.receivedAt,
  event,
  repeat: event.data.repeat === true,
})

const hasListeners = (emitter: ReceiverEmitter, name: ReceiverEventName): boolean => emitter.listenerCount(name) > 0

/**
 * Calls the listeners of one event as `emit` would (in registration order, removing `once`
 * listeners), and collects the promises they returned.
 */
const invoke = (emitter: ReceiverEmitter, name: ReceiverEventName, payload: unknown, pending: PromiseLike<unknown>[]): void => {
  if (emitter.listenerCount(name) === 0) return
  for (const listener of emitter.listeners(name)) {
    emitter.removeListener(name, listener, undefined, true)
    const result = (listener as AnyListener)(payload)
    if (isThenable(result)) pending.push(result)
  }
}

/** Where a gap lies, as exact money: shared by the `gap`, `gap_narrowed`/`gap_closed` and `unobserved` payloads. */
const gapBounds = (d: Readonly<{ accountId: string; currency: string; gapId: number; from: string; to: string }>) => ({
  accountId: d.accountId,
  currency: d.currency,
  gapId: d.gapId,
  from: exactMoney(d.from, d.currency),
  to: exactMoney(d.to, d.currency),
})

/** Whether anyone listens to one ledger event: the listeners {@link callListeners} calls for it. */
const listensToEvent = (emitter: ReceiverEmitter, event: LedgerEvent, side: 'credit' | 'debit'): boolean => {
  switch (event.type) {
    case 'BalanceGapDetected':
      return hasListeners(emitter, 'gap')
    case 'TransactionReceived':
      return hasListeners(emitter, 'transaction') || hasListeners(emitter, side)
    case 'DuplicateIgnored':
      return hasListeners(emitter, 'duplicate')
    case 'BalanceGapNarrowed':
      return hasListeners(emitter, 'gap_narrowed')
    case 'BalanceGapClosed':
      return hasListeners(emitter, 'gap_closed')
    case 'UnobservedMovements':
      return hasListeners(emitter, 'unobserved')
    case 'SuspectedReplay':
      return hasListeners(emitter, 'suspected_replay')
  }
}

/** Calls the listeners of one ledger event; payloads are built only for events someone listens to. */
const callListeners = (emitter: ReceiverEmitter, event: LedgerEvent, transaction: VerifiedTransaction, pending: PromiseLike<unknown>[]): void => {
  const side = transaction.verified.dc === 'Credit' ? 'credit' : 'debit'
  if (!listensToEvent(emitter, event, side)) return
  switch (event.type) {
    case 'BalanceGapDetected': {
      const d = event.data
      const gap: BalanceGap = {
        ...gapBounds(d),
        expectedBalance: exactMoney(d.expectedBalance, d.currency),
        actualBalance: exactMoney(d.actualBalance, d.currency),
        missing: exactMoney(d.missing, d.currency),
        previousKey: d.previousKey,
        idempotencyKey: d.idempotencyKey,
        transaction,
        event,
      }
      invoke(emitter, 'gap', gap, pending)
      return
    }
    case 'TransactionReceived': {
      const payload = received(transaction, event)
      invoke(emitter, 'transaction', payload, pending)
      invoke(emitter, side, payload, pending)
      return
    }
    case 'DuplicateIgnored': {
      const duplicate: DuplicateDelivery = withEvent(transaction, event.data.receivedAt, event)
      invoke(emitter, 'duplicate', duplicate, pending)
      return
    }
    case 'BalanceGapNarrowed':
    case 'BalanceGapClosed': {
      const name = event.type === 'BalanceGapClosed' ? 'gap_closed' : 'gap_narrowed'
      const d = event.data
      const change: BalanceGapChange = {
        ...gapBounds(d),
        missing: exactMoney(d.missing, d.currency),
        idempotencyKey: d.idempotencyKey,
        transaction,
        event,
      }
      invoke(emitter, name, change, pending)
      return
    }
    case 'UnobservedMovements': {
      const d = event.data
      const unobserved: Unobserved = {
        ...gapBounds(d),
        filter: d.filter,
        net: exactMoney(d.net, d.currency),
        transaction,
        event,
      }
      invoke(emitter, 'unobserved', unobserved, pending)
      return
    }
    case 'SuspectedReplay': {
      const suspected: SuspectedReplayDelivery = withEvent(transaction, event.data.receivedAt, event)
      invoke(emitter, 'suspected_replay', suspected, pending)
      return
    }
  }
}

const failure = (errors: ReadonlyArray<unknown>): unknown =>
  errors.length === 1 ? errors[0] : new AggregateError(errors, `${errors.length} listeners failed`)

/**
 * The inbox dispatch of a receiver: for each ledger event, in order, calls every listener
 * (`gap` or `unobserved`; `transaction` then `credit` or `debit`; `gap_narrowed`, `gap_closed`;
 * `duplicate`; `suspected_replay`) and waits for all the promises they
 * return. A listener that throws stops the calls; the dispatch then fails with that error (or an
 * `AggregateError` when several failed) once the listeners already started have settled, so the
 * inbox answers 500 and stores nothing. Synchronous listeners keep the dispatch synchronous. Its
 * `listensTo` tells the inbox whether any listener would be called (so that, on a shared store, a
 * movement nobody listens to is written without looking its key up first).
 *
 * @example
 * import { createInbox } from '@banksocket-webhooks/core'
 * import { dispatchTo, type ReceiverEvents } from '@banksocket-webhooks/receiver'
 * import { EventEmitter } from 'eventemitter3'
 * const events = new EventEmitter<ReceiverEvents, never>().on('credit', async (tx) => save(tx))
 * const outcome = await createInbox({ secrets: ['s3cr3t'] }).deliver({ body, contentType }, dispatchTo(events))
 */
export const dispatchTo = (emitter: ReceiverEmitter): Dispatch => {
  const dispatch = (events: ReadonlyArray<LedgerEvent>, transaction: VerifiedTransaction): void | Promise<void> => {
    const pending: PromiseLike<unknown>[] = []
    let thrown: unknown[] | undefined
    try {
      for (const event of events) callListeners(emitter, event, transaction, pending)
    } catch (error) {
      thrown = [error]
    }
    if (pending.length === 0) {
      if (thrown !== undefined) throw failure(thrown)
      return undefined
    }
    return Promise.allSettled(pending).then((settled) => {
      const errors = thrown ?? []
      for (const s of settled) if (s.status === 'rejected') errors.push(s.reason)
      if (errors.length > 0) throw failure(errors)
    })
  }
  const listensTo = (events: ReadonlyArray<LedgerEvent>): boolean => {
    for (const event of events) {
      const side = event.type === 'TransactionReceived' && event.data.verified.dc === 'Debit' ? 'debit' : 'credit'
      if (listensToEvent(emitter, event, side)) return true
    }
    return false
  }
  return Object.assign(dispatch, { listensTo })
}

/**
 * Tells the listeners of an after-the-fact event (`recorded`, `rejected`, `error`) without letting them
 * fail anything: a throw or a rejection goes to `onFailure`, which defaults to ignoring it.
 *
 * @example
 * import { notify } from '@banksocket-webhooks/receiver'
 * notify(receiver, 'rejected', { _tag: 'invalid_hash' })
 */
export const notify = <K extends 'recorded' | 'rejected' | 'error'>(
  emitter: ReceiverEmitter,
  name: K,
  payload: Parameters<ReceiverEvents[K]>[0],
  onFailure: (error: unknown) => void = () => {},
): void => {
  if (emitter.listenerCount(name) === 0) return
  const guarded = (error: unknown) => {
    try {
      onFailure(error)
    } catch {
      // a failing failure handler has nowhere left to report to
    }
  }
  for (const listener of emitter.listeners(name)) {
    emitter.removeListener(name, listener, undefined, true)
    try {
      const result = (listener as AnyListener)(payload)
      if (isThenable(result)) result.then(undefined, guarded)
    } catch (error) {
      guarded(error)
    }
  }
}
