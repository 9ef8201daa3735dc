import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type OpenError, openFileEventStore } from '../src/index.ts'
import { transaction } from './support/events.ts'
import { commit, corruptLog, HEADER, line } from './support/log-lines.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

/** A log with two committed groups: s@1, then s@2 and t@1. */
const committedLog = () => HEADER + line('s', 1, 'a') + commit(1) + line('s', 2, 'b') + line('t', 1, 'c') + commit(2)

const openError = async (path: string, options: { codec?: typeof LedgerEvent } = {}): Promise<OpenError> => {
  const result = await openFileEventStore({ path, ...options })()
  if (E.isRight(result)) {
    right(await result.right.close()())
    throw new Error('expected opening to fail')
  }
  return result.left
}

test('a torn last line (no newline, half a JSON object) is cut, saved aside, reported; appending and reopening are clean', async () => {
  const path = tempLog()
  const good = committedLog()
  const torn = '{"stream":"s","version":3,"event":"hal'
  writeFileSync(path, good + torn)
  const store = await mustOpen<string>({ path })
  const report = store.recovery.torn
  assert.ok(report !== undefined)
  assert.is(report.offset, Buffer.byteLength(good))
  assert.is(report.bytes, Buffer.byteLength(torn))
  assert.is(report.line, 7)
  assert.is(report.lines, 1)
  assert.is(report.unterminated, true)
  assert.is(readFileSync(report.savedTo, 'utf8'), torn)
  assert.is(readFileSync(path, 'utf8'), good)
  assert.is(store.recovery.events, 3)

  assert.equal(right(await store.appendToStream('s', ['c'], 2)()), { nextVersion: 3 })
  right(await store.close()())
  const again = await mustOpen<string>({ path })
  assert.is(again.recovery.torn, undefined)
  assert.equal(right(await again.readStream('s')()), { version: 3, events: ['a', 'b', 'c'] })
  right(await again.close()())
})

test('complete lines after the last commit record (an interrupted group) are cut too: a multi-event append is all or nothing', async () => {
  const path = tempLog()
  const good = committedLog()
  const interrupted = line('s', 3, 'gap') + line('s', 4, 'tx') // the commit record never made it
  writeFileSync(path, good + interrupted)
  const store = await mustOpen<string>({ path })
  assert.is(store.recovery.torn?.lines, 2)
  assert.is(store.recovery.torn?.unterminated, false)
  assert.is(store.recovery.torn?.line, 7)
  assert.equal(right(await store.readStream('s')()), { version: 2, events: ['a', 'b'] })
  right(await store.close()())
})

test('an invalid line inside the torn group, even followed by valid lines of that group, is part of the tail', async () => {
  const path = tempLog()
  writeFileSync(path, `${committedLog()}\u0000\u0000\u0000\n${line('s', 3, 'x')}{"commit"`)
  const store = await mustOpen<string>({ path })
  assert.is(store.recovery.torn?.lines, 3)
  assert.is(store.recovery.events, 3)
  right(await store.close()())
})

test('a log whose creation was cut inside the header is started afresh', async () => {
  const path = tempLog()
  writeFileSync(path, HEADER.slice(0, 20))
  const store = await mustOpen<string>({ path })
  assert.is(store.recovery.created, true)
  assert.is(store.recovery.torn?.bytes, 20)
  right(await store.appendToStream('s', ['a'], 'no_stream')())
  right(await store.close()())
  assert.is(readFileSync(path, 'utf8'), HEADER + line('s', 1, 'a') + commit(1))
})

test('corruption before the last commit fails with CorruptStore naming the line, and leaves the file alone', async () => {
  const path = tempLog()
  const content = `${HEADER + line('s', 1, 'a') + commit(1)}{"stream":"s","vers\n${commit(1)}${line('s', 2, 'b')}${commit(1)}`
  writeFileSync(path, content)
  const error = await openError(path)
  assert.is(error._tag, 'CorruptStore')
  if (error._tag !== 'CorruptStore') return
  assert.is(error.problem.line, 4)
  assert.is(error.problem.offset, Buffer.byteLength(HEADER + line('s', 1, 'a') + commit(1)))
  assert.is(error.problem.reason, 'invalid_json')
  assert.match(error.message, /line 4/)
  assert.is(readFileSync(path, 'utf8'), content)
  assert.is(existsSync(`${path}.lock`), false)
})

test('a non-contiguous version is corruption', async () => {
  const path = tempLog()
  writeFileSync(path, HEADER + line('s', 1, 'a') + line('s', 3, 'c') + commit(2))
  const error = await openError(path)
  assert.is(error._tag === 'CorruptStore' && error.problem.reason, 'version_not_contiguous')
  assert.is(error._tag === 'CorruptStore' && error.problem.line, 3)
  assert.is(error._tag === 'CorruptStore' && error.problem.stream, 's')
})

test('a duplicated version is corruption', async () => {
  const path = tempLog()
  writeFileSync(path, HEADER + line('s', 1, 'a') + commit(1) + line('s', 1, 'again') + commit(1))
  const error = await openError(path)
  assert.is(error._tag === 'CorruptStore' && error.problem.reason, 'version_not_contiguous')
})

