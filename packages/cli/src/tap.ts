/**
 * An EventStore decorator that reports each successful append, so that output follows what was
 * durably recorded: a line printed means the events were stored and a 200 is on its way.
 *
 * @module
 */
import type { EventStore } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'

/**
 * The same store, calling `onAppended(stream, events)` after every append that succeeded (never
 * for a refused or failed one). A throwing callback does not fail the append.
 *
 * @example
 * import { createInMemoryEventStore, type LedgerEvent } from '@banksocket-webhooks/core'
 * import { tapAppends } from '@banksocket-webhooks/cli'
 * const store = tapAppends(createInMemoryEventStore<LedgerEvent>(), (stream, events) => console.log(stream, events.length))
 */
export const tapAppends = <Ev>(store: EventStore<Ev>, onAppended: (stream: string, events: ReadonlyArray<Ev>) => void): EventStore<Ev> => ({
  readStream: (stream, options) => store.readStream(stream, options),
  readAll: (options) => store.readAll(options),
  appendToStream: (stream, events, expected) => async () => {
    const result = await store.appendToStream(stream, events, expected)()
    if (E.isRight(result)) {
      try {
        onAppended(stream, events)
      } catch {
        // output must never undo a stored append
      }
    }
    return result
  },
})
