/**
 * The core test suite on Deno: every uvu file in `packages/core/test/` (vectors, hash, body,
 * receive, money, ledger, inbox, store, ...) runs unchanged under `deno test`, one `Deno.test` per
 * uvu test, so the workspace runner counts Deno results test by test. New core test files are
 * picked up without touching this file.
 */
import { Deno } from '../../../test-support/src/deno.ts'
import { registerUvuFiles } from '../../../test-support/src/uvu-bridge.ts'

/**
 * Files not loaded here, with the reason: `guides.test.ts` runs the Node guide samples (node:http,
 * Express; the Deno guide has its own Deno test); `fuzz.test.ts` (100,000 generated bodies) runs
 * under Deno from its own file, core-fuzz.test.ts, to keep each file's run time short.
 */
const ELSEWHERE = new Set(['guides.test.ts', 'fuzz.test.ts'])

const dir = new URL('../', import.meta.url)
const files = [...Deno.readDirSync(dir)]
  .filter((entry) => entry.isFile && entry.name.endsWith('.test.ts') && !ELSEWHERE.has(entry.name))
  .map((entry) => entry.name)
  .sort()
  .map((name) => new URL(name, dir))

const registered = await registerUvuFiles(files)

Deno.test({
  name: `core suite: ${files.length} uvu files registered ${registered} tests under Deno ${Deno.version.deno}`,
  fn: () => {
    if (files.length < 10 || registered < 100) throw new Error(`expected the whole core suite, found ${files.length} files and ${registered} tests`)
  },
})
