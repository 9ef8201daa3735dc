// A failing disk under the file store, injected through the `openFile` option over real files: a
// failed write (ENOSPC after part of the bytes) or sync (EIO) fails that round's appends and the ones
// queued behind it, leaves nothing of them in the log, and the next append repairs the file (a new
// handle, cut back to the last synced byte, its tail checked) and goes on, in the same store.
import { closeSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs'
import type { StoreError } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FileEventStore, openStoreFile, type StoreFile } from '../src/index.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'
import { delay, eventually } from './support/wait.ts'

test.after.each(cleanup)

const SECRET = 'sk_live_do-not-leak-9f3a'

const systemError = (code: string) => Object.assign(new Error(`${code}: failed while writing ${SECRET}`), { code })

/** How the injected disk behaves; see {@link faultyDisk}. */
type Disk = {
  full: boolean
  eio: boolean
  gate: Promise<void> | undefined
  /** Whether the `n`-th append (1-based, over every handle) fails as if `full`. */
  failAppend: (n: number) => boolean
  /** Whether the `n`-th sync fails as if `eio`. */
  failSync: (n: number) => boolean
  /** Whether an open (a repair's) fails with EMFILE. */
  failOpen: () => boolean
  opened: number
  closed: number
  appends: number
  syncs: number
}

/**
 * A disk under every handle opened through `openFile`, real files underneath. While `full`, an
 * append writes its first 7 bytes and fails with ENOSPC; while `eio`, a sync or truncate fails with
 * EIO; while
 * `gate` is set, an append waits for it before going on. Counts handles opened and closed, appends
 * and syncs.
 */
const faultyDisk = () => {
  const disk: Disk = {
    full: false,
    eio: false,
    gate: undefined,
    failAppend: () => false,
    failSync: () => false,
    failOpen: () => false,
    opened: 0,
    closed: 0,
    appends: 0,
    syncs: 0,
  }
  const openFile = async (path: string): Promise<StoreFile> => {
    if (disk.failOpen()) throw systemError('EMFILE')
    const file = await openStoreFile(path)
    disk.opened++
    return {
      ...file,
      append: async (data) => {
        const n = ++disk.appends
        if (disk.gate !== undefined) await disk.gate
        if (!disk.full && !disk.failAppend(n)) return file.append(data)
        await file.append(data.subarray(0, 7))
        throw systemError('ENOSPC')
      },
      sync: async () => {
        const n = ++disk.syncs
        if (disk.eio || disk.failSync(n)) throw systemError('EIO')
        return file.sync()
      },
      truncate: async (length) => {
        if (disk.eio) throw systemError('EIO')
        return file.truncate(length)
      },
      close: async () => {
        disk.closed++
        return file.close()
      },
    }
  }
  return { disk, openFile }
}

const messageOf = (result: E.Either<StoreError, unknown>): string =>
  E.isLeft(result) && result.left._tag === 'StoreFailure' ? result.left.message : `not a StoreFailure: ${JSON.stringify(result)}`

/** Asserts a StoreFailure whose message matches `pattern` and quotes neither the secret nor the path. */
const assertFailure = (result: E.Either<StoreError, unknown>, pattern: RegExp, path: string): void => {
  const message = messageOf(result)
  assert.match(message, pattern)
  assert.not.match(message, new RegExp(SECRET))
  assert.not.ok(message.includes(path), 'the message does not quote the path')
}

/** Reopens the log and checks that it holds exactly `expected` (per stream, in order), nothing torn. */
const assertLogHolds = async (path: string, expected: Readonly<Record<string, ReadonlyArray<string>>>): Promise<void> => {
  const reopened = await mustOpen<string>({ path })
  try {
    assert.is(reopened.recovery.torn, undefined, 'nothing half-written was left for recovery to cut')
    const all = right(await reopened.readAll()())
    assert.is(all.length, Object.values(expected).flat().length)
    for (const [stream, events] of Object.entries(expected)) {
      assert.equal(right(await reopened.readStream(stream)()), { version: events.length, events: [...events] }, stream)
      const versions = all.filter((s) => s.stream === stream).map((s) => s.version)
      assert.equal(
        versions,
        Array.from({ length: events.length }, (_, i) => i + 1),
        `${stream}: contiguous versions`,
      )
    }
  } finally {
    right(await reopened.close()())
  }
}

