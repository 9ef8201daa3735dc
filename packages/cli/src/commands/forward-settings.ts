/**
 * The forwarding flags, shared by `banksocket listen` (`--forward-to`, `--forward-secret`,
 * `--forward-max-delay`, `--forward-max-attempts`) and `banksocket forward` (`--to`, `--secret`,
 * `--max-delay`, `--max-attempts`): one spec for the help, one check for the values.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { type Arguments, stringFlag } from '../argv.ts'
import type { Env } from '../io.ts'
import type { FlagSpec } from '../spec.ts'
import type { UsageError } from '../usage.ts'
import { durationFlag, integerFlag, urlFlag, webhookSecretFlag } from '../values.ts'

/**
 * Where and how a command forwards: the application's URL, the Standard Webhooks secret it
 * verifies with (`whsec_…`), the longest wait between two attempts (ms) and the attempts in all
 * before an event is given up on.
 *
 * @example
 * import type { ForwardSettings } from './commands/forward-settings.ts'
 * const settings: ForwardSettings = { url: new URL('http://127.0.0.1:4000/banksocket'), secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', maxDelay: 300_000, maxAttempts: 20 }
 */
export type ForwardSettings = Readonly<{ url: URL; secret: string; maxDelay: number; maxAttempts: number }>

/** The environment variable that holds the forwarding secret when its flag is absent. */
const FORWARD_SECRET_ENV = 'BANKSOCKET_FORWARD_SECRET'

const DEFAULT_MAX_DELAY = 5 * 60_000
const DEFAULT_MAX_ATTEMPTS = 20
const MAX_ATTEMPTS = 1_000_000

/** `''` for `banksocket forward`'s own flags, `'forward-'` for `banksocket listen`'s. */
type Prefix = '' | 'forward-'

/** The four flag names under a prefix. */
const namesOf = (prefix: Prefix) => ({
  to: `${prefix}to`,
  secret: `${prefix}secret`,
  maxDelay: `${prefix}max-delay`,
  maxAttempts: `${prefix}max-attempts`,
})

/**
 * The help specs of the four forwarding flags under `prefix` (`--forward-to` ... for listen,
 * `--to` ... for forward). The secret flag is marked `secret`, so its value is redacted from all
 * output wherever it appears on the command line.
 *
 * @example
 * import { forwardFlagSpecs } from './commands/forward-settings.ts'
 * Object.keys(forwardFlagSpecs('forward-')) // ['forward-to', 'forward-secret', 'forward-max-delay', 'forward-max-attempts']
 */
export const forwardFlagSpecs = (prefix: Prefix): Readonly<Record<string, FlagSpec>> => {
  const names = namesOf(prefix)
  const required = prefix === ''
  return {
    [names.to]: {
      type: 'string',
      value: 'URL',
      description: "the application's URL: each recorded event is POSTed there as JSON, signed as Standard Webhooks",
      ...(required ? { required: true } : {}),
    },
    [names.secret]: {
      type: 'string',
      value: 'whsec_…',
      description: 'the Standard Webhooks secret the application verifies with (whsec_ and 24 to 64 bytes in base64)',
      secret: true,
      env: FORWARD_SECRET_ENV,
      ...(required ? { required: true } : {}),
    },
    [names.maxDelay]: {
      type: 'string',
      value: 'DURATION',
      description: 'the longest wait between two attempts at one event (200ms, 1s, 5m, 1h; at most 24h)',
      default: '5m',
    },
    [names.maxAttempts]: {
      type: 'string',
      value: 'N',
      description: 'attempts at one event in all before it is given up on (forward_failed) and its account moves on',
      default: String(DEFAULT_MAX_ATTEMPTS),
    },
  }
}

/** The forwarding settings once the target URL is known to be given. */
const settingsOf = (args: Arguments, env: Env, prefix: Prefix, missingSecret: UsageError): E.Either<UsageError, ForwardSettings> => {
  const names = namesOf(prefix)
  return pipe(
    E.Do,
    E.apS('url', urlFlag(args, names.to)),
    E.apS('secret', webhookSecretFlag(args, names.secret, FORWARD_SECRET_ENV, env)),
    E.apS('maxDelay', durationFlag(args, names.maxDelay, DEFAULT_MAX_DELAY)),
    E.apS('maxAttempts', integerFlag(args, names.maxAttempts, { min: 1, max: MAX_ATTEMPTS, default: DEFAULT_MAX_ATTEMPTS })),
    E.chain(({ url, secret, maxDelay, maxAttempts }): E.Either<UsageError, ForwardSettings> => {
      if (url === undefined) return E.left({ _tag: 'MissingFlag', flag: names.to })
      if (secret === undefined) return E.left(missingSecret)
      return E.right({ url, secret, maxDelay, maxAttempts: maxAttempts ?? DEFAULT_MAX_ATTEMPTS })
    }),
  )
}

/**
 * Checks `banksocket listen`'s forwarding flags: `undefined` without `--forward-to` (then the other
 * three are usage errors, all but the secret's environment variable, which may be set for another
 * process); with it, the settings, or a usage error for a missing or refused secret, a bad URL,
 * duration or count. Whether there is a store to forward from is the caller's check.
 *
 * @example
 * import { configureListenForwarding } from './commands/forward-settings.ts'
 * configureListenForwarding(args, {}) // Right(undefined) without --forward-to
 */
export const configureListenForwarding = (args: Arguments, env: Env): E.Either<UsageError, ForwardSettings | undefined> => {
  const names = namesOf('forward-')
  if (stringFlag(args, names.to) === undefined) {
    const stray = [names.secret, names.maxDelay, names.maxAttempts].find((name) => stringFlag(args, name) !== undefined)
    return stray === undefined ? E.right(undefined) : E.left({ _tag: 'FlagNeeds', flag: stray, needs: `--${names.to}` })
  }
  return settingsOf(args, env, 'forward-', {
    _tag: 'FlagNeeds',
    flag: names.to,
    needs: `--${names.secret} or ${FORWARD_SECRET_ENV}`,
    reason: 'the Standard Webhooks secret (whsec_…) the application verifies with',
  })
}

/**
 * Checks `banksocket forward`'s `--to`, `--secret` (or `BANKSOCKET_FORWARD_SECRET`),
 * `--max-delay` and `--max-attempts`.
 *
 * @example
 * import { configureForwardTarget } from './commands/forward-settings.ts'
 * configureForwardTarget(args, { BANKSOCKET_FORWARD_SECRET: 'whsec_…' }) // Right({ url, secret, maxDelay: 300000, maxAttempts: 20 })
 */
export const configureForwardTarget = (args: Arguments, env: Env): E.Either<UsageError, ForwardSettings> =>
  settingsOf(args, env, '', { _tag: 'MissingFlag', flag: 'secret', env: FORWARD_SECRET_ENV })

/**
 * The application's URL as output shows it: scheme, host, port and path, without the query or
 * fragment (which may carry a token).
 *
 * @example
 * import { forwardTarget } from './commands/forward-settings.ts'
 * forwardTarget(new URL('https://app.example/banksocket?token=x')) // 'https://app.example/banksocket'
 */
export const forwardTarget = (url: URL): string => `${url.origin}${url.pathname}`
