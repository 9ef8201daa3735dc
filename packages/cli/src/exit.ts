/**
 * Exit codes of the `banksocket` command.
 *
 * @module
 */

/**
 * What the process exits with: `0` success, `1` failure (a refused notification, an API error, a
 * receiver that could not start), `2` usage error (unknown command or flag, missing required flag,
 * invalid value).
 *
 * @example
 * import { ExitCode } from '@banksocket-webhooks/cli'
 * process.exitCode = ExitCode.usage // 2
 */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const

/**
 * One of the {@link ExitCode} values.
 *
 * @example
 * import type { ExitCode } from '@banksocket-webhooks/cli'
 * const code: ExitCode = 0
 */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]