test('a failed write (ENOSPC after part of the bytes) fails the round and the appends queued behind it; the next append repairs and succeeds', async () => {
  const path = tempLog()
  const { disk, openFile } = faultyDisk()
  const store = await mustOpen<string>({ path, openFile })
  right(await store.appendToStream('s', ['a'], 'no_stream')())
  const acknowledged = statSync(path).size

  disk.full = true
  let release = () => {}
  disk.gate = new Promise((resolve) => (release = resolve))
  const round = [store.appendToStream('s', [SECRET], 1)(), store.appendToStream('t', ['t1'], 'any')()]
  await eventually('the round is being written', () => disk.appends === 2)
  const behind = [store.appendToStream('s', ['b2'], 2)(), store.appendToStream('u', ['u1'], 'no_stream')()]
  disk.gate = undefined
  release()
  for (const result of await Promise.all([...round, ...behind]))
    assertFailure(result, /could not write and sync its file \(ENOSPC\).*next append/, path)

  // Nothing of the failed round is in the file, and the store says it waits to repair.
  assert.is(statSync(path).size, acknowledged)
  assert.not.ok(readFileSync(path, 'utf8').includes(SECRET))
  const waiting = store.stats()
  assert.match(waiting.failure ?? '', /ENOSPC/)
  assert.is(waiting.failedWrites, 1)
  assert.is(waiting.repairs, 0)
  assert.equal(right(await store.readStream('s')()), { version: 1, events: ['a'] }, 'reads work while waiting')

  // Space is back: the next append (at the acknowledged version) repairs the file and is written.
  disk.full = false
  assert.equal(right(await store.appendToStream('s', ['b'], 1)()), { nextVersion: 2 })
  assert.equal(right(await store.appendToStream('t', ['t1'], 'no_stream')()), { nextVersion: 1 })
  const repaired = store.stats()
  assert.is(repaired.failure, undefined)
  assert.is(repaired.repairs, 1)
  assert.is(repaired.failedWrites, 1)
  assert.is(disk.opened, 2, 'the repair opened a new handle')
  await eventually('the old handle is closed', () => disk.closed === 1)
  assert.equal(right(await store.readStream('s')()), { version: 2, events: ['a', 'b'] })
  right(await store.close()())
  await assertLogHolds(path, { s: ['a', 'b'], t: ['t1'] })
})

test('a failed sync (EIO) fails the round and leaks nothing; the repair cuts it through a new handle and does not sync the failed one again', async () => {
  const path = tempLog()
  const { disk, openFile } = faultyDisk()
  const store = await mustOpen<string>({ path, openFile })
  right(await store.appendToStream('s', ['kept'], 'no_stream')())
  disk.eio = true
  const failed = await Promise.all([store.appendToStream('s', [SECRET], 1)(), store.appendToStream('t', ['other'], 'any')()])
  for (const result of failed) assertFailure(result, /could not write and sync its file \(EIO\); it will repair the file/, path)
  assert.ok(readFileSync(path, 'utf8').includes(SECRET), 'the failing disk did not let the failed round be cut at once')
  assert.is(store.stats().failedWrites, 1)

  disk.eio = false
  const syncsBefore = disk.syncs
  assert.equal(right(await store.appendToStream('s', ['next'], 1)()), { nextVersion: 2 })
  // One sync of the cut through the new handle, one of the round: the failed handle was left alone.
  assert.is(disk.syncs - syncsBefore, 2)
  assert.is(disk.opened, 2)
  assert.equal(store.stats().repairs, 1)
  assert.not.ok(readFileSync(path, 'utf8').includes(SECRET), 'the repair cut the failed round')
  right(await store.close()())
  await assertLogHolds(path, { s: ['kept', 'next'] })
})

