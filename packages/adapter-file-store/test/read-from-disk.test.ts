/**
 * Reads come from the file: memory holds only where each acknowledged event's line is. These tests
 * check that reads return exactly what was acknowledged (also while appends race with them, after a
 * torn tail was cut, and after close), that lines are fetched with few coalesced reads, that a file
 * changed under the store is reported instead of misread, and that memory stays small.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type LedgerEvent as Ledger, LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openStoreFile, type StoreFile } from '../src/index.ts'
import { transaction } from './support/events.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

const SECRET = 'sk_live_never-in-messages-71c2'

/** A real file whose positional reads are counted (and can be made to fail). */
const counting = () => {
  const counts = { reads: 0, failing: false }
  const openFile = async (path: string): Promise<StoreFile> => {
    const file = await openStoreFile(path)
    return {
      ...file,
      read: (buffer, position) => {
        counts.reads++
        if (counts.failing) return Promise.reject(Object.assign(new Error(`EIO: i/o error reading ${SECRET}`), { code: 'EIO' }))
        return file.read(buffer, position)
      },
    }
  }
  return { counts, openFile }
}

test('readStream and readAll read the events back from the file, with few coalesced reads', async () => {
  const { counts, openFile } = counting()
  const path = tempLog()
  const store = await mustOpen({ path, codec: LedgerEvent, openFile })
  for (let n = 1; n <= 300; n++) right(await store.appendToStream(`ledger-${n % 3}-TRY`, [transaction(n)], 'any')())
  const before = counts.reads
  const read = right(await store.readStream('ledger-1-TRY')())
  assert.is(read.version, 100)
  assert.equal(
    read.events,
    Array.from({ length: 100 }, (_, i) => transaction(3 * i + 1)),
  )
  const streamReads = counts.reads - before
  assert.ok(streamReads >= 1 && streamReads <= 3, `100 events of one stream in ${streamReads} reads`)
  const all = right(await store.readAll()())
  assert.equal(
    all.map((s) => `${s.stream}@${s.version}`),
    Array.from({ length: 300 }, (_, i) => `ledger-${(i + 1) % 3}-TRY@${Math.ceil((i + 1) / 3)}`),
  )
  assert.equal(all[41]?.event, transaction(42))
  right(await store.close()())
})

test('events far apart and single lines larger than the read chunk read back whole', async () => {
  const path = tempLog()
  const store = await mustOpen<string>({ path })
  const big = `${'ğ'.repeat(700_000)}END` // 1.4 MB of UTF-8 on one line
  right(await store.appendToStream('s', ['first'], 'any')())
  for (let n = 0; n < 40; n++) right(await store.appendToStream('filler', ['x'.repeat(1000) + n], 'any')()) // 40 KB between s's lines
  right(await store.appendToStream('s', [big], 'any')())
  right(await store.appendToStream('s', ['last ÇĞİÖŞÜ'], 'any')())
  assert.equal(right(await store.readStream('s')()), { version: 3, events: ['first', big, 'last ÇĞİÖŞÜ'] })
  right(await store.close()())
  const reopened = await mustOpen<string>({ path })
  assert.equal(right(await reopened.readStream('s')()), { version: 3, events: ['first', big, 'last ÇĞİÖŞÜ'] })
  assert.is(right(await reopened.readAll()()).length, 43)
  right(await reopened.close()())
})

test('reads racing with appends see a consistent snapshot: a prefix of the stream, version equal to its length', async () => {
  const path = tempLog()
  const store = await mustOpen({ path, codec: LedgerEvent })
  const appends: Promise<unknown>[] = []
  const reads: Promise<E.Either<unknown, { version: number; events: ReadonlyArray<Ledger> }>>[] = []
  const alls: Promise<E.Either<unknown, ReadonlyArray<{ stream: string; version: number }>>>[] = []
  for (let n = 1; n <= 2000; n++) {
    appends.push(store.appendToStream(`ledger-${n % 4}-TRY`, [transaction(n)], 'any')())
    if (n % 100 === 0) {
      reads.push(store.readStream('ledger-2-TRY')())
      alls.push(store.readAll()())
      // Let at least one group commit land before the next reads, while appends stay queued.
      const commits = store.stats().commits
      while (store.stats().commits === commits) await new Promise((r) => setTimeout(r, 1))
    }
  }
  await Promise.all(appends)
  const final = right(await store.readStream('ledger-2-TRY')())
  const finalAll = right(await store.readAll()())
  assert.is(final.version, 500)
  let grew = false
  let previous = -1
  for (const result of await Promise.all(reads)) {
    const read = right(result)
    assert.is(read.version, read.events.length)
    assert.equal(read.events, final.events.slice(0, read.events.length))
    if (read.version > previous && previous >= 0) grew = true
    previous = read.version
  }
  assert.ok(grew, 'reads saw the stream grow while appends went on')
  const keyOf = (s: { stream: string; version: number }) => `${s.stream}@${s.version}`
  for (const result of await Promise.all(alls)) {
    const all = right(result)
    assert.equal(all.map(keyOf), finalAll.slice(0, all.length).map(keyOf))
  }
  right(await store.close()())
})

