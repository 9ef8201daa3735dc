// Why `listen --store` could not open an event log, said so a user can act on it: the file store
// reports a bare system error code, and `ENOENT` for a file that exists means its lock file could
// not be created beside it.

import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { OpenError } from '@banksocket-webhooks/adapter-file-store'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { describeOpenError } from '../src/store-failure.ts'

const dir = mkdtempSync(join(tmpdir(), 'banksocket-cli-store-failure-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

const openFailure = (path: string, code: string): OpenError => ({
  _tag: 'OpenFailure',
  path,
  code,
  message: `could not open the event log at ${path} (${code})`,
})

const onLinux = existsSync('/proc/version')

test('ENOENT for a file that exists: its lock file cannot be created beside it', async () => {
  if (!onLinux) return
  assert.is(
    await describeOpenError(openFailure('/proc/version', 'ENOENT')),
    'could not open the event log at /proc/version (ENOENT): /proc/version exists, but its lock file /proc/version.lock cannot be created beside it: ' +
      '/proc does not let files be created in it (ENOENT; /proc and /sys do not); use a --store path in a directory where files can be created',
  )
})

test('ENOENT for a new file in a directory that takes no files: the lock file cannot be created', async () => {
  if (!onLinux) return
  assert.match(
    await describeOpenError(openFailure('/proc/events.jsonl', 'ENOENT')),
    /\(ENOENT\): the lock file \/proc\/events\.jsonl\.lock cannot be created: \/proc does not let files be created in it .*; use a --store path in a directory where files can be created$/,
  )
})

test('ENOENT in a directory that does not exist: says to create it', async () => {
  const path = join(dir, 'missing', 'events.jsonl')
  assert.is(
    await describeOpenError(openFailure(path, 'ENOENT')),
    `could not open the event log at ${path} (ENOENT): the directory ${join(dir, 'missing')} does not exist; create it, or use a --store path in an existing directory`,
  )
})

test('a directory: --store takes a file', async () => {
  assert.is(
    await describeOpenError(openFailure(dir, 'EISDIR')),
    `could not open the event log at ${dir} (EISDIR): ${dir} is a directory; --store takes a file, such as ${join(dir, 'events.jsonl')}`,
  )
})

test('a code no step explains, and every other error: the store message as is', async () => {
  assert.is(
    await describeOpenError(openFailure(join(dir, 'events.jsonl'), 'EIO')),
    `could not open the event log at ${join(dir, 'events.jsonl')} (EIO)`,
  )
  const locked: OpenError = { _tag: 'StoreLocked', path: 'a', lockPath: 'a.lock', pid: 42, message: 'the event log at a is locked by process 42' }
  assert.is(await describeOpenError(locked), locked.message)
})

test.run()
