import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openFileEventStore } from '../src/index.ts'
import { exited, spawnSupport, waitForLine } from './support/child.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

test('the lock file holds our pid while open and is removed on close', async () => {
  const path = tempLog()
  const store = await mustOpen({ path })
  assert.is(readFileSync(`${path}.lock`, 'utf8').split('\n')[0], String(process.pid))
  right(await store.close()())
  assert.is(existsSync(`${path}.lock`), false)
})

test('a second open of the same file (same process) fails with StoreLocked; after close it opens', async () => {
  const path = tempLog()
  const store = await mustOpen({ path })
  const second = await openFileEventStore({ path })()
  assert.is(E.isLeft(second) && second.left._tag, 'StoreLocked')
  assert.is(E.isLeft(second) && second.left._tag === 'StoreLocked' && second.left.pid, process.pid)
  assert.match(E.isLeft(second) ? second.left.message : '', /only one process may write it/)
  right(await store.close()())
  right(await (await mustOpen({ path })).close()())
})

test('another process holding the store keeps this one out until it closes', async () => {
  const path = tempLog()
  const child = spawnSupport('./hold-open.ts', [path])
  try {
    const line = await waitForLine(child, /^open \d+$/)
    const pid = Number(line.split(' ')[1])
    const refused = await openFileEventStore({ path })()
    assert.is(E.isLeft(refused) && refused.left._tag === 'StoreLocked' && refused.left.pid, pid)
    child.stdin?.end()
    await waitForLine(child, /^closed$/)
    await exited(child)
    right(await (await mustOpen({ path })).close()())
  } finally {
    child.kill('SIGKILL')
  }
})

test('a stale lock (its process is gone) is taken over', async () => {
  const path = tempLog()
  const gone = spawnSync(process.execPath, ['-e', '0']).pid
  assert.ok(gone !== undefined && gone > 0)
  writeFileSync(`${path}.lock`, `${gone}\nsome-token\n`)
  const store = await mustOpen({ path })
  assert.is(readFileSync(`${path}.lock`, 'utf8').split('\n')[0], String(process.pid))
  right(await store.close()())
  assert.is(existsSync(`${path}.lock`), false)
})

test('a lock left by a killed process is taken over', async () => {
  const path = tempLog()
  const child = spawnSupport('./hold-open.ts', [path])
  await waitForLine(child, /^open \d+$/)
  child.kill('SIGKILL')
  await exited(child)
  assert.is(existsSync(`${path}.lock`), true)
  const store = await mustOpen({ path })
  right(await store.close()())
})

test('a lock file that names no pid is not taken over', async () => {
  const path = tempLog()
  writeFileSync(`${path}.lock`, 'garbage')
  const refused = await openFileEventStore({ path })()
  assert.is(E.isLeft(refused) && refused.left._tag, 'StoreLocked')
  assert.is(E.isLeft(refused) && refused.left._tag === 'StoreLocked' && refused.left.pid, undefined)
  assert.is(readFileSync(`${path}.lock`, 'utf8'), 'garbage')
})

test('a failed open (corrupt log) releases the lock', async () => {
  const path = tempLog()
  writeFileSync(path, 'not a log\n')
  const result = await openFileEventStore({ path })()
  assert.is(E.isLeft(result) && result.left._tag, 'NotAStoreFile')
  assert.is(existsSync(`${path}.lock`), false)
})

test.run()
