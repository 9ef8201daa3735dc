// The demo's install, as the README's first command does it, in a fresh clone of this repository:
// it stays under 55 MB, and the size the README states ("about N MB") is the one measured (within
// 15 %). (It was 34 MB until `--admin-port` brought the OpenTelemetry SDK and its Prometheus exporter
// into the CLI's dependencies: 15 MB, two thirds of it @opentelemetry/semantic-conventions.) Only the install half of the command runs (the demo itself is cli's demo.test.ts).
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')

test("the demo's install is under 55 MB and the README says its measured size", () => {
  const block = /```sh\n# run the demo \(installs only what it needs, about (\d+) MB[^\n]*\n(.+)\n```/.exec(readme)
  assert.ok(block !== null, 'the README starts with the demo command and its size')
  const stated = Number(block[1])
  const install = (block[2] ?? '').split(' && ')[0] ?? ''
  assert.match(install, / install --frozen-lockfile --prod --filter-prod @banksocket-webhooks\/cli\.\.\.$/)
  const clone = mkdtempSync(join(tmpdir(), 'demo-install-'))
  try {
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone])
    const run = spawnSync('sh', ['-c', install], { cwd: clone, encoding: 'utf8', env: { ...process.env, CI: 'true' } })
    assert.is(run.status, 0, `${install}\n${run.stdout}\n${run.stderr}`)
    assert.not.match(run.stdout + run.stderr, /Unsupported engine|EBADENGINE/, 'no engine warning on the Node the README brings')
    // Every node_modules of the clone (the root's and each package's), as `du` counts them.
    const du = execFileSync('sh', ['-c', 'find . -name node_modules -type d -prune -print0 | xargs -0 du -sck | tail -n 1'], {
      cwd: clone,
      encoding: 'utf8',
    })
    const mb = Number(du.trim().split(/\s+/)[0]) / 1024
    assert.ok(mb < 55, `the demo's install is ${mb.toFixed(1)} MB`)
    assert.ok(Math.abs(mb - stated) / mb <= 0.15, `the README says about ${stated} MB; measured ${mb.toFixed(1)} MB`)
  } finally {
    rmSync(clone, { recursive: true, force: true })
  }
})

test.run()
