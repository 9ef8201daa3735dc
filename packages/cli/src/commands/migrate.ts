/**
 * `banksocket migrate`: creates or upgrades the PostgreSQL schema that `banksocket listen --store
 * postgres://...` writes to. Idempotent: run it before starting receivers, as often as you like.
 *
 * @module
 */
import { DEFAULT_SCHEMA, migrate } from '@banksocket-webhooks/adapter-postgres'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type { Arguments } from '../argv.ts'
import { defineCommand } from '../command.ts'
import { ExitCode } from '../exit.ts'
import { type CliIo, type Env, redacted, writeJsonLine } from '../io.ts'
import type { UsageError } from '../usage.ts'
import { optionalFlag, requiredFlag } from '../values.ts'

/**
 * Whether a `--store` value names a PostgreSQL database (`postgres://` or `postgresql://`) rather
 * than a file.
 *
 * @example
 * import { isPostgresUrl } from './commands/migrate.ts'
 * isPostgresUrl('postgres://app@db:5432/app') // true
 * isPostgresUrl('events.jsonl') // false
 */
export const isPostgresUrl = (store: string): boolean => /^postgres(?:ql)?:\/\//i.test(store)

/**
 * A PostgreSQL URL fit to print: its password replaced by `***`.
 *
 * @example
 * import { displayUrl } from './commands/migrate.ts'
 * displayUrl('postgres://app:pw@db:5432/app') // 'postgres://app:***@db:5432/app'
 */
export const displayUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.href
  } catch {
    return url.replace(/^(postgres(?:ql)?:\/\/[^:/?#@\s]*):[^@\s]*@/i, '$1:***@')
  }
}

/**
 * The io of a command that holds a database URL: its password is redacted from every write.
 *
 * @example
 * import { nodeIo } from '@banksocket-webhooks/cli'
 * import { withoutPassword } from './commands/migrate.ts'
 * const io = withoutPassword(nodeIo(), 'postgres://app:s3cr3t-pass@db:5432/app')
 * io.stderr.write('connecting with s3cr3t-pass') // writes 'connecting with [redacted]'
 */
export const withoutPassword = (io: CliIo, url: string): CliIo => {
  try {
    const password = decodeURIComponent(new URL(url).password)
    return password === '' ? io : redacted(io, [password])
  } catch {
    return io
  }
}

/**
 * What `banksocket migrate` does, once its flags are checked.
 *
 * @example
 * const config: MigrateConfig = { store: 'postgres://app@db:5432/app', schema: 'banksocket' }
 */
type MigrateConfig = Readonly<{ store: string; schema: string }>

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * Checks the flags of `banksocket migrate`.
 *
 * @example
 * configureMigrate(args, {}) // Right({ store: 'postgres://...', schema: 'banksocket' })
 */
const configureMigrate = (args: Arguments, _env: Env): E.Either<UsageError, MigrateConfig> =>
  pipe(
    E.Do,
    E.apS('store', requiredFlag(args, 'store')),
    E.apS('schema', optionalFlag(args, 'schema', 'expected a schema name')),
    E.chain(({ store, schema }): E.Either<UsageError, MigrateConfig> => {
      if (!isPostgresUrl(store)) {
        return E.left({
          _tag: 'InvalidValue',
          flag: 'store',
          reason: 'expected a postgres:// or postgresql:// URL (a file store needs no migration)',
        })
      }
      if (schema !== undefined && !SCHEMA.test(schema)) {
        return E.left({ _tag: 'InvalidValue', flag: 'schema', reason: 'expected a lower-case PostgreSQL name such as banksocket' })
      }
      return E.right({ store, schema: schema ?? DEFAULT_SCHEMA })
    }),
  )

/**
 * `banksocket migrate --store postgres://...`: creates the schema `listen` writes to, or upgrades
 * it, and prints `{"type":"migrated","schema":…,"applied":[…],"version":…}` (`applied` is empty when
 * it was up to date). The URL's password never appears in the output.
 *
 * @example
 * // banksocket migrate --store postgres://app@db.internal:5432/app
 * import { migrateCommand } from './commands/migrate.ts'
 * migrateCommand.spec.path // ['migrate']
 */
export const migrateCommand = defineCommand({
  spec: {
    path: ['migrate'],
    summary: 'create or upgrade the PostgreSQL schema that listen --store postgres://... uses',
    details: [
      'Idempotent and safe to run from several places at once (a lock serialises them). Prints one\n' +
        'JSON line: the schema, the migration versions it applied (none when up to date) and the\n' +
        "schema's version. The URL's password is never printed.",
    ],
    flags: {
      store: { type: 'string', value: 'URL', description: 'the database, postgres://user:password@host:port/db', required: true },
      schema: { type: 'string', value: 'NAME', description: 'the PostgreSQL schema to create', default: DEFAULT_SCHEMA },
    },
    positionals: [],
    examples: ['banksocket migrate --store postgres://app@127.0.0.1:5432/app'],
  },
  configure: configureMigrate,
  execute: async (config, context) => {
    const io = withoutPassword(context.io, config.store)
    const migrated = await migrate(config.store, { schema: config.schema })()
    if (E.isLeft(migrated)) {
      io.stderr.write(`banksocket migrate: ${migrated.left._tag === 'StoreFailure' ? migrated.left.message : migrated.left._tag}\n`)
      return ExitCode.failure
    }
    writeJsonLine(io.stdout, { type: 'migrated', store: displayUrl(config.store), ...migrated.right })
    return ExitCode.ok
  },
})
