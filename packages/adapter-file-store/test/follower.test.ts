/**
 * The read-only follower in this process: it opens beside a writer that holds the lock, sees what
 * the writer appends after it opened with the writer's positions, pages as the writer does, shows
 * only committed events (a torn or uncommitted tail stays invisible until its commit record is
 * complete), watches the file, and refuses a log replaced under it. (A writer in another process:
 * follower-process.test.ts.)
 */
import { appendFileSync, existsSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs'
import { LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FileEventFollower, type OpenError, openFileEventFollower } from '../src/index.ts'
import { transaction } from './support/events.ts'
import { commit, HEADER, line } from './support/log-lines.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'
import { delay, eventually, mustFollow } from './support/wait.ts'

test.after.each(cleanup)

const feed = async <Ev>(source: { readAll: FileEventFollower<Ev>['readAll'] }, options?: { after?: number; limit?: number }) =>
  right(await source.readAll(options)()).map((e) => [e.stream, e.version, e.event, e.position])

const failure = (result: E.Either<unknown, unknown>): string => {
  if (E.isRight(result) || typeof result.left !== 'object' || result.left === null) throw new Error('expected a StoreFailure')
  const left = result.left as { _tag?: string; message?: string }
  assert.is(left._tag, 'StoreFailure')
  return left.message ?? ''
}

const openError = async (path: string): Promise<OpenError> => {
  const opened = await openFileEventFollower({ path })()
  if (E.isRight(opened)) throw new Error('expected the follower not to open')
  return opened.left
}

test('opens beside a writer that holds the lock, and sees what it appends afterwards, with the same positions', async () => {
  const path = tempLog()
  const writer = await mustOpen<string>({ path })
  right(await writer.appendToStream('s', ['a', 'b'], 'no_stream')())
  const follower = await mustFollow<string>({ path })
  assert.is(readFileSync(`${path}.lock`, 'utf8').split('\n')[0], String(process.pid), 'the writer still holds its lock')
  assert.equal(await feed(follower), [
    ['s', 1, 'a', 1],
    ['s', 2, 'b', 2],
  ])
  right(await writer.appendToStream('t', ['c'], 'no_stream')())
  right(await writer.appendToStream('s', ['d', 'e'], 2)())
  assert.equal(await feed(follower), await feed(writer))
  assert.equal(right(await follower.readStream('s')()), { version: 4, events: ['a', 'b', 'd', 'e'] })
  assert.equal(right(await follower.readStream('s', { after: 1, limit: 2 })()), right(await writer.readStream('s', { after: 1, limit: 2 })()))
  assert.equal(right(await follower.readStream('nothing')()), { version: 0, events: [] })
  assert.is(follower.path, writer.path)
  right(await follower.close()())
  right(await writer.close()())
  assert.is(existsSync(`${path}.lock`), false, 'the follower took no lock of its own')
})

test('head(): 0 for a log without events, then the last committed position, as the writer answers it', async () => {
  const path = tempLog()
  const writer = await mustOpen<string>({ path })
  const follower = await mustFollow<string>({ path })
  assert.is(right(await follower.head()()), 0)
  assert.is(right(await writer.head()()), 0)
  for (let i = 0; i < 5; i++) right(await writer.appendToStream(`s${i % 2}`, ['x', 'y'], 'any')())
  assert.is(right(await writer.head()()), 10)
  assert.is(right(await follower.head()()), 10)
  right(await writer.appendToStream('s', ['z'], 'any')())
  assert.is(right(await follower.refresh()()), 11)
  right(await follower.close()())
  right(await writer.close()())
})

test('pages with readAll({ after, limit }) and readStream in the same order and positions as the writer, across a reopen', async () => {
  const path = tempLog()
  const writer = await mustOpen<string>({ path })
  for (let i = 0; i < 40; i++) {
    right(
      await writer.appendToStream(
        `s${i % 3}`,
        Array.from({ length: (i % 4) + 1 }, (_, j) => `${i}.${j}`),
        'any',
      )(),
    )
  }
  const follower = await mustFollow<string>({ path })
  const pages: unknown[] = []
  let after = 0
  for (;;) {
    const page = right(await follower.readAll({ after, limit: 7 })())
    if (page.length === 0) break
    assert.ok(page.length <= 7)
    pages.push(...page.map((e) => [e.stream, e.version, e.event, e.position]))
    after = page[page.length - 1]?.position ?? after
    if (pages.length === 30) right(await writer.appendToStream('late', ['l1', 'l2'], 'no_stream')()) // appended while paging
  }
  assert.equal(pages, await feed(writer))
  assert.is(after, right(await writer.head()()))
  for (const stream of ['s0', 's1', 's2', 'late']) {
    for (const options of [undefined, { after: 3 }, { after: 2, limit: 5 }, { after: 1000 }]) {
      assert.equal(
        right(await follower.readStream(stream, options)()),
        right(await writer.readStream(stream, options)()),
        `${stream} ${JSON.stringify(options)}`,
      )
    }
  }
  for (const options of [{ after: 0, limit: 1 }, { after: 12, limit: 100 }, { after: after }]) {
    assert.equal(await feed(follower, options), await feed(writer, options), JSON.stringify(options))
  }
  // The same refusals as the writer's: a position never given, and bad options.
  assert.match(failure(await follower.readAll({ after: after + 1 })()), /no event of this store has position/)
  assert.throws(() => follower.readAll({ limit: 0 }), TypeError)
  assert.throws(() => follower.readStream('s0', { after: -1 }), TypeError)
  right(await writer.close()())
  // Positions are the same for a follower of the reopened log.
  const again = await mustFollow<string>({ path })
  assert.equal(await feed(again), pages)
  right(await again.close()())
  right(await follower.close()())
})

test('never shows a torn line or a group without its complete commit record; shows them once committed', async () => {
  const path = tempLog()
  writeFileSync(path, HEADER + line('s', 1, 'a') + commit(1))
  const follower = await mustFollow<string>({ path })
  const visible = async () => (await feed(follower)).map(([, , event]) => event)
  assert.equal(await visible(), ['a'])

  const second = line('s', 2, 'b')
  appendFileSync(path, second.slice(0, 10)) // a line being written
  assert.equal(await visible(), ['a'])
  appendFileSync(path, second.slice(10)) // complete, but its group has no commit record yet
  assert.equal(await visible(), ['a'])
  appendFileSync(path, line('t', 1, 'c'))
  assert.equal(await visible(), ['a'])
  assert.equal(right(await follower.readStream('s')()), { version: 1, events: ['a'] })
  assert.equal(right(await follower.readStream('t')()), { version: 0, events: [] })
  assert.is(right(await follower.head()()), 1)
  appendFileSync(path, '{"commit":') // a commit record being written
  assert.equal(await visible(), ['a'])
  appendFileSync(path, '2}') // ... without its newline it is not complete
  assert.equal(await visible(), ['a'])
  appendFileSync(path, '\n')
  assert.equal(await feed(follower), [
    ['s', 1, 'a', 1],
    ['s', 2, 'b', 2],
    ['t', 1, 'c', 3],
  ])
  assert.equal(right(await follower.readStream('s')()), { version: 2, events: ['a', 'b'] })
  assert.is(right(await follower.head()()), 3)
  right(await follower.close()())
})

test("the writer's recovery cuts a tail the follower never showed, and the follower shows what the writer appends instead", async () => {
  const path = tempLog()
  writeFileSync(path, `${HEADER + line('s', 1, 'a') + commit(1) + line('s', 2, 'torn') + line('t', 1, 'torn too')}{"stre`)
  const follower = await mustFollow<string>({ path })
  assert.equal(await feed(follower), [['s', 1, 'a', 1]])
  const writer = await mustOpen<string>({ path })
  assert.is(writer.recovery.torn?.lines, 3)
  right(await writer.appendToStream('s', ['b'], 1)())
  assert.equal(await feed(follower), [
    ['s', 1, 'a', 1],
    ['s', 2, 'b', 2],
  ])
  assert.equal(await feed(follower), await feed(writer))
  right(await writer.close()())
  right(await follower.close()())
})

test('a codec decodes the events it reads, as the writer store does', async () => {
  const path = tempLog()
  const writer = await mustOpen({ path, codec: LedgerEvent })
  right(await writer.appendToStream('ledger-69-TRY', [transaction(1), transaction(2)], 'no_stream')())
  const follower = await mustFollow({ path, codec: LedgerEvent })
  assert.equal(right(await follower.readStream('ledger-69-TRY')()), right(await writer.readStream('ledger-69-TRY')()))
  right(await follower.close()())
  right(await writer.close()())
})

test('watch calls back soon after an append, and no more once stopped', async () => {
  const path = tempLog()
  const writer = await mustOpen<string>({ path })
  const follower = await mustFollow<string>({ path, pollInterval: 50 })
  let calls = 0
  const stop = follower.watch(() => calls++)
  await delay(100)
  assert.is(calls, 0, 'nothing changed yet')
  right(await writer.appendToStream('s', ['a'], 'no_stream')())
  await eventually('watch called back', () => calls > 0, 2000)
  assert.is(right(await follower.head()()), 1)
  stop()
  const before = calls
  right(await writer.appendToStream('s', ['b'], 1)())
  await delay(200)
  assert.is(calls, before, 'a stopped watch does not call back')
  right(await follower.close()())
  right(await writer.close()())
})

test('watch counts a change made since the follower last caught up', async () => {
  const path = tempLog()
  const writer = await mustOpen<string>({ path })
  const follower = await mustFollow<string>({ path, pollInterval: 50 })
  right(await writer.appendToStream('s', ['a'], 'no_stream')()) // before watch, after the last read
  let calls = 0
  const stop = follower.watch(() => calls++)
  await eventually('watch called back', () => calls > 0, 2000)
  stop()
  right(await follower.close()())
  right(await writer.close()())
})

test('close stops the watches; reads after close fail; close is idempotent', async () => {
  const path = tempLog()
  const writer = await mustOpen<string>({ path })
  const follower = await mustFollow<string>({ path, pollInterval: 20 })
  let calls = 0
  follower.watch(() => calls++)
  right(await follower.close()())
  right(await follower.close()())
  right(await writer.appendToStream('s', ['a'], 'no_stream')())
  await delay(100)
  assert.is(calls, 0)
  assert.match(failure(await follower.readAll()()), /closed/)
  assert.match(failure(await follower.head()()), /closed/)
  right(await writer.close()())
})

test('a log that does not exist, a file that is not a log, and a corrupt committed line are OpenErrors', async () => {
  const path = tempLog()
  const missing = await openError(path)
  assert.is(missing._tag, 'OpenFailure')
  assert.is(missing._tag === 'OpenFailure' && missing.code, 'ENOENT')
  assert.match(missing.message, /there is no event log/)
  assert.is(existsSync(path), false, 'the follower does not create the log')

  writeFileSync(path, 'not a log\n')
  assert.is((await openError(path))._tag, 'NotAStoreFile')
  writeFileSync(path, 'x')
  assert.is((await openError(path))._tag, 'NotAStoreFile')

  writeFileSync(path, `${HEADER}${line('s', 1, 'a')}not json\n${commit(2)}`)
  const corrupt = await openError(path)
  assert.is(corrupt._tag, 'CorruptStore')
  assert.is(corrupt._tag === 'CorruptStore' && corrupt.problem.line, 3)
  assert.throws(() => openFileEventFollower({ path: '' }), TypeError)
  assert.throws(() => openFileEventFollower({ path, pollInterval: 0 }), TypeError)
})

test('a log being created (a partial header) opens empty, and is followed once its header is complete', async () => {
  const path = tempLog()
  writeFileSync(path, HEADER.slice(0, 12))
  const follower = await mustFollow<string>({ path })
  assert.is(right(await follower.head()()), 0)
  appendFileSync(path, HEADER.slice(12))
  assert.equal(await feed(follower), [])
  appendFileSync(path, line('s', 1, 'a') + commit(1))
  assert.equal(await feed(follower), [['s', 1, 'a', 1]])
  right(await follower.close()())
})

test('a log cut below what the follower read, replaced, or removed makes reads fail with a StoreFailure', async () => {
  const path = tempLog()
  const log = HEADER + line('s', 1, 'a') + commit(1) + line('s', 2, 'b') + commit(1)
  writeFileSync(path, log)
  const cut = await mustFollow<string>({ path })
  const replaced = await mustFollow<string>({ path })
  assert.is(right(await cut.head()()), 2)
  assert.is(right(await replaced.head()()), 2)

  truncateSync(path, Buffer.byteLength(HEADER + line('s', 1, 'a') + commit(1)))
  assert.match(failure(await cut.readAll()()), /shorter than the \d+ bytes the follower has read/)
  appendFileSync(path, line('s', 2, 'other') + commit(1) + line('s', 3, 'more') + commit(1))
  assert.match(failure(await cut.readAll()()), /shorter/, 'the follower stays stopped: it cannot tell what changed')

  writeFileSync(`${path}.new`, log + line('s', 3, 'c') + commit(1))
  renameSync(`${path}.new`, path)
  assert.match(failure(await replaced.readStream('s')()), /replaced by another file/)

  const removed = await mustFollow<string>({ path })
  renameSync(path, `${path}.moved`)
  assert.match(failure(await removed.head()()), /gone/)
  for (const follower of [cut, replaced, removed]) right(await follower.close()())
})

test.run()
