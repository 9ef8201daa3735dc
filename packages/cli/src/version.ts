/**
 * The package version, read from its package.json (next to `dist/` and `src/`).
 *
 * @module
 */
import { readFileSync } from 'node:fs'

/**
 * The version of `@banksocket-webhooks/cli`, or `'unknown'` if its package.json cannot be read.
 *
 * @example
 * import { cliVersion } from './version.ts'
 * cliVersion() // '0.1.0'
 */
export const cliVersion = (): string => {
  try {
    const json = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    return typeof json.version === 'string' ? json.version : 'unknown'
  } catch {
    return 'unknown'
  }
}
