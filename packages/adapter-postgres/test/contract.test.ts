/**
 * The store contract (test/support/contract.ts) against the PostgreSQL store and, as the reference,
 * core's in-memory store: the same tests, the same answers.
 */
import { createInMemoryEventStore } from '@banksocket-webhooks/core'
import type pg from 'pg'
import { createPostgresEventStore } from '../src/index.ts'
import { type ContractEvent, storeContract } from './support/contract.ts'
import { startDatabase, type TestDatabase } from './support/database.ts'

storeContract('in memory (core)', async () => ({ store: createInMemoryEventStore<ContractEvent>(), dispose: async () => {} })).run()

let db: TestDatabase
let pool: pg.Pool
const postgres = storeContract('PostgreSQL', async () => {
  const store = createPostgresEventStore<ContractEvent>({ pool, schema: await db.schema() })
  return { store, dispose: async () => void (await store.close()()) }
})
postgres.before(async () => {
  db = await startDatabase()
  pool = db.pool({ max: 10 })
})
postgres.after(async () => {
  await db.stop()
})
postgres.run()
