/**
 * What an inbox says to a ledger and what it makes of the answer, the same for the in-process inbox
 * and the shared-store inbox: the command a verified transaction becomes, which decided events are
 * stored and which record an idempotency key, and the {@link Outcome} a command's result means.
 *
 * @module
 */
import type { RunError } from './command.ts'
import type { LedgerEvent, SuspectedReplay, TransactionReceived } from './events.ts'
import type { Outcome } from './inbox.ts'
import type { KeySeen, LedgerCommand, LedgerError } from './ledger.ts'
import type { VerifiedTransaction } from './receive.ts'

/**
 * Whether recording an event records its idempotency key: a new or suspected transaction's (a
 * repeat's is there already).
 *
 * @internal
 * @example
 * events.filter(recordsKey).map((e) => e.data.idempotencyKey)
 */
export const recordsKey = (event: LedgerEvent): event is TransactionReceived | SuspectedReplay =>
  event.type === 'TransactionReceived' || event.type === 'SuspectedReplay'

/**
 * What the ledgers append: every event but a duplicate's, which is counted in the state and never
 * stored.
 *
 * @internal
 * @example
 * events.filter(isStored)
 */
export const isStored = (event: LedgerEvent): boolean => event.type !== 'DuplicateIgnored'

/**
 * The ledger command for a verified transaction received at `receivedAt`, with what the key space
 * knows of its key (`seen`). It carries the amount and balance `receive` already parsed (the
 * transaction holds both, as `money`), so the decider does not parse the strings again.
 *
 * @internal
 * @example
 * ledgerCommandOf(transaction, '2026-11-23T10:00:00.000Z', undefined).data.idempotencyKey === transaction.idempotencyKey // true
 */
export const ledgerCommandOf = (transaction: VerifiedTransaction, receivedAt: string, seen: KeySeen | undefined): LedgerCommand => {
  const data: TransactionReceived['data'] = {
    idempotencyKey: transaction.idempotencyKey,
    receivedAt,
    hash: transaction.hash,
    verified: transaction.verified,
    unverified: transaction.unverified,
  }
  return seen === undefined ? { type: 'RecordTransaction', data, money: transaction } : { type: 'RecordTransaction', data, seen, money: transaction }
}

/**
 * The outcome of a ledger command carried out, by its first event: `duplicate` (nothing stored),
 * `suspected_replay` (stored for review) or `accepted`.
 *
 * @internal
 * @example
 * decidedOutcome([{ type: 'DuplicateIgnored', data }], transaction)._tag // 'duplicate'
 */
export const decidedOutcome = (events: ReadonlyArray<LedgerEvent>, transaction: VerifiedTransaction): Outcome => {
  const first = events[0]?.type
  return {
    _tag: first === 'DuplicateIgnored' ? 'duplicate' : first === 'SuspectedReplay' ? 'suspected_replay' : 'accepted',
    transaction,
    events,
  }
}

/**
 * The outcome of a ledger command that was not carried out: the decider refused the amount
 * (`rejected`), a handler failed (`handler_failed`), or the store failed or another writer won
 * every attempt (`store_failed`). Nothing was stored.
 *
 * @internal
 * @example
 * failedOutcome({ _tag: 'Aborted', stream: 'ledger-69-TRY', error: new Error('down') }, transaction)._tag // 'handler_failed'
 */
export const failedOutcome = (failure: RunError<LedgerError>, transaction: VerifiedTransaction): Outcome => {
  switch (failure._tag) {
    case 'DomainError':
      return { _tag: 'rejected', rejection: { _tag: 'invalid_payload', details: [{ path: 'amount', message: failure.error.reason }] } }
    case 'Aborted':
      return { _tag: 'handler_failed', transaction, error: failure.error }
    case 'StoreError':
      return { _tag: 'store_failed', transaction, error: failure.error }
    case 'RetriesExhausted':
      return { _tag: 'store_failed', transaction, error: failure.conflict }
  }
}
