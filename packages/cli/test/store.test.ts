import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ensureBuilt, json, run, startListen } from './support/cli.ts'

ensureBuilt()

const SECRET = 'store-secret'
const dir = mkdtempSync(join(tmpdir(), 'banksocket-cli-store-'))

test.after(() => rmSync(dir, { recursive: true, force: true }))

test('listen --store: dedupe and balance continuity survive a restart', async () => {
  const file = join(dir, 'events.jsonl')

  const first = await startListen(['--port', '0', '--secret', SECRET, '--store', file])
  assert.is(first.listening['store'], file)
  assert.is(first.listening['storedEvents'], 0)
  const sent = await run(['send', '--to', first.url, '--secret', SECRET])
  assert.match(sent.stdout, /"status":"ok"/)
  await first.line('stdout', () => true)
  assert.is((await first.stop()).code, 0)
  assert.ok(readFileSync(file, 'utf8').includes('"TransactionReceived"'), 'the event is in the log')

  const second = await startListen(['--port', '0', '--secret', SECRET, '--store', file])
  try {
    assert.is(second.listening['storedEvents'], 1)
    const resent = await run(['send', '--to', second.url, '--secret', SECRET, '--encoding', 'json'])
    assert.is(resent.code, 0)
    assert.is(resent.stdout, 'HTTP 200 OK\n{"status":"duplicate"}\n')
    const duplicate = json(await second.line('stderr', (l) => l.includes('"duplicate"')))
    assert.is(duplicate['amount'], '100.00')

    // the next movement is checked against the balance stored by the first run
    const next = await run([
      'send',
      '--to',
      second.url,
      '--secret',
      SECRET,
      '--dc',
      'Debit',
      '--amount',
      '100.00',
      '--balance',
      '17900.00',
      '--description',
      'SN:next',
    ])
    assert.is(next.code, 0)
    const line = json(await second.line('stdout', () => true))
    assert.equal(line['gap'], {
      gapId: 1,
      from: '18100.00',
      to: '18000.00',
      expectedBalance: '18000.00',
      actualBalance: '17900.00',
      missing: '-100.00',
      direction: 'out',
      previousKey: duplicate['idempotencyKey'],
    })
    assert.is(second.lines('stdout').length, 1, 'the re-sent notification was not printed as a transaction')
  } finally {
    assert.is((await second.stop()).code, 0)
  }
})

test('listen --store on a log another listener holds: exit 1 naming the lock', async () => {
  const file = join(dir, 'locked.jsonl')
  const holder = await startListen(['--port', '0', '--secret', SECRET, '--store', file])
  try {
    const { code, stdout, stderr } = await run(['listen', '--port', '0', '--secret', SECRET, '--store', file])
    assert.is(code, 1)
    assert.is(stdout, '')
    assert.match(stderr, /^banksocket listen: the event log at .*locked\.jsonl is locked by process \d+/)
  } finally {
    await holder.stop()
  }
})

test('listen --store /proc/version: not a bare ENOENT for a file that exists, but why and what to do', async () => {
  if (!existsSync('/proc/version')) return
  const { code, stdout, stderr } = await run(['listen', '--port', '0', '--secret', SECRET, '--store', '/proc/version'])
  assert.is(code, 1)
  assert.is(stdout, '')
  assert.is(stderr.split('\n').filter((l) => l !== '').length, 1)
  assert.match(stderr, /^banksocket listen: could not open the event log at \/proc\/version \((ENOENT|EACCES)\): \/proc\/version exists/)
  // Root may open /proc/version for writing, so the lock file is what fails; another user cannot write the file either.
  assert.match(
    stderr,
    /but its lock file \/proc\/version\.lock cannot be created beside it: \/proc does not let files be created in it|but cannot be opened for writing/,
  )
})

test('listen --store on a file that is not an event log: exit 1, file untouched', async () => {
  const file = join(dir, 'notes.txt')
  const { writeFileSync } = await import('node:fs')
  writeFileSync(file, 'my notes\n')
  const { code, stderr } = await run(['listen', '--port', '0', '--secret', SECRET, '--store', file])
  assert.is(code, 1)
  assert.match(stderr, /^banksocket listen: /)
  assert.is(readFileSync(file, 'utf8'), 'my notes\n')
})

test.run()
