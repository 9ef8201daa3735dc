/**
 * The subscription decider: which webhooks this application holds at Banksocket. It refuses a second
 * webhook for the same endpoint, event and account, and a delete of a webhook that is unknown or
 * already deleted.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import type { AccountSelector, CreateWebhookInput, Webhook, WebhookEvent } from './codecs.ts'
import type { Decider } from './decider.ts'
import type { SubscriptionEvent } from './events.ts'

/**
 * What makes two subscriptions the same: endpoint, event and account (the title is a label).
 *
 * @example
 * import type { SubscriptionSpec } from '@banksocket-webhooks/core'
 * const spec: SubscriptionSpec = { endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' }
 */
export type SubscriptionSpec = Readonly<{ endpoint: string; event: WebhookEvent; account: AccountSelector }>

/**
 * An active subscription: the webhook Banksocket returned and the input it was created with.
 *
 * @example
 * import type { Subscription } from '@banksocket-webhooks/core'
 * const s: Subscription = { webhook: { id: 1, endpoint: 'https://shop.example/bs', title: 'orders' },
 *   spec: { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' } }
 */
export type Subscription = Readonly<{ webhook: Webhook; spec: CreateWebhookInput }>

/**
 * Subscription state: active subscriptions by webhook id, and ids already deleted.
 *
 * @example
 * import { subscriptionDecider } from '@banksocket-webhooks/core'
 * subscriptionDecider.initialState.active.size // 0
 */
export type SubscriptionState = Readonly<{
  active: ReadonlyMap<number, Subscription>
  deleted: ReadonlySet<number>
}>

/**
 * Commands: record a webhook Banksocket created, or one it deleted. The service checks with
 * {@link checkSubscribe} / {@link checkUnsubscribe} before it calls the API, then records the result.
 *
 * @example
 * import type { SubscriptionCommand } from '@banksocket-webhooks/core'
 * const c: SubscriptionCommand = { type: 'RecordWebhookDeleted', data: { id: 1233 } }
 */
export type SubscriptionCommand =
  | Readonly<{ type: 'RecordWebhookCreated'; data: Subscription }>
  | Readonly<{ type: 'RecordWebhookDeleted'; data: Readonly<{ id: number }> }>

/**
 * Why a subscription command is refused.
 *
 * @example
 * import type { SubscriptionError } from '@banksocket-webhooks/core'
 * const e: SubscriptionError = { _tag: 'WebhookAlreadyDeleted', id: 1233 }
 */
export type SubscriptionError =
  | Readonly<{ _tag: 'DuplicateSubscription'; existing: Subscription }>
  | Readonly<{ _tag: 'WebhookAlreadyRecorded'; id: number }>
  | Readonly<{ _tag: 'UnknownWebhook'; id: number }>
  | Readonly<{ _tag: 'WebhookAlreadyDeleted'; id: number }>

const sameSpec = (a: SubscriptionSpec, b: SubscriptionSpec): boolean => a.endpoint === b.endpoint && a.event === b.event && a.account === b.account

/**
 * The active subscription with the same endpoint, event and account, if any.
 *
 * @example
 * import { findSubscription } from '@banksocket-webhooks/core/runtime-kit'
 * import { subscriptionDecider } from '@banksocket-webhooks/core'
 * findSubscription(subscriptionDecider.initialState, { endpoint: 'https://x.example', event: 'NEW_TRANSACTION', account: 'all' }) // undefined
 */
export const findSubscription = (state: SubscriptionState, spec: SubscriptionSpec): Subscription | undefined => {
  for (const s of state.active.values()) if (sameSpec(s.spec, spec)) return s
  return undefined
}

/**
 * Right when a webhook for `spec` may be created: no active subscription has the same spec.
 *
 * @example
 * import { checkSubscribe } from '@banksocket-webhooks/core/runtime-kit'
 * import { subscriptionDecider } from '@banksocket-webhooks/core'
 * checkSubscribe(subscriptionDecider.initialState, { endpoint: 'https://x.example', event: 'NEW_TRANSACTION', account: 'all' }) // Right(undefined)
 */
export const checkSubscribe = (state: SubscriptionState, spec: SubscriptionSpec): E.Either<SubscriptionError, void> => {
  const existing = findSubscription(state, spec)
  return existing === undefined ? E.right(undefined) : E.left({ _tag: 'DuplicateSubscription', existing })
}

/**
 * Right when webhook `id` is active and may be deleted.
 *
 * @example
 * import { checkUnsubscribe } from '@banksocket-webhooks/core/runtime-kit'
 * import { subscriptionDecider } from '@banksocket-webhooks/core'
 * checkUnsubscribe(subscriptionDecider.initialState, 7) // Left({ _tag: 'UnknownWebhook', id: 7 })
 */
export const checkUnsubscribe = (state: SubscriptionState, id: number): E.Either<SubscriptionError, Subscription> => {
  const active = state.active.get(id)
  if (active !== undefined) return E.right(active)
  return E.left(state.deleted.has(id) ? { _tag: 'WebhookAlreadyDeleted', id } : { _tag: 'UnknownWebhook', id })
}

/**
 * The subscription decider.
 *
 * @example
 * import { subscriptionDecider } from '@banksocket-webhooks/core'
 * const events = subscriptionDecider.decide(
 *   { type: 'RecordWebhookDeleted', data: { id: 1 } },
 *   subscriptionDecider.initialState,
 * ) // Left({ _tag: 'UnknownWebhook', id: 1 })
 */
export const subscriptionDecider: Decider<SubscriptionCommand, SubscriptionEvent, SubscriptionState, SubscriptionError> = {
  initialState: { active: new Map(), deleted: new Set() },
  decide: (command, state) => {
    switch (command.type) {
      case 'RecordWebhookCreated': {
        const { webhook, spec } = command.data
        if (state.active.has(webhook.id) || state.deleted.has(webhook.id)) {
          return E.left({ _tag: 'WebhookAlreadyRecorded', id: webhook.id })
        }
        return E.map(() => [{ type: 'WebhookCreated' as const, data: { webhook, spec } }])(checkSubscribe(state, spec))
      }
      case 'RecordWebhookDeleted':
        return E.map(() => [{ type: 'WebhookDeleted' as const, data: { id: command.data.id } }])(checkUnsubscribe(state, command.data.id))
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'WebhookCreated': {
        const active = new Map(state.active)
        active.set(event.data.webhook.id, event.data)
        return { active, deleted: state.deleted }
      }
      case 'WebhookDeleted': {
        const active = new Map(state.active)
        active.delete(event.data.id)
        return { active, deleted: new Set(state.deleted).add(event.data.id) }
      }
    }
  },
}
