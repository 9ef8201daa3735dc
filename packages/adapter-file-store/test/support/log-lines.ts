/**
 * Hand-written event-log text for tests that need a log the store did not write: the header, event
 * lines, commit markers, and one log with every kind of unusable line.
 */
import { transaction } from './events.ts'

/** The first line of every log. */
export const HEADER = '{"format":"banksocket-webhooks/event-log","version":1}\n'

/** One event line. */
export const line = (stream: string, version: number, event: unknown) => `${JSON.stringify({ stream, version, event })}\n`

/** A commit marker after `n` event lines. */
export const commit = (n: number) => `{"commit":${n}}\n`

/**
 * A log whose event lines are: 1 ok, 2 not JSON, 3 undecodable (version 2), 4 ok (version 3),
 * 5 a second version 3.
 */
export const corruptLog = (): string =>
  HEADER +
  line('ledger-69-TRY', 1, transaction(1)) +
  'not json\n' +
  commit(2) +
  line('ledger-69-TRY', 2, { type: 'TransactionReceived', data: {} }) +
  line('ledger-69-TRY', 3, transaction(3)) +
  line('ledger-69-TRY', 3, transaction(33)) +
  commit(3)
