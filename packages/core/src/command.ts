/**
 * The one command handler: read a stream, fold its state, decide, append with the expected version,
 * and on a version conflict read and decide again (a bounded number of times). It serves every
 * {@link Decider} over every {@link EventStore}, as Emmett's `CommandHandler` does.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Step } from './async.ts'
import type { Decider } from './decider.ts'
import { type EventStore, MAX_READ_LIMIT, type StoreError, type StreamRead, storeFailure } from './store.ts'

/**
 * A decider, or a function that makes one for a stream (called for every attempt of every
 * command). Deciders are pure and their states immutable (docs/architecture.md, "Deciders and the
 * command handler"), so one decider serves every stream; a factory is for a decider that differs
 * from stream to stream.
 *
 * @example
 * import type { DeciderSource } from '@banksocket-webhooks/core/store-kit'
 * import * as E from 'fp-ts/lib/Either.js'
 * type Counter = DeciderSource<'Add', 'Added', number, never>
 * const plain: Counter = { initialState: 0, decide: () => E.right(['Added']), evolve: (n) => n + 1 }
 * const perStream: Counter = (_stream) => plain
 */
export type DeciderSource<C, Ev, S, Err> = Decider<C, Ev, S, Err> | ((stream: string) => Decider<C, Ev, S, Err>)

/**
 * A version conflict, as {@link StoreError} reports it.
 *
 * @example
 * import type { VersionConflict } from '@banksocket-webhooks/core/store-kit'
 * const c: VersionConflict = { _tag: 'VersionConflict', stream: 'payment-order-1042', expected: 2, actual: 3 }
 */
export type VersionConflict = Extract<StoreError, Readonly<{ _tag: 'VersionConflict' }>>

/**
 * Why a command was not carried out; nothing was appended in any of these cases.
 *
 * - `DomainError`: the decider refused the command (`error` is the decider's own error).
 * - `StoreError`: the store failed to read or append (`error` is the store's {@link StoreError}).
 * - `RetriesExhausted`: every attempt lost a race with another writer; `conflict` is the last one.
 *
 * @example
 * import type { CommandError, SubscriptionError } from '@banksocket-webhooks/core'
 * const describe = (e: CommandError<SubscriptionError>): string =>
 *   e._tag === 'DomainError' ? `refused: ${e.error._tag}`
 *   : e._tag === 'StoreError' ? `store: ${e.error._tag}`
 *   : `${e.attempts} attempts lost the race on ${e.stream}`
 */
export type CommandError<Err> =
  | Readonly<{ _tag: 'DomainError'; stream: string; error: Err }>
  | Readonly<{ _tag: 'StoreError'; stream: string; error: StoreError }>
  | Readonly<{ _tag: 'RetriesExhausted'; stream: string; attempts: number; conflict: VersionConflict }>

/**
 * A command carried out: the events it appended (none when the decider had nothing to add), the
 * stream's version after them, the state they lead to, and how many attempts it took.
 *
 * @example
 * import type { CommandResult } from '@banksocket-webhooks/core/store-kit'
 * const r: CommandResult<string, number> = { stream: 'counter-1', events: ['Added'], nextVersion: 1, state: 1, attempts: 1 }
 */
export type CommandResult<Ev, S> = Readonly<{
  stream: string
  events: ReadonlyArray<Ev>
  nextVersion: number
  state: S
  attempts: number
}>

/**
 * Runs a command against one stream.
 *
 * @example
 * import type { CommandHandler, SubscriptionCommand, SubscriptionError, SubscriptionEvent, SubscriptionState } from '@banksocket-webhooks/core'
 * declare const handle: CommandHandler<SubscriptionCommand, SubscriptionEvent, SubscriptionState, SubscriptionError>
 * const task = handle('subscriptions', { type: 'RecordWebhookDeleted', data: { id: 1233 } })
 */
export type CommandHandler<C, Ev, S, Err> = (stream: string, command: C) => TE.TaskEither<CommandError<Err>, CommandResult<Ev, S>>

/**
 * Options of {@link createCommandHandler}.
 *
 * @example
 * import { createInMemoryEventStore, subscriptionDecider, type SubscriptionCommand, *   type SubscriptionError, type SubscriptionEvent, type SubscriptionState } from '@banksocket-webhooks/core'
 * import { type CommandHandlerOptions } from '@banksocket-webhooks/core/store-kit'
 * const options: CommandHandlerOptions<SubscriptionCommand, SubscriptionEvent, SubscriptionState, SubscriptionError> = {
 *   store: createInMemoryEventStore(), decider: subscriptionDecider, maxRetries: 5 }
 */
