/**
 * `--help` texts, rendered from the command specs.
 *
 * @module
 */
import { type CommandSpec, type FlagSpec, HELP_FLAG } from './spec.ts'
import type { Style } from './style.ts'

const flagLabel = (name: string, flag: FlagSpec): string => {
  const long = `--${name}${flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : ''}`
  return flag.short === undefined ? `    ${long}` : `-${flag.short}, ${long}`
}

const flagNotes = (flag: FlagSpec): string => {
  const notes: string[] = []
  if (flag.required === true) notes.push('[required]')
  if (flag.multiple === true) notes.push('[repeatable]')
  if (flag.env !== undefined) notes.push(`[env: ${flag.env}]`)
  if (flag.default !== undefined) notes.push(`[default: ${flag.default}]`)
  return notes.length === 0 ? '' : ` ${notes.join(' ')}`
}

const table = (rows: ReadonlyArray<readonly [string, string]>, style: Style): string[] => {
  const width = Math.max(0, ...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${style.bold(left.padEnd(width))}  ${right}`)
}

const usageLine = (spec: CommandSpec): string => {
  const required = Object.entries(spec.flags)
    .filter(([, flag]) => flag.required === true)
    .map(([name, flag]) => `--${name} ${flag.value ?? 'VALUE'}`)
  const positionals = spec.positionals.map((p) => p.name)
  return ['banksocket', ...spec.path, ...positionals, ...required, '[options]'].join(' ')
}

/**
 * The help of one command: summary, usage, details, flags (with required, repeatable, environment
 * and default notes) and examples.
 *
 * @example
 * import { commandHelp } from './help.ts'
 * import { createStyle } from './style.ts'
 * process.stdout.write(commandHelp(spec, createStyle(false)))
 */
export const commandHelp = (spec: CommandSpec, style: Style): string => {
  const lines: string[] = [`banksocket ${spec.path.join(' ')}: ${spec.summary}`, '', style.bold('Usage:'), `  ${usageLine(spec)}`]
  for (const paragraph of spec.details ?? []) lines.push('', paragraph)
  if (spec.positionals.length > 0) {
    lines.push(
      '',
      style.bold('Arguments:'),
      ...table(
        spec.positionals.map((p) => [p.name, p.description] as const),
        style,
      ),
    )
  }
  const flags = [...Object.entries(spec.flags), ['help', HELP_FLAG] as const]
  lines.push(
    '',
    style.bold('Options:'),
    ...table(
      flags.map(([name, flag]) => [flagLabel(name, flag), `${flag.description}${flagNotes(flag)}`] as const),
      style,
    ),
  )
  if (spec.examples.length > 0) lines.push('', style.bold('Examples:'), ...spec.examples.map((e) => `  ${e}`))
  return `${lines.join('\n')}\n`
}

/**
 * The help of `banksocket` itself: every command with its summary.
 *
 * @example
 * import { rootHelp } from './help.ts'
 * import { createStyle } from './style.ts'
 * process.stdout.write(rootHelp(specs, '0.1.0', createStyle(false)))
 */
export const rootHelp = (specs: ReadonlyArray<CommandSpec>, version: string, style: Style): string => {
  const lines = [
    `banksocket ${version}: receive, verify, send and simulate Banksocket webhooks`,
    '',
    style.bold('Usage:'),
    '  banksocket <command> [options]',
    '',
    style.bold('Commands:'),
    ...table(
      specs.map((s) => [s.path.join(' '), s.summary] as const),
      style,
    ),
    '',
    style.bold('Options:'),
    ...table(
      [
        ['-h, --help', 'show this help'],
        ['-v, --version', 'print the version'],
      ],
      style,
    ),
    '',
    "Run 'banksocket <command> --help' for a command's options. Exit codes: 0 success, 1 failure, 2 usage error.",
    "Start with 'banksocket demo': it needs no configuration.",
  ]
  return `${lines.join('\n')}\n`
}

/**
 * The help of a command group such as `banksocket webhooks`: its subcommands.
 *
 * @example
 * import { groupHelp } from './help.ts'
 * import { createStyle } from './style.ts'
 * process.stdout.write(groupHelp('webhooks', specs, createStyle(false)))
 */
export const groupHelp = (group: string, specs: ReadonlyArray<CommandSpec>, style: Style): string => {
  const lines = [
    `banksocket ${group}: ${specs.map((s) => s.path.slice(1).join(' ')).join(' and ')} ${group}`,
    '',
    style.bold('Usage:'),
    `  banksocket ${group} <command> [options]`,
    '',
    style.bold('Commands:'),
    ...table(
      specs.map((s) => [s.path.join(' '), s.summary] as const),
      style,
    ),
    '',
    `Run 'banksocket ${group} <command> --help' for a command's options.`,
  ]
  return `${lines.join('\n')}\n`
}
