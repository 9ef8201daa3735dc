/**
 * How should two receivers that write to one ledger be serialised? Measures the two candidates with
 * two writers (two pools, as two processes would have) on one PostgreSQL:
 *
 * - optimistic: keep the ledger's version and state from the last write; `record` with that version
 *   (one statement: the append function compares and sets the version); on a VersionConflict,
 *   `readState` and try again.
 * - row lock: per notification, BEGIN; SELECT ... FOR UPDATE the stream row; decide; the same append
 *   function; COMMIT. Never a conflict, four round trips, and the lock is held across them.
 *
 * Scenarios: `distinct` (each writer records its own notifications on the one ledger), `both` (every
 * notification delivered to both writers, as behind a load balancer that retries on the other
 * instance: one records it, the other must see a duplicate), `apart` (each writer its own ledger:
 * no contention, the cost of one write).
 *
 *   node --import tsx packages/adapter-postgres/bench/serialization.ts [notifications=2000] [--durable]
 *
 * Uses DATABASE_URL when set, else starts an embedded PostgreSQL (fsync off unless --durable).
 */
import * as E from 'fp-ts/lib/Either.js'
import type pg from 'pg'
import { createPostgresEventStore, type PostgresEventStore } from '../src/index.ts'
import { startDatabase } from '../test/support/database.ts'

type Ev = Readonly<{ type: string; key: string }>
type State = Readonly<{ count: number }>
type Strategy = 'optimistic' | 'row lock'
type Scenario = 'distinct' | 'both' | 'apart'
type Tally = { recorded: number; duplicates: number; retries: number; latencies: number[] }

const args = process.argv.slice(2)
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 2000)
const durable = args.includes('--durable')

const db = await startDatabase({ durable })

const optimisticWriter = (store: PostgresEventStore<Ev, State>) => {
  const cache = new Map<string, { version: number; state: State }>()
  return async (stream: string, key: string, tally: Tally): Promise<void> => {
    for (;;) {
      let known = cache.get(stream)
      if (known === undefined) {
        const read = await store.readState(stream)()
        if (E.isLeft(read)) throw new Error(JSON.stringify(read.left))
        known = { version: read.right.version, state: read.right.state ?? { count: 0 } }
        cache.set(stream, known)
      }
      const state = { count: known.state.count + 1 }
      const r = await store.record(stream, { expectedVersion: known.version, events: [{ type: 'Received', key }], state, claim: key })()
      if (E.isRight(r)) {
        cache.set(stream, { version: r.right.nextVersion, state })
        tally.recorded++
        return
      }
      if (r.left._tag === 'KeyConflict') {
        const counted = await store.countDuplicate(r.left.stream)()
        if (E.isLeft(counted)) throw new Error(JSON.stringify(counted.left))
        tally.duplicates++
        return
      }
      if (r.left._tag === 'StoreFailure') throw new Error(r.left.message)
      cache.delete(stream)
      tally.retries++
    }
  }
}

const rowLockWriter =
  (pool: pg.Pool, schema: string) =>
  async (stream: string, key: string, tally: Tally): Promise<void> => {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      let row = (await client.query(`SELECT version, state FROM "${schema}".streams WHERE stream = $1 FOR UPDATE`, [stream])).rows[0]
      if (row === undefined) {
        await client.query(`INSERT INTO "${schema}".streams (stream) VALUES ($1) ON CONFLICT DO NOTHING`, [stream])
        row = (await client.query(`SELECT version, state FROM "${schema}".streams WHERE stream = $1 FOR UPDATE`, [stream])).rows[0]
      }
      const state = { count: ((row?.state as State | null)?.count ?? 0) + 1 }
      const { rows } = await client.query(`SELECT outcome, owner FROM "${schema}".append_to_stream($1, $2, $3::jsonb, $4::jsonb, $5)`, [
        stream,
        Number(row?.version ?? 0),
        JSON.stringify([{ type: 'Received', key }]),
        JSON.stringify(state),
        key,
      ])
      if (rows[0]?.outcome === 'key_conflict') {
        await client.query(`UPDATE "${schema}".streams SET duplicates = duplicates + 1 WHERE stream = $1`, [rows[0]?.owner])
        tally.duplicates++
      } else if (rows[0]?.outcome === 'ok') {
        tally.recorded++
      } else {
        throw new Error(`row lock: unexpected ${JSON.stringify(rows[0])}`)
      }
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

const run = async (strategy: Strategy, scenario: Scenario) => {
  const schema = await db.schema()
  const pools = [db.pool({ max: 4 }), db.pool({ max: 4 })]
  const writers = pools.map((pool) =>
    strategy === 'optimistic' ? optimisticWriter(createPostgresEventStore<Ev, State>({ pool, schema })) : rowLockWriter(pool, schema),
  )
  const tallies: Tally[] = writers.map(() => ({ recorded: 0, duplicates: 0, retries: 0, latencies: [] }))
  const started = performance.now()
  await Promise.all(
    writers.map(async (write, w) => {
      const tally = tallies[w] as Tally
      for (let i = 0; i < N; i++) {
        const key = scenario === 'both' ? `k${i}` : `w${w}-k${i}`
        const stream = scenario === 'apart' ? `ledger-${w}` : 'ledger-69-TRY'
        const t0 = performance.now()
        await write(stream, key, tally)
        tally.latencies.push(performance.now() - t0)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const all = tallies.flatMap((t) => t.latencies)
  const sum = (f: (t: Tally) => number) => tallies.reduce((a, t) => a + f(t), 0)
  const expected = scenario === 'both' ? N : 2 * N
  const check = await db.pool({ max: 1 }).query(`SELECT count(*)::int AS n FROM "${schema}".events`)
  if (check.rows[0]?.n !== expected || sum((t) => t.recorded) !== expected)
    throw new Error(`${strategy}/${scenario}: recorded ${check.rows[0]?.n}, expected ${expected}`)
  return {
    strategy,
    scenario,
    'deliveries/s': Math.round((2 * N) / seconds),
    'p50 ms': Number(percentile(all, 50).toFixed(2)),
    'p99 ms': Number(percentile(all, 99).toFixed(2)),
    recorded: sum((t) => t.recorded),
    duplicates: sum((t) => t.duplicates),
    retries: sum((t) => t.retries),
  }
}

const results = []
for (const scenario of ['apart', 'distinct', 'both'] as const) {
  for (const strategy of ['optimistic', 'row lock'] as const) {
    await run(strategy, scenario) // warm-up round, same shape
    results.push(await run(strategy, scenario))
  }
}
console.log(
  `two writers, ${N} notifications each, ${db.embedded ? `embedded PostgreSQL 18${durable ? ' (fsync on)' : ' (fsync off)'}` : 'DATABASE_URL'}`,
)
console.table(results)
await db.stop()