export type CommandHandlerOptions<C, Ev, S, Err> = Readonly<{
  /** Where the streams live. Only `readStream` and `appendToStream` are used. */
  store: EventStore<Ev>
  /** The decider, or a factory of one per stream (see {@link DeciderSource}). */
  decider: DeciderSource<C, Ev, S, Err>
  /**
   * How many times a command is read and decided again after losing a race (a `VersionConflict`
   * on append). `0` reports the first conflict as `RetriesExhausted`.
   * @default 3
   */
  maxRetries?: number
}>

/**
 * The default number of retries after a version conflict.
 *
 * @example
 * import { DEFAULT_MAX_RETRIES } from '@banksocket-webhooks/core/store-kit'
 * DEFAULT_MAX_RETRIES // 3
 */
export const DEFAULT_MAX_RETRIES = 3

/**
 * A stream's state as a command handler holds it: the state folded so far and the version it is at.
 * A cache entry is moved on in place when an append starts (its place in the stream is fixed then).
 *
 * @internal
 */
export type StateAt<S> = { state: S; version: number }

/**
 * Why a command run by a {@link CommandRunner} was not carried out: a {@link CommandError} (with
 * the writer's own errors, `WErr`, as store errors), or the `beforeAppend` step's failure.
 *
 * @internal
 */
export type RunError<Err, WErr = StoreError> =
  | CommandError<Err>
  | Readonly<{ _tag: 'StoreError'; stream: string; error: WErr }>
  | Readonly<{ _tag: 'Aborted'; stream: string; error: unknown }>

/** What a run answers once the store has answered. */
type RunResult<Ev, S, Err, WErr> = E.Either<RunError<Err, WErr>, CommandResult<Ev, S>>

/**
 * A command whose events are being appended: their place in the stream is fixed (a cached state
 * has moved on), and `result` settles once the store answers. Returned by
 * {@link CommandRunner.run} so that a caller that orders commands per stream can start the next one
 * while this append is made durable.
 *
 * @internal
 */
export class Appending<Ev, S, Err, WErr = StoreError> {
  constructor(readonly result: Promise<RunResult<Ev, S, Err, WErr>>) {}
}

/**
 * The step a caller runs between `decide` and the append, with the decided events and the state
 * they were decided on (an inbox hands them to the application's handlers). A `Left` (or a
 * rejection) appends nothing.
 */
type BeforeAppend<Ev, S> = (events: ReadonlyArray<Ev>, state: S) => Step<E.Either<unknown, void>>

/**
 * How a runner writes decided events when it does not append them with `appendToStream`: with the
 * version they were decided on, the state they lead to and the command (a shared store writes the
 * state and the command's idempotency key in the same transaction). A `_tag: 'VersionConflict'`
 * error is a lost race, as for `appendToStream`.
 */
type Write<C, Ev, S, WErr> = (
  stream: string,
  events: ReadonlyArray<Ev>,
  expectedVersion: number,
  state: S,
  command: C,
) => Promise<E.Either<WErr, Readonly<{ nextVersion: number }>>>

/**
 * Options of {@link createCommandRunner}: those of {@link createCommandHandler}, and
 *
 * - `store` may be `undefined`: nothing is appended, the cached state is all there is;
 * - `cache`: states kept between commands (the caller's map, which it may fill or clear itself);
 *   a cached stream is not read again until an append to it fails. With a cache, commands to one
 *   stream must be run one at a time (the caller orders them);
 * - `keep`: which decided events are written; the others only move the state on (a count that is
 *   not history, such as an inbox's duplicates);
 * - `write`: how events are written, instead of the store's `appendToStream`.
 *
 * @internal
 */
export type CommandRunnerOptions<C, Ev, S, Err, WErr> = Readonly<{
  store: EventStore<Ev> | undefined
  decider: DeciderSource<C, Ev, S, Err>
  maxRetries?: number
  cache?: Map<string, StateAt<S>>
  keep?: (event: Ev) => boolean
  write?: Write<C, Ev, S, WErr>
}>

/**
 * The one implementation of read, decide, append and retry, behind {@link createCommandHandler}
 * and the inbox's ledgers (on every store).
 *
 * @internal
 */
export type CommandRunner<C, Ev, S, Err, WErr = StoreError> = Readonly<{
  /** A stream's state: cached, else read from the store in pages and folded, else fresh. */
  stateOf: (stream: string) => Step<E.Either<StoreError, StateAt<S>>>
  /**
   * Runs a command: synchronously when nothing needs waiting for (a cached state, no store or
   * nothing to append, a synchronous `beforeAppend`); an {@link Appending} when the append was
   * started. `given` is a state the caller has just read itself (used for the first attempt
   * instead of reading or the cache).
   */
  run: (
    stream: string,
    command: C,
    beforeAppend?: BeforeAppend<Ev, S>,
    given?: StateAt<S>,
  ) => Step<E.Either<RunError<Err, WErr>, CommandResult<Ev, S> | Appending<Ev, S, Err, WErr>>>
}>

