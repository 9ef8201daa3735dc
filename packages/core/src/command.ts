/**
 * The one command handler: read a stream, fold its state, decide, append with the expected version,
 * and on a version conflict read and decide again (a bounded number of times). It serves every
 * {@link Decider} over every {@link EventStore}, as Emmett's `CommandHandler` does.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import type { Decider } from './decider.ts'
import type { EventStore, StoreError } from './store.ts'

/**
 * A decider, or a function that makes one for a stream. Give a factory when the decider's state
 * holds anything mutable: it is called for every attempt of every command, so each stream (and each
 * retry) folds from a fresh `initialState` and no two streams ever share one.
 *
 * @example
 * import type { DeciderSource } from '@banksocket-webhooks/core'
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
 * import type { VersionConflict } from '@banksocket-webhooks/core'
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
 * import type { CommandResult } from '@banksocket-webhooks/core'
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
 * import { createInMemoryEventStore, subscriptionDecider, type CommandHandlerOptions, type SubscriptionCommand,
 *   type SubscriptionError, type SubscriptionEvent, type SubscriptionState } from '@banksocket-webhooks/core'
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
 * import { DEFAULT_MAX_RETRIES } from '@banksocket-webhooks/core'
 * DEFAULT_MAX_RETRIES // 3
 */
export const DEFAULT_MAX_RETRIES = 3

/**
 * Makes the command handler for one decider over one store. For each command it:
 *
 * 1. reads the stream (`readStream`) and folds its events with `evolve`, from a fresh
 *    `initialState`;
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
  const { store, decider } = options
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
    throw new TypeError(`maxRetries must be a non-negative integer (the number of retries after a version conflict), got ${String(maxRetries)}`)
  }
  const deciderFor = typeof decider === 'function' ? decider : () => decider

  return (stream, command) => async () => {
    for (let attempt = 1; ; attempt++) {
      const read = await store.readStream(stream)()
      if (E.isLeft(read)) return E.left({ _tag: 'StoreError', stream, error: read.left })
      const d = deciderFor(stream)
      let state = d.initialState
      for (const event of read.right.events) state = d.evolve(state, event)
      const decided = d.decide(command, state)
      if (E.isLeft(decided)) return E.left({ _tag: 'DomainError', stream, error: decided.left })
      const events = decided.right
      if (events.length === 0) return E.right({ stream, events, nextVersion: read.right.version, state, attempts: attempt })
      const appended = await store.appendToStream(stream, events, read.right.version)()
      if (E.isRight(appended)) {
        for (const event of events) state = d.evolve(state, event)
        return E.right({ stream, events, nextVersion: appended.right.nextVersion, state, attempts: attempt })
      }
      const error = appended.left
      if (error._tag !== 'VersionConflict') return E.left({ _tag: 'StoreError', stream, error })
      if (attempt > maxRetries) return E.left({ _tag: 'RetriesExhausted', stream, attempts: attempt, conflict: error })
    }
  }
}
