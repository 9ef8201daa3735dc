/**
 * docs/guides/frameworks.md, Bun: examples/bun.ts started as the guide says (`bun bun.ts`) on a
 * loopback port answers signed notifications in every encoding (the cases of ../support/cases.ts).
 * Loaded by guide.test.ts through the uvu bridge, so each case is one bun test.
 */
import { webhookCases } from '../support/cases.ts'
import { startSample } from '../support/process.ts'

// process.execPath: bun, running this suite.
webhookCases('Bun.serve', () => startSample('bun.ts', process.execPath)).run()
