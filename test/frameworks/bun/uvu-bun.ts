/**
 * Runs unchanged uvu test files under `bun test`, one bun test per uvu test, as
 * packages/test-support/src/uvu-bridge.ts does for `deno test` (both are test-support's
 * `uvuCases` plus their runner's `test`). The workspace runner counts Bun results from `bun test`'s
 * own `N pass` / `N fail` lines, so every contract case is counted on its own.
 */
import { test } from 'bun:test'
import { uvuCases } from '../../../packages/test-support/src/uvu-suites.ts'

/**
 * Registers every test of the given uvu files with `bun:test`. Call it from a bun test module's
 * top level (with `await`), before the module finishes loading. Returns the number registered.
 *
 * @example
 * await registerUvuFiles([new URL('./contract-suite.ts', import.meta.url)])
 */
export const registerUvuFiles = async (files: readonly URL[], timeoutMs = 30_000): Promise<number> => {
  const cases = await uvuCases(files)
  for (const c of cases) test(c.name, c.run, timeoutMs)
  return cases.length
}
