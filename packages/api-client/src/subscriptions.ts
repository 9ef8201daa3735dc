/**
 * Event-sourced subscriptions: the core subscription decider run against the management API and an
 * event store. The stream records every webhook this application created (`WebhookCreated`) and
 * deleted (`WebhookDeleted`), so it always knows what it holds at Banksocket, refuses a duplicate,
 * and can make sure a webhook exists without calling the API when it already does.
 *
 * Each operation reads the stream, checks the command against the state, calls the API, then
 * records the change through core's command handler (`createCommandHandler`: read, decide, append
 * with the version read, optimistic concurrency). When the append meets a version
 * conflict (another writer appended meanwhile), the webhook already exists (or is gone) at
 * Banksocket, so the service does not call the API again: it re-reads the stream and decides the
 * same record command against the new state, up to {@link MAX_RECORD_ATTEMPTS} times:
 *
 * - the other writer recorded a different webhook: the record is appended at the new version;
 * - the other writer recorded one for the same endpoint, event and account (two processes raced to
 *   subscribe): the webhook just created is a duplicate, so it is deleted again (a compensating
 *   `DELETE`), and the caller gets `DuplicateSubscription` (`subscribe`) or the recorded webhook
 *   (`ensureSubscribed`);
 * - the other writer already recorded this very webhook or deletion: nothing more to do.
 *
 * If the change cannot be recorded at all (a store failure, conflicts beyond the limit, or the
 * compensating `DELETE` failed), the caller gets `CreatedNotRecorded` / `DeletedNotRecorded`, which
 * carry the webhook so that it can be recorded or deleted by hand: the remote change happened.
 *
 * @module
 */
import {
  type CreateWebhookInput,
  createCommandHandler,
  createInMemoryEventStore,
  type EventStore,
  fold,
  type StoreError,
  type Subscription,
  type SubscriptionCommand,
  type SubscriptionError,
  type SubscriptionEvent,
  type SubscriptionState,
  subscriptionDecider,
  type Webhook,
} from '@banksocket-webhooks/core'
import { checkSubscribe, checkUnsubscribe, findSubscription } from '@banksocket-webhooks/core/runtime-kit'
import { pipe } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { type BanksocketClient, decodeCreateInput, decodeWebhookId } from './client.ts'
import type { ApiError } from './errors.ts'

/**
 * Banksocket created a webhook, but the subscription stream could not record it. The webhook
 * exists remotely: record it or delete it. `cause` is the store error, or the API error of the
 * compensating `DELETE` after a lost race.
 *
 * @example
 * import type { CreatedNotRecorded } from '@banksocket-webhooks/api-client'
 * const e: CreatedNotRecorded = { _tag: 'CreatedNotRecorded',
 *   webhook: { id: 1233, endpoint: 'https://shop.example/bs', title: 'orders' },
 *   spec: { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' },
 *   cause: { _tag: 'StoreFailure', message: 'disk full' } }
 */
export type CreatedNotRecorded = Readonly<{
  _tag: 'CreatedNotRecorded'
  webhook: Webhook
  spec: CreateWebhookInput
  cause: StoreError | ApiError
}>

/**
 * Banksocket deleted a webhook, but the subscription stream could not record it: it still lists
 * the webhook as active. Calling `unsubscribe` again records it (Banksocket's 404 counts as deleted).
 *
 * @example
 * import type { DeletedNotRecorded } from '@banksocket-webhooks/api-client'
 * const e: DeletedNotRecorded = { _tag: 'DeletedNotRecorded', id: 1233, cause: { _tag: 'StoreFailure', message: 'disk full' } }
 */
export type DeletedNotRecorded = Readonly<{ _tag: 'DeletedNotRecorded'; id: number; cause: StoreError }>

/**
 * Everything a subscription operation can fail with: the API ({@link ApiError}), the decider
 * (`SubscriptionError`: `DuplicateSubscription`, `UnknownWebhook`, `WebhookAlreadyDeleted`, ...),
 * the store (`StoreError`), or a remote change the stream could not record.
 *
 * @example
 * import type { SubscriptionServiceError } from '@banksocket-webhooks/api-client'
 * const alreadyThere = (e: SubscriptionServiceError) => e._tag === 'DuplicateSubscription'
 */
export type SubscriptionServiceError = ApiError | SubscriptionError | StoreError | CreatedNotRecorded | DeletedNotRecorded