test('a repair that fails (the disk still fails) fails the waiting append; a later one succeeds once the disk is fine', async () => {
  const path = tempLog()
  const { disk, openFile } = faultyDisk()
  const store = await mustOpen<string>({ path, openFile })
  right(await store.appendToStream('s', ['a'], 'any')())
  disk.eio = true
  assertFailure(await store.appendToStream('s', ['lost-1'], 1)(), /could not write and sync its file \(EIO\)/, path)
  // Still broken: the repair cannot sync its cut, so the waiting appends fail, and say so.
  const waiting = await Promise.all([store.appendToStream('s', ['lost-2'], 1)(), store.appendToStream('t', ['lost-3'], 'any')()])
  for (const result of waiting)
    assertFailure(result, /could not repair its file after a failed write \(EIO\); it will try again at the next append/, path)
  assert.match(store.stats().failure ?? '', /could not repair its file/)
  assert.is(store.stats().repairs, 0)
  await eventually('the handle of the failed repair is closed', () => disk.closed === 1)
  assertFailure(await store.appendToStream('s', ['lost-4'], 1)(), /could not repair its file/, path)

  disk.eio = false
  assert.equal(right(await store.appendToStream('s', ['b'], 1)()), { nextVersion: 2 })
  assert.is(store.stats().failure, undefined)
  assert.is(store.stats().repairs, 1)
  assert.is(store.stats().failedWrites, 1, 'a failed repair is not a failed write')
  right(await store.close()())
  await assertLogHolds(path, { s: ['a', 'b'] })
})

test('across a failure, versions stay contiguous: appends decided on a failed one fail, fresh ones at the acknowledged version succeed', async () => {
  const path = tempLog()
  const { disk, openFile } = faultyDisk()
  const store = await mustOpen<string>({ path, openFile })
  for (const stream of ['a', 'b', 'c']) right(await store.appendToStream(stream, [`${stream}1`], 'no_stream')())

  disk.eio = true
  let release = () => {}
  disk.gate = new Promise((resolve) => (release = resolve))
  const failing = [store.appendToStream('a', ['a2-lost'], 1)(), store.appendToStream('b', ['b2-lost', 'b3-lost'], 1)()]
  await eventually('the failing round is in flight', () => disk.appends === 4)
  // Queued behind the failing round, expecting the versions it reserved.
  const behind = [
    store.appendToStream('a', ['a3-lost'], 2)(),
    store.appendToStream('b', ['b4-lost'], 3)(),
    store.appendToStream('c', ['c2-lost'], 'any')(),
  ]
  disk.gate = undefined
  release()
  const results = await Promise.all([...failing, ...behind])
  assert.ok(results.every(E.isLeft), 'the failed round and every append queued behind it failed')

  disk.eio = false
  // An append still expecting a version of the failed round conflicts with what was acknowledged.
  assert.equal(await store.appendToStream('a', ['a3-stale'], 2)(), E.left({ _tag: 'VersionConflict', stream: 'a', expected: 2, actual: 1 }))
  assert.equal(await store.appendToStream('b', ['b4-stale'], 3)(), E.left({ _tag: 'VersionConflict', stream: 'b', expected: 3, actual: 1 }))
  // Fresh appends at the acknowledged versions, concurrently on the three streams.
  const fresh = await Promise.all([
    store.appendToStream('a', ['a2'], 1)(),
    store.appendToStream('b', ['b2', 'b3'], 1)(),
    store.appendToStream('c', ['c2'], 1)(),
    store.appendToStream('a', ['a3'], 2)(),
  ])
  assert.equal(fresh.map(right), [{ nextVersion: 2 }, { nextVersion: 3 }, { nextVersion: 2 }, { nextVersion: 3 }])
  right(await store.close()())
  await assertLogHolds(path, { a: ['a1', 'a2', 'a3'], b: ['b1', 'b2', 'b3'], c: ['c1', 'c2'] })
})

