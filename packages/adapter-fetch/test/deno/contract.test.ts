/**
 * The shared receiver contract on Deno: the fetch receiver answers real loopback requests through
 * `Deno.serve`, case by case (see contract-suite.ts).
 */
import { registerUvuFiles } from '@banksocket-webhooks/test-support/uvu-bridge'

await registerUvuFiles([new URL('./contract-suite.ts', import.meta.url)])
