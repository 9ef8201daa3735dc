import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type FileEventStore, type FileEventStoreOptions, openFileEventStore } from '../../src/index.ts'

const dirs: string[] = []

/** A fresh directory under the OS temp dir; removed by `cleanup`. */
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'bsw-file-store-'))
  dirs.push(dir)
  return dir
}

/** A path for a new log in a fresh directory. */
export const tempLog = (): string => join(tempDir(), 'events.jsonl')

/** Removes every directory made by `tempDir`. */
export const cleanup = (): void => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** Opens a store and fails the test if it does not open. */
export const mustOpen = async <Ev = unknown>(options: FileEventStoreOptions<Ev>): Promise<FileEventStore<Ev>> => {
  const opened = await openFileEventStore<Ev>(options)()
  if (E.isLeft(opened)) throw new Error(`expected the store to open: ${opened.left.message}`)
  return opened.right
}

/** The Right of an Either, or a thrown error naming the Left. */
export const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected Right, got ${JSON.stringify(either.left)}`)
  return either.right
}
