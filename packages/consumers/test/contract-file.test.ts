/**
 * The consumer contract on the file store: reading the writer itself, and reading a follower
 * beside it (no lock, complete events only), as `banksocket forward` does beside `listen`.
 * Checkpoints are the files beside the log; a restart opens them (and the follower) again.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createFileCheckpoints, type FileEventFollower, openFileEventFollower, openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import * as E from 'fp-ts/lib/Either.js'
import { consumerContract, type TestEvent } from './support/consumer-contract.ts'

/** A writer on a log in a directory of its own, and how to remove the directory. */
const openWriter = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'consumers-file-'))
  const opened = await openFileEventStore<TestEvent>({ path: join(dir, 'events.jsonl') })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  return { store: opened.right, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

const openFollower = async (path: string): Promise<FileEventFollower<TestEvent>> => {
  const opened = await openFileEventFollower<TestEvent>({ path, pollInterval: 20 })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  return opened.right
}

consumerContract('file store (the writer)', async () => {
  const { store, remove } = await openWriter()
  return {
    writer: store,
    feed: store,
    checkpoints: store.checkpoints,
    restart: async () => ({ feed: store, checkpoints: createFileCheckpoints({ path: store.path }) }),
    dispose: async () => {
      await store.close()()
      remove()
    },
  }
}).run()

consumerContract('file store (a follower beside the writer)', async () => {
  const { store, remove } = await openWriter()
  const followers = [await openFollower(store.path)]
  const first = followers[0] as FileEventFollower<TestEvent>
  return {
    writer: store,
    // Failures are appended through the writer: the follower itself cannot append (one writer per log).
    feed: { readAll: first.readAll, head: first.head, readStream: first.readStream, watch: first.watch, appendToStream: store.appendToStream },
    checkpoints: first.checkpoints,
    restart: async () => {
      const again = await openFollower(store.path)
      followers.push(again)
      return {
        feed: { readAll: again.readAll, head: again.head, readStream: again.readStream, appendToStream: store.appendToStream },
        checkpoints: again.checkpoints,
      }
    },
    dispose: async () => {
      for (const f of followers) await f.close()()
      await store.close()()
      remove()
    },
  }
}).run()
