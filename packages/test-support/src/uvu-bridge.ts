/**
 * Runs unchanged uvu test files under `deno test`, one `Deno.test` per uvu test.
 *
 * The core tests are written once, with uvu, and run on Node through tsx. Deno can run the same
 * files (`deno run -A vectors.test.ts` prints uvu's summary), but `deno test` would then see one
 * opaque module, and the workspace runner counts Deno results from `deno test`'s own
 * `ok | N passed | N failed` line. So each test of each file becomes its own `Deno.test`, named
 * `<file> › <test>`, with uvu's hooks kept (`uvu-suites.ts` says how the suites are collected).
 */
import { Deno } from './deno.ts'
import { uvuCases } from './uvu-suites.ts'

/**
 * Registers every test of the given uvu files with `Deno.test`. Call it from a Deno test module's
 * top level (with `await`), before the module finishes loading. Returns the number registered.
 *
 * @example
 * await registerUvuFiles([new URL('../vectors.test.ts', import.meta.url)])
 */
export const registerUvuFiles = async (files: readonly URL[]): Promise<number> => {
  const cases = await uvuCases(files)
  for (const c of cases) Deno.test({ name: c.name, fn: c.run })
  return cases.length
}
