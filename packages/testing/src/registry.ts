/**
 * The mock's webhook registry: what `POST /v1/webhooks` creates and `DELETE /v1/webhooks/:id`
 * removes, and which webhooks a notification goes to (event and account filters).
 *
 * @module
 */
import { CreateWebhookInput, type PayloadProblem, type Subscription, type SubscriptionSpec } from '@banksocket-webhooks/core'
import { problemsOf } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'
import type { NotificationFields } from './notification.ts'

/**
 * Whether a webhook with this spec receives a notification: the event filter (`NEW_TRANSACTION`
 * all, `NEW_CREDIT` credits, `NEW_DEBIT` debits) and the account filter (`all` or the id in
 * `account_id`) must both match.
 *
 * @example
 * import { webhookMatches } from '@banksocket-webhooks/testing'
 * webhookMatches({ endpoint: 'http://x.test', event: 'NEW_CREDIT', account: 69 }, { dc: 'Credit', account_id: '69' }) // true
 * webhookMatches({ endpoint: 'http://x.test', event: 'NEW_CREDIT', account: 69 }, { dc: 'Debit', account_id: '69' })  // false
 */
export const webhookMatches = (spec: SubscriptionSpec, fields: NotificationFields): boolean => {
  const dc = fields['dc']
  const eventMatches =
    spec.event === 'NEW_TRANSACTION' || (spec.event === 'NEW_CREDIT' && dc === 'Credit') || (spec.event === 'NEW_DEBIT' && dc === 'Debit')
  const accountId = fields['account_id'] ?? ''
  const accountMatches = spec.account === 'all' || (/^\d{1,15}$/.test(accountId) && Number(accountId) === spec.account)
  return eventMatches && accountMatches
}

/**
 * Registered webhooks with increasing ids (from 1). Two webhooks with the same spec are allowed,
 * as the real API does not document a refusal; each receives its own copy.
 *
 * @internal
 * @example
 * const registry = new WebhookRegistry()
 * registry.create({ title: 't', endpoint: 'http://127.0.0.1:3000/', event: 'NEW_TRANSACTION', account: 'all' })
 */
export class WebhookRegistry {
  private readonly active = new Map<number, Subscription>()
  private nextId = 1

  /** `onDelete` runs after a webhook is removed (the mock cancels its pending deliveries). */
  constructor(private readonly onDelete: (id: number) => void = () => undefined) {}

  /** Validates `input` with core's `CreateWebhookInput` and registers it. */
  create(input: unknown): E.Either<ReadonlyArray<PayloadProblem>, Subscription> {
    const decoded = CreateWebhookInput.decode(input)
    if (E.isLeft(decoded)) return E.left(problemsOf(decoded.left))
    // a fresh plain record: the decoded value may be the parsed body itself (null prototype, extra keys)
    const { title, endpoint, event, account } = decoded.right
    const spec: CreateWebhookInput = { title, endpoint, event, account }
    const subscription: Subscription = {
      webhook: { id: this.nextId++, endpoint: spec.endpoint, title: spec.title },
      spec,
    }
    this.active.set(subscription.webhook.id, subscription)
    return E.right(subscription)
  }

  /** Removes a webhook; `false` when no active webhook has this id. */
  delete(id: number): boolean {
    const deleted = this.active.delete(id)
    if (deleted) this.onDelete(id)
    return deleted
  }

  has(id: number): boolean {
    return this.active.has(id)
  }

  list(): ReadonlyArray<Subscription> {
    return [...this.active.values()]
  }

  /** Active webhooks that receive `fields`, in registration order. */
  matching(fields: NotificationFields): ReadonlyArray<Subscription> {
    return this.list().filter((s) => webhookMatches(s.spec, fields))
  }
}
