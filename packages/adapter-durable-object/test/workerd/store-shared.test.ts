/**
 * What the Durable Object store adds to the EventStore port, as core's `SharedLedgerStore`, with
 * the PostgreSQL store's semantics: `record` (version check, events, state, head and key in one
 * transaction), one key space across every ledger, duplicates counted in the write (unless the
 * head may make it a genuine repeat), `readState`/`readStates`, `countDuplicate`, `head`, `watch`,
 * bad arguments refused at once, and a failing statement answered as a `StoreFailure`.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ask, call, freshObject, proxyStore, startWorkerd } from './store-client.ts'

type Ev = Readonly<{ type: string; data: Readonly<{ key?: string; amount?: string }> }>
type State = Readonly<{ head: string; movements: number }>

let mf: Miniflare

test.before(async () => {
  mf = await startWorkerd()
})

test.after(async () => {
  await mf.dispose()
})

const fresh = () => {
  const object = freshObject('shared')
  return { object, store: proxyStore<Ev, State>(mf, object) }
}

const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected Right, got ${JSON.stringify(either.left)}`)
  return either.right
}

const received = (key: string, amount = '100.00'): Ev => ({ type: 'TransactionReceived', data: { key, amount } })

test('record appends, stores the state beside the stream and claims the key, in one write; positions follow', async () => {
  const { object, store } = fresh()
  const written = right(
    await store.record('ledger-69-TRY', { expectedVersion: 0, events: [received('k1')], state: { head: '100.00', movements: 1 }, claim: 'k1' })(),
  )
  assert.equal(written, { nextVersion: 1, positions: [1] })
  assert.equal(right(await store.readState('ledger-69-TRY')()), {
    version: 1,
    state: { head: '100.00', movements: 1 },
    stateVersion: 1,
    duplicates: 0,
  })
  assert.is(right(await store.keyOwner('k1')()), 'ledger-69-TRY')
  assert.is(right(await store.keyOwner('k-unknown')()), undefined)
  const second = right(
    await store.record('ledger-69-TRY', {
      expectedVersion: 1,
      events: [received('k2'), { type: 'GapClosed', data: {} }],
      state: { head: '200.00', movements: 2 },
      claim: 'k2',
    })(),
  )
  assert.equal(second, { nextVersion: 3, positions: [2, 3] })
  assert.equal(right(await store.readStream('ledger-69-TRY')()), {
    version: 3,
    events: [received('k1'), received('k2'), { type: 'GapClosed', data: {} }],
  })
  assert.is(right(await store.head()()), 3)
  // The key points at the first event written with it; the event's type is kept beside its JSON.
  const { rows } = await call(mf, object, 'sql', "SELECT position FROM banksocket_idempotency_keys WHERE key = 'k2'")
  assert.equal(rows, [{ position: 2 }])
  const types = await call(mf, object, 'sql', 'SELECT position, type, data FROM banksocket_events ORDER BY position')
  assert.equal(
    (types['rows'] as Array<{ type: string }>).map((r) => r.type),
    ['TransactionReceived', 'TransactionReceived', 'GapClosed'],
  )
  assert.is((types['rows'] as Array<{ data: string }>)[0]?.data, JSON.stringify(received('k1')))
})

test('a key recorded in ANY stream is a KeyConflict naming that stream, whatever the version, and nothing is written', async () => {
  const { store } = fresh()
  right(await store.record('ledger-69-TRY', { expectedVersion: 0, events: [received('k1')], state: { head: '100.00', movements: 1 }, claim: 'k1' })())
  // A replay with an altered account_id lands in another ledger: same key.
  assert.equal(
    await store.record('ledger-70-TRY', { expectedVersion: 0, events: [received('k1')], state: { head: 'x', movements: 9 }, claim: 'k1' })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-69-TRY' }),
  )
  assert.equal(
    await store.record('ledger-69-TRY', { expectedVersion: 1, events: [received('k1')], claim: 'k1' })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-69-TRY' }),
  )
  // A stale version: the key is the answer (a retry at a fresh version would only meet it).
  assert.equal(
    await store.record('ledger-69-TRY', { expectedVersion: 0, events: [received('k1')], claim: 'k1' })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'ledger-69-TRY' }),
  )
  assert.equal(right(await store.readState('ledger-70-TRY')()), { version: 0, state: undefined, stateVersion: 0, duplicates: 0 })
  assert.equal(right(await store.readState('ledger-69-TRY')()), {
    version: 1,
    state: { head: '100.00', movements: 1 },
    stateVersion: 1,
    duplicates: 0,
  })
  assert.is(right(await store.readAll()()).length, 1)
  assert.is(right(await store.head()()), 1)
})

test('a stale version is a VersionConflict and claims nothing: the key stays free for the retry', async () => {
  const { store } = fresh()
  right(await store.record('L', { expectedVersion: 0, events: [received('k1')], claim: 'k1' })())
  assert.equal(
    await store.record('L', { expectedVersion: 0, events: [received('k2')], state: { head: 'x', movements: 9 }, claim: 'k2' })(),
    E.left({ _tag: 'VersionConflict', stream: 'L', expected: 0, actual: 1 }),
  )
  assert.equal(
    await store.record('M', { expectedVersion: 3, events: [received('k2')], claim: 'k2' })(),
    E.left({ _tag: 'VersionConflict', stream: 'M', expected: 3, actual: 0 }),
  )
  assert.is(right(await store.keyOwner('k2')()), undefined)
  assert.equal(right(await store.readState('L')()), { version: 1, state: undefined, stateVersion: 0, duplicates: 0 })
  assert.is(right(await store.record('L', { expectedVersion: 1, events: [received('k2')], claim: 'k2' })()).nextVersion, 2)
  assert.is(right(await store.keyOwner('k2')()), 'L')
})

test('record without a claim (a genuine repeat) appends; without a state it keeps the stored one; plain appends leave it behind', async () => {
  const { store } = fresh()
  right(await store.record('L', { expectedVersion: 0, events: [received('k1')], state: { head: '100.00', movements: 1 }, claim: 'k1' })())
  right(await store.record('L', { expectedVersion: 1, events: [received('k1')], state: { head: '200.00', movements: 2 } })())
  right(await store.record('L', { expectedVersion: 2, events: [received('k1')] })())
  assert.equal(right(await store.readState('L')()), { version: 3, state: { head: '200.00', movements: 2 }, stateVersion: 2, duplicates: 0 })
  assert.is(right(await store.keyOwner('k1')()), 'L')
  // A state-only record moves the state to the current version and appends nothing.
  assert.equal(right(await store.record('L', { expectedVersion: 3, events: [], state: { head: '200.00', movements: 3 } })()), {
    nextVersion: 3,
    positions: [],
  })
  assert.equal(right(await store.readState('L')()), { version: 3, state: { head: '200.00', movements: 3 }, stateVersion: 3, duplicates: 0 })
  right(await store.appendToStream('L', [received('k9')], 3)())
  assert.equal(right(await store.readState('L')()), { version: 4, state: { head: '200.00', movements: 3 }, stateVersion: 3, duplicates: 0 })
  assert.equal(right(await store.readStream('L', { after: 3 })()), { version: 4, events: [received('k9')] })
})

test('a recorded key is counted as a duplicate on its owner in the same call, unless the head may make it a genuine repeat', async () => {
  const { object, store } = fresh()
  const duplicates = async (stream: string) => right(await store.readState(stream)()).duplicates
  right(await store.record('L', { expectedVersion: 0, events: [received('k1')], claim: 'k1', head: '10000' })())
  // Asked to count, with no head to compare: counted, even from another ledger.
  assert.equal(
    await store.record('M', { expectedVersion: 0, events: [received('k1')], claim: 'k1', duplicate: {} })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'L', counted: true }),
  )
  assert.is(await duplicates('L'), 1)
  assert.is(await duplicates('M'), 0)
  // The owner's head is the balance before this movement: a genuine repeat may continue it, not counted.
  assert.equal(
    await store.record('L', { expectedVersion: 1, events: [received('k1')], claim: 'k1', duplicate: { unlessHead: '10000' } })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'L' }),
  )
  assert.is(await duplicates('L'), 1)
  // Another head: a duplicate, counted.
  assert.equal(
    await store.record('L', { expectedVersion: 1, events: [received('k1')], claim: 'k1', duplicate: { unlessHead: '9000' } })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'L', counted: true }),
  )
  assert.is(await duplicates('L'), 2)
  // Not asked: nothing counted.
  assert.equal(
    await store.record('L', { expectedVersion: 1, events: [received('k1')], claim: 'k1' })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'L' }),
  )
  assert.is(await duplicates('L'), 2)
  // A plain append moves the stream past its head's version: the head is unknown, nothing counted.
  right(await store.appendToStream('L', [received('k8')], 1)())
  assert.equal(
    await store.record('M', { expectedVersion: 0, events: [received('k1')], claim: 'k1', duplicate: { unlessHead: '9000' } })(),
    E.left({ _tag: 'KeyConflict', key: 'k1', stream: 'L' }),
  )
  // So does a record without a head.
  right(await store.record('L', { expectedVersion: 2, events: [received('k2')], claim: 'k2', head: '20000' })())
  right(await store.record('L', { expectedVersion: 3, events: [received('k3')], claim: 'k3' })())
  assert.equal(
    await store.record('M', { expectedVersion: 0, events: [received('k2')], claim: 'k2', duplicate: { unlessHead: '9000' } })(),
    E.left({ _tag: 'KeyConflict', key: 'k2', stream: 'L' }),
  )
  right(await store.record('L', { expectedVersion: 4, events: [received('k4')], claim: 'k4', head: '40000' })())
  assert.equal(
    await store.record('M', { expectedVersion: 0, events: [received('k4')], claim: 'k4', duplicate: { unlessHead: '9000' } })(),
    E.left({ _tag: 'KeyConflict', key: 'k4', stream: 'L', counted: true }),
  )
  assert.is(await duplicates('L'), 3)
  const { rows } = await call(mf, object, 'sql', "SELECT head, head_version, version FROM banksocket_streams WHERE stream = 'L'")
  assert.equal(rows, [{ head: '40000', head_version: 5, version: 5 }])
  // A duplicate wrote no event and no key.
  assert.is(right(await store.readAll()()).length, 5)
  assert.is(right(await store.readState('M')()).version, 0)
})

test('countDuplicate adds to the stream row and appends nothing; on a stream never written it starts the row at version 0', async () => {
  const { store } = fresh()
  right(await store.record('L', { expectedVersion: 0, events: [received('k1')], claim: 'k1' })())
  assert.is(right(await store.countDuplicate('L')()), 1)
  assert.is(right(await store.countDuplicate('L')()), 2)
  assert.is(right(await store.countDuplicate('L', 40)()), 42)
  const counts = await Promise.all(Array.from({ length: 20 }, () => store.countDuplicate('L')()))
  assert.ok(counts.every(E.isRight))
  assert.equal(right(await store.readState('L')()), { version: 1, state: undefined, stateVersion: 0, duplicates: 62 })
  assert.is(right(await store.readAll()()).length, 1)
  assert.is(right(await store.countDuplicate('elsewhere')()), 1)
  assert.equal(right(await store.readState('elsewhere')()), { version: 0, state: undefined, stateVersion: 0, duplicates: 1 })
  assert.equal(right(await store.readStream('elsewhere')()), { version: 0, events: [] })
  // A stream row of version 0 takes a first append expecting no stream.
  assert.equal(await store.appendToStream('elsewhere', [received('k5')], 'no_stream')(), E.right({ nextVersion: 1 }))
})

test('readStates lists every stream of a prefix, in one read', async () => {
  const { store } = fresh()
  right(await store.record('ledger-69-TRY', { expectedVersion: 0, events: [received('k1')], state: { head: '1', movements: 1 }, claim: 'k1' })())
  right(await store.record('ledger-70-USD', { expectedVersion: 0, events: [received('k2'), received('k3')], claim: 'k2' })())
  right(await store.appendToStream('consumer-forward', [received('x')], 'any')())
  right(await store.countDuplicate('ledger-70-USD')())
  const states = right(await store.readStates('ledger-')())
  assert.equal(
    [...states],
    [
      ['ledger-69-TRY', { version: 1, state: { head: '1', movements: 1 }, stateVersion: 1, duplicates: 0 }],
      ['ledger-70-USD', { version: 2, state: undefined, stateVersion: 0, duplicates: 1 }],
    ],
  )
  assert.is(right(await store.readStates('')()).size, 3)
  assert.is(right(await store.readStates('nothing-')()).size, 0)
  // A prefix is text, not a pattern.
  assert.is(right(await store.readStates('ledger-%')()).size, 0)
})

test('head is the last position, 0 for an empty store', async () => {
  const { store } = fresh()
  assert.is(right(await store.head()()), 0)
  right(await store.appendToStream('a', [received('1'), received('2')], 'no_stream')())
  assert.is(right(await store.head()()), 2)
  // A write that failed takes no position: the next one is 3.
  assert.ok(E.isLeft(await store.appendToStream('a', [received('x')], 0)()))
  right(await store.record('b', { expectedVersion: 0, events: [received('3')], claim: 'k' })())
  assert.is(right(await store.head()()), 3)
  assert.equal(
    right(await store.readAll({ after: 2 })()).map((e) => e.position),
    [3],
  )
})

test('watch tells listeners of the writes of this store object, once per turn, until stopped', async () => {
  const found = await call(mf, freshObject('watch'), 'watch')
  assert.equal(found, { afterTwoAppends: 2, afterEmptyAppend: 2, afterRecord: 3, atEnd: 3 })
})

test('bad arguments throw a TypeError in the object when the method is called', async () => {
  const found = (await call(mf, freshObject('throws'), 'throws')) as unknown as string[]
  assert.equal(found, [
    'readAll limit 0: TypeError',
    'readStream after -1: TypeError',
    'append version -1: TypeError',
    'record version 1.5: TypeError',
    "record claim '': TypeError",
    'countDuplicate 0: TypeError',
    "checkpoint name '../x': TypeError",
    'advance next -1: TypeError',
    'advanceSync expected 0.5: TypeError',
  ])
})

test('states go through stateCodec both ways (money beyond 2^53 stays text); what a codec refuses is a StoreFailure', async () => {
  const found = await call(mf, freshObject('codec'), 'stateCodec')
  assert.equal(found['recorded'], E.right({ nextVersion: 1, positions: [1] }))
  assert.is(found['credits'], '123456789012345678901')
  assert.is(found['sameState'], true)
  assert.match(found['stored'] as string, /"123456789012345678901"/)
  assert.is(found['head'], '1810000')
  const refused = found['refused'] as unknown as { _tag: string; left: { _tag: string; message: string } }
  assert.is(refused.left._tag, 'StoreFailure')
  assert.match(refused.left.message, /the state of H does not decode: head: expected cents as text/)
  const unencodable = found['unencodable'] as unknown as { _tag: string; left: { _tag: string; message: string } }
  assert.is(unencodable.left._tag, 'StoreFailure')
  assert.match(unencodable.left.message, /the state of M could not be encoded as JSON.*needs a stateCodec/)
  assert.equal(found['mOwner'], { _tag: 'Right' })
})

test('a statement that throws (a table dropped under the store) is a StoreFailure, and the object goes on', async () => {
  const { object, store } = fresh()
  right(await store.appendToStream('a', [received('1')], 'no_stream')())
  await call(mf, object, 'sql', 'ALTER TABLE banksocket_events RENAME TO moved_away')
  const failed = await ask<{ _tag: string; message: string }, unknown>(mf, object, 'readAll')
  assert.ok(E.isLeft(failed))
  assert.is(failed.left._tag, 'StoreFailure')
  assert.match(failed.left.message, /^Durable Object store: reading every event of every stream failed: .*no such table: banksocket_events/)
  const write = await store.record('a', { expectedVersion: 1, events: [received('2')], state: { head: '2', movements: 2 }, claim: 'k2' })()
  assert.ok(E.isLeft(write) && write.left._tag === 'StoreFailure')
  // The failed write's transaction was rolled back: no state, no key.
  assert.equal(right(await store.readState('a')()), { version: 1, state: undefined, stateVersion: 0, duplicates: 0 })
  assert.is(right(await store.keyOwner('k2')()), undefined)
  await call(mf, object, 'sql', 'ALTER TABLE moved_away RENAME TO banksocket_events')
  assert.equal(await store.record('a', { expectedVersion: 1, events: [received('2')], claim: 'k2' })(), E.right({ nextVersion: 2, positions: [2] }))
})

test('the schema is created once and recorded as version 1', async () => {
  const { object, store } = fresh()
  right(await store.head()())
  await call(mf, object, 'reopen')
  const { rows } = await call(mf, object, 'sql', 'SELECT version, name FROM banksocket_schema')
  assert.equal(rows, [{ version: 1, name: 'events, streams, idempotency keys, checkpoints, consumer attempts' }])
})

test.run()