test('many concurrent appends on several streams with writes and syncs failing now and then: exactly the acknowledged events, each once, contiguous', async () => {
  const path = tempLog()
  const { disk, openFile } = faultyDisk()
  const store = await mustOpen<string>({ path, openFile })
  const streams = ['s0', 's1', 's2', 's3', 's4']
  const acked = new Map<string, string[]>(streams.map((s) => [s, []]))
  let failures = 0
  let conflicts = 0
  const kinds = new Set<string>()
  let id = 0
  // Every 5th write fails half-way, every 9th sync fails (the repairs' syncs count too), and every
  // 3rd repair cannot open the file.
  let opens = 0
  disk.failAppend = (n) => n % 5 === 0
  disk.failSync = (n) => n % 9 === 0
  disk.failOpen = () => ++opens % 3 === 0
  const worker = async (w: number): Promise<void> => {
    const known = new Map<string, number>()
    for (let i = 0; i < 60; i++) {
      const stream = streams[(w + i) % streams.length] as string
      const event = `w${w}-${id++}`
      // Half the workers expect the version they know, the others append with 'any'.
      const result = await store.appendToStream(stream, [event], w % 2 === 0 ? (known.get(stream) ?? 0) : 'any')()
      if (E.isRight(result)) {
        acked.get(stream)?.push(event)
        known.set(stream, result.right.nextVersion)
      } else if (result.left._tag === 'VersionConflict') {
        conflicts++
        known.set(stream, result.left.actual)
      } else {
        failures++
        kinds.add(/could not repair/.test(result.left.message) ? 'repair' : 'write')
        known.set(stream, right(await store.readStream(stream)()).version)
      }
      if (i % 7 === 0) await delay(1)
    }
  }
  await Promise.all(Array.from({ length: 12 }, (_, w) => worker(w)))
  disk.failAppend = () => false
  disk.failSync = () => false
  disk.failOpen = () => false
  const stats = store.stats()
  assert.ok(failures > 0 && stats.failedWrites > 0, `writes failed (${failures} appends, ${stats.failedWrites} rounds)`)
  assert.ok(stats.repairs > 0, 'and were repaired')
  assert.equal([...kinds].sort(), ['repair', 'write'], 'appends failed on failed writes and on failed repairs')
  assert.ok(conflicts > 0, 'workers raced on streams')
  // The store goes on after the last failure.
  right(await store.appendToStream('s0', ['last'], 'any')())
  acked.get('s0')?.push('last')
  right(await store.close()())
  // acked is in acknowledgement order, which is version order within a stream.
  await assertLogHolds(path, Object.fromEntries(acked))
})

test('a read in flight on the old handle finishes before the repair closes it; later reads use the new handle', async () => {
  const path = tempLog()
  const opened: Array<{ closed: boolean; reads: number }> = []
  let hold: Promise<void> | undefined
  let eio = false
  const openFile = async (p: string): Promise<StoreFile> => {
    const file = await openStoreFile(p)
    const handle = { closed: false, reads: 0 }
    opened.push(handle)
    return {
      ...file,
      read: async (buffer, position) => {
        handle.reads++
        if (hold !== undefined) await hold
        return file.read(buffer, position)
      },
      sync: () => (eio ? Promise.reject(systemError('EIO')) : file.sync()),
      close: () => {
        handle.closed = true
        return file.close()
      },
    }
  }
  const store = await mustOpen<string>({ path, openFile })
  right(await store.appendToStream('s', ['a', 'b'], 'any')())
  eio = true
  assert.ok(E.isLeft(await store.appendToStream('s', ['lost'], 2)()))
  eio = false

  let release = () => {}
  hold = new Promise((resolve) => (release = resolve))
  const readsBefore = opened[0]?.reads ?? 0
  const slowRead = store.readStream('s')()
  await eventually('the read started on the old handle', () => (opened[0]?.reads ?? 0) > readsBefore)
  hold = undefined
  assert.equal(right(await store.appendToStream('s', ['c'], 2)()), { nextVersion: 3 }, 'the repair does not wait for reads')
  assert.is(opened.length, 2)
  await delay(20)
  assert.is(opened[0]?.closed, false, 'the old handle stays open while a read uses it')
  release()
  assert.equal(right(await slowRead), { version: 2, events: ['a', 'b'] })
  await eventually('the old handle is closed', () => opened[0]?.closed === true)
  const readsOnOld = opened[0]?.reads
  assert.equal(right(await store.readStream('s')()), { version: 3, events: ['a', 'b', 'c'] })
  assert.is(opened[0]?.reads, readsOnOld, 'later reads go through the new handle')
  assert.ok((opened[1]?.reads ?? 0) > 0)
  right(await store.close()())
  assert.is(opened[1]?.closed, true)
})

