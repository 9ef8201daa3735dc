/**
 * The shared receiver contract on Deno: the fetch receiver answers real loopback requests through
 * `Deno.serve`, case by case (see contract-suite.ts).
 */
import { registerUvuFiles } from '../../../core/test/deno/uvu-bridge.ts'

await registerUvuFiles([new URL('./contract-suite.ts', import.meta.url)])
