/**
 * The store contract (`@banksocket-webhooks/test-support`) against core's in-memory store, the
 * reference every other store is held to. It cannot be reopened: its events live in the object.
 *
 * Imported by path, not by package name: test-support depends on core, so core depending on it
 * (even as a dev dependency) would make a cycle in the workspace graph.
 */
import { type ContractEvent, storeContract } from '../../test-support/src/index.ts'
import { createInMemoryEventStore } from '../src/index.ts'

storeContract('in memory (core)', async () => ({ store: createInMemoryEventStore<ContractEvent>(), dispose: async () => {} })).run()
