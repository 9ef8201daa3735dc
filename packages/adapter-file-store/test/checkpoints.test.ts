/**
 * File checkpoints beside a log: `<log>.checkpoints/<name>.json`, moved by a compare-and-set that
 * refuses a stale start or a move that is not forward, runs the work first and saves nothing when
 * it fails, replaced atomically (always valid JSON), the same for every instance and after a
 * reopen. Leases: one holder per name, a second acquire in this process waits for the release, and
 * a lock left by a killed process is taken over.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CheckpointError } from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createFileCheckpoints } from '../src/index.ts'
import { exited, spawnSupport, waitForLine } from './support/child.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'
import { delay, mustFollow, pendingAfter } from './support/wait.ts'

test.after.each(cleanup)

const leftOf = (result: E.Either<CheckpointError, void>): CheckpointError => {
  if (E.isRight(result)) throw new Error('expected the advance to be refused')
  return result.left
}

test('read answers undefined before the first save; advance saves <log>.checkpoints/<name>.json', async () => {
  const path = tempLog()
  const checkpoints = createFileCheckpoints({ path })
  assert.is(checkpoints.directory, `${path}.checkpoints`)
  assert.is(right(await checkpoints.read('orders')()), undefined)
  assert.equal(readdirSync(join(path, '..')), [], 'creating the checkpoints and reading touch no file')
  right(await checkpoints.advance('orders', undefined, 17)())
  assert.is(right(await checkpoints.read('orders')()), 17)
  const saved = JSON.parse(readFileSync(join(`${path}.checkpoints`, 'orders.json'), 'utf8'))
  assert.is(saved.position, 17)
  assert.is(saved.name, 'orders')
  assert.ok(!Number.isNaN(Date.parse(saved.savedAt)))
  right(await checkpoints.advance('orders', 17, 40)())
  assert.is(right(await checkpoints.read('orders')()), 40)
  assert.is(right(await checkpoints.read('forward:orders')()), undefined, 'each name has its own checkpoint')
})

test('advance is refused when the saved checkpoint is not the expected one', async () => {
  const checkpoints = createFileCheckpoints({ path: tempLog() })
  assert.equal(leftOf(await checkpoints.advance('orders', 5, 10)()), { _tag: 'CheckpointConflict', name: 'orders', expected: 5, actual: undefined })
  right(await checkpoints.advance('orders', undefined, 17)())
  assert.equal(leftOf(await checkpoints.advance('orders', undefined, 20)()), {
    _tag: 'CheckpointConflict',
    name: 'orders',
    expected: undefined,
    actual: 17,
  })
  assert.equal(leftOf(await checkpoints.advance('orders', 10, 20)()), { _tag: 'CheckpointConflict', name: 'orders', expected: 10, actual: 17 })
  assert.is(right(await checkpoints.read('orders')()), 17)
})

test('advance is refused when it does not move forward', async () => {
  const checkpoints = createFileCheckpoints({ path: tempLog() })
  right(await checkpoints.advance('orders', undefined, 17)())
  let ran = 0
  const work = async () => void ran++
  assert.equal(leftOf(await checkpoints.advance('orders', 17, 17, work)()), { _tag: 'CheckpointConflict', name: 'orders', expected: 17, actual: 17 })
  assert.equal(leftOf(await checkpoints.advance('orders', 17, 3, work)()), { _tag: 'CheckpointConflict', name: 'orders', expected: 17, actual: 17 })
  assert.is(ran, 0, 'a refused move does not run its work')
  assert.is(right(await checkpoints.read('orders')()), 17)
})

test('advance runs the work before it saves; a work that throws or rejects is WorkFailed and saves nothing', async () => {
  const path = tempLog()
  const checkpoints = createFileCheckpoints({ path })
  right(await checkpoints.advance('orders', undefined, 17)())
  let seenDuringWork: number | undefined
  right(
    await checkpoints.advance('orders', 17, 20, async (tx) => {
      assert.is(tx, undefined)
      seenDuringWork = right(await checkpoints.read('orders')())
    })(),
  )
  assert.is(seenDuringWork, 17, 'the work ran before the save')
  const boom = new Error('handler failed')
  assert.equal(
    leftOf(
      await checkpoints.advance('orders', 20, 30, () => {
        throw boom
      })(),
    ),
    { _tag: 'WorkFailed', error: boom },
  )
  assert.equal(leftOf(await checkpoints.advance('orders', 20, 30, () => Promise.reject(boom))()), { _tag: 'WorkFailed', error: boom })
  assert.is(right(await checkpoints.read('orders')()), 20)
  assert.is(JSON.parse(readFileSync(join(checkpoints.directory, 'orders.json'), 'utf8')).position, 20)
})

test('bad names and positions throw a TypeError when the method is called', async () => {
  const checkpoints = createFileCheckpoints({ path: tempLog() })
  assert.throws(() => checkpoints.read('../etc'), TypeError)
  assert.throws(() => checkpoints.read(''), TypeError)
  assert.throws(() => checkpoints.advance('a/b', undefined, 1), TypeError)
  assert.throws(() => checkpoints.advance('orders', undefined, -1), TypeError)
  assert.throws(() => checkpoints.advance('orders', 1.5, 2), TypeError)
  await checkpoints.acquire('..').then(
    () => assert.unreachable('acquire of a bad name resolved'),
    (error: unknown) => assert.instance(error, TypeError),
  )
  await checkpoints.acquire('orders', { retryEvery: 0 }).then(
    () => assert.unreachable('acquire with retryEvery 0 resolved'),
    (error: unknown) => assert.instance(error, TypeError),
  )
  assert.throws(() => createFileCheckpoints({ path: '' }), TypeError)
})

test('the file is valid JSON after many advances, no temporary file is left, and advances of one name in a process never interleave', async () => {
  const checkpoints = createFileCheckpoints({ path: tempLog() })
  const file = join(checkpoints.directory, 'orders.json')
  // A reader beside the writes: whenever the file is there, it is a whole checkpoint.
  let advancing = true
  let looked = 0
  const reader = (async () => {
    while (advancing) {
      const text = await readFile(file, 'utf8').catch(() => undefined)
      if (text !== undefined) {
        assert.ok(Number.isSafeInteger(JSON.parse(text).position), text)
        looked++
      }
      await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  let checkpoint: number | undefined
  for (let next = 1; next <= 200; next++) {
    right(await checkpoints.advance('orders', checkpoint, next)())
    checkpoint = next
  }
  advancing = false
  await reader
  assert.ok(looked > 10, `the reader read the file ${looked} times`)
  assert.is(JSON.parse(readFileSync(file, 'utf8')).position, 200)
  assert.equal(readdirSync(checkpoints.directory), ['orders.json'])
  // Ten moves from the same checkpoint at once, through two instances: exactly one wins.
  const other = createFileCheckpoints({ path: join(checkpoints.directory, '..', 'events.jsonl') })
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? checkpoints : other).advance('orders', 200, 201 + i, async () => {
        await delay(5)
      })(),
    ),
  )
  assert.is(results.filter(E.isRight).length, 1)
  const winner = 201 + results.findIndex(E.isRight)
  assert.is(right(await checkpoints.read('orders')()), winner)
  for (const result of results.filter(E.isLeft))
    assert.equal(result.left, { _tag: 'CheckpointConflict', name: 'orders', expected: 200, actual: winner })
})

test('checkpoints survive a reopen, and the writer store and the follower have the same ones', async () => {
  const path = tempLog()
  const writer = await mustOpen({ path })
  right(await writer.checkpoints.advance('orders', undefined, 3)())
  right(await writer.close()())
  assert.is(right(await createFileCheckpoints({ path }).read('orders')()), 3)
  const follower = await mustFollow({ path })
  assert.is(follower.checkpoints.directory, `${path}.checkpoints`)
  assert.is(right(await follower.checkpoints.read('orders')()), 3)
  right(await follower.checkpoints.advance('orders', 3, 4)())
  right(await follower.close()())
  const reopened = await mustOpen({ path })
  assert.is(right(await reopened.checkpoints.read('orders')()), 4)
  right(await reopened.close()())
})

test('a checkpoint file that is not a checkpoint is a StoreFailure, not a silent start over', async () => {
  const checkpoints = createFileCheckpoints({ path: tempLog() })
  right(await checkpoints.advance('orders', undefined, 1)())
  const file = join(checkpoints.directory, 'orders.json')
  for (const text of ['{"position":', '[]', '{"position":-1}', '{"position":"7"}', '{"name":"Orders","position":7}']) {
    writeFileSync(file, text)
    const read = await checkpoints.read('orders')()
    assert.ok(E.isLeft(read) && read.left._tag === 'StoreFailure' && /is not a checkpoint/.test(read.left.message), text)
    assert.ok(E.isLeft(await checkpoints.advance('orders', 7, 8)()), text)
  }
  writeFileSync(file, '{"position":7}') // written by hand: no name, no time
  assert.is(right(await checkpoints.read('orders')()), 7)
})

test('acquire: a second acquire of a name in this process waits until the first releases; release is idempotent', async () => {
  const path = tempLog()
  const checkpoints = createFileCheckpoints({ path })
  const first = await checkpoints.acquire('orders', { retryEvery: 20 })
  const lockFile = join(checkpoints.directory, 'orders.lock')
  assert.is(readFileSync(lockFile, 'utf8').split('\n')[0], String(process.pid))
  const second = createFileCheckpoints({ path }).acquire('orders', { retryEvery: 20 })
  assert.ok(await pendingAfter(second, 150), 'the second acquire waits')
  const otherName = await checkpoints.acquire('audit') // another name does not wait
  await otherName.release()
  await first.release()
  await first.release()
  const lease = await second
  assert.is(readFileSync(lockFile, 'utf8').split('\n')[0], String(process.pid))
  assert.ok(await pendingAfter(lease.lost, 50), 'a file lease is never lost')
  await lease.release()
  assert.equal(readdirSync(checkpoints.directory), [], 'release removed the lock file')
})

test('acquire: a waiting acquire whose signal aborts rejects with its reason and lets the next one through', async () => {
  const checkpoints = createFileCheckpoints({ path: tempLog() })
  const first = await checkpoints.acquire('orders')
  const controller = new AbortController()
  const reason = new Error('stopping')
  const gaveUp = checkpoints.acquire('orders', { signal: controller.signal })
  const third = checkpoints.acquire('orders')
  controller.abort(reason)
  await gaveUp.then(
    () => assert.unreachable('the aborted acquire resolved'),
    (error: unknown) => assert.is(error, reason),
  )
  await first.release()
  const lease = await third
  await lease.release()
  await checkpoints.acquire('orders', { signal: AbortSignal.abort(reason) }).then(
    () => assert.unreachable('an acquire with an aborted signal resolved'),
    (error: unknown) => assert.is(error, reason),
  )
})

test('acquire: a lock held by a live process keeps this one waiting; once that process is SIGKILLed it is taken over within seconds', async () => {
  const path = tempLog()
  const child = spawnSupport('./hold-open.ts', [path, 'lease', 'forward:orders'])
  try {
    const pid = (await waitForLine(child, /^leased \d+$/)).split(' ')[1]
    const checkpoints = createFileCheckpoints({ path })
    const lockFile = join(checkpoints.directory, `${process.platform === 'win32' ? 'forward%3Aorders' : 'forward:orders'}.lock`)
    assert.is(readFileSync(lockFile, 'utf8').split('\n')[0], pid)
    const timedOut = await checkpoints.acquire('forward:orders', { retryEvery: 50, signal: AbortSignal.timeout(300) }).then(
      () => 'acquired',
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    )
    assert.is(timedOut, 'TimeoutError', 'a live holder keeps the name')
    const waiting = checkpoints.acquire('forward:orders', { retryEvery: 100 })
    assert.ok(await pendingAfter(waiting, 200))
    const killed = Date.now()
    child.kill('SIGKILL')
    await exited(child)
    const lease = await waiting
    assert.ok(Date.now() - killed < 3000, `taken over in ${Date.now() - killed} ms`)
    assert.is(readFileSync(lockFile, 'utf8').split('\n')[0], String(process.pid))
    await lease.release()
  } finally {
    child.kill('SIGKILL')
    await exited(child)
  }
})

test('acquire: a lock released by another process is taken at its next try', async () => {
  const path = tempLog()
  const child = spawnSupport('./hold-open.ts', [path, 'lease', 'orders'])
  try {
    await waitForLine(child, /^leased \d+$/)
    const waiting = createFileCheckpoints({ path }).acquire('orders', { retryEvery: 50 })
    assert.ok(await pendingAfter(waiting, 150))
    child.stdin?.end()
    await waitForLine(child, /^closed$/)
    const lease = await waiting
    await lease.release()
  } finally {
    child.kill('SIGKILL')
    await exited(child)
  }
})

test.run()
