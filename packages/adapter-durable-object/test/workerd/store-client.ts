/**
 * The Node side of the workerd tests: starts workerd (through miniflare) on the bundled
 * store.worker.ts, with the `StoreObject` Durable Object class on SQLite storage, and talks to one
 * object by name. `proxyStore` is a `SharedLedgerStore` whose calls run in the object on the real
 * store; the shared store contract runs unchanged against it.
 */
import type { StoredEvent, StoreError } from '@banksocket-webhooks/core'
import {
  checkReadOptions,
  type ExpectedVersion,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordError,
  type Recording,
  type SharedLedgerStore,
  type StreamRead,
  type StreamState,
} from '@banksocket-webhooks/core/store-kit'
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { Miniflare } from 'miniflare'
import { bundleWorker, type WorkerBundle } from '../../../test-support/src/workerd-bundle.ts'
import type { DurableObjectRecordResult } from '../../src/event-store.ts'

let bundled: Promise<WorkerBundle> | undefined

/** The worker bundle, built once per test file. */
export const storeWorkerBundle = (): Promise<WorkerBundle> => {
  bundled ??= bundleWorker(new URL('./store.worker.ts', import.meta.url))
  return bundled
}

/** workerd with the store's Durable Object class; `persist` keeps its storage in that directory. */
export const startWorkerd = async (persist?: string): Promise<Miniflare> =>
  new Miniflare({
    modules: true,
    script: (await storeWorkerBundle()).code,
    compatibilityDate: '2025-09-01',
    durableObjects: { STORE: { className: 'StoreObject', useSQLite: true } },
    ...(persist === undefined ? {} : { durableObjectsPersist: persist }),
  })

/** What an object answered: `either`, `threw`, or what a check found. */
export type Answer = Readonly<Record<string, unknown>>

/** Runs `operation` with `args` in the object named `object`. */
export const call = async (mf: Miniflare, object: string, operation: string, ...args: unknown[]): Promise<Answer> => {
  const response = await mf.dispatchFetch(`http://localhost/${object}/${operation}`, { method: 'POST', body: JSON.stringify(args) })
  if (response.status !== 200) throw new Error(`${operation} on ${object}: HTTP ${response.status} ${await response.text()}`)
  return (await response.json()) as Answer
}

/** The `Either` an object answered (rebuilt, so that `Right(undefined)` compares as it should). */
const eitherOf = <L, A>(answer: Answer): E.Either<L, A> => {
  if (answer['threw'] !== undefined) throw new Error(`the object threw: ${JSON.stringify(answer['threw'])}`)
  const either = answer['either'] as { _tag: 'Left'; left: L } | { _tag: 'Right'; right: A } | undefined
  if (either === undefined) throw new Error(`no Either in ${JSON.stringify(answer)}`)
  return either._tag === 'Right' ? E.right(either.right) : E.left(either.left)
}

/** Runs an operation in the object and answers its `Either`. */
export const ask = async <L, A>(mf: Miniflare, object: string, operation: string, ...args: unknown[]): Promise<E.Either<L, A>> =>
  eitherOf<L, A>(await call(mf, object, operation, ...args))

/** A fresh object's name. */
export const freshObject = (() => {
  let n = 0
  return (prefix = 'store') => `${prefix}-${process.pid}-${Date.now()}-${++n}`
})()

/** The object's store as seen from Node: its `head` and `record`'s positions included. */
export type ProxyStore<Ev, S> = SharedLedgerStore<Ev, S> &
  Readonly<{
    head: () => TE.TaskEither<StoreError, number>
    record: (stream: string, recording: Recording<Ev, S>) => TE.TaskEither<RecordError, DurableObjectRecordResult>
  }>

/** A stream's state as the store answered it: JSON drops a `state` that is `undefined`. */
const withState = <S>(read: StreamState<S>): StreamState<S> => ({
  version: read.version,
  state: read.state,
  stateVersion: read.stateVersion,
  duplicates: read.duplicates,
})

/**
 * The store of the object `object` as a `SharedLedgerStore` seen from Node. Read options are
 * checked here too, so that a bad one throws when the read is asked for, as the port says (the
 * object's own store throws alike: see the `throws` check). Calls reach the object in the order their
 * tasks were started (one at a time), which is the order the object applies them in.
 */
export const proxyStore = <Ev, S = unknown>(mf: Miniflare, object: string): ProxyStore<Ev, S> => {
  let queue: Promise<unknown> = Promise.resolve()
  const inOrder = <L, A>(operation: string, ...args: unknown[]): Promise<E.Either<L, A>> => {
    const answer = queue.then(() => ask<L, A>(mf, object, operation, ...args))
    queue = answer.catch(() => undefined)
    return answer
  }
  return {
    shared: true,
    readStream: (stream: string, options?: ReadStreamOptions): TE.TaskEither<StoreError, StreamRead<Ev>> => {
      checkReadOptions('readStream', options)
      return () => inOrder('readStream', stream, options)
    },
    readAll: (options?: ReadAllOptions): TE.TaskEither<StoreError, ReadonlyArray<StoredEvent<Ev>>> => {
      checkReadOptions('readAll', options)
      return () => inOrder('readAll', options)
    },
    appendToStream: (stream: string, events: ReadonlyArray<Ev>, expected: ExpectedVersion) => () =>
      inOrder('appendToStream', stream, events, expected),
    head: () => () => inOrder('head'),
    record:
      (stream: string, recording: Recording<Ev, S>): TE.TaskEither<RecordError, DurableObjectRecordResult> =>
      () =>
        inOrder('record', stream, recording),
    readState:
      (stream: string): TE.TaskEither<StoreError, StreamState<S>> =>
      async () =>
        E.map(withState<S>)(await inOrder('readState', stream)),
    readStates: (prefix: string) => async () =>
      E.map((entries: Array<[string, StreamState<S>]>) => new Map(entries.map(([stream, state]) => [stream, withState(state)])))(
        await inOrder('readStates', prefix),
      ),
    keyOwner: (key: string) => () => inOrder('keyOwner', key),
    countDuplicate: (stream: string, count?: number) => () => inOrder('countDuplicate', stream, count),
  }
}