test('after a torn tail is cut, new appends land at the cut and every read finds the right lines', async () => {
  const path = tempLog()
  const first = await mustOpen({ path, codec: LedgerEvent })
  for (let n = 1; n <= 20; n++) right(await first.appendToStream(`ledger-${n % 2}-TRY`, [transaction(n)], 'any')())
  right(await first.close()())
  // A crash in the middle of the next group: half a line, no commit record.
  writeFileSync(path, `${JSON.stringify({ stream: 'ledger-1-TRY', version: 11, event: transaction(99) })}\n{"stream":"ledger-0-T`, { flag: 'a' })
  const store = await mustOpen({ path, codec: LedgerEvent })
  assert.is(store.recovery.torn?.lines, 2)
  right(await store.appendToStream('ledger-1-TRY', [transaction(21), transaction(23)], 10)())
  right(await store.appendToStream('ledger-0-TRY', [transaction(22)], 10)())
  const odd = right(await store.readStream('ledger-1-TRY')())
  assert.equal(
    odd.events,
    [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23].map((n) => transaction(n)),
  )
  assert.equal(right(await store.readStream('ledger-0-TRY')()).events.at(-1), transaction(22))
  assert.is(right(await store.readAll()()).length, 23)
  right(await store.close()())
  const reopened = await mustOpen({ path, codec: LedgerEvent })
  assert.is(reopened.recovery.torn, undefined)
  assert.equal(right(await reopened.readStream('ledger-1-TRY')()), odd)
  right(await reopened.close()())
})

test('close waits for reads under way; reads after close reopen the file read-only', async () => {
  const path = tempLog()
  const store = await mustOpen({ path, codec: LedgerEvent })
  for (let n = 1; n <= 500; n++) right(await store.appendToStream('ledger-69-TRY', [transaction(n)], 'any')())
  const during = store.readAll()()
  const closed = store.close()()
  const [all] = await Promise.all([during, closed])
  assert.is(right(all).length, 500)
  right(await closed)
  assert.is(right(await store.readStream('ledger-69-TRY')()).events.length, 500)
  assert.is(store.stats().reads, 0)
})

test('a log shortened or edited under the store is a StoreFailure on read, not wrong data', async () => {
  const path = tempLog()
  const store = await mustOpen({ path, codec: LedgerEvent })
  right(await store.appendToStream('ledger-69-TRY', [transaction(1)], 'any')())
  right(await store.appendToStream('ledger-70-TRY', [transaction(2)], 'any')())
  right(await store.close()())
  // Edited: the first event line now names another stream (same length, still JSON).
  const bytes = readFileSync(path)
  writeFileSync(path, bytes.toString('utf8').replace('"stream":"ledger-69-TRY"', '"stream":"ledger-96-TRY"'))
  const edited = await store.readStream('ledger-69-TRY')()
  assert.match(E.isLeft(edited) && edited.left._tag === 'StoreFailure' ? edited.left.message : '', /changed under the store/)
  // Shortened: the last event line is gone.
  truncateSync(path, bytes.indexOf('"ledger-70-TRY"'))
  const cut = await store.readAll()()
  assert.match(E.isLeft(cut) && cut.left._tag === 'StoreFailure' ? cut.left.message : '', /truncated under the store/)
})

test('a failing read is a StoreFailure naming the system error code, never data or paths', async () => {
  const { counts, openFile } = counting()
  const path = tempLog()
  const store = await mustOpen({ path, codec: LedgerEvent, openFile })
  right(await store.appendToStream('ledger-69-TRY', [transaction(1)], 'any')())
  counts.failing = true
  for (const result of [await store.readStream('ledger-69-TRY')(), await store.readAll()()]) {
    const message = E.isLeft(result) && result.left._tag === 'StoreFailure' ? result.left.message : ''
    assert.match(message, /could not read its file \(EIO\)/)
    assert.not.match(message, new RegExp(SECRET))
    assert.not.match(message, new RegExp(path))
  }
  counts.failing = false
  assert.is(right(await store.readStream('ledger-69-TRY')()).version, 1)
  // Appends are unaffected by a failed read.
  right(await store.appendToStream('ledger-69-TRY', [transaction(2)], 1)())
  right(await store.close()())
})

test('memory stays small: 100,000 events cost a few MiB of heap, appended or loaded', () => {
  const script = fileURLToPath(new URL('./support/heap.ts', import.meta.url))
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, '100000'], { encoding: 'utf8', timeout: 60_000 })
  assert.is(run.status, 0, run.stderr)
  const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { appended: number; loaded: number; events: number; streamRead: number }
  assert.is(report.events, 100_000)
  assert.is(report.streamRead, 1000)
  // About 20 bytes an event for the index (plus array slack); the events themselves (~460 bytes of
  // JSON, ~700 bytes decoded) would need 45 to 70 MiB.
  const mib = 1024 * 1024
  assert.ok(report.appended < 12 * mib, `heap after appending: ${(report.appended / mib).toFixed(1)} MiB`)
  assert.ok(report.loaded < 12 * mib, `heap after loading: ${(report.loaded / mib).toFixed(1)} MiB`)
})

test.run()
