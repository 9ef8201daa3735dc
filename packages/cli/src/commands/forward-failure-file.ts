/**
 * Where `banksocket forward` records the events it gives up on when it reads a file log through the
 * read-only follower: the log has one writer (the `listen` that holds it), so the `ForwardFailed`
 * records go to a file of their own beside the checkpoints, `<log>.checkpoints/<name>.failed.jsonl`,
 * one JSON line each, synced before the forwarder moves past the event (docs/architecture.md,
 * "Consumers").
 *
 * @module
 */
import { mkdir, open, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { type ConsumerFailure, ForwardFailed } from '@banksocket-webhooks/consumers'
import type { StoreError } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { failureFacts } from './forward-output.ts'

/**
 * The failure file of consumer `name` in the checkpoints directory of a log (`FileCheckpoints`'
 * `directory`). A `:` in the name is written `%3A` on Windows, as the checkpoint files do.
 *
 * @example
 * import { failureFileOf } from './commands/forward-failure-file.ts'
 * failureFileOf('/data/events.jsonl.checkpoints', 'forward') // '/data/events.jsonl.checkpoints/forward.failed.jsonl'
 */
export const failureFileOf = (directory: string, name: string): string =>
  join(directory, `${process.platform === 'win32' ? name.replaceAll(':', '%3A') : name}.failed.jsonl`)

/**
 * The `ForwardFailed` record of an event the forwarder gave up on, as the forwarder writes it into
 * a store that takes appends: the same fields (`url` without credentials, query or fragment;
 * `webhookId`; the last HTTP `status` when there was an answer).
 *
 * @example
 * import { forwardFailedRecord } from './commands/forward-failure-file.ts'
 * forwardFailedRecord(failure, 'http://127.0.0.1:4000/banksocket').data.webhookId // 'msg_ledger-69-TRY_4'
 */
const forwardFailedRecord = (failure: ConsumerFailure<unknown>, target: string): ForwardFailed => {
  const { webhookId, eventType, status } = failureFacts(failure)
  return {
    type: 'ForwardFailed',
    data: {
      consumer: failure.consumer,
      position: failure.event.position,
      stream: failure.event.stream,
      version: failure.event.version,
      eventType,
      attempts: failure.attempts,
      error: failure.message,
      failedAt: new Date().toISOString(),
      url: target,
      webhookId,
      ...(status === undefined ? {} : { status }),
    },
  }
}

const messageOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)
}

const exists = async (path: string): Promise<boolean> => {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/** Syncs a directory's entries (a file just created in it survives a crash); Windows cannot open one. */
const syncDirectory = async (directory: string): Promise<void> => {
  if (process.platform === 'win32') return
  const handle = await open(directory, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * A forwarder's `recordFailure` that appends each `ForwardFailed` record (see
 * {@link forwardFailedRecord}) as one JSON line to the file at `path`, creating it and its
 * directory when missing (owner-only), and resolves once the line is synced to disk (and, for a
 * new file, its directory entry too). Appends run one at a time, in call order. An I/O failure is a
 * `StoreFailure` naming the file, which the forwarder retries.
 *
 * @example
 * import { createFailureFile, failureFileOf } from './commands/forward-failure-file.ts'
 * const recordFailure = createFailureFile(failureFileOf(follower.checkpoints.directory, 'forward'), 'http://127.0.0.1:4000/banksocket')
 * createForwarder({ store: follower, checkpoints: follower.checkpoints, recordFailure, url, secret })
 */
export const createFailureFile = (path: string, target: string): ((failure: ConsumerFailure<unknown>) => TE.TaskEither<StoreError, void>) => {
  let last: Promise<unknown> = Promise.resolve()
  const append = async (line: string): Promise<E.Either<StoreError, void>> => {
    try {
      const directory = dirname(path)
      await mkdir(directory, { recursive: true, mode: 0o700 })
      const created = !(await exists(path))
      const handle = await open(path, 'a', 0o600)
      try {
        await handle.write(line)
        await handle.sync()
      } finally {
        await handle.close()
      }
      if (created) await syncDirectory(directory)
      return E.right(undefined)
    } catch (error) {
      return E.left({ _tag: 'StoreFailure', message: `could not record a forward failure in ${path} (${messageOf(error)})` })
    }
  }
  return (failure) => () => {
    const line = `${JSON.stringify(ForwardFailed.encode(forwardFailedRecord(failure, target)))}\n`
    const done = last.then(() => append(line))
    last = done
    return done
  }
}
