/**
 * What a consumer records when it gives up on an event: an event of its own, in the store, on the
 * stream `consumer-<name>`, so that the record is as durable as the events it is about and a look
 * inside the store finds it.
 *
 * @module
 */
import * as t from 'io-ts'

const failure = t.type({
  consumer: t.string,
  position: t.number,
  stream: t.string,
  version: t.number,
  eventType: t.string,
  attempts: t.number,
  error: t.string,
  failedAt: t.string,
})

/**
 * A consumer gave up on the event at `position` (`stream`@`version`, of type `eventType`) after
 * `attempts` attempts; `error` is the last failure's message. Its checkpoint moved past it.
 *
 * @example
 * import { ConsumerFailed } from '@banksocket-webhooks/consumers'
 * const e: ConsumerFailed = { type: 'ConsumerFailed', data: { consumer: 'orders', position: 17, stream: 'ledger-69-TRY', version: 4,
 *   eventType: 'TransactionReceived', attempts: 10, error: 'order service answered 503', failedAt: '2026-12-07T10:00:00.000Z' } }
 */
export const ConsumerFailed = t.readonly(t.type({ type: t.literal('ConsumerFailed'), data: t.readonly(failure) }), 'ConsumerFailed')
/** @see {@link ConsumerFailed} */
export type ConsumerFailed = t.TypeOf<typeof ConsumerFailed>

/**
 * A forwarder gave up on delivering the event at `position` to `url` after `attempts` attempts
 * (the `forward_failed` of `banksocket forward`): `webhookId` is the message's id, `status` the
 * last HTTP status (absent when there was no answer), `error` the last failure.
 *
 * @example
 * import { ForwardFailed } from '@banksocket-webhooks/consumers'
 * const e: ForwardFailed = { type: 'ForwardFailed', data: { consumer: 'forward', position: 17, stream: 'ledger-69-TRY', version: 4,
 *   eventType: 'TransactionReceived', attempts: 20, error: 'answered 500', failedAt: '2026-12-07T10:00:00.000Z',
 *   url: 'https://app.example/banksocket', webhookId: 'msg_ledger-69-TRY_4', status: 500 } }
 */
export const ForwardFailed = t.readonly(
  t.type({
    type: t.literal('ForwardFailed'),
    data: t.readonly(t.intersection([failure, t.type({ url: t.string, webhookId: t.string }), t.partial({ status: t.number })])),
  }),
  'ForwardFailed',
)
/** @see {@link ForwardFailed} */
export type ForwardFailed = t.TypeOf<typeof ForwardFailed>

/**
 * The events consumers write: {@link ConsumerFailed} and {@link ForwardFailed}. A store that
 * consumers record failures in must accept them: open it with a codec that includes this one
 * (see {@link withConsumerEvents}).
 *
 * @example
 * import { ConsumerEvent } from '@banksocket-webhooks/consumers'
 * ConsumerEvent.is({ type: 'LedgerOpened' }) // false
 */
export const ConsumerEvent = t.union([ConsumerFailed, ForwardFailed], 'ConsumerEvent')
/** @see {@link ConsumerEvent} */
export type ConsumerEvent = t.TypeOf<typeof ConsumerEvent>

/**
 * A store codec that also accepts the consumers' own events: what to open a store with when
 * consumers record their failures in it.
 *
 * @example
 * import { LedgerEvent } from '@banksocket-webhooks/core'
 * import { withConsumerEvents } from '@banksocket-webhooks/consumers'
 * const codec = withConsumerEvents(LedgerEvent) // LedgerEvent | ConsumerEvent
 */
export const withConsumerEvents = <A, O>(codec: t.Type<A, O, unknown>): t.Type<A | ConsumerEvent, O | t.OutputOf<typeof ConsumerEvent>, unknown> =>
  t.union([codec, ConsumerEvent], `${codec.name} | ConsumerEvent`)

/**
 * The stream a consumer records its failures on.
 *
 * @example
 * import { consumerStream } from '@banksocket-webhooks/consumers'
 * consumerStream('orders') // 'consumer-orders'
 */
export const consumerStream = (name: string): string => `consumer-${name}`
