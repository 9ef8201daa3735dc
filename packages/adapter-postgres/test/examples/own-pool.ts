import { DEFAULT_CONNECTION_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, QUERY_TIMEOUT_MARGIN } from '@banksocket-webhooks/adapter-postgres'
import pg from 'pg'

/**
 * A pool of your own with the bounds of a store made from a connection string: the store changes
 * none of your pool's settings, so these are yours to set. Then
 * `createPostgresEventStore({ pool: ownPool(url), schema })`, and end the pool yourself after the
 * store's `close`.
 */
export const ownPool = (url: string, statementTimeout = DEFAULT_STATEMENT_TIMEOUT): pg.Pool => {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Opening a connection, or waiting for a free one when all are busy.
    connectionTimeoutMillis: DEFAULT_CONNECTION_TIMEOUT,
    // Sent when each connection starts: the server cancels a statement that runs longer (one
    // waiting for a lock that is never released), and the call is a StoreFailure.
    statement_timeout: statementTimeout,
    // For a server that answers nothing at all (stopped, or behind a network that drops
    // everything): pg gives up a little later than the server would have, and the pool closes
    // that connection instead of reusing it.
    query_timeout: statementTimeout + QUERY_TIMEOUT_MARGIN,
  })
  // An idle connection the server drops is reported here; with no listener it would end the process.
  pool.on('error', () => {})
  return pool
}
