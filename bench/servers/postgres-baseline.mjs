#!/usr/bin/env node
// The same-work baseline of issue 14's PostgreSQL benchmark (bench/postgres.mjs): a hand-written
// node:http receiver that does, per notification, what a durable receiver on PostgreSQL cannot do
// without, and nothing more:
//
//   parse the urlencoded body, check the fields, verify the hash with node:crypto
//   (base64(hex(sha256(dc+code+amount+balance+currency+description+secret))), constant time),
//   derive an idempotency key (hex SHA-256 of the signed fields, as core does), then in ONE
//   transaction through `pg`: INSERT the key and the event ... ON CONFLICT DO NOTHING, and if it was
//   new, update the ledger's state row (balance, movement count, a gap counter when the previous
//   balance is not the one this movement starts from); answer 200 after COMMIT.
//
// No balance-chain repair, no fragments, no event stream, no stdout lines. Speaks the same
// protocol to the driver as `banksocket listen`: a {"type":"listening","port":N} line on stderr,
// and on SIGTERM a {"type":"stopped",...} line with its counters, then exit 0.
//
// Environment: BASELINE_DATABASE_URL (required), BASELINE_SCHEMA (default bench_baseline, created
// if missing), BASELINE_POOL (default 10, the PostgreSQL store's default pool size),
// BASELINE_MODE (`transaction`: BEGIN, INSERT, UPDATE, COMMIT, four round trips, the default;
// `statement`: the same two writes as one statement, one round trip).
import { createHash, hash, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import pg from 'pg'
import { SECRET } from '../lib/notifications.mjs'

const url = process.env.BASELINE_DATABASE_URL
if (url === undefined || url === '') throw new Error('BASELINE_DATABASE_URL is required')
const schema = process.env.BASELINE_SCHEMA ?? 'bench_baseline'
if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name ${schema}`)
const mode = process.env.BASELINE_MODE ?? 'transaction'
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.BASELINE_POOL ?? 10) })
pool.on('error', () => {})

await pool.query(`
  CREATE SCHEMA IF NOT EXISTS ${schema};
  CREATE TABLE IF NOT EXISTS ${schema}.notifications (
    ledger text NOT NULL,
    idempotency_key text NOT NULL,
    event jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ledger, idempotency_key)
  );
  CREATE TABLE IF NOT EXISTS ${schema}.ledgers (
    ledger text PRIMARY KEY,
    balance numeric NOT NULL,
    movements bigint NOT NULL,
    gaps bigint NOT NULL
  );`)

const INSERT = `INSERT INTO ${schema}.notifications (ledger, idempotency_key, event) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`
const UPSERT_LEDGER = `
  INSERT INTO ${schema}.ledgers AS l (ledger, balance, movements, gaps) VALUES ($1, $2, 1, 0)
  ON CONFLICT (ledger) DO UPDATE SET balance = EXCLUDED.balance, movements = l.movements + 1,
    gaps = l.gaps + CASE WHEN l.balance = $3::numeric THEN 0 ELSE 1 END`
const ONE_STATEMENT = `
  WITH new AS (${INSERT} RETURNING ledger)
  INSERT INTO ${schema}.ledgers AS l (ledger, balance, movements, gaps) SELECT $1, $4, 1, 0 FROM new
  ON CONFLICT (ledger) DO UPDATE SET balance = EXCLUDED.balance, movements = l.movements + 1,
    gaps = l.gaps + CASE WHEN l.balance = $5::numeric THEN 0 ELSE 1 END
  RETURNING 1`

const LIMIT = 64 * 1024
const REQUIRED = ['dc', 'code', 'amount', 'balance', 'currency', 'description', 'account_id', 'hash']
const counts = { ok: 0, duplicates: 0, rejected: 0, errors: 0 }

const sha256Hex =
  typeof hash === 'function' ? (message) => hash('sha256', message, 'hex') : (message) => createHash('sha256').update(message, 'utf8').digest('hex')

const verified = (f) => {
  const claimed = Buffer.from(f.get('hash'), 'base64')
  const hex = sha256Hex(f.get('dc') + f.get('code') + f.get('amount') + f.get('balance') + f.get('currency') + f.get('description') + SECRET)
  return claimed.length === 64 && timingSafeEqual(claimed, Buffer.from(hex, 'latin1'))
}

const answer = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/** Decimal strings ("1234.56") to a numeric text PostgreSQL parses exactly: the previous balance. */
const previousBalance = (dc, amount, balance) => {
  const cents = (s) => BigInt(s.replace('.', ''))
  const before = dc === 'Credit' ? cents(balance) - cents(amount) : cents(balance) + cents(amount)
  const sign = before < 0n ? '-' : ''
  const abs = (before < 0n ? -before : before).toString().padStart(3, '0')
  return `${sign}${abs.slice(0, -2)}.${abs.slice(-2)}`
}

/** Stores one verified notification; resolves true if it was new, false if a duplicate. */
const store = async (f) => {
  const ledger = `${f.get('account_id')}/${f.get('currency')}`
  const key = sha256Hex([f.get('dc'), f.get('code'), f.get('amount'), f.get('balance'), f.get('currency'), f.get('description')].join('\n'))
  const event = JSON.stringify(Object.fromEntries(f))
  const before = previousBalance(f.get('dc'), f.get('amount'), f.get('balance'))
  if (mode === 'statement') {
    const { rowCount } = await pool.query(ONE_STATEMENT, [ledger, key, event, f.get('balance'), before])
    return rowCount === 1
  }
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const inserted = await client.query(INSERT, [ledger, key, event])
    if (inserted.rowCount === 1) await client.query(UPSERT_LEDGER, [ledger, f.get('balance'), before])
    await client.query('COMMIT')
    client.release()
    return inserted.rowCount === 1
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    client.release(error)
    throw error
  }
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.method !== 'POST') return answer(res, 405, '{"error":"method_not_allowed"}')
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    counts.rejected++
    return answer(res, 415, '{"error":"unsupported_media_type"}')
  }
  const chunks = []
  let size = 0
  req.on('data', (chunk) => {
    size += chunk.length
    if (size <= LIMIT) chunks.push(chunk)
  })
  req.on('end', () => {
    if (size > LIMIT) {
      counts.rejected++
      return answer(res, 413, '{"error":"too_large"}')
    }
    const fields = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    if (!REQUIRED.every((name) => fields.has(name))) {
      counts.rejected++
      return answer(res, 400, '{"error":"invalid_payload"}')
    }
    if (!verified(fields)) {
      counts.rejected++
      return answer(res, 401, '{"error":"invalid_hash"}')
    }
    store(fields).then(
      (isNew) => {
        if (isNew) counts.ok++
        else counts.duplicates++
        answer(res, 200, isNew ? '{"status":"ok"}' : '{"status":"duplicate"}')
      },
      () => {
        counts.errors++
        answer(res, 500, '{"error":"store_failed"}')
      },
    )
  })
})

server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`${JSON.stringify({ type: 'listening', port: server.address().port, mode })}\n`)
})

process.once('SIGTERM', () => {
  server.close(async () => {
    await pool.end().catch(() => {})
    process.stderr.write(`${JSON.stringify({ type: 'stopped', ...counts })}\n`)
    process.exit(0)
  })
  server.closeIdleConnections()
})