/**
 * How many times a record is decided and appended before a persistent version conflict is given
 * up as `CreatedNotRecorded` / `DeletedNotRecorded`.
 *
 * @example
 * import { MAX_RECORD_ATTEMPTS } from '@banksocket-webhooks/api-client'
 * MAX_RECORD_ATTEMPTS // 5
 */
export const MAX_RECORD_ATTEMPTS = 5

/**
 * Options of {@link createSubscriptionService}.
 *
 * @example
 * import { createClient, createSubscriptionService } from '@banksocket-webhooks/api-client'
 * const service = createSubscriptionService({ client: createClient({ token: 't' }), stream: 'shop-subscriptions' })
 */
export type SubscriptionServiceOptions = Readonly<{
  /** The management API client. */
  client: BanksocketClient
  /**
   * Where `WebhookCreated` and `WebhookDeleted` are kept. Pass a durable store to remember
   * subscriptions across restarts.
   * @default createInMemoryEventStore()
   */
  store?: EventStore<SubscriptionEvent>
  /**
   * The stream name in the store.
   * @default 'subscriptions'
   */
  stream?: string
}>

/**
 * Subscriptions kept as events. Operations of one service run one at a time, so one process never
 * races itself; several processes sharing a store are reconciled by the version check.
 *
 * @example
 * import { createClient, createSubscriptionService } from '@banksocket-webhooks/api-client'
 * const service: SubscriptionService = createSubscriptionService({ client: createClient({ token: 't' }) })
 */
export interface SubscriptionService {
  /**
   * Creates a webhook and records `WebhookCreated`. Fails with `DuplicateSubscription` (no API
   * call) when one for the same endpoint, event and account is already held.
   */
  subscribe(input: CreateWebhookInput): TE.TaskEither<SubscriptionServiceError, Webhook>
  /**
   * Idempotent `subscribe`: answers the webhook already held for the same endpoint, event and
   * account without calling the API, or creates and records one.
   */
  ensureSubscribed(input: CreateWebhookInput): TE.TaskEither<SubscriptionServiceError, Webhook>
  /**
   * Deletes a held webhook and records `WebhookDeleted`; answers the subscription it ended. Fails
   * with `UnknownWebhook` or `WebhookAlreadyDeleted` (no API call) for a webhook not held. A 404
   * from Banksocket means the webhook is already gone there (deleted elsewhere, or by an earlier
   * attempt whose answer was lost), so it is recorded as deleted too.
   */
  unsubscribe(id: number): TE.TaskEither<SubscriptionServiceError, Subscription>
  /** The current state, folded from the stream. */
  state(): TE.TaskEither<StoreError, SubscriptionState>
}

type Loaded = Readonly<{ state: SubscriptionState; version: number }>

/**
 * Runs the subscription decider against a management API client and an event store.
 *
 * @example
 * import { createClient, createSubscriptionService } from '@banksocket-webhooks/api-client'
 * const service = createSubscriptionService({ client: createClient({ token: process.env.BANKSOCKET_TOKEN ?? '' }) })
 * const webhook = await service.ensureSubscribed({
 *   title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' })()
 */
