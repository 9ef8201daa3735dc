/**
 * The asynchronous plumbing, written once: a Promise-like told apart, a handler under a timeout,
 * work counted until it is done, and one task at a time per key in call order.
 */
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { HandlerTimeoutError, InFlight, isThenable, runWithTimeout, SerialQueue } from '../src/async.ts'

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

test('isThenable: a Promise or anything with a then method, nothing else', () => {
  assert.ok(isThenable(Promise.resolve(1)))
  assert.ok(isThenable({ then: () => {} }))
  assert.not.ok(isThenable({ then: 1 }))
  assert.not.ok(isThenable(undefined))
  assert.not.ok(isThenable('then'))
})

test('runWithTimeout: at once for a synchronous handler, its reason for a failure, a HandlerTimeoutError for a slow one', async () => {
  assert.equal(
    runWithTimeout(() => 'ignored', 1_000),
    E.right(undefined),
  )
  const thrown = new Error('down')
  assert.equal(
    runWithTimeout(() => {
      throw thrown
    }, 1_000),
    E.left(thrown),
  )
  const fulfilled = runWithTimeout(async () => {}, 1_000)
  assert.instance(fulfilled, Promise)
  assert.equal(await fulfilled, E.right(undefined))
  assert.equal(await runWithTimeout(() => Promise.reject(thrown), 1_000), E.left(thrown))
  const slow = await runWithTimeout(() => new Promise(() => {}), 20)
  assert.ok(E.isLeft(slow) && slow.left instanceof HandlerTimeoutError && slow.left.timeout === 20)
})

test('InFlight: idle at once when nothing is under way, else when the last piece leaves', async () => {
  const work = new InFlight()
  await work.idle()
  work.enter()
  work.enter()
  let idle = false
  const waiting = work.idle().then(() => {
    idle = true
  })
  work.leave()
  await tick(1)
  assert.not.ok(idle)
  assert.is(work.size, 1)
  work.leave()
  await waiting
  assert.ok(idle)
  assert.is(work.size, 0)
})

test('SerialQueue: one task at a time per key, in call order; other keys do not wait; a failure does not block the next', async () => {
  const queue = new SerialQueue()
  const order: string[] = []
  const slow = queue.run('a', async () => {
    await tick(20)
    order.push('a1')
    throw new Error('a1 failed')
  })
  const next = queue.run('a', async () => void order.push('a2'))
  const other = queue.run('b', async () => void order.push('b1'))
  await Promise.allSettled([slow, next, other])
  assert.equal(order, ['b1', 'a1', 'a2'])
  assert.is(await next, undefined)
})

test('SerialQueue: a task on a free key that answers at once is answered at once, and the key stays free', async () => {
  const queue = new SerialQueue()
  assert.is(
    queue.run('a', () => 1),
    1,
  )
  const later = queue.run('a', () => Promise.resolve(2))
  const after = queue.run('a', () => 3)
  assert.instance(after, Promise)
  assert.equal(await Promise.all([later, after]), [2, 3])
  assert.is(
    queue.run('a', () => 4),
    4,
  )
})

test.run()
