/**
 * `@banksocket-webhooks/test-support` (private, never published): test support shared by the
 * workspace's packages. `storeContract` is the one suite every `EventStore` runs.
 *
 * @example
 * import { createInMemoryEventStore } from '@banksocket-webhooks/core'
 * import { type ContractEvent, storeContract } from '@banksocket-webhooks/test-support'
 * storeContract('in memory', async () => ({ store: createInMemoryEventStore<ContractEvent>(), dispose: async () => {} })).run()
 *
 * @packageDocumentation
 */
export { type ContractEvent, type StoreUnderTest, storeContract } from './store-contract.ts'
