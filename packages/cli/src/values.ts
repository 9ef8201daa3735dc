/**
 * Validation of flag values: each returns the typed value or a {@link UsageError} naming the flag.
 * Secret values are never quoted back.
 *
 * @module
 */
import { parseDuration, parseWebhookSecret } from '@banksocket-webhooks/consumers'
import { checkSecrets } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { type Arguments, stringFlag, stringsFlag } from './argv.ts'
import type { Env } from './io.ts'
import type { UsageError } from './usage.ts'

const invalid = (flag: string, reason: string): E.Either<UsageError, never> => E.left({ _tag: 'InvalidValue', flag, reason })

const shown = (value: string): string => `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`

/**
 * An integer flag within bounds, or its default when absent.
 *
 * @example
 * import { integerFlag } from './values.ts'
 * integerFlag(args, 'port', { min: 0, max: 65535 }) // Right(3000) for --port 3000
 */
export const integerFlag = (
  args: Arguments,
  flag: string,
  bounds: Readonly<{ min: number; max: number; default?: number }>,
): E.Either<UsageError, number | undefined> => {
  const raw = stringFlag(args, flag)
  if (raw === undefined) return E.right(bounds.default)
  if (!/^\d+$/.test(raw)) return invalid(flag, `expected an integer from ${bounds.min} to ${bounds.max}, got ${shown(raw)}`)
  const value = Number(raw)
  if (value < bounds.min || value > bounds.max) {
    return invalid(flag, `expected an integer from ${bounds.min} to ${bounds.max}, got ${shown(raw)}`)
  }
  return E.right(value)
}

/**
 * A required flag (or its environment variable), as a non-empty string.
 *
 * @example
 * import { requiredFlag } from './values.ts'
 * requiredFlag(args, 'to') // Left(MissingFlag) when --to is absent
 */
export const requiredFlag = (
  args: Arguments,
  flag: string,
  options: Readonly<{ env?: string; environment?: Env }> = {},
): E.Either<UsageError, string> => {
  const fromFlag = stringFlag(args, flag)
  const value = fromFlag ?? (options.env === undefined ? undefined : options.environment?.[options.env])
  if (value === undefined) return E.left({ _tag: 'MissingFlag', flag, ...(options.env === undefined ? {} : { env: options.env }) })
  if (value.trim() === '') {
    return invalid(flag, fromFlag === undefined && options.env !== undefined ? `${options.env} is empty` : 'must not be empty')
  }
  return E.right(value)
}

/**
 * An optional flag that must not be empty when given.
 *
 * @example
 * import { optionalFlag } from './values.ts'
 * optionalFlag(args, 'store', 'expected a file path') // Right(undefined) when --store is absent
 */
export const optionalFlag = (args: Arguments, flag: string, expected: string): E.Either<UsageError, string | undefined> => {
  const value = stringFlag(args, flag)
  return value !== undefined && value.trim() === '' ? invalid(flag, expected) : E.right(value)
}

/**
 * One of a fixed set of words, or the default when absent.
 *
 * @example
 * import { choiceFlag } from './values.ts'
 * choiceFlag(args, 'encoding', ['form', 'json', 'multipart'] as const, 'form') // Right('form')
 */
export const choiceFlag = <C extends string>(args: Arguments, flag: string, choices: ReadonlyArray<C>, fallback: C): E.Either<UsageError, C> => {
  const raw = stringFlag(args, flag)
  if (raw === undefined) return E.right(fallback)
  const found = choices.find((c) => c === raw)
  return found === undefined ? invalid(flag, `expected one of ${choices.join(', ')}, got ${shown(raw)}`) : E.right(found)
}

