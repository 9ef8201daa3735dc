/**
 * A gate that makes a race between two writers happen every time, however loaded the machine: a
 * connection of its own holds a table in SHARE mode (which every INSERT or UPDATE of it waits
 * for), the writers are started, and the gate opens only once PostgreSQL shows `writers` of them
 * waiting on that table. Who wins after that is the database's business.
 *
 * @example
 * const gate = await raceGate(pool, `"${schema}".events`)
 * const [a, b] = await gate.race(2, () => Promise.all([writeA(), writeB()]))
 * gate.release()
 */
import type pg from 'pg'

export type RaceGate = Readonly<{
  /** Closes the gate, runs `start`, waits until `writers` wait at the gate, opens it and returns what `start` gave. */
  race: <A>(writers: number, start: () => Promise<A>) => Promise<A>
  /** Gives the gate's connection back to the pool. */
  release: () => void
}>

export const raceGate = async (pool: pg.Pool, table: string): Promise<RaceGate> => {
  const client = await pool.connect()
  const waiting = async (writers: number): Promise<void> => {
    for (let polls = 0; ; polls++) {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_locks WHERE relation = $1::regclass AND NOT granted', [
        table,
      ])
      if ((rows[0]?.n ?? 0) >= writers) return
      if (polls > 5000) throw new Error(`the ${writers} writers never all reached the gate on ${table}`)
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
  }
  return {
    race: async (writers, start) => {
      await client.query('BEGIN')
      await client.query(`LOCK TABLE ${table} IN SHARE MODE`)
      let racing: Promise<unknown> | undefined
      try {
        const running = start()
        racing = running
        await waiting(writers)
        await client.query('COMMIT')
        return await running
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        await racing?.catch(() => {})
        throw error
      }
    },
    release: () => client.release(),
  }
}
