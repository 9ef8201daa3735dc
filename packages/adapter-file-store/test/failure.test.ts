import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openStoreFile, type StoreFile } from '../src/index.ts'
import { cleanup, mustOpen, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

const SECRET = 'sk_live_do-not-leak-9f3a'

/** A real file whose sync fails with EIO once `broken.now` is set. */
const breakable = () => {
  const broken = { now: false }
  const openFile = async (path: string): Promise<StoreFile> => {
    const file = await openStoreFile(path)
    return {
      ...file,
      sync: async () => {
        if (broken.now) throw Object.assign(new Error(`EIO: i/o error, fsync while writing ${SECRET}`), { code: 'EIO' })
        return file.sync()
      },
    }
  }
  return { broken, openFile }
}

test('a failed sync fails the appends of that round with StoreFailure, poisons the store, and leaks nothing', async () => {
  const path = tempLog()
  const { broken, openFile } = breakable()
  const store = await mustOpen<string>({ path, openFile })
  right(await store.appendToStream('s', ['kept'], 'no_stream')())
  broken.now = true
  const failed = await Promise.all([store.appendToStream('s', [SECRET], 1)(), store.appendToStream('t', ['other'], 'any')()])
  for (const result of failed) {
    assert.is(E.isLeft(result) && result.left._tag, 'StoreFailure')
    const message = E.isLeft(result) && result.left._tag === 'StoreFailure' ? result.left.message : ''
    assert.match(message, /EIO/)
    assert.match(message, /reopen/)
    assert.not.match(message, new RegExp(SECRET))
    assert.not.match(message, new RegExp(path))
  }
  broken.now = false
  const later = await store.appendToStream('u', ['after'], 'any')()
  assert.is(E.isLeft(later) && later.left._tag, 'StoreFailure')
  assert.ok(store.stats().failure !== undefined)
  assert.equal(right(await store.readStream('s')()), { version: 1, events: ['kept'] })
  right(await store.close()())

  // The failed round was cut back: reopening finds only what was acknowledged.
  assert.not.match(readFileSync(path, 'utf8'), new RegExp(SECRET))
  const reopened = await mustOpen<string>({ path })
  assert.is(reopened.recovery.torn, undefined)
  assert.is(reopened.recovery.events, 1)
  assert.equal(right(await reopened.appendToStream('s', ['next'], 1)()), { nextVersion: 2 })
  right(await reopened.close()())
})

test('a failed write (disk full) is a StoreFailure too', async () => {
  const path = tempLog()
  let full = false
  const store = await mustOpen<string>({
    path,
    openFile: async (p) => {
      const file = await openStoreFile(p)
      return {
        ...file,
        append: async (data) => {
          if (full) {
            await file.append(data.subarray(0, 7)) // a partial write, then the disk is full
            throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
          }
          return file.append(data)
        },
      }
    },
  })
  right(await store.appendToStream('s', ['a'], 'any')())
  full = true
  const result = await store.appendToStream('s', ['b'], 'any')()
  assert.match(E.isLeft(result) && result.left._tag === 'StoreFailure' ? result.left.message : '', /ENOSPC/)
  right(await store.close()())
  const reopened = await mustOpen<string>({ path })
  assert.equal(right(await reopened.readStream('s')()), { version: 1, events: ['a'] })
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
