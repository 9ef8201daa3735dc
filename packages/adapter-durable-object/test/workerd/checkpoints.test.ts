/**
 * The Durable Object's checkpoints, in the object's own SQLite database: `read`, `advance` as a
 * compare-and-set (forward only), `advance` with an asynchronous work (run first, then the move:
 * not transactional), `advanceSync` (work and move in one transaction: neither commits when the
 * work throws), `list`, and `acquire` (granted at once, never lost).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ask, call, freshObject, startWorkerd } from './store-client.ts'

let mf: Miniflare

test.before(async () => {
  mf = await startWorkerd()
})

test.after(async () => {
  await mf.dispose()
})

/** A `CheckpointConflict` as it comes over JSON (which leaves `undefined` out). */
const conflict = (name: string, expected: number | undefined, actual: number | undefined) =>
  E.left(JSON.parse(JSON.stringify({ _tag: 'CheckpointConflict', name, expected, actual })) as unknown)

test('read is undefined until saved; advance is a compare-and-set that only goes forward', async () => {
  const object = freshObject('cp')
  assert.equal(await ask(mf, object, 'cp.read', 'orders'), E.right(undefined))
  assert.equal(await ask(mf, object, 'cp.advance', 'orders', undefined, 17), E.right(undefined))
  assert.equal(await ask(mf, object, 'cp.read', 'orders'), E.right(17))
  // From a checkpoint another instance moved: refused, nothing saved.
  assert.equal(await ask(mf, object, 'cp.advance', 'orders', undefined, 40), conflict('orders', undefined, 17))
  assert.equal(await ask(mf, object, 'cp.advance', 'orders', 3, 40), conflict('orders', 3, 17))
  // Not forward: refused.
  assert.equal(await ask(mf, object, 'cp.advance', 'orders', 17, 17), conflict('orders', 17, 17))
  assert.equal(await ask(mf, object, 'cp.advance', 'orders', 17, 5), conflict('orders', 17, 17))
  assert.equal(await ask(mf, object, 'cp.advance', 'orders', 17, 40), E.right(undefined))
  assert.equal(await ask(mf, object, 'cp.read', 'orders'), E.right(40))
  // A checkpoint may start at 0.
  assert.equal(await ask(mf, object, 'cp.advance', 'audit', undefined, 0), E.right(undefined))
  assert.equal(await ask(mf, object, 'cp.advance', 'audit', 0, 1), E.right(undefined))
  assert.equal(
    await ask(mf, object, 'cp.list'),
    E.right([
      ['audit', 1],
      ['orders', 40],
    ]),
  )
  // Another store object on the same storage reads the same checkpoints.
  await call(mf, object, 'reopen')
  assert.equal(await ask(mf, object, 'cp.read', 'orders'), E.right(40))
})

test('advance with an asynchronous work runs it first and moves only when it succeeded; its writes stand either way', async () => {
  const object = freshObject('cp-work')
  assert.equal(await ask(mf, object, 'cp.advanceWork', 'forward', undefined, 3), E.right(undefined))
  const failed = await ask<{ _tag: string; error: unknown }, void>(mf, object, 'cp.advanceWork', 'forward', 3, 5, true)
  assert.ok(E.isLeft(failed) && failed.left._tag === 'WorkFailed')
  assert.equal(await ask(mf, object, 'cp.read', 'forward'), E.right(3))
  // Not transactional: the failed work's write was not undone.
  assert.equal((await call(mf, object, 'seen'))['rows'], [3, 5])
  // A conflict is found before the work runs.
  assert.equal(await ask(mf, object, 'cp.advanceWork', 'forward', 1, 6), conflict('forward', 1, 3))
  assert.equal((await call(mf, object, 'seen'))['rows'], [3, 5])
})

test('advanceSync commits the work and the move in one transaction: when the work throws, neither commits', async () => {
  const object = freshObject('cp-sync')
  assert.equal(await ask(mf, object, 'cp.advanceSync', 'payments', undefined, 10), E.right(undefined))
  assert.equal((await call(mf, object, 'seen'))['rows'], [10])
  assert.equal(
    await ask(mf, object, 'cp.advanceSync', 'payments', 10, 11, true),
    E.left({ _tag: 'WorkFailed', error: 'Error: work failed after its write' }),
  )
  assert.equal(await ask(mf, object, 'cp.read', 'payments'), E.right(10))
  assert.equal((await call(mf, object, 'seen'))['rows'], [10])
  // A conflict: the work does not run.
  assert.equal(await ask(mf, object, 'cp.advanceSync', 'payments', 9, 12), conflict('payments', 9, 10))
  assert.equal((await call(mf, object, 'seen'))['rows'], [10])
  // The retry from the saved checkpoint commits both.
  assert.equal(await ask(mf, object, 'cp.advanceSync', 'payments', 10, 11), E.right(undefined))
  assert.equal(await ask(mf, object, 'cp.read', 'payments'), E.right(11))
  assert.equal((await call(mf, object, 'seen'))['rows'], [10, 11])
})

test('acquire grants the name at once and the lease is never lost; the store is not transactional', async () => {
  assert.equal(await call(mf, freshObject('cp-lease'), 'cp.acquire', 'forward'), { lost: 'held', transactional: false })
})

test('a checkpoint table dropped under the store is a StoreFailure, not a throw', async () => {
  const object = freshObject('cp-fail')
  assert.equal(await ask(mf, object, 'cp.advance', 'orders', undefined, 1), E.right(undefined))
  await call(mf, object, 'sql', 'DROP TABLE banksocket_checkpoints')
  for (const answer of [
    await ask<{ _tag: string; message: string }, unknown>(mf, object, 'cp.read', 'orders'),
    await ask<{ _tag: string; message: string }, unknown>(mf, object, 'cp.advance', 'orders', 1, 2),
    await ask<{ _tag: string; message: string }, unknown>(mf, object, 'cp.advanceSync', 'orders', 1, 2),
  ]) {
    assert.ok(E.isLeft(answer))
    assert.is(answer.left._tag, 'StoreFailure')
    assert.match(answer.left.message, /no such table: banksocket_checkpoints/)
  }
  // The work of the failed advanceSync was rolled back with it.
  assert.equal((await call(mf, object, 'seen'))['rows'], [])
})

test.run()
