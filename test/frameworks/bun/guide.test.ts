/**
 * The Bun sample of docs/guides/frameworks.md, run by `bun test` (see guide-suite.ts).
 */
import { registerUvuFiles } from './uvu-bun.ts'

await registerUvuFiles([new URL('./guide-suite.ts', import.meta.url)])
