/**
 * The store contract (`@banksocket-webhooks/test-support`) against the PostgreSQL store: the same
 * tests, the same answers as core's in-memory store and the file store. Reopening is a new store
 * (and a new pool) on the same schema.
 */
import { type ContractEvent, storeContract } from '@banksocket-webhooks/test-support'
import type pg from 'pg'
import { createPostgresEventStore, type PostgresEventStore } from '../src/index.ts'
import { startDatabase, type TestDatabase } from './support/database.ts'

let db: TestDatabase
let pool: pg.Pool
const postgres = storeContract('PostgreSQL', async () => {
  const schema = await db.schema()
  let current: PostgresEventStore<ContractEvent> = createPostgresEventStore<ContractEvent>({ pool, schema })
  return {
    store: current,
    dispose: async () => void (await current.close()()),
    reopen: async () => {
      await current.close()()
      current = createPostgresEventStore<ContractEvent>({ pool: db.pool({ max: 4 }), schema })
      return current
    },
  }
})
postgres.before(async () => {
  db = await startDatabase()
  pool = db.pool({ max: 10 })
})
postgres.after(async () => {
  await db.stop()
})
postgres.run()
