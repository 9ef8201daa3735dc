import { test } from 'uvu'
import { given } from '../../test-support/src/gwt.ts'
import { type CreateWebhookInput, type SubscriptionEvent, subscriptionDecider } from '../src/index.ts'

const spec: CreateWebhookInput = { title: 'orders', endpoint: 'https://shop.example/bs', event: 'NEW_CREDIT', account: 'all' }
const webhook = { id: 1233, endpoint: spec.endpoint, title: spec.title }
const created: SubscriptionEvent = { type: 'WebhookCreated', data: { webhook, spec } }
const deleted: SubscriptionEvent = { type: 'WebhookDeleted', data: { id: 1233 } }
const subscriptions = given(subscriptionDecider)

test('a new webhook is recorded', () => {
  subscriptions([]).when({ type: 'RecordWebhookCreated', data: { webhook, spec } }).then([created])
})

test('no duplicate subscription for the same endpoint, event and account (title aside)', () => {
  subscriptions([created])
    .when({ type: 'RecordWebhookCreated', data: { webhook: { ...webhook, id: 2 }, spec: { ...spec, title: 'other' } } })
    .thenFails({ _tag: 'DuplicateSubscription', existing: { webhook, spec } })
})

test('another event or account is another subscription', () => {
  const debit = { ...spec, event: 'NEW_DEBIT' as const }
  subscriptions([created])
    .when({ type: 'RecordWebhookCreated', data: { webhook: { ...webhook, id: 2 }, spec: debit } })
    .then([{ type: 'WebhookCreated', data: { webhook: { ...webhook, id: 2 }, spec: debit } }])
  const one = { ...spec, account: 69 }
  subscriptions([created])
    .when({ type: 'RecordWebhookCreated', data: { webhook: { ...webhook, id: 3 }, spec: one } })
    .then([{ type: 'WebhookCreated', data: { webhook: { ...webhook, id: 3 }, spec: one } }])
})

test('the same webhook id is not recorded twice', () => {
  subscriptions([created, deleted])
    .when({ type: 'RecordWebhookCreated', data: { webhook, spec } })
    .thenFails({ _tag: 'WebhookAlreadyRecorded', id: 1233 })
})

test('after a delete the same spec may be subscribed again', () => {
  const again = { ...webhook, id: 4 }
  subscriptions([created, deleted])
    .when({ type: 'RecordWebhookCreated', data: { webhook: again, spec } })
    .then([{ type: 'WebhookCreated', data: { webhook: again, spec } }])
})

test('an active webhook is deleted once', () => {
  subscriptions([created])
    .when({ type: 'RecordWebhookDeleted', data: { id: 1233 } })
    .then([deleted])
})

test('no double delete', () => {
  subscriptions([created, deleted])
    .when({ type: 'RecordWebhookDeleted', data: { id: 1233 } })
    .thenFails({ _tag: 'WebhookAlreadyDeleted', id: 1233 })
})

test('an unknown webhook cannot be deleted', () => {
  subscriptions([])
    .when({ type: 'RecordWebhookDeleted', data: { id: 7 } })
    .thenFails({ _tag: 'UnknownWebhook', id: 7 })
})

test.run()