const checkRetries = (maxRetries: number): void => {
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
    throw new TypeError(`maxRetries must be a non-negative integer (the number of retries after a version conflict), got ${String(maxRetries)}`)
  }
}

const isVersionConflict = (error: Readonly<{ _tag: string }>): error is VersionConflict => error._tag === 'VersionConflict'

/**
 * Makes the runner for one decider over one store (or none): see {@link CommandRunner}.
 *
 * @internal
 */
export const createCommandRunner = <C, Ev, S, Err, WErr extends Readonly<{ _tag: string }> = StoreError>(
  options: CommandRunnerOptions<C, Ev, S, Err, WErr>,
): CommandRunner<C, Ev, S, Err, WErr> => {
  const { store, decider, cache, keep } = options
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
  checkRetries(maxRetries)
  const deciderFor = typeof decider === 'function' ? decider : () => decider
  const write: Write<C, Ev, S, WErr | StoreError> | undefined =
    options.write ?? (store === undefined ? undefined : (stream, events, expectedVersion) => store.appendToStream(stream, events, expectedVersion)())

  /** Reads a stream in pages of {@link MAX_READ_LIMIT} and folds them, so a long stream is never held at once. */
  const read = async (stream: string, d: Decider<C, Ev, S, Err>): Promise<E.Either<StoreError, StateAt<S>>> => {
    if (store === undefined) return E.right({ state: d.initialState, version: 0 })
    let state = d.initialState
    let version = 0
    for (;;) {
      let page: E.Either<StoreError, StreamRead<Ev>>
      try {
        page = await store.readStream(stream, { after: version, limit: MAX_READ_LIMIT })()
      } catch (error) {
        return E.left(storeFailure(error))
      }
      if (E.isLeft(page)) return page
      for (const event of page.right.events) state = d.evolve(state, event)
      version += page.right.events.length
      if (page.right.events.length === 0 || version >= page.right.version) return E.right({ state, version })
    }
  }

  const stateOf = (stream: string): Step<E.Either<StoreError, StateAt<S>>> => {
    const cached = cache?.get(stream)
    if (cached !== undefined) return E.right(cached)
    const d = deciderFor(stream)
    if (store === undefined) {
      const fresh = { state: d.initialState, version: 0 }
      cache?.set(stream, fresh)
      return E.right(fresh)
    }
    return read(stream, d).then((r) => {
      if (E.isRight(r)) cache?.set(stream, r.right)
      return r
    })
  }

  type Result = E.Either<RunError<Err, WErr>, CommandResult<Ev, S> | Appending<Ev, S, Err, WErr>>

  /** Writes what is kept of `events` (or nothing), moving the state on; retries a lost race. */
  const commit = (
    stream: string,
    command: C,
    beforeAppend: BeforeAppend<Ev, S> | undefined,
    attempt: number,
    d: Decider<C, Ev, S, Err>,
    entry: StateAt<S>,
    version: number,
    events: ReadonlyArray<Ev>,
  ): Result => {
    const kept = keep === undefined || events.every(keep) ? events : events.filter(keep)
    let state = entry.state
    for (const event of events) state = d.evolve(state, event)
    const nextVersion = version + kept.length
    if (write === undefined || kept.length === 0) {
      entry.state = state
      entry.version = nextVersion
      return E.right({ stream, events, nextVersion, state, attempts: attempt })
    }
    let writing: Promise<E.Either<WErr | StoreError, Readonly<{ nextVersion: number }>>>
    try {
      writing = write(stream, kept, version, state, command)
    } catch (error) {
      writing = Promise.resolve(E.left(storeFailure(error)))
    }
    // The write's place in the stream is fixed now: the next command may decide on its result.
    entry.state = state
    entry.version = nextVersion
    const forget = () => {
      // Commands decided on this state after it fail the same way; the stream is read again.
      if (cache?.get(stream) === entry) cache.delete(stream)
    }
    const appended = writing.then(
      (written): Step<RunResult<Ev, S, Err, WErr>> => {
        if (E.isRight(written)) return E.right({ stream, events, nextVersion: written.right.nextVersion, state, attempts: attempt })
        forget()
        const error = written.left
        if (!isVersionConflict(error)) return E.left({ _tag: 'StoreError', stream, error: error as WErr })
        if (attempt > maxRetries) return E.left({ _tag: 'RetriesExhausted', stream, attempts: attempt, conflict: error })
        return untilAppended(attemptRun(stream, command, beforeAppend, attempt + 1, undefined))
      },
      (error: unknown): RunResult<Ev, S, Err, WErr> => {
        forget()
        return E.left({ _tag: 'StoreError', stream, error: storeFailure(error) })
      },
    )
    return E.right(new Appending(appended))
  }

  const decideOn = (
    stream: string,
    command: C,
    beforeAppend: BeforeAppend<Ev, S> | undefined,
    attempt: number,
    current: E.Either<StoreError, StateAt<S>>,
  ): Step<Result> => {
    if (E.isLeft(current)) return E.left({ _tag: 'StoreError', stream, error: current.left })
    const entry = current.right
    const d = deciderFor(stream)
    const version = entry.version
    const decided = d.decide(command, entry.state)
    if (E.isLeft(decided)) return E.left({ _tag: 'DomainError', stream, error: decided.left })
    const events = decided.right
    if (beforeAppend === undefined) return commit(stream, command, beforeAppend, attempt, d, entry, version, events)
    const ran = beforeAppend(events, entry.state)
    const after = (r: E.Either<unknown, void>): Result =>
      E.isLeft(r) ? E.left({ _tag: 'Aborted', stream, error: r.left }) : commit(stream, command, beforeAppend, attempt, d, entry, version, events)
    return ran instanceof Promise ? ran.then(after, (error: unknown) => after(E.left(error))) : after(ran)
  }

  const attemptRun = (
    stream: string,
    command: C,
    beforeAppend: BeforeAppend<Ev, S> | undefined,
    attempt: number,
    given: StateAt<S> | undefined,
  ): Step<Result> => {
    const current = given === undefined ? stateOf(stream) : E.right({ state: given.state, version: given.version })
    return current instanceof Promise
      ? current.then((c) => decideOn(stream, command, beforeAppend, attempt, c))
      : decideOn(stream, command, beforeAppend, attempt, current)
  }

  return { stateOf, run: (stream, command, beforeAppend, given) => attemptRun(stream, command, beforeAppend, 1, given) }
}

