/**
 * The test database (`@banksocket-webhooks/test-support/postgres`: the `DATABASE_URL` server, or
 * an embedded PostgreSQL per file) with this package's `migrate`, so that `schema()` gives a fresh,
 * migrated schema.
 */
import { type StartOptions, startDatabase as start, type TestDatabase } from '@banksocket-webhooks/test-support/postgres'
import { migrate } from '../../src/index.ts'

export { freePort, left, right, type TestDatabase } from '@banksocket-webhooks/test-support/postgres'

/** Starts (or connects to) the test database, migrating each schema it hands out. */
export const startDatabase = (options: Omit<StartOptions, 'migrate'> = {}): Promise<TestDatabase> => start({ ...options, migrate })
