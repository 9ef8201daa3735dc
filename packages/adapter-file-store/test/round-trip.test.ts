import { readFileSync } from 'node:fs'
import { LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LOG_FORMAT, openFileEventStore } from '../src/index.ts'
import { gap, transaction } from './support/events.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

test('a new log gets its header, and reports itself as created', async () => {
  const path = tempLog()
  const store = await mustOpen({ path, codec: LedgerEvent })
  assert.is(store.recovery.created, true)
  assert.is(store.recovery.events, 0)
  assert.is(store.recovery.torn, undefined)
  right(await store.close()())
  const [header] = readFileSync(path, 'utf8').split('\n')
  assert.equal(JSON.parse(header ?? ''), { format: LOG_FORMAT, version: 1 })
})

test('appended events read back, in memory and after reopening, with their versions', async () => {
  const path = tempLog()
  const store = await mustOpen({ path, codec: LedgerEvent })
  assert.equal(right(await store.appendToStream('ledger-69-TRY', [transaction(1)], 'no_stream')()), { nextVersion: 1 })
  assert.equal(right(await store.appendToStream('ledger-69-TRY', [gap(2), transaction(2)], 1)()), { nextVersion: 3 })
  assert.equal(right(await store.appendToStream('ledger-70-TRY', [transaction(3)], 'any')()), { nextVersion: 1 })
  const expectStream = { version: 3, events: [transaction(1), gap(2), transaction(2)] }
  assert.equal(right(await store.readStream('ledger-69-TRY')()), expectStream)
  right(await store.close()())

  const reopened = await mustOpen({ path, codec: LedgerEvent })
  assert.is(reopened.recovery.created, false)
  assert.is(reopened.recovery.events, 4)
  assert.is(reopened.recovery.streams, 2)
  assert.is(reopened.recovery.commits, 3)
  assert.equal(right(await reopened.readStream('ledger-69-TRY')()), expectStream)
  assert.equal(right(await reopened.readStream('nothing-here')()), { version: 0, events: [] })
  const all = right(await reopened.readAll()())
  assert.equal(
    all.map((s) => `${s.stream}@${s.version}:${s.event.type}`),
    [
      'ledger-69-TRY@1:TransactionReceived',
      'ledger-69-TRY@2:BalanceGapDetected',
      'ledger-69-TRY@3:TransactionReceived',
      'ledger-70-TRY@1:TransactionReceived',
    ],
  )
  right(await reopened.close()())
})

test('the file holds one JSON line per event, then a commit record per group', async () => {
  const path = tempLog()
  const store = await mustOpen({ path, codec: LedgerEvent })
  right(await store.appendToStream('ledger-69-TRY', [gap(1), transaction(1)], 'no_stream')())
  right(await store.close()())
  const lines = readFileSync(path, 'utf8').split('\n')
  assert.is(lines.length, 5) // header, two events, commit, and the empty string after the last newline
  assert.equal(JSON.parse(lines[1] ?? ''), { stream: 'ledger-69-TRY', version: 1, event: gap(1) })
  assert.equal(JSON.parse(lines[2] ?? ''), { stream: 'ledger-69-TRY', version: 2, event: transaction(1) })
  assert.equal(JSON.parse(lines[3] ?? ''), { commit: 2 })
  assert.is(lines[4], '')
})

test('without a codec, any JSON value is stored; stream names with newlines and Turkish letters survive', async () => {
  const path = tempLog()
  const store = await mustOpen<unknown>({ path })
  const stream = 'çok\nsatırlı "akış"'
  right(await store.appendToStream(stream, [{ n: 1 }, 'two', [3], null], 'no_stream')())
  right(await store.close()())
  const reopened = await mustOpen<unknown>({ path })
  assert.equal(right(await reopened.readStream(stream)()), { version: 4, events: [{ n: 1 }, 'two', [3], null] })
  right(await reopened.close()())
})

test('an empty append checks the version and changes nothing', async () => {
  const path = tempLog()
  const store = await mustOpen<unknown>({ path })
  right(await store.appendToStream('s', [1], 'no_stream')())
  assert.equal(right(await store.appendToStream('s', [], 1)()), { nextVersion: 1 })
  assert.is(E.isLeft(await store.appendToStream('s', [], 0)()), true)
  const before = store.stats().bytes
  assert.is(store.stats().commits, 1)
  right(await store.close()())
  assert.is(readFileSync(path).length, before)
})

test('an event that is not JSON fails with StoreFailure and takes no version', async () => {
  const store = await mustOpen<unknown>({ path: tempLog() })
  const cyclic: Record<string, unknown> = {}
  cyclic['self'] = cyclic
  for (const bad of [10n, cyclic, undefined]) {
    const result = await store.appendToStream('s', ['fine', bad], 'any')()
    assert.is(E.isLeft(result) && result.left._tag, 'StoreFailure')
  }
  assert.equal(right(await store.appendToStream('s', ['ok'], 'no_stream')()), { nextVersion: 1 })
  right(await store.close()())
})

test('invalid options throw a TypeError that says what to do', () => {
  assert.throws(
    () => openFileEventStore({ path: '' }),
    (e: unknown) => e instanceof TypeError && /path/.test(e.message),
  )
  assert.throws(() => openFileEventStore({ path: 'x', maxBatchBytes: 0 }), /maxBatchBytes/)
  assert.throws(() => openFileEventStore({ path: 'x', onCorruption: 'ignore' as 'skip' }), /onCorruption/)
})

test('a missing directory is an OpenFailure with the system code', async () => {
  const result = await openFileEventStore({ path: `${tempLog()}-missing/dir/events.jsonl` })()
  assert.is(E.isLeft(result) && result.left._tag, 'OpenFailure')
  assert.is(E.isLeft(result) && result.left._tag === 'OpenFailure' && result.left.code, 'ENOENT')
})

test('stats count appends, events, streams and commits', async () => {
  const store = await mustOpen<unknown>({ path: tempLog() })
  await Promise.all([store.appendToStream('a', [1, 2], 'any')(), store.appendToStream('b', [3], 'any')()])
  const stats = store.stats()
  assert.is(stats.appends, 2)
  assert.is(stats.events, 3)
  assert.is(stats.streams, 2)
  assert.is(stats.commits, 1)
  assert.is(stats.pending, 0)
  assert.is(stats.failure, undefined)
  right(await store.close()())
})

test.run()
