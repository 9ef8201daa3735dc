/**
 * The store contract (`@banksocket-webhooks/test-support`) against the file store: the same tests,
 * the same answers as core's in-memory store and PostgreSQL. Each test gets a new log; reopening
 * closes the store (releasing the lock) and opens the same file again.
 */
import { type ContractEvent, storeContract } from '@banksocket-webhooks/test-support'
import type { FileEventStore } from '../src/index.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

const file = storeContract('file', async () => {
  const path = tempLog()
  let current: FileEventStore<ContractEvent> = await mustOpen<ContractEvent>({ path })
  return {
    store: current,
    dispose: async () => void right(await current.close()()),
    reopen: async () => {
      right(await current.close()())
      current = await mustOpen<ContractEvent>({ path })
      return current
    },
  }
})
file.after.each(cleanup)
file.run()
