/**
 * A real restart: workerd is stopped (Miniflare disposed) and started again on the same
 * `durableObjectsPersist` directory, so the object is made anew and everything it answers comes
 * from its SQLite storage, nothing from memory. Also: the bundle a deployment would ship holds no
 * Node built-in.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ask, call, freshObject, proxyStore, startWorkerd, storeWorkerBundle } from './store-client.ts'

type Ev = Readonly<{ type: string; data: Readonly<{ key?: string; amount?: string }> }>
type State = Readonly<{ head: string; movements: number }>

const received = (key: string, amount = '100.00'): Ev => ({ type: 'TransactionReceived', data: { key, amount } })

const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected Right, got ${JSON.stringify(either.left)}`)
  return either.right
}

test('the bundle holds no Node built-in', async () => {
  const { inputs, code } = await storeWorkerBundle()
  assert.ok(inputs.some((path) => path.endsWith('src/event-store.ts')))
  assert.not.ok(
    inputs.some((path) => path.startsWith('node:')),
    inputs.filter((path) => path.startsWith('node:')).join(', '),
  )
  assert.not.match(code, /from\s*["']node:/)
})

test('after workerd restarts on the same storage: events, positions, states, keys, counts and checkpoints are all there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'banksocket-do-'))
  const object = freshObject('restart')
  try {
    const first = await startWorkerd(dir)
    const before = proxyStore<Ev, State>(first, object)
    right(
      await before.record('ledger-69-TRY', {
        expectedVersion: 0,
        events: [received('k1')],
        state: { head: '100.00', movements: 1 },
        claim: 'k1',
        head: '10000',
      })(),
    )
    right(await before.appendToStream('consumer-forward', [received('x')], 'no_stream')())
    right(
      await before.record('ledger-69-TRY', {
        expectedVersion: 1,
        events: [received('k2')],
        state: { head: '200.00', movements: 2 },
        claim: 'k2',
        head: '20000',
      })(),
    )
    right(await before.countDuplicate('ledger-69-TRY', 2)())
    assert.equal(await ask(first, object, 'cp.advanceSync', 'forward', undefined, 2), E.right(undefined))
    const all = right(await before.readAll()())
    await first.dispose()
    // The object's database is a file in the directory, not memory of the stopped workerd.
    assert.ok(readdirSync(dir, { recursive: true }).some((file) => String(file).endsWith('.sqlite')))

    const second = await startWorkerd(dir)
    try {
      const after = proxyStore<Ev, State>(second, object)
      assert.equal(right(await after.readAll()()), all)
      assert.equal(
        all.map((e) => e.position),
        [1, 2, 3],
      )
      assert.equal(right(await after.readState('ledger-69-TRY')()), {
        version: 2,
        state: { head: '200.00', movements: 2 },
        stateVersion: 2,
        duplicates: 2,
      })
      assert.is(right(await after.keyOwner('k2')()), 'ledger-69-TRY')
      assert.equal(await ask(second, object, 'cp.read', 'forward'), E.right(2))
      assert.equal((await call(second, object, 'seen'))['rows'], [2])
      // The head stored before the restart still decides whether a duplicate is counted.
      assert.equal(
        await after.record('ledger-70-TRY', { expectedVersion: 0, events: [received('k2')], claim: 'k2', duplicate: { unlessHead: '20000' } })(),
        E.left({ _tag: 'KeyConflict', key: 'k2', stream: 'ledger-69-TRY' }),
      )
      assert.equal(
        await after.record('ledger-70-TRY', { expectedVersion: 0, events: [received('k2')], claim: 'k2', duplicate: { unlessHead: '10000' } })(),
        E.left({ _tag: 'KeyConflict', key: 'k2', stream: 'ledger-69-TRY', counted: true }),
      )
      // Positions go on after the last one; versions are checked against what was stored.
      assert.equal(
        await after.appendToStream('ledger-69-TRY', [received('k3')], 1)(),
        E.left({ _tag: 'VersionConflict', stream: 'ledger-69-TRY', expected: 1, actual: 2 }),
      )
      assert.equal(
        await after.record('ledger-69-TRY', { expectedVersion: 2, events: [received('k3')], claim: 'k3' })(),
        E.right({ nextVersion: 3, positions: [4] }),
      )
      assert.equal(
        right(await after.readAll({ after: 3 })()).map((e) => e.position),
        [4],
      )
      assert.is(right(await after.head()()), 4)
      // The schema was not applied twice.
      assert.equal((await call(second, object, 'sql', 'SELECT count(*) AS n FROM banksocket_schema'))['rows'], [{ n: 1 }])
    } finally {
      await second.dispose()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
