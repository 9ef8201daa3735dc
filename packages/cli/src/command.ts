/**
 * A command: its spec, a pure `configure` step that turns parsed arguments and the environment into
 * a typed configuration (or a usage error), and an `execute` step that does the work.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Arguments } from './argv.ts'
import type { ExitCode } from './exit.ts'
import type { CliIo, Env } from './io.ts'
import type { CommandSpec } from './spec.ts'
import type { Style } from './style.ts'
import type { UsageError } from './usage.ts'

/**
 * What a running command gets: the (redacting) io and the styles of its two streams.
 *
 * @example
 * import type { Context } from './command.ts'
 * const say = (context: Context, text: string) => context.io.stdout.write(`${context.style.green(text)}\n`)
 */
export type Context = Readonly<{ io: CliIo; style: Style; errorStyle: Style }>

/**
 * A command ready to run: the dispatcher parses its flags, calls `run`, and turns a usage error into
 * exit code 2.
 *
 * @example
 * import type { Command } from './command.ts'
 * const names = (commands: ReadonlyArray<Command>) => commands.map((c) => c.spec.path.join(' '))
 */
export type Command = Readonly<{
  spec: CommandSpec
  /** Checks parsed arguments and the environment without doing anything (no I/O). */
  check: (args: Arguments, env: Env) => E.Either<UsageError, unknown>
  /** Checks, then runs; a usage error is returned before anything happens. */
  run: (args: Arguments, context: Context) => Promise<E.Either<UsageError, ExitCode>>
}>

/**
 * Builds a {@link Command} from its two steps.
 *
 * @example
 * import { defineCommand } from './command.ts'
 * import { ExitCode } from '@banksocket-webhooks/cli'
 * import * as E from 'fp-ts/lib/Either.js'
 * const hello = defineCommand({
 *   spec: { path: ['hello'], summary: 'say hello', flags: {}, positionals: [], examples: [] },
 *   configure: () => E.right({ name: 'world' }),
 *   execute: async (config, { io }) => { io.stdout.write(`hello ${config.name}\n`); return ExitCode.ok },
 * })
 */
export const defineCommand = <Config>(definition: {
  spec: CommandSpec
  configure: (args: Arguments, env: Env) => E.Either<UsageError, Config>
  execute: (config: Config, context: Context) => Promise<ExitCode>
}): Command => ({
  spec: definition.spec,
  check: definition.configure,
  run: async (args, context) => {
    const config = definition.configure(args, context.io.env)
    if (E.isLeft(config)) return config
    return E.right(await definition.execute(config.right, context))
  },
})