export const createSubscriptionService = (options: SubscriptionServiceOptions): SubscriptionService => {
  const { client } = options
  const store = options.store ?? createInMemoryEventStore<SubscriptionEvent>()
  const stream = options.stream ?? 'subscriptions'
  const evolveAll = fold(subscriptionDecider)

  let tail: Promise<unknown> = Promise.resolve()
  const oneAtATime =
    <A>(task: TE.TaskEither<SubscriptionServiceError, A>): TE.TaskEither<SubscriptionServiceError, A> =>
    () => {
      const run = tail.then(task)
      tail = run.catch(() => undefined)
      return run
    }

  // A fresh read each time: a store may build its TaskEither from a snapshot taken when it is called.
  const load = (): TE.TaskEither<StoreError, Loaded> =>
    pipe(
      TE.fromIO(() => store.readStream(stream)),
      TE.chain((read) => read),
      TE.map((read) => ({ state: evolveAll(read.events), version: read.version })),
    )

  // Recording goes through core's one command handler: read the stream, decide, append with the
  // version read, and read and decide again after a version conflict.
  const handle = createCommandHandler({ store, decider: subscriptionDecider, maxRetries: MAX_RECORD_ATTEMPTS - 1 })

  /** Records `command` (after the API call it stands for), unwrapping the handler's error to the one that stopped it. */
  const record = (command: SubscriptionCommand): TE.TaskEither<SubscriptionError | StoreError, void> =>
    pipe(
      handle(stream, command),
      TE.bimap(
        (error): SubscriptionError | StoreError => (error._tag === 'RetriesExhausted' ? error.conflict : error.error),
        () => undefined,
      ),
    )

  const create = (spec: CreateWebhookInput, loaded: Loaded): TE.TaskEither<SubscriptionServiceError, Webhook> =>
    pipe(
      TE.fromEither(checkSubscribe(loaded.state, spec)),
      TE.chainW(() => client.createWebhook(spec)),
      TE.chainW((webhook) =>
        pipe(
          record({ type: 'RecordWebhookCreated', data: { webhook, spec } }),
          TE.map(() => webhook),
          TE.orElseW((error): TE.TaskEither<SubscriptionServiceError, Webhook> => {
            switch (error._tag) {
              case 'WebhookAlreadyRecorded':
                return TE.right(webhook)
              case 'DuplicateSubscription':
                // Lost a race: another writer recorded a webhook for this spec first. Ours is a duplicate.
                return pipe(
                  client.deleteWebhook(webhook.id),
                  TE.mapLeft((cause): SubscriptionServiceError => ({ _tag: 'CreatedNotRecorded', webhook, spec, cause })),
                  TE.chain((): TE.TaskEither<SubscriptionServiceError, Webhook> => TE.left(error)),
                )
              case 'VersionConflict':
              case 'StoreFailure':
                return TE.left({ _tag: 'CreatedNotRecorded', webhook, spec, cause: error })
              default:
                return TE.left(error)
            }
          }),
        ),
      ),
    )

  const subscribe = (input: CreateWebhookInput): TE.TaskEither<SubscriptionServiceError, Webhook> =>
    pipe(
      TE.fromEither(decodeCreateInput(input)),
      TE.chainW((spec) =>
        pipe(
          load(),
          TE.chainW((loaded) => create(spec, loaded)),
        ),
      ),
    )

  const ensureSubscribed = (input: CreateWebhookInput): TE.TaskEither<SubscriptionServiceError, Webhook> =>
    pipe(
      TE.fromEither(decodeCreateInput(input)),
      TE.chainW((spec) =>
        pipe(
          load(),
          TE.chainW((loaded) => {
            const held = findSubscription(loaded.state, spec)
            return held === undefined ? create(spec, loaded) : TE.right(held.webhook)
          }),
          TE.orElse((error) => (error._tag === 'DuplicateSubscription' ? TE.right(error.existing.webhook) : TE.left(error))),
        ),
      ),
    )

  const unsubscribe = (id: number): TE.TaskEither<SubscriptionServiceError, Subscription> =>
    pipe(
      TE.fromEither(decodeWebhookId(id)),
      TE.chainW((valid) =>
        pipe(
          load(),
          TE.chainW((loaded) =>
            pipe(
              TE.fromEither(checkUnsubscribe(loaded.state, valid)),
              TE.chainFirstW(() =>
                pipe(
                  client.deleteWebhook(valid),
                  TE.orElseW((error) => (error._tag === 'HttpError' && error.status === 404 ? TE.right(undefined) : TE.left(error))),
                ),
              ),
              TE.chainFirstW(() =>
                pipe(
                  record({ type: 'RecordWebhookDeleted', data: { id: valid } }),
                  TE.orElseW((error): TE.TaskEither<SubscriptionServiceError, void> => {
                    switch (error._tag) {
                      case 'WebhookAlreadyDeleted':
                        return TE.right(undefined)
                      case 'VersionConflict':
                      case 'StoreFailure':
                        return TE.left({ _tag: 'DeletedNotRecorded', id: valid, cause: error })
                      default:
                        return TE.left(error)
                    }
                  }),
                ),
              ),
            ),
          ),
        ),
      ),
    )

  return {
    subscribe: (input) => oneAtATime(subscribe(input)),
    ensureSubscribed: (input) => oneAtATime(ensureSubscribed(input)),
    unsubscribe: (id) => oneAtATime(unsubscribe(id)),
    state: () =>
      pipe(
        load(),
        TE.map((loaded) => loaded.state),
      ),
  }
}
