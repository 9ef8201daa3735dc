/**
 * docs/guides/frameworks.md, Bun: examples/bun.ts started as the guide says (`bun bun.ts`) on a
 * loopback port answers signed notifications in every encoding (the cases of ../support/cases.ts).
 * Loaded by guide.test.ts through the uvu bridge, so each case is one bun test.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SECRET, webhookCases } from '../support/cases.ts'
import { startProcess } from '../support/process.ts'

const root = fileURLToPath(new URL('../../../', import.meta.url))

webhookCases('Bun.serve', () =>
  startProcess({
    command: process.execPath, // bun, running this suite
    args: [join(root, 'docs/guides/examples/bun.ts')],
    cwd: root,
    env: { BANKSOCKET_SECRET: SECRET, PORT: '0', HOST: '127.0.0.1' },
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    path: '/banksocket',
    timeoutMs: 20_000,
  }),
).run()