/** The port written in an absolute URL's authority (`http://host:PORT/…`), as written, if any. */
const writtenPort = (raw: string): string | undefined =>
  /^[a-z][a-z\d+.-]*:\/\/(?:[^/?#@]*@)?(?:\[[^\]/?#]*\]|[^/?#:]*):(\d+)(?:[/?#]|$)/i.exec(raw.trim())?.[1]

const PORT_RANGE = 'a port is a number from 1 to 65535'

/** A URL as written, with any `user:password@` masked: a password is never quoted back. */
const withoutCredentials = (raw: string): string => raw.replace(/^([a-z][a-z\d+.-]*:\/\/)[^/?#]*@/i, '$1…@')

/**
 * An absolute http(s) URL with a port that can be connected to (1 to 65535, or none).
 *
 * @example
 * import { urlFlag } from './values.ts'
 * urlFlag(args, 'to') // Right(URL) for --to http://127.0.0.1:3000/; Left for --to http://127.0.0.1:99999/
 */
export const urlFlag = (
  args: Arguments,
  flag: string,
  options: Readonly<{ env?: string; environment?: Env; fallback?: string }> = {},
): E.Either<UsageError, URL | undefined> => {
  const raw = stringFlag(args, flag) ?? (options.env === undefined ? undefined : options.environment?.[options.env]) ?? options.fallback
  if (raw === undefined) return E.right(undefined)
  const port = writtenPort(raw)
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return invalid(flag, `port ${port.length > 10 ? `${port.slice(0, 10)}…` : port} is out of range (${PORT_RANGE})`)
  }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return invalid(flag, `expected an absolute http(s) URL such as http://127.0.0.1:3000/, got ${shown(withoutCredentials(raw))}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return invalid(flag, `expected an http or https URL, got ${shown(url.protocol)}`)
  }
  if (url.username !== '' || url.password !== '') return invalid(flag, 'credentials in the URL are not supported')
  return E.right(url)
}

/**
 * Secrets from a repeatable flag, else from a comma-separated environment variable. Empty secrets
 * are refused; the values are never quoted in the error.
 *
 * @example
 * import { secretsFlag } from './values.ts'
 * secretsFlag(args, 'secret', 'BANKSOCKET_SECRET', process.env) // Right(['new', 'old'])
 */
export const secretsFlag = (args: Arguments, flag: string, env: string, environment: Env): E.Either<UsageError, ReadonlyArray<string>> => {
  const given = stringsFlag(args, flag)
  if (given.length > 0) {
    const checked = checkSecrets(given)
    return E.isLeft(checked)
      ? invalid(flag, `--${flag} number ${checked.left.index + 1} ${checked.left.reason.replace(' (an unset environment variable?)', '')}`)
      : E.right(given)
  }
  const fromEnv = environment[env]
  if (fromEnv === undefined) return E.left({ _tag: 'MissingFlag', flag, env })
  const secrets = fromEnv.split(',').map((s) => s.trim())
  if (secrets.some((s) => s === '')) return invalid(flag, `${env} holds an empty secret (separate several with commas)`)
  return E.right(secrets)
}

/** The longest wait a duration flag takes: a day (Node's timers cannot wait much longer than 24 days). */
const MAX_DURATION = 24 * 3_600_000

/**
 * A duration flag written as a whole number and a unit (`200ms`, `1s`, `5m`, `1h`), in
 * milliseconds, from 1 ms to 24 h, or the default when absent. Read by `parseDuration` of
 * `@banksocket-webhooks/consumers`.
 *
 * @example
 * import { durationFlag } from './values.ts'
 * durationFlag(args, 'forward-max-delay', 300_000) // Right(200) for --forward-max-delay 200ms; Left for --forward-max-delay 5
 */
export const durationFlag = (args: Arguments, flag: string, fallback: number): E.Either<UsageError, number> => {
  const raw = stringFlag(args, flag)
  if (raw === undefined) return E.right(fallback)
  const parsed = parseDuration(raw)
  if (E.isLeft(parsed)) return invalid(flag, parsed.left.message)
  if (parsed.right < 1 || parsed.right > MAX_DURATION) return invalid(flag, `expected a duration from 1ms to 24h, got ${shown(raw)}`)
  return E.right(parsed.right)
}

/**
 * A Standard Webhooks secret (`whsec_` and base64) from a flag, else from an environment variable;
 * `undefined` when neither is given. A secret `parseWebhookSecret` refuses is a usage error that
 * says why without quoting it (nor any part of it).
 *
 * @example
 * import { webhookSecretFlag } from './values.ts'
 * webhookSecretFlag(args, 'forward-secret', 'BANKSOCKET_FORWARD_SECRET', process.env) // Right('whsec_…'), Right(undefined) or Left
 */
export const webhookSecretFlag = (args: Arguments, flag: string, env: string, environment: Env): E.Either<UsageError, string | undefined> => {
  const fromFlag = stringFlag(args, flag)
  const secret = fromFlag ?? environment[env]
  if (secret === undefined) return E.right(undefined)
  const parsed = parseWebhookSecret(secret)
  if (E.isRight(parsed)) return E.right(secret)
  return invalid(flag, `${fromFlag === undefined ? `${env}: ` : ''}${parsed.left.message}`)
}

/**
 * The secrets found in the environment variables that hold credentials, to redact them from output.
 *
 * @example
 * import { secretValuesInEnv } from './values.ts'
 * secretValuesInEnv({ BANKSOCKET_SECRET: 'a1b2,c3d4' }) // ['a1b2,c3d4', 'a1b2', 'c3d4']
 */
export const secretValuesInEnv = (environment: Env): ReadonlyArray<string> => {
  const found: string[] = []
  for (const name of ['BANKSOCKET_SECRET', 'BANKSOCKET_TOKEN', 'BANKSOCKET_FORWARD_SECRET']) {
    const value = environment[name]
    if (value === undefined || value === '') continue
    found.push(value, ...value.split(',').map((s) => s.trim()))
  }
  return found
}
