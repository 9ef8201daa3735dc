/**
 * Global positions in the file store: an event's position is its number among the event lines of
 * the log, recovered on every open. A line skipped as unusable (`onCorruption: 'skip'`) keeps its
 * number, so the positions after it do not move and a consumer's checkpoint stays right. A page
 * reads only its own lines from disk. (What every store must do is the store contract's:
 * contract.test.ts.)
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import { LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openStoreFile, type StoreFile } from '../src/index.ts'
import { transaction } from './support/events.ts'
import { commit, corruptLog, HEADER, line } from './support/log-lines.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

test('positions are the event lines of the log, in order: the same after reopening, continued by new appends', async () => {
  const path = tempLog()
  writeFileSync(path, HEADER + line('s', 1, 'a') + commit(1) + line('s', 2, 'b') + line('t', 1, 'c') + commit(2))
  const store = await mustOpen({ path })
  assert.equal(
    right(await store.readAll()()).map((e) => [e.stream, e.version, e.position]),
    [
      ['s', 1, 1],
      ['s', 2, 2],
      ['t', 1, 3],
    ],
  )
  right(await store.appendToStream('t', ['d', 'e'], 1)())
  right(await store.close()())
  const reopened = await mustOpen({ path })
  assert.equal(
    right(await reopened.readAll({ after: 2, limit: 2 })()).map((e) => [e.stream, e.version, e.event, e.position]),
    [
      ['t', 1, 'c', 3],
      ['t', 2, 'd', 4],
    ],
  )
  right(await reopened.close()())
})

test("a line skipped with onCorruption: 'skip' keeps its position: the events after it keep theirs", async () => {
  const path = tempLog()
  writeFileSync(path, corruptLog())
  const store = await mustOpen({ path, codec: LedgerEvent, onCorruption: 'skip' })
  assert.is(store.recovery.problems.length, 3)
  const positioned = (events: ReadonlyArray<{ event: LedgerEvent; position: number }>) =>
    events.map((e) => [e.event.type === 'TransactionReceived' ? e.event.data.idempotencyKey : e.event.type, e.position])
  assert.equal(positioned(right(await store.readAll()())), [
    ['key-1', 1],
    ['key-3', 4],
  ])
  // Paging from any position, skipped ones included, reads on from the next readable event.
  assert.equal(positioned(right(await store.readAll({ after: 1 })())), [['key-3', 4]])
  assert.equal(positioned(right(await store.readAll({ after: 2, limit: 1 })())), [['key-3', 4]])
  assert.equal(positioned(right(await store.readAll({ after: 4 })())), [])
  assert.equal(positioned(right(await store.readAll({ after: 5 })())), [])
  assert.ok(E.isLeft(await store.readAll({ after: 6 })()), 'position 6 was never given')
  // The stream's version 2 is gone: reading after a version still finds the right events.
  assert.equal(right(await store.readStream('ledger-69-TRY', { after: 1 })()), { version: 3, events: [transaction(3)] })
  assert.equal(right(await store.readStream('ledger-69-TRY', { after: 2, limit: 1 })()), { version: 3, events: [transaction(3)] })
  assert.equal(right(await store.readStream('ledger-69-TRY', { after: 3 })()), { version: 3, events: [] })
  // A new event comes after every line taken, skipped or not.
  right(await store.appendToStream('ledger-69-TRY', [transaction(4)], 3)())
  assert.equal(positioned(right(await store.readAll({ after: 4 })())), [['key-4', 6]])
  assert.equal(right(await store.readStream('ledger-69-TRY', { after: 3 })()), { version: 4, events: [transaction(4)] })
  right(await store.close()())
  const reopened = await mustOpen({ path, codec: LedgerEvent, onCorruption: 'skip' })
  assert.equal(positioned(right(await reopened.readAll()())), [
    ['key-1', 1],
    ['key-3', 4],
    ['key-4', 6],
  ])
  right(await reopened.close()())
})

test('a torn tail takes no position: the next append gets the one after the last acknowledged event', async () => {
  const path = tempLog()
  writeFileSync(path, HEADER + line('s', 1, 'a') + commit(1))
  appendFileSync(path, `${line('s', 2, 'torn')}{"stre`)
  const store = await mustOpen({ path })
  assert.ok(store.recovery.torn !== undefined)
  right(await store.appendToStream('s', ['b'], 1)())
  assert.equal(
    right(await store.readAll()()).map((e) => [e.event, e.position]),
    [
      ['a', 1],
      ['b', 2],
    ],
  )
  right(await store.close()())
})

test('a page reads only its own lines from disk, however long the log', async () => {
  const counts = { reads: 0, bytes: 0 }
  const openFile = async (path: string): Promise<StoreFile> => {
    const file = await openStoreFile(path)
    return {
      ...file,
      read: async (buffer, position) => {
        const n = await file.read(buffer, position)
        counts.reads++
        counts.bytes += n
        return n
      },
    }
  }
  const path = tempLog()
  const store = await mustOpen<string>({ path, openFile })
  const body = 'ş'.repeat(500)
  for (let i = 0; i < 40; i++) {
    right(
      await store.appendToStream(
        `s${i % 3}`,
        Array.from({ length: 100 }, (_, j) => `${i * 100 + j} ${body}`),
        'any',
      )(),
    )
  }
  assert.is(store.stats().events, 4000)
  assert.ok(store.stats().bytes > 4_000_000)
  counts.reads = 0
  counts.bytes = 0
  const page = right(await store.readAll({ after: 2500, limit: 20 })())
  assert.equal(
    page.map((e) => e.position),
    Array.from({ length: 20 }, (_, i) => 2501 + i),
  )
  assert.ok(page[0]?.event.startsWith('2500 '))
  assert.ok(counts.reads <= 2, `${counts.reads} reads for one page`)
  assert.ok(counts.bytes < 40_000, `${counts.bytes} bytes read for a page of 20 events of about 1 KB`)
  counts.reads = 0
  counts.bytes = 0
  const tail = right(await store.readStream('s1', { after: 1000, limit: 10 })())
  assert.is(tail.events.length, 10)
  assert.ok(counts.bytes < 40_000, `${counts.bytes} bytes read for ten events of a stream`)
  right(await store.close()())
})

test.run()