/**
 * A store whose one write fails with EIO (the write went through, its sync and the cut did not),
 * left waiting for its repair, on a disk that works again unless `stillFailing`.
 */
const failedOnce = async (path: string, stillFailing = false): Promise<FileEventStore<string>> => {
  const { disk, openFile } = faultyDisk()
  const store = await mustOpen<string>({ path, openFile })
  right(await store.appendToStream('s', ['a'], 'any')())
  disk.eio = true
  assert.ok(E.isLeft(await store.appendToStream('s', ['lost'], 1)()))
  disk.eio = stillFailing
  return store
}

test('a log changed under the store while it waits to repair: the store refuses every append, saying it is not a passing fault', async () => {
  const path = tempLog()
  const store = await failedOnce(path)
  // Someone rewrites the last acknowledged commit record (same length, another count).
  const fd = openSync(path, 'r+')
  writeSync(fd, Buffer.from('{"commit":7}\n'), 0, 13, store.stats().bytes - 13)
  closeSync(fd)
  const refused = await store.appendToStream('s', ['b'], 1)()
  assertFailure(refused, /changed under the store .*not a disk fault that passes.*refuses every append.*reopen/, path)
  assertFailure(await store.appendToStream('t', ['c'], 'any')(), /changed under the store/, path)
  assert.match(store.stats().failure ?? '', /changed under the store/)
  assert.is(store.stats().repairs, 0)
  right(await store.close()())
})

test('a log cut shorter under the store while it waits to repair: refused, and never padded back', async () => {
  const path = tempLog()
  const store = await failedOnce(path)
  const cut = store.stats().bytes - 5
  truncateSync(path, cut)
  assertFailure(
    await store.appendToStream('s', ['b'], 1)(),
    /changed under the store \(the log is \d+ bytes, shorter than the \d+ bytes acknowledged\)/,
    path,
  )
  assert.is(statSync(path).size, cut)
  right(await store.close()())
})

test('close() while waiting to repair: nothing to flush, it cuts the failed round, releases the lock; the log holds what was acknowledged', async () => {
  const path = tempLog()
  const store = await failedOnce(path)
  assert.ok(readFileSync(path, 'utf8').includes('lost'), 'the failing disk kept the failed round from being cut')
  right(await store.close()())
  assert.not.ok(existsSync(`${path}.lock`))
  assert.is(messageOf(await store.appendToStream('s', ['b'], 1)()), 'the event store is closed')
  await assertLogHolds(path, { s: ['a'] })
})

test('close() while the disk still fails: it closes anyway and releases the lock', async () => {
  const path = tempLog()
  const store = await failedOnce(path, true)
  right(await store.close()())
  assert.not.ok(existsSync(`${path}.lock`))
  const reopened = await mustOpen<string>({ path })
  assert.equal(right(await reopened.readStream('s')()).events[0], 'a')
  right(await reopened.close()())
})

test('close() waits for queued appends to be synced, then refuses new ones', async () => {
  const path = tempLog()
  const store = await mustOpen<number>({ path })
  const pending = Array.from({ length: 200 }, (_, n) => store.appendToStream(`s${n % 3}`, [n], 'any')())
  const closed = store.close()()
  const late = await store.appendToStream('s0', [999], 'any')()
  assert.is(E.isLeft(late) && late.left._tag === 'StoreFailure' && late.left.message, 'the event store is closed')
  right(await closed)
  assert.ok((await Promise.all(pending)).every(E.isRight))
  right(await store.close()()) // idempotent
  const reopened = await mustOpen<number>({ path })
  assert.is(reopened.recovery.events, 200)
  right(await reopened.close()())
})

test('reads still answer after close (the file is reopened read-only for them)', async () => {
  const store = await mustOpen<string>({ path: tempLog() })
  right(await store.appendToStream('s', ['a'], 'any')())
  right(await store.close()())
  assert.equal(right(await store.readStream('s')()), { version: 1, events: ['a'] })
})

test.run()
