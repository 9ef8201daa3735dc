/**
 * The dispatcher: finds the command named by the first words, parses its flags, shows help, turns
 * usage errors into one line and exit code 2, and never lets an exception escape.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseArguments, secretValuesIn } from './argv.ts'
import type { Command, Context } from './command.ts'
import { demoCommand } from './commands/demo.ts'
import { forwardCommand } from './commands/forward.ts'
import { inspectCommand } from './commands/inspect.ts'
import { listenCommand } from './commands/listen.ts'
import { migrateCommand } from './commands/migrate.ts'
import { sendCommand } from './commands/send.ts'
import { simulateCommand } from './commands/simulate.ts'
import { webhooksCreateCommand, webhooksDeleteCommand } from './commands/webhooks.ts'
import { ExitCode } from './exit.ts'
import { commandHelp, groupHelp, rootHelp } from './help.ts'
import { type CliIo, redacted } from './io.ts'
import { colorsWanted, createStyle } from './style.ts'
import { formatUsageError, suggest, type UsageError } from './usage.ts'
import { secretValuesInEnv } from './values.ts'
import { cliVersion } from './version.ts'

/**
 * Every command of `banksocket`, in help order.
 *
 * @example
 * import { COMMANDS } from './cli.ts'
 * COMMANDS.map((c) => c.spec.path.join(' ')) // ['listen', 'forward', 'inspect', 'migrate', 'send', 'simulate', 'webhooks create', 'webhooks delete', 'demo']
 */
export const COMMANDS: ReadonlyArray<Command> = [
  listenCommand,
  forwardCommand,
  inspectCommand,
  migrateCommand,
  sendCommand,
  simulateCommand,
  webhooksCreateCommand,
  webhooksDeleteCommand,
  demoCommand,
]

/** Flag names whose values are credentials (`--secret`, `--token`, `--forward-secret`), wherever they appear on the command line. */
const SECRET_FLAGS: ReadonlyArray<string> = [
  ...new Set(
    COMMANDS.flatMap((c) =>
      Object.entries(c.spec.flags)
        .filter(([, f]) => f.secret === true)
        .map(([name]) => name),
    ),
  ),
]

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error))

type Found =
  | Readonly<{ _tag: 'command'; command: Command; rest: ReadonlyArray<string> }>
  | Readonly<{ _tag: 'group'; group: string; members: ReadonlyArray<Command>; rest: ReadonlyArray<string> }>
  | Readonly<{ _tag: 'unknown'; path: ReadonlyArray<string>; error: UsageError }>

const find = (args: ReadonlyArray<string>): Found => {
  const [first = '', second, ...more] = args
  const direct = COMMANDS.find((c) => c.spec.path.length === 1 && c.spec.path[0] === first)
  if (direct !== undefined) return { _tag: 'command', command: direct, rest: args.slice(1) }
  const members = COMMANDS.filter((c) => c.spec.path.length === 2 && c.spec.path[0] === first)
  if (members.length > 0) {
    const member = members.find((c) => c.spec.path[1] === second)
    if (member !== undefined) return { _tag: 'command', command: member, rest: more }
    if (second === undefined || second.startsWith('-')) return { _tag: 'group', group: first, members, rest: args.slice(1) }
    const suggestion = suggest(
      second,
      members.map((c) => c.spec.path[1] ?? ''),
    )
    return { _tag: 'unknown', path: [first], error: { _tag: 'UnknownCommand', command: second, ...(suggestion === undefined ? {} : { suggestion }) } }
  }
  if (first.startsWith('-')) return { _tag: 'unknown', path: [], error: { _tag: 'UnknownFlag', flag: first.replace(/^-+/, '').split('=')[0] ?? '' } }
  const names = [...new Set(COMMANDS.map((c) => c.spec.path[0] ?? ''))]
  const suggestion = suggest(first, names)
  return { _tag: 'unknown', path: [], error: { _tag: 'UnknownCommand', command: first, ...(suggestion === undefined ? {} : { suggestion }) } }
}

/**
 * Runs `banksocket` with the words after the program name, and resolves with the exit code: 0
 * success, 1 failure, 2 usage error. Never rejects. Values of `--secret`, `--token` and
 * `--forward-secret`, and of `BANKSOCKET_SECRET`, `BANKSOCKET_TOKEN` and
 * `BANKSOCKET_FORWARD_SECRET`, are redacted from everything it writes.
 *
 * @example
 * import { nodeIo, runCli } from '@banksocket-webhooks/cli'
 * const code = await runCli(['send', '--to', 'http://127.0.0.1:3000/', '--secret', 's3cr3t'], nodeIo())
 */
export const runCli = async (argv: ReadonlyArray<string>, rawIo: CliIo): Promise<number> => {
  const io = redacted(rawIo, [...secretValuesIn(argv, SECRET_FLAGS), ...secretValuesInEnv(rawIo.env)])
  const context: Context = {
    io,
    style: createStyle(colorsWanted(io.stdout.isTTY, io.env)),
    errorStyle: createStyle(colorsWanted(io.stderr.isTTY, io.env)),
  }
  const specs = COMMANDS.map((c) => c.spec)
  const usage = (path: ReadonlyArray<string>, error: UsageError): number => {
    io.stderr.write(`${formatUsageError(path, error)}\n`)
    return ExitCode.usage
  }
  const [first] = argv
  if (first === undefined) {
    io.stderr.write(rootHelp(specs, cliVersion(), context.errorStyle))
    return ExitCode.usage
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? argv.slice(1) : []
    if (topic.length > 0) return runCli([...topic, '--help'], rawIo)
    io.stdout.write(rootHelp(specs, cliVersion(), context.style))
    return ExitCode.ok
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${cliVersion()}\n`)
    return ExitCode.ok
  }
  const found = find(argv)
  switch (found._tag) {
    case 'unknown':
      return usage(found.path, found.error)
    case 'group': {
      const wantsHelp = found.rest.some((w) => w === '--help' || w === '-h')
      if (wantsHelp) {
        io.stdout.write(
          groupHelp(
            found.group,
            found.members.map((c) => c.spec),
            context.style,
          ),
        )
        return ExitCode.ok
      }
      const next = found.rest[0]
      if (next === undefined) {
        io.stderr.write(
          groupHelp(
            found.group,
            found.members.map((c) => c.spec),
            context.errorStyle,
          ),
        )
        return ExitCode.usage
      }
      return usage([found.group], { _tag: 'MissingArgument', name: `COMMAND (${found.members.map((c) => c.spec.path[1] ?? '').join(' or ')})` })
    }
    case 'command': {
      const { command, rest } = found
      const parsed = parseArguments(command.spec, rest)
      if (E.isLeft(parsed)) return usage(command.spec.path, parsed.left)
      if (parsed.right.help) {
        io.stdout.write(commandHelp(command.spec, context.style))
        return ExitCode.ok
      }
      try {
        const result = await command.run(parsed.right, context)
        return E.isLeft(result) ? usage(command.spec.path, result.left) : result.right
      } catch (error) {
        io.stderr.write(`banksocket ${command.spec.path.join(' ')}: unexpected failure: ${describeError(error)}\n`)
        return ExitCode.failure
      }
    }
  }
}
