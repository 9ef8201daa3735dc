/**
 * Usage errors: the command line itself is wrong. Each becomes one line on stderr that names the
 * problem and points to `--help`, and exit code 2. Values of secret flags are never quoted.
 *
 * @module
 */

/**
 * What is wrong with a command line.
 *
 * | `_tag` | example |
 * |---|---|
 * | `UnknownCommand` | `banksocket lisen` |
 * | `UnknownFlag` | `--prot 3000` |
 * | `MissingValue` | `--port` as the last word |
 * | `UnexpectedValue` | `--help=yes` |
 * | `RepeatedFlag` | `--port 1 --port 2` |
 * | `MissingFlag` | no `--secret` and no `BANKSOCKET_SECRET` |
 * | `FlagNeeds` | `listen --forward-to URL` without `--store` |
 * | `InvalidValue` | `--port 99999` |
 * | `UnexpectedArgument` | `banksocket demo extra` |
 * | `MissingArgument` | `banksocket webhooks delete` |
 * | `InvalidArgument` | `banksocket webhooks delete abc` |
 *
 * @example
 * import type { UsageError } from './usage.ts'
 * const e: UsageError = { _tag: 'InvalidValue', flag: 'port', reason: 'expected an integer from 0 to 65535' }
 */
export type UsageError =
  | Readonly<{ _tag: 'UnknownCommand'; command: string; suggestion?: string }>
  | Readonly<{ _tag: 'UnknownFlag'; flag: string; suggestion?: string }>
  | Readonly<{ _tag: 'MissingValue'; flag: string }>
  | Readonly<{ _tag: 'UnexpectedValue'; flag: string }>
  | Readonly<{ _tag: 'RepeatedFlag'; flag: string }>
  | Readonly<{ _tag: 'MissingFlag'; flag: string; env?: string }>
  | Readonly<{ _tag: 'FlagNeeds'; flag: string; needs: string; reason?: string }>
  | Readonly<{ _tag: 'InvalidValue'; flag: string; reason: string }>
  | Readonly<{ _tag: 'UnexpectedArgument'; position: number }>
  | Readonly<{ _tag: 'MissingArgument'; name: string }>
  | Readonly<{ _tag: 'InvalidArgument'; name: string; reason: string }>

const dashed = (flag: string): string => (flag.length === 1 ? `-${flag}` : `--${flag}`)

const MAX_QUOTED = 40

/** Quotes user input for a message, cut short so that a pasted blob does not flood the terminal. */
const quote = (text: string): string => `'${text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text}'`

const problem = (error: UsageError): string => {
  switch (error._tag) {
    case 'UnknownCommand':
      return `unknown command ${quote(error.command)}${error.suggestion === undefined ? '' : ` (did you mean '${error.suggestion}'?)`}`
    case 'UnknownFlag':
      return `unknown flag ${dashed(error.flag)}${error.suggestion === undefined ? '' : ` (did you mean --${error.suggestion}?)`}`
    case 'MissingValue':
      return `flag ${dashed(error.flag)} needs a value (write ${dashed(error.flag)}=VALUE if the value starts with '-')`
    case 'UnexpectedValue':
      return `flag ${dashed(error.flag)} takes no value`
    case 'RepeatedFlag':
      return `flag ${dashed(error.flag)} given more than once`
    case 'MissingFlag':
      return `missing required flag --${error.flag}${error.env === undefined ? '' : ` (or set ${error.env})`}`
    case 'FlagNeeds':
      return `${dashed(error.flag)} needs ${error.needs}${error.reason === undefined ? '' : `: ${error.reason}`}`
    case 'InvalidValue':
      return `invalid value for --${error.flag}: ${error.reason}`
    case 'UnexpectedArgument':
      return `unexpected argument at position ${error.position}`
    case 'MissingArgument':
      return `missing argument ${error.name}`
    case 'InvalidArgument':
      return `invalid ${error.name}: ${error.reason}`
  }
}

/**
 * The one-line message for a usage error, prefixed by the command and ending with where to look.
 *
 * @example
 * import { formatUsageError } from './usage.ts'
 * formatUsageError(['listen'], { _tag: 'MissingFlag', flag: 'port' })
 * // "banksocket listen: missing required flag --port. Run 'banksocket listen --help' for usage."
 */
export const formatUsageError = (path: ReadonlyArray<string>, error: UsageError): string => {
  const command = ['banksocket', ...path].join(' ')
  return `${command}: ${problem(error)}. Run '${command} --help' for usage.`
}

/** Edit distance counting a swap of two neighbours as one edit, for "did you mean" suggestions. */
const distance = (a: string, b: string): number => {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? []
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1)
      row[j] = best
    }
  }
  return at(a.length, b.length)
}

/**
 * The closest known word, if it is close enough to be a typo (at most 2 edits, and fewer than half
 * the letters).
 *
 * @example
 * import { suggest } from './usage.ts'
 * suggest('lisen', ['listen', 'send', 'demo']) // 'listen'
 */
export const suggest = (word: string, known: ReadonlyArray<string>): string | undefined => {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const d = distance(word, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= 2 && bestDistance * 2 < word.length ? best : undefined
}
