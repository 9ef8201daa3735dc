/**
 * The in-memory index that routes credits: every expectation by id (with the stream version it
 * was read at), and each reference key to the latest expectation expected under it. It is rebuilt
 * from the store; the store stays the truth.
 *
 * @internal
 * @module
 */
import type { StoredEvent } from '@banksocket-webhooks/core'
import type { ExpectationLookup } from './credit.ts'
import type { PaymentsEvent } from './events.ts'
import { type Expectation, paymentStream } from './expectation.ts'
import { summarizePayments } from './projection.ts'

type Indexed = Readonly<{ expectation: Expectation; version: number }>

/**
 * Expectations by id and by reference key. {@link ExpectationIndex.remember} keeps the newer of
 * what it holds and what it is given (by stream version), so that an older read never undoes a
 * newer write.
 *
 * @internal
 * @example
 * import { ExpectationIndex } from './expectation-index.ts'
 * const index = new ExpectationIndex()
 * index.rebuild(storedEvents)
 * index.lookup().latest('SIP1042')?.id // 'order-1042'
 */
export class ExpectationIndex {
  #byId = new Map<string, Indexed>()
  #latestByKey = new Map<string, string>()
  #maxKeyLength = 0

  /** The expectation with this id, as the index holds it. */
  get(id: string): Expectation | undefined {
    return this.#byId.get(id)?.expectation
  }

  /** Every expectation, in the order they were expected. */
  all(): ReadonlyArray<Expectation> {
    return [...this.#byId.values()].map((i) => i.expectation)
  }

  /** The latest expectation expected under a reference key. */
  latest(key: string): Expectation | undefined {
    const id = this.#latestByKey.get(key)
    return id === undefined ? undefined : this.get(id)
  }

  /** The index as the matcher reads it. */
  lookup(): ExpectationLookup {
    return { latest: (key) => this.latest(key), maxKeyLength: this.#maxKeyLength }
  }

  /** Indexes every expectation of the stored events, in the order they were expected. */
  rebuild(stored: ReadonlyArray<StoredEvent<PaymentsEvent>>): void {
    const versions = new Map<string, number>()
    for (const { stream, version } of stored) versions.set(stream, version)
    this.#byId = new Map()
    this.#latestByKey = new Map()
    this.#maxKeyLength = 0
    for (const e of summarizePayments(stored).expectations.values()) this.remember(e, versions.get(paymentStream(e.id)) ?? 0)
  }

  /** Keeps the newer of what the index holds and what a command (or a read) returned. */
  remember(expectation: Expectation, version: number): void {
    const known = this.#byId.get(expectation.id)
    if (known !== undefined && known.version > version) return
    this.#byId.set(expectation.id, { expectation, version })
    if (known === undefined) {
      this.#latestByKey.set(expectation.key, expectation.id)
      this.#maxKeyLength = Math.max(this.#maxKeyLength, Array.from(expectation.key).length)
    }
  }
}
