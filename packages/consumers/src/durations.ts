/**
 * Durations as people write them on a command line or in a config: `200ms`, `1s`, `5m`, `1h`.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * A duration that could not be read, with the text as given (durations are never secrets).
 *
 * @example
 * import type { InvalidDuration } from '@banksocket-webhooks/consumers'
 * const e: InvalidDuration = { _tag: 'InvalidDuration', text: '5 minutes', message: "expected a duration such as 200ms, 1s, 5m or 1h, got '5 minutes'" }
 */
export type InvalidDuration = Readonly<{ _tag: 'InvalidDuration'; text: string; message: string }>

/**
 * Reads a duration written as a whole number and a unit (`ms`, `s`, `m`, `h`) into milliseconds.
 *
 * @example
 * import { parseDuration } from '@banksocket-webhooks/consumers'
 * parseDuration('200ms') // Right(200)
 * parseDuration('5m') // Right(300000)
 * parseDuration('5') // Left({ _tag: 'InvalidDuration', ... })
 */
export const parseDuration = (text: string): E.Either<InvalidDuration, number> => {
  const match = /^([0-9]{1,9})(ms|s|m|h)$/.exec(text.trim())
  const value = match === null ? undefined : Number(match[1]) * (UNITS[match[2] as string] as number)
  return value === undefined || !Number.isSafeInteger(value)
    ? E.left({ _tag: 'InvalidDuration', text, message: `expected a duration such as 200ms, 1s, 5m or 1h, got '${text.slice(0, 40)}'` })
    : E.right(value)
}
