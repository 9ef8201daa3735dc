/**
 * The file port: the few operations the store performs on its log file, so that tests and
 * instrumented builds can wrap the real file (count syncs, inject a failing disk) without mocking
 * `node:fs`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * The log file as the store uses it: positional reads while loading, appends at the end, a data
 * sync, a truncate (to cut a torn tail), its size, and close.
 *
 * @example
 * import { openStoreFile, type StoreFile } from '@banksocket-webhooks/adapter-file-store'
 * // Count the syncs of a real file.
 * let syncs = 0
 * const counting = async (path: string): Promise<StoreFile> => {
 *   const file = await openStoreFile(path)
 *   return { ...file, sync: () => { syncs++; return file.sync() } }
 * }
 */
export interface StoreFile {
  /** Reads up to `buffer.length` bytes at `position`; resolves with the count read (0 at the end). */
  read(buffer: Uint8Array, position: number): Promise<number>
  /** Writes every byte of `data` at the end of the file (looping over partial writes). */
  append(data: Uint8Array): Promise<void>
  /** Flushes written data (and the size) to stable storage: `fdatasync`. */
  sync(): Promise<void>
  /** Cuts the file to `length` bytes. */
  truncate(length: number): Promise<void>
  /** The current size in bytes. */
  size(): Promise<number>
  /** Closes the file. */
  close(): Promise<void>
}

/**
 * Opens (creating if needed) a file for reading and appending through `node:fs/promises`: the
 * default {@link StoreFile}.
 *
 * @example
 * import { openStoreFile } from '@banksocket-webhooks/adapter-file-store'
 * const file = await openStoreFile('/var/lib/app/events.jsonl')
 * await file.append(new TextEncoder().encode('hello\n'))
 * await file.sync()
 * await file.close()
 */
export const openStoreFile = async (path: string): Promise<StoreFile> => {
  const handle = await open(path, 'a+', 0o600)
  return {
    read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead,
    append: async (data) => {
      let offset = 0
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset)
        if (bytesWritten <= 0) throw new Error('the file accepted no bytes')
        offset += bytesWritten
      }
    },
    sync: () => handle.datasync(),
    truncate: (length) => handle.truncate(length),
    size: async () => (await handle.stat()).size,
    close: () => handle.close(),
  }
}

/**
 * Syncs a directory so that a file just created (or renamed) in it survives a crash. Windows cannot
 * open directories; there the call does nothing.
 *
 * @internal
 */
export const syncDirectory = async (dir: string): Promise<void> => {
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Replaces the file at `path` with `data` atomically: the data is written to a private file in the
 * same directory and synced, renamed over `path`, and the directory is synced. A reader (or a
 * crash) sees the old content or the new one, never a mix or an empty file.
 *
 * @internal
 */
export const replaceFile = async (path: string, data: string): Promise<void> => {
  const draft = `${path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(draft, 'wx', 0o600)
    try {
      await handle.writeFile(data, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(draft, path)
  } catch (error) {
    await unlink(draft).catch(() => undefined)
    throw error
  }
  await syncDirectory(dirname(path))
}