test('a commit record that counts the wrong number of lines is corruption', async () => {
  const path = tempLog()
  writeFileSync(path, HEADER + line('s', 1, 'a') + line('s', 2, 'b') + commit(1))
  const error = await openError(path)
  assert.is(error._tag === 'CorruptStore' && error.problem.reason, 'commit_mismatch')
  assert.is(error._tag === 'CorruptStore' && error.problem.line, 4)
})

test('a record of the wrong shape is corruption', async () => {
  const path = tempLog()
  writeFileSync(path, `${HEADER}{"stream":"s","version":0,"event":1}\n${commit(1)}`)
  const error = await openError(path)
  assert.is(error._tag === 'CorruptStore' && error.problem.reason, 'invalid_record')
})

test('an event the codec refuses is reported with its line, stream, version and field problems', async () => {
  const path = tempLog()
  const bad = JSON.parse(JSON.stringify(transaction(2)).replace('"dc":"Credit"', '"dc":"Sideways"')) as unknown
  writeFileSync(path, HEADER + line('ledger-69-TRY', 1, transaction(1)) + line('ledger-69-TRY', 2, bad) + commit(2))
  const error = await openError(path, { codec: LedgerEvent })
  assert.is(error._tag, 'CorruptStore')
  if (error._tag !== 'CorruptStore') return
  assert.is(error.problem.reason, 'undecodable_event')
  assert.is(error.problem.line, 3)
  assert.is(error.problem.stream, 'ledger-69-TRY')
  assert.is(error.problem.version, 2)
  assert.ok((error.problem.problems ?? []).length > 0)
})

test("onCorruption 'skip' skips unusable lines, reports each, keeps versions taken, and opens", async () => {
  const path = tempLog()
  writeFileSync(path, corruptLog())
  const opened = await openFileEventStore({ path, codec: LedgerEvent, onCorruption: 'skip' })()
  const store = right(opened)
  assert.equal(
    store.recovery.problems.map((p) => [p.line, p.reason]),
    [
      [3, 'invalid_json'],
      [5, 'undecodable_event'],
      [7, 'version_not_contiguous'],
    ],
  )
  const read = right(await store.readStream('ledger-69-TRY')())
  assert.is(read.version, 3)
  assert.equal(read.events, [transaction(1), transaction(3)])
  assert.equal(right(await store.appendToStream('ledger-69-TRY', [transaction(4)], 3)()), { nextVersion: 4 })
  right(await store.close()())
})

test('a file that is not an event log is refused as NotAStoreFile and not modified', async () => {
  const path = tempLog()
  const content = 'just some notes\nthat are not an event log\n'
  writeFileSync(path, content)
  const error = await openError(path)
  assert.is(error._tag, 'NotAStoreFile')
  assert.is(readFileSync(path, 'utf8'), content)
  assert.equal(readdirSync(dirname(path)).sort(), ['events.jsonl'])
})

test('a log of a newer format version is refused with a message naming it', async () => {
  const path = tempLog()
  writeFileSync(path, '{"format":"banksocket-webhooks/event-log","version":2}\n')
  const error = await openError(path)
  assert.is(error._tag, 'NotAStoreFile')
  assert.match(error.message, /format version 2/)
})

test('a log larger than the read chunk loads every event and finds a torn tail at the right offset', async () => {
  const path = tempLog()
  let good = HEADER
  for (let n = 1; n <= 5000; n++) good += line(`s${n % 7}`, Math.ceil(n / 7), `${n} ${'ş'.repeat(300)}`) + commit(1)
  assert.ok(Buffer.byteLength(good) > 2 * 1024 * 1024)
  writeFileSync(path, `${good}{"stream":"s1","version":430,"ev`)
  const store = await mustOpen<string>({ path })
  assert.is(store.recovery.events, 5000)
  assert.is(store.recovery.commits, 5000)
  assert.is(store.recovery.torn?.offset, Buffer.byteLength(good))
  assert.is(store.recovery.torn?.line, 10002)
  assert.equal(right(await store.readStream('s1')()).events[1], `8 ${'ş'.repeat(300)}`)
  right(await store.close()())
})

test('torn tails across several crashes are each saved to their own file', async () => {
  const path = tempLog()
  writeFileSync(path, committedLog())
  for (let i = 0; i < 3; i++) {
    appendFileSync(path, `{"stream":"s","vers${i}`)
    const store = await mustOpen<string>({ path })
    assert.is(store.recovery.torn?.bytes, 20)
    right(await store.close()())
  }
  const saved = readdirSync(dirname(path)).filter((f) => f.includes('.torn-'))
  assert.is(saved.length, 3)
  assert.equal(saved.map((f) => readFileSync(join(dirname(path), f), 'utf8')).sort(), [
    '{"stream":"s","vers0',
    '{"stream":"s","vers1',
    '{"stream":"s","vers2',
  ])
})

test.run()
