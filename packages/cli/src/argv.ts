/**
 * Command-line parsing on `node:util` `parseArgs`, with every problem returned as a
 * {@link UsageError} instead of thrown, and typed accessors for the parsed values.
 *
 * @module
 */
import { parseArgs } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { type CommandSpec, type FlagSpec, HELP_FLAG } from './spec.ts'
import { suggest, type UsageError } from './usage.ts'

/**
 * A parsed command line: flag values by name (strings, string lists for `multiple` flags, `true`
 * for booleans; absent flags are missing) and positional arguments.
 *
 * @example
 * import type { Arguments } from './argv.ts'
 * const args: Arguments = { flags: { port: '3000', secret: ['a', 'b'] }, positionals: [], help: false }
 */
export type Arguments = Readonly<{
  flags: Readonly<Record<string, string | ReadonlyArray<string> | true>>
  positionals: ReadonlyArray<string>
  /** `--help` or `-h` was given: the command shows its help and does nothing else. */
  help: boolean
}>

/** The flags of a command plus `--help`. */
const flagsOf = (spec: CommandSpec): Readonly<Record<string, FlagSpec>> => ({ ...spec.flags, help: HELP_FLAG })

/**
 * Parses the words after the command's own words. `--help` wins over every other problem, so that
 * `banksocket listen --bogus --help` still shows the help. A string flag's value may be the next
 * word (`--port 3000`) or inline (`--port=3000`); a next word that starts with `-` is taken as a
 * missing value (write `--secret=-x` for such values).
 *
 * @example
 * import { parseArguments } from './argv.ts'
 * parseArguments(spec, ['--port', '3000']) // Right({ flags: { port: '3000' }, positionals: [], help: false })
 */
export const parseArguments = (spec: CommandSpec, args: ReadonlyArray<string>): E.Either<UsageError, Arguments> => {
  const flags = flagsOf(spec)
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {}
  for (const [name, flag] of Object.entries(flags)) {
    options[name] = { type: flag.type, ...(flag.short === undefined ? {} : { short: flag.short }), multiple: true }
  }
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true })
  const values: Record<string, string | string[] | true> = {}
  const positionals: string[] = []
  const problems: UsageError[] = []
  let help = false
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue
    if (token.kind === 'positional') {
      positionals.push(token.value)
      continue
    }
    const flag = flags[token.name]
    if (flag === undefined) {
      const known = Object.keys(flags)
      const suggestion = token.name.length > 1 ? suggest(token.name, known) : undefined
      problems.push({ _tag: 'UnknownFlag', flag: token.name, ...(suggestion === undefined ? {} : { suggestion }) })
      continue
    }
    if (token.name === 'help') {
      if (token.value !== undefined) problems.push({ _tag: 'UnexpectedValue', flag: 'help' })
      else help = true
      continue
    }
    if (flag.type === 'boolean') {
      if (token.value !== undefined) problems.push({ _tag: 'UnexpectedValue', flag: token.name })
      else values[token.name] = true
      continue
    }
    if (token.value === undefined || (token.inlineValue === false && token.value.startsWith('-') && token.value !== '-')) {
      problems.push({ _tag: 'MissingValue', flag: token.name })
      // `--port --help`: parseArgs took the next flag as the value; read the rest again for --help.
      if (token.value !== undefined) {
        const rest = parseArguments(spec, args.slice(token.index + 1))
        if (E.isRight(rest) && rest.right.help) help = true
        break
      }
      continue
    }
    const previous = values[token.name]
    if (flag.multiple === true) values[token.name] = [...(Array.isArray(previous) ? previous : []), token.value]
    else if (previous !== undefined) problems.push({ _tag: 'RepeatedFlag', flag: token.name })
    else values[token.name] = token.value
  }
  if (help) return E.right({ flags: values, positionals, help })
  const first = problems[0]
  if (first !== undefined) return E.left(first)
  if (positionals.length > spec.positionals.length) {
    return E.left({ _tag: 'UnexpectedArgument', position: spec.positionals.length + 1 })
  }
  return E.right({ flags: values, positionals, help })
}

/**
 * The value of a single-valued string flag, if given.
 *
 * @example
 * import { stringFlag } from './argv.ts'
 * stringFlag({ flags: { port: '3000' }, positionals: [], help: false }, 'port') // '3000'
 */
export const stringFlag = (args: Arguments, name: string): string | undefined => {
  const value = args.flags[name]
  return typeof value === 'string' ? value : Array.isArray(value) ? value[value.length - 1] : undefined
}

/**
 * The values of a repeatable string flag, in order (empty when absent).
 *
 * @example
 * import { stringsFlag } from './argv.ts'
 * stringsFlag({ flags: { secret: ['a', 'b'] }, positionals: [], help: false }, 'secret') // ['a', 'b']
 */
export const stringsFlag = (args: Arguments, name: string): ReadonlyArray<string> => {
  const value = args.flags[name]
  return typeof value === 'string' ? [value] : Array.isArray(value) ? value : []
}

/**
 * Every value given to a secret flag (`--secret`, `--token`) anywhere in a raw command line, before
 * it is parsed, so that they can be redacted from all output, usage errors included.
 *
 * @example
 * import { secretValuesIn } from './argv.ts'
 * secretValuesIn(['listen', '--secret', 's3cr3t', '--token=t0k3n'], ['secret', 'token']) // ['s3cr3t', 't0k3n']
 */
export const secretValuesIn = (args: ReadonlyArray<string>, names: ReadonlyArray<string>): ReadonlyArray<string> => {
  const found: string[] = []
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? ''
    for (const name of names) {
      if (word === `--${name}`) {
        const next = args[i + 1]
        if (next !== undefined) found.push(next)
      } else if (word.startsWith(`--${name}=`)) {
        found.push(word.slice(name.length + 3))
      }
    }
  }
  return found
}
