/**
 * How a command describes itself: its flags and positional arguments. One description drives the
 * parser, the validation messages and the `--help` text, so they cannot drift apart.
 *
 * @module
 */

/**
 * One flag of a command.
 *
 * @example
 * import type { FlagSpec } from './spec.ts'
 * const port: FlagSpec = { type: 'string', value: 'PORT', description: 'port to listen on', required: true }
 */
export type FlagSpec = Readonly<{
  /** `string` takes a value (`--port 3000` or `--port=3000`); `boolean` takes none. */
  type: 'string' | 'boolean'
  /** One-letter alias (`-h`). @default none */
  short?: string
  /** May be given several times; the values are kept in order. @default false */
  multiple?: boolean
  /** Placeholder shown in help (`--port PORT`). @default 'VALUE' */
  value?: string
  /** One line for `--help`. */
  description: string
  /** Shown as required in help (the command still checks, since an environment variable may stand in). @default false */
  required?: boolean
  /** The value is a credential: never echoed in messages, redacted from all output. @default false */
  secret?: boolean
  /** Environment variable read when the flag is absent, shown in help. @default none */
  env?: string
  /** Default shown in help. @default none */
  default?: string
}>

/**
 * A positional argument.
 *
 * @example
 * const id: PositionalSpec = { name: 'ID', description: 'the webhook id' }
 */
type PositionalSpec = Readonly<{ name: string; description: string }>

/**
 * A command: its words (`['webhooks', 'create']`), flags, positional arguments and help text.
 *
 * @example
 * import type { CommandSpec } from './spec.ts'
 * const spec: CommandSpec = { path: ['demo'], summary: 'run the demo', flags: {}, positionals: [], examples: ['banksocket demo'] }
 */
export type CommandSpec = Readonly<{
  path: ReadonlyArray<string>
  /** One line, shown in `banksocket --help` and atop the command's help. */
  summary: string
  /** Paragraphs shown after the usage line. @default none */
  details?: ReadonlyArray<string>
  flags: Readonly<Record<string, FlagSpec>>
  positionals: ReadonlyArray<PositionalSpec>
  examples: ReadonlyArray<string>
}>

/**
 * The help flag every command accepts.
 *
 * @example
 * import { HELP_FLAG } from './spec.ts'
 * HELP_FLAG.short // 'h'
 */
export const HELP_FLAG: FlagSpec = { type: 'boolean', short: 'h', description: 'show this help' }
