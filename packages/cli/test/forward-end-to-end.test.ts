/**
 * The end-to-end test of forwarding (issue: "forward every recorded movement to an application"),
 * on a file log: `banksocket listen --store FILE --forward-to APP` through an application that
 * refuses 30 % of the deliveries and is down for a while, and a receiver SIGKILLed mid-stream and
 * restarted on the same log. Every notification listen acknowledged reaches the application, in
 * order per account, with one id and one body per event, every signature verified (see
 * `support/end-to-end.ts`; the PostgreSQL run is in `forward-postgres.test.ts`).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import { ensureBuilt } from './support/cli.ts'
import { forwardThroughFaults } from './support/end-to-end.ts'
import { logEvents } from './support/forwarding.ts'

ensureBuilt()

const dir = mkdtempSync(join(tmpdir(), 'banksocket-cli-forward-e2e-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

test('file log: 30 % refusals, the app down for a while, listen SIGKILLed and restarted: everything acknowledged reaches the app, in order', async () => {
  const file = join(dir, 'events.jsonl')
  console.log(`forward end-to-end (file): ${await forwardThroughFaults(file, () => logEvents(file))}`)
})

test.run()
