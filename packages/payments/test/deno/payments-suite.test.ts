/**
 * The payments test suite on Deno: every uvu file in `packages/payments/test/` (reference folding,
 * the deciders, the runtime, the laws, the fetch receiver, the file store) runs unchanged under
 * `deno test`, one `Deno.test` per uvu test, so the workspace runner counts Deno results test by
 * test. New test files are picked up without touching this file.
 */
import { Deno } from '@banksocket-webhooks/test-support/deno'
import { registerUvuFiles } from '@banksocket-webhooks/test-support/uvu-bridge'

/**
 * Files not loaded here, with the reason: `guide.test.ts` starts the guide's Express sample as a
 * Node process (`node --import tsx`), which is the Node guide's whole point.
 */
const ELSEWHERE = new Set(['guide.test.ts'])

const dir = new URL('../', import.meta.url)
const files = [...Deno.readDirSync(dir)]
  .filter((entry) => entry.isFile && entry.name.endsWith('.test.ts') && !ELSEWHERE.has(entry.name))
  .map((entry) => entry.name)
  .sort()
  .map((name) => new URL(name, dir))

const registered = await registerUvuFiles(files)

Deno.test({
  name: `payments suite: ${files.length} uvu files registered ${registered} tests under Deno ${Deno.version.deno}`,
  fn: () => {
    if (files.length < 7 || registered < 50) throw new Error(`expected the whole payments suite, found ${files.length} files and ${registered} tests`)
  },
})
