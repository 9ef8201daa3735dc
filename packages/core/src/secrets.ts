/**
 * Checking webhook secrets where they are configured, so that an unset environment variable or an
 * empty string can never become a secret that verifies forged notifications.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

/**
 * A configured secret that cannot be used: there is none, or the one at `index` is not a string
 * (an unset environment variable is `undefined`), is empty, or is only whitespace. The secret itself
 * is never part of the error.
 *
 * @example
 * import type { InvalidSecret } from '@banksocket-webhooks/core/runtime-kit'
 * const e: InvalidSecret = { _tag: 'InvalidSecret', index: 1, reason: 'is empty' }
 */
export type InvalidSecret = Readonly<{ _tag: 'InvalidSecret'; index: number; reason: string }>

/**
 * The error thrown by constructors (`createInbox`, the receivers, `receive`) given an
 * {@link InvalidSecret}: `index` says which secret, `reason` what is wrong with it.
 *
 * @example
 * import { createInbox, InvalidSecretError } from '@banksocket-webhooks/core'
 * try { createInbox({ secrets: [process.env.UNSET as string] }) } catch (e) {
 *   if (e instanceof InvalidSecretError) console.error(e.message) // 'secret 0 is undefined (an unset environment variable?)'
 * }
 */
export class InvalidSecretError extends TypeError {
  override readonly name = 'InvalidSecretError'
  readonly _tag = 'InvalidSecret'
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    super(index < 0 ? `at least one webhook secret is needed: ${reason}` : `secret ${index} ${reason}`)
  }
}

const reasonOf = (secret: unknown): string | undefined => {
  if (secret === undefined) return 'is undefined (an unset environment variable?)'
  if (typeof secret !== 'string') return `is a ${secret === null ? 'null' : typeof secret}, not a string`
  if (secret.length === 0) return 'is empty'
  if (secret.trim().length === 0) return 'is only whitespace'
  return undefined
}

/**
 * Checks a list of secrets: at least one, each a string with something other than whitespace.
 * Answers the first bad one (index -1 when the list is empty or not a list).
 *
 * @example
 * import { checkSecrets } from '@banksocket-webhooks/core'
 * checkSecrets(['current', ''])  // Left({ _tag: 'InvalidSecret', index: 1, reason: 'is empty' })
 * checkSecrets(['current'])      // Right(['current'])
 */
export const checkSecrets = (secrets: unknown): E.Either<InvalidSecret, ReadonlyArray<string>> => {
  if (!Array.isArray(secrets)) return E.left({ _tag: 'InvalidSecret', index: -1, reason: 'secrets must be an array of strings' })
  if (secrets.length === 0) return E.left({ _tag: 'InvalidSecret', index: -1, reason: 'the list of secrets is empty' })
  for (let i = 0; i < secrets.length; i++) {
    const reason = reasonOf(secrets[i])
    if (reason !== undefined) return E.left({ _tag: 'InvalidSecret', index: i, reason })
  }
  return E.right(secrets as ReadonlyArray<string>)
}

/**
 * {@link checkSecrets} for constructors: returns the secrets, or throws an
 * {@link InvalidSecretError}.
 *
 * @example
 * import { assertSecrets } from '@banksocket-webhooks/core/runtime-kit'
 * const secrets = assertSecrets([process.env.BANKSOCKET_SECRET]) // throws when the variable is unset
 */
export const assertSecrets = (secrets: unknown): ReadonlyArray<string> => {
  const checked = checkSecrets(secrets)
  if (E.isLeft(checked)) throw new InvalidSecretError(checked.left.index, checked.left.reason)
  return checked.right
}