/**
 * The final answer of a run: waits for an append under way (for a caller that does not pass the
 * turn on while an append is made durable).
 *
 * @internal
 */
export const untilAppended = async <Ev, S, Err, WErr>(
  step: Step<E.Either<RunError<Err, WErr>, CommandResult<Ev, S> | Appending<Ev, S, Err, WErr>>>,
): Promise<RunResult<Ev, S, Err, WErr>> => {
  const result = await step
  if (E.isRight(result) && result.right instanceof Appending) return result.right.result
  return result as RunResult<Ev, S, Err, WErr>
}

/**
 * Makes the command handler for one decider over one store. For each command it:
 *
 * 1. reads the stream (`readStream`, in pages of {@link MAX_READ_LIMIT} events, so a long stream is
 *    never held at once) and folds its events with `evolve`, from a fresh `initialState`;
 * 2. asks `decide` for the events (a `Left` is a `DomainError`, and nothing is appended);
 * 3. appends them with the version it read as the expected version (no append when there are none);
 * 4. on a `VersionConflict`, starts again from 1, at most `maxRetries` more times.
 *
 * It never throws for an expected failure: every one is a `Left` of {@link CommandError}.
 * `maxRetries` that is not a non-negative integer is a programming error and throws a `TypeError`
 * when the handler is made.
 *
 * @example
 * import { createCommandHandler, createInMemoryEventStore, subscriptionDecider, type SubscriptionEvent } from '@banksocket-webhooks/core'
 * const handle = createCommandHandler({ store: createInMemoryEventStore<SubscriptionEvent>(), decider: subscriptionDecider })
 * const spec = { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' } as const
 * const webhook = { id: 1233, endpoint: spec.endpoint, title: spec.title }
 * await handle('subscriptions', { type: 'RecordWebhookCreated', data: { webhook, spec } })()
 * // Right({ stream: 'subscriptions', events: [WebhookCreated], nextVersion: 1, state, attempts: 1 })
 * await handle('subscriptions', { type: 'RecordWebhookDeleted', data: { id: 7 } })()
 * // Left({ _tag: 'DomainError', stream: 'subscriptions', error: { _tag: 'UnknownWebhook', id: 7 } })
 */
export const createCommandHandler = <C, Ev, S, Err>(options: CommandHandlerOptions<C, Ev, S, Err>): CommandHandler<C, Ev, S, Err> => {
  const runner = createCommandRunner<C, Ev, S, Err>({
    store: options.store,
    decider: options.decider,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
  })
  // No `beforeAppend` step, so no `Aborted`: every Left is a CommandError.
  return (stream, command) => async () => (await untilAppended(runner.run(stream, command))) as E.Either<CommandError<Err>, CommandResult<Ev, S>>
}
