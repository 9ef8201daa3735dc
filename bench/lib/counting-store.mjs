// An EventStore that keeps no events: only each stream's version (so appends still get the
// optimistic-concurrency check) and a count of events by type. Used where the bench wants the
// receiver's own memory, not the memory of a store that keeps every event forever (the in-memory
// store that core ships as its default does exactly that, by design).
//
// Consequence, stated in docs/benchmarks.md: with this store, deduplication relies on the ledger's
// bounded key window alone (as it would with a durable store once the ledger is loaded), and
// `readAll` is refused.

import { versionMatches } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'

/** @returns {import('@banksocket-webhooks/core').EventStore<import('@banksocket-webhooks/core').LedgerEvent> & { counts: Record<string, number> }} */
export const createCountingStore = () => {
  const versions = new Map()
  const counts = { TransactionReceived: 0, BalanceGapDetected: 0, DuplicateIgnored: 0 }
  return {
    counts,
    readStream: (stream) => async () => E.right({ version: versions.get(stream) ?? 0, events: [] }),
    appendToStream: (stream, events, expected) => async () => {
      const actual = versions.get(stream) ?? 0
      if (!versionMatches(expected, actual)) return E.left({ _tag: 'VersionConflict', stream, expected, actual })
      for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1
      versions.set(stream, actual + events.length)
      return E.right({ nextVersion: actual + events.length })
    },
    readAll: () => async () => E.left({ _tag: 'StoreFailure', message: 'the counting store keeps no events' }),
  }
}
