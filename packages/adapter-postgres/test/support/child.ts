/**
 * A second process for the tests that kill one: the test spawns this very file (`node --import tsx`)
 * with a role, the child prints a line once it is where the test wants it, and then waits forever
 * for the SIGKILL. The database URL and schema come in the environment (`CHILD_DATABASE_URL`,
 * `CHILD_SCHEMA`, `CHILD_APPLICATION_NAME`), so the password is not on a command line.
 *
 * Roles:
 * - `advance <name> <table>`: `advance(name, undefined, 5)` whose work inserts a row into `table`,
 *   prints `inserted`, and never returns: the transaction stays open;
 * - `hold <name>`: `acquire(name)`, prints `held`, and keeps the lease.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createPostgresEventStore } from '../../src/index.ts'

const self = fileURLToPath(import.meta.url)

/** Spawns this file as a child in `role` (see the module comment), with piped stdio. */
export const spawnChild = (
  role: 'advance' | 'hold',
  args: ReadonlyArray<string>,
  env: Readonly<{ url: string; schema: string; applicationName: string }>,
): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', self, role, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CHILD_DATABASE_URL: env.url, CHILD_SCHEMA: env.schema, CHILD_APPLICATION_NAME: env.applicationName },
  })

/** Resolves with the first stdout line matching `pattern`; rejects (with stderr) if the child exits first. */
export const waitForLine = (child: ChildProcess, pattern: RegExp): Promise<string> =>
  new Promise((resolve, reject) => {
    let buffered = ''
    let errors = ''
    const onError = (chunk: Buffer) => {
      errors += chunk.toString('utf8')
    }
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      const found = lines.find((l) => pattern.test(l))
      if (found !== undefined) {
        child.stdout?.off('data', onData)
        child.stderr?.off('data', onError)
        child.off('exit', onExit)
        resolve(found)
      }
    }
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before printing ${pattern}: ${errors}`))
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onError)
    child.once('exit', onExit)
  })

/** Resolves once the child has exited (and been reaped). */
export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))

const forever = () => new Promise<never>(() => setInterval(() => {}, 60_000))

const main = async (role: string | undefined, args: ReadonlyArray<string>): Promise<void> => {
  const store = createPostgresEventStore<unknown>({
    connectionString: process.env['CHILD_DATABASE_URL'] ?? '',
    schema: process.env['CHILD_SCHEMA'] ?? '',
    applicationName: process.env['CHILD_APPLICATION_NAME'] ?? 'bsw-child',
    max: 2,
  })
  const [name = '', table = ''] = args
  if (role === 'advance') {
    await store.checkpoints.advance(name, undefined, 5, async (tx) => {
      await tx.query(`INSERT INTO ${table} (note) VALUES ('from the child')`)
      console.log('inserted')
      await forever()
    })()
    console.log('advance returned')
  } else if (role === 'hold') {
    await store.checkpoints.acquire(name)
    console.log('held')
    await forever()
  } else {
    throw new Error(`unknown role ${String(role)}`)
  }
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main(process.argv[2], process.argv.slice(3)).catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
