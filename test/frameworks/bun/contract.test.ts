/**
 * The shared receiver contract on Bun: the fetch receiver answers real loopback requests through
 * `Bun.serve`, case by case (see contract-suite.ts). Run by `bun test`.
 */
import { registerUvuFiles } from './uvu-bun.ts'

await registerUvuFiles([new URL('./contract-suite.ts', import.meta.url)])
