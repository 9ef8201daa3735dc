import { createPostgresEventStore, type Queryable } from '@banksocket-webhooks/adapter-postgres'
import { type ConsumerEvent, createConsumer, withConsumerEvents } from '@banksocket-webhooks/consumers'
import { LedgerEvent } from '@banksocket-webhooks/core'
import pg from 'pg'

const connectionString = process.env.DATABASE_URL
if (!connectionString) throw new Error('set DATABASE_URL to the database banksocket listen --store postgres://… writes')

// The projection lives in the database the receiver writes, so its writes commit with the checkpoint.
const pool = new pg.Pool({ connectionString, max: 4 })
await pool.query(`CREATE TABLE IF NOT EXISTS account_totals (
  account text NOT NULL, currency text NOT NULL,
  credits numeric NOT NULL DEFAULT 0, debits numeric NOT NULL DEFAULT 0, movements bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (account, currency))`)

// The receiver's store (`banksocket migrate` created its schema), on the same pool.
const store = createPostgresEventStore<LedgerEvent | ConsumerEvent>({ pool, codec: withConsumerEvents(LedgerEvent) })

const consumer = createConsumer<LedgerEvent | ConsumerEvent, Queryable>({
  name: 'account-totals',
  store,
  checkpoints: store.checkpoints,
  handle: async ({ event }, { tx }) => {
    if (event.type !== 'TransactionReceived') return
    const { dc, amount, currency } = event.data.verified
    // `tx` is the transaction that saves the checkpoint: this write commits with it or not at all,
    // so each movement counts once, whatever crashes. Money stays exact: text into numeric.
    await tx.query(
      `INSERT INTO account_totals (account, currency, credits, debits, movements)
       VALUES ($1, $2, CASE WHEN $3 = 'Credit' THEN $4::numeric ELSE 0 END, CASE WHEN $3 = 'Debit' THEN $4::numeric ELSE 0 END, 1)
       ON CONFLICT (account, currency) DO UPDATE SET
         credits = account_totals.credits + EXCLUDED.credits,
         debits = account_totals.debits + EXCLUDED.debits,
         movements = account_totals.movements + 1`,
      [event.data.unverified.account_id, currency, dc, amount],
    )
  },
})
consumer.on('handled', ({ count, checkpoint }) => console.log(JSON.stringify({ handled: count, checkpoint })))
consumer.on('failed', (f) => console.error(JSON.stringify({ failed: f.event.position, error: f.message })))
await consumer.start() // waits while another instance of 'account-totals' runs, and takes over when it stops
console.log(JSON.stringify({ consumer: 'account-totals', active: true }))

process.once('SIGTERM', async () => {
  await consumer.stop() // finishes the page under way
  await store.close()()
  await pool.end()
  process.exit(0)
})
