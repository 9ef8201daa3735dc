/**
 * The consumer contract on core's memory store with the memory checkpoints. A restart keeps the
 * same objects: their data lives in them.
 */
import { createInMemoryEventStore } from '@banksocket-webhooks/core'
import { createInMemoryCheckpoints } from '../src/index.ts'
import { consumerContract, type TestEvent } from './support/consumer-contract.ts'

consumerContract('in memory', async () => {
  const writer = createInMemoryEventStore<TestEvent>()
  const checkpoints = createInMemoryCheckpoints()
  return { writer, feed: writer, checkpoints, restart: async () => ({ feed: writer, checkpoints }), dispose: async () => {} }
}).run()
