/**
 * The receiver on Deno: its uvu files (typed events, options, `handle` with every body form, the
 * no-history default) run unchanged under `deno test`, one `Deno.test` per uvu test. Web APIs only,
 * so nothing here needs Node. (adapter-fetch's Deno tests serve it through `Deno.serve` as well.)
 */
import { registerUvuFiles } from '../../../test-support/src/uvu-bridge.ts'

await registerUvuFiles(['../handle.test.ts', '../options.test.ts', '../typed-events.test.ts'].map((file) => new URL(file, import.meta.url)))
