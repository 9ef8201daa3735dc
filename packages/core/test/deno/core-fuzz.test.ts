/**
 * Core's fixed-seed fuzz run (100,000 generated bodies through the whole receive pipeline, see
 * ../fuzz.test.ts) under Deno, in a file of its own because it is the one long core test.
 */
import { registerUvuFiles } from '../../../test-support/src/uvu-bridge.ts'

await registerUvuFiles([new URL('../fuzz.test.ts', import.meta.url)])
