/**
 * A consumer in a second process, for the PostgreSQL tests that kill one. The test spawns this file
 * (`node --import tsx`) with a role; the database URL and schema come in the environment
 * (`CHILD_DATABASE_URL`, `CHILD_SCHEMA`), so the password is not on a command line.
 *
 * - `stall <name> <table> <stallAt>`: a consumer (pages of 10) whose handler inserts each event's
 *   position into `table` with the transaction it is given, and at the event whose number is
 *   `stallAt` prints `inside` and never returns;
 * - `hold <name> <table>`: a consumer that prints `active` once it holds its name, then handles
 *   events like `stall` without stalling.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createPostgresEventStore, type Queryable } from '@banksocket-webhooks/adapter-postgres'
import { createConsumer } from '../../src/index.ts'
import type { TestEvent } from './consumer-contract.ts'

const self = fileURLToPath(import.meta.url)

/** Spawns this file as a child in `role`, with piped stdio. */
export const spawnConsumer = (role: 'stall' | 'hold', args: ReadonlyArray<string>, env: Readonly<{ url: string; schema: string }>): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', self, role, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHILD_DATABASE_URL: env.url, CHILD_SCHEMA: env.schema },
  })

/** Resolves with the first stdout line matching `pattern`; rejects (with stderr) if the child exits first. */
export const lineOf = (child: ChildProcess, pattern: RegExp): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = ''
    let errors = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8')
    })
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8')
      const found = out.split('\n').find((l) => pattern.test(l))
      if (found !== undefined) {
        child.stdout?.off('data', onData)
        resolve(found)
      }
    }
    child.stdout?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing ${pattern}: ${errors}`)))
  })

const main = async (role: string, name: string, table: string, stallAt: number) => {
  const store = createPostgresEventStore<TestEvent>({
    connectionString: process.env['CHILD_DATABASE_URL'] as string,
    schema: process.env['CHILD_SCHEMA'] as string,
  })
  const consumer = createConsumer({
    name,
    store,
    checkpoints: store.checkpoints,
    batchSize: 10,
    pollInterval: 20,
    handle: async (event, context: { tx: Queryable }) => {
      await context.tx.query(`INSERT INTO ${table} (position) VALUES ($1)`, [event.position])
      if (role === 'stall' && event.event.type === 'Numbered' && (event.event.data as { n: number }).n === stallAt) {
        process.stdout.write('inside\n')
        await new Promise<never>(() => setInterval(() => {}, 60_000))
      }
    },
  })
  await consumer.start()
  process.stdout.write('active\n')
  await new Promise<never>(() => setInterval(() => {}, 60_000))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [role = '', name = '', table = '', stallAt = '0'] = process.argv.slice(2)
  void main(role, name, table, Number(stallAt))
}
