/**
 * The inbox hosted by a Durable Object: one object per Banksocket webhook (one secret), named by
 * configuration, runs the receiver on its own SQLite store, so duplicates, replays and the balance
 * chain have one truth however many isolates the Worker runs in (docs/architecture.md, "One key
 * space for duplicates and replays" and "The balance chain").
 *
 * - **Ordering.** Workers runs one object in one place, one event at a time; its SQLite calls are
 *   synchronous, so each `record` (events, ledger state and key claim, in one transaction) runs
 *   without anything in between, and the inbox takes one delivery at a time per ledger in arrival
 *   order. The receiver decides on the state it read from, or last wrote to, this database.
 * - **Answered after the commit.** The object's output gate holds the answer until every write made
 *   before it (the delivery's transaction, the alarm) is durable, so a `200` is never sent for a
 *   notification that could still be lost.
 * - **State from storage.** Nothing is kept only in memory: an object evicted and made again reads
 *   each ledger's state and every key from its database at the next delivery.
 * - **Forwarding.** With `forward`, a delivery that recorded events sets the alarm (unless one is
 *   set), and `alarm()` runs the {@link createAlarmForwarder} forwarder: see its module.
 * - **Projections.** With `projections`, the same alarm keeps read models in the object's own
 *   database, each event handled exactly once with its checkpoint's move (see projections.ts).
 *
 * Structural types only: no `cloudflare:workers` import; `ctx` is the object's state as workerd
 * hands it to the constructor.
 *
 * @module
 */
import { type ConsumerEvent, withConsumerEvents } from '@banksocket-webhooks/consumers'
import { LedgerEvent, type LedgerState } from '@banksocket-webhooks/core'
import { answerFor, NOT_FOUND } from '@banksocket-webhooks/core/runtime-kit'
import { LedgerStateCodec } from '@banksocket-webhooks/core/store-kit'
import { createReceiver, type Receiver, type ReceiverOptions, readRequestBody } from '@banksocket-webhooks/receiver'
import * as E from 'fp-ts/lib/Either.js'
import { type AlarmNext, type AlarmRunError, nextAlarm } from './alarm.ts'
import { createDurableObjectCheckpoints } from './checkpoints.ts'
import { createDurableObjectEventStore } from './event-store.ts'
import { type AlarmForwarder, createAlarmForwarder, type ForwardingOptions, type ForwardRun } from './forwarding.ts'
import { createProjectionRunner, type Projection, type ProjectionRun, type ProjectionRunner } from './projections.ts'
import { responseOf } from './routing.ts'
import type { DurableObjectStorageLike } from './sql.ts'

/**
 * What an inbox object needs of its `ctx` (`DurableObjectState`): its id's name (set by
 * `idFromName`, inside the object too) and its SQLite storage with the alarm.
 *
 * @example
 * import type { InboxObjectState } from '@banksocket-webhooks/adapter-durable-object'
 * const nameOf = (ctx: InboxObjectState) => ctx.id.name
 */
export type InboxObjectState = Readonly<{
  id: Readonly<{ name?: string | undefined }>
  storage: DurableObjectStorageLike & Required<Pick<DurableObjectStorageLike, 'getAlarm' | 'setAlarm'>>
}>

/**
 * How one inbox object receives and forwards: the receiver's options (`secrets`, `limit`,
 * `handlerTimeout`, `filter`, `meter`, …; not `store`, which is the object's, nor `path`, which
 * the Worker's router already matched), plus:
 *
 * - `forward`: forward every recorded event to an application, signed as Standard Webhooks, from
 *   the object's alarm (see {@link ForwardingOptions});
 * - `listeners`: called once with the receiver when the object opens, to add listeners
 *   (`receiver.on('credit', …)`); they run before the answer, as with any receiver;
 * - `onForwardRun`: told what each alarm run did (to log a paused forwarding, say); a throw is
 *   ignored;
 * - `projections`: read models in the object's own SQLite database, fed exactly once from its
 *   feed by the alarm (see {@link Projection}), and `onProjectionRun`, told what each run did.
 *
 * @example
 * import type { InboxObjectOptions } from '@banksocket-webhooks/adapter-durable-object'
 * const options: InboxObjectOptions = {
 *   secrets: [env.BANKSOCKET_SECRET_ACME],
 *   forward: { url: 'https://app.example/banksocket', secret: env.FORWARD_SECRET },
 *   listeners: (receiver) => receiver.on('gap', (gap) => console.warn(`${gap.event.data.missing} ${gap.currency} never notified`)),
 * }
 */
export type InboxObjectOptions = Omit<ReceiverOptions, 'store' | 'path'> &
  Readonly<{
    /** Forward each recorded event from the object's alarm. @default undefined: no forwarding, no alarm */
    forward?: ForwardingOptions
    /** Adds the receiver's listeners, once per object instance. */
    listeners?: (receiver: Receiver) => void
    /** Told what each forwarding run did. */
    onForwardRun?: (run: ForwardRun) => void
    /**
     * Read models kept in the object's own database, each event handled exactly once with the
     * move of the projection's checkpoint (see {@link Projection}); run by the alarm, in order.
     * @default []
     */
    projections?: ReadonlyArray<Projection>
    /** Told what each projection's run did. */
    onProjectionRun?: (run: ProjectionRun) => void
  }>

/**
 * The options of the inbox named `name` (the name the Worker routed to), from the Worker's
 * bindings; `undefined` for a name you did not configure (the object answers 404 and forwards
 * nothing). Called once per object instance, on its first request or alarm.
 *
 * @example
 * import type { InboxConfiguration } from '@banksocket-webhooks/adapter-durable-object'
 * const configure: InboxConfiguration<{ SECRETS: Record<string, string> }> = (env, name) =>
 *   env.SECRETS[name] === undefined ? undefined : { secrets: [env.SECRETS[name]] }
 */
export type InboxConfiguration<Env> = (env: Env, name: string) => InboxObjectOptions | undefined

/**
 * An inbox object: a Durable Object's `fetch` (one delivery, answered with the receiver's HTTP
 * contract) and `alarm` (forwarding).
 *
 * @example
 * import type { InboxObject } from '@banksocket-webhooks/adapter-durable-object'
 * const deliver = (inbox: InboxObject, request: Request) => inbox.fetch(request)
 */
export interface InboxObject {
  fetch(request: Request): Promise<Response>
  alarm(): Promise<void>
}

/**
 * The class {@link defineInboxObject} makes: export it from the Worker under the `class_name` of
 * its `durable_objects` binding.
 *
 * @example
 * import type { InboxObjectClass } from '@banksocket-webhooks/adapter-durable-object'
 * declare const BanksocketInbox: InboxObjectClass<Env>
 */
export type InboxObjectClass<Env> = new (ctx: InboxObjectState, env: Env) => InboxObject

/** The receiver and forwarder of a configured object. */
type Hosted = Readonly<{
  name: string
  receiver: Receiver
  forwarder: AlarmForwarder | undefined
  onForwardRun: ((run: ForwardRun) => void) | undefined
  projections: ReadonlyArray<ProjectionRunner>
  onProjectionRun: ((run: ProjectionRun) => void) | undefined
}>

/** Whether the object runs anything from its alarm. */
const hasConsumers = (hosted: Hosted): boolean => hosted.forwarder !== undefined || hosted.projections.length > 0

/** Calls an application's hook; its failure is its own. */
const tell = <A>(hook: ((value: A) => void) | undefined, value: A): void => {
  try {
    hook?.(value)
  } catch {
    // A hook's failure is not the consumer's.
  }
}

const describe = (error: AlarmRunError): string => {
  switch (error._tag) {
    case 'StoreFailure':
      return error.message
    case 'VersionConflict':
      return `${error.stream} moved from version ${String(error.expected)} to ${error.actual}`
    case 'CheckpointConflict':
      return `the checkpoint moved from ${String(error.expected)} to ${String(error.actual)} meanwhile`
    case 'WorkFailed':
      return error.error instanceof Error ? error.error.message : String(error.error)
  }
}

/** What the object's store holds: ledger events and the forwarder's `ForwardFailed` records. */
const STORED_EVENT = withConsumerEvents(LedgerEvent)

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * Makes the Durable Object class that hosts a Banksocket inbox. Each object (one per name, one name
 * per webhook) is configured by `configure(env, name)` on its first request or alarm, keeps every
 * event, ledger state and idempotency key in its SQLite storage (the store of this package), and:
 *
 * - `fetch(request)`: reads the body under the receiver's `limit` and answers with the receiver's
 *   HTTP contract: `200 {"status":"ok"}` once the events are committed, `200
 *   {"status":"duplicate"}`, `401`, `400`, `405`, `413`, `415`, `500`; `404 {"error":"not_found"}`
 *   when `configure` answers `undefined`. Every path is delivered (the router matched it). A
 *   delivery that recorded events, with `forward` or `projections` set, arms the alarm (now)
 *   unless it is set; so does the object's first request after it opened.
 * - `alarm()`: one run of each projection, in order, then one forwarding run, each from its own
 *   checkpoint; the alarm is set again for the earliest thing left to do. Everything done: no
 *   alarm. More than a batch: the alarm again at once. A handler or the application failed: the
 *   alarm at the backoff's time (the consumers' own backoff, counted in storage, not the
 *   runtime's alarm retries). The store failed: `alarm()` throws, and Workers retries the alarm
 *   with its own backoff.
 *
 * A configuration that cannot work (no secret, a bad forwarding secret or URL) answers 500
 * `{"error":"internal_error"}` and logs why, never quoting a secret. The object's name comes from
 * `ctx.id.name`, which workerd sets inside an object reached by `idFromName` (route with
 * `routeToInbox` or `inboxRouter`); an object without a name cannot be configured.
 *
 * @example
 * import { defineInboxObject, inboxRouter } from '@banksocket-webhooks/adapter-durable-object'
 *
 * export const BanksocketInbox = defineInboxObject<Env>((env, name) => {
 *   const secret = env[`BANKSOCKET_SECRET_${name.toUpperCase()}`]
 *   return secret === undefined ? undefined : { secrets: [secret], forward: { url: env.FORWARD_URL, secret: env.FORWARD_SECRET } }
 * })
 * export default { fetch: inboxRouter<Env>({ prefix: '/banksocket/', namespace: (env) => env.INBOX }) }
 */
export const defineInboxObject = <Env>(configure: InboxConfiguration<Env>): InboxObjectClass<Env> =>
  class BanksocketInboxObject implements InboxObject {
    readonly #ctx: InboxObjectState
    readonly #env: Env
    /** The configured receiver and forwarder; `null` for a name not configured; `undefined` before the first call. */
    #hosted: Hosted | null | undefined
    /** Whether a delivery recorded events since the alarm was last armed. */
    #recorded = false

    constructor(ctx: InboxObjectState, env: Env) {
      this.#ctx = ctx
      this.#env = env
    }

    #open(): Hosted | null {
      if (this.#hosted !== undefined) return this.#hosted
      const name = this.#ctx.id.name
      if (typeof name !== 'string' || name === '')
        throw new TypeError(
          'banksocket inbox: this Durable Object has no name (ctx.id.name): reach it with idFromName, through routeToInbox or inboxRouter',
        )
      const options = configure(this.#env, name)
      if (options === undefined) {
        this.#hosted = null
        return null
      }
      const { forward, listeners, onForwardRun, projections = [], onProjectionRun, ...receiverOptions } = options
      const storage = this.#ctx.storage
      const store = createDurableObjectEventStore<LedgerEvent | ConsumerEvent, LedgerState>(storage, {
        codec: STORED_EVENT,
        stateCodec: LedgerStateCodec,
      })
      const receiver = createReceiver({ ...receiverOptions, store })
      const ports = { storage, store, checkpoints: createDurableObjectCheckpoints(storage) }
      const forwarder = forward === undefined ? undefined : createAlarmForwarder(ports, forward)
      const runners = projections.map((projection) => createProjectionRunner(ports, projection))
      const hosted: Hosted = { name, receiver, forwarder, onForwardRun, projections: runners, onProjectionRun }
      if (hasConsumers(hosted)) {
        // Something may be due already (a projection added since the last deploy, a retry): ring once
        // when the object opens, then after each delivery that recorded events.
        this.#recorded = true
        receiver.on('recorded', () => {
          this.#recorded = true
        })
      }
      listeners?.(receiver)
      this.#hosted = hosted
      return hosted
    }

    /** Sets the alarm for now, unless one is set (a backoff's, or one not yet run). */
    async #arm(): Promise<void> {
      const storage = this.#ctx.storage
      if ((await storage.getAlarm()) === null) await storage.setAlarm(Date.now())
    }

    async fetch(request: Request): Promise<Response> {
      let hosted: Hosted | null
      try {
        hosted = this.#open()
      } catch (error) {
        console.error(`banksocket inbox: cannot open: ${messageOf(error)}`)
        return responseOf(answerFor({ _tag: 'internal_error', error }))
      }
      if (hosted === null) return responseOf(NOT_FOUND)
      const answer = await hosted.receiver.handle({
        method: request.method,
        url: request.url,
        contentType: request.headers.get('content-type'),
        body: (limit) => readRequestBody(request, limit),
      })
      if (this.#recorded) {
        this.#recorded = false
        try {
          await this.#arm()
        } catch (error) {
          // The events are committed either way: answer as decided, and arm at the next request.
          this.#recorded = true
          console.error(`banksocket inbox ${hosted.name}: could not set the alarm: ${messageOf(error)}`)
        }
      }
      return responseOf(answer)
    }

    async alarm(): Promise<void> {
      const hosted = this.#open()
      if (hosted === null || !hasConsumers(hosted)) return
      this.#recorded = false
      const nexts: AlarmNext[] = []
      // Projections first, in order, then the forwarder: each on its own checkpoint, so one that
      // waits for a retry does not hold the others back.
      for (const projection of hosted.projections) {
        const run = await projection.run()()
        // The store failed: let the runtime retry the alarm (with its own backoff).
        if (E.isLeft(run)) throw new Error(`banksocket inbox ${hosted.name}: projection '${projection.name}' stopped: ${describe(run.left)}`)
        tell(hosted.onProjectionRun, run.right)
        nexts.push(run.right.next)
      }
      if (hosted.forwarder !== undefined) {
        const run = await hosted.forwarder.run()()
        if (E.isLeft(run)) throw new Error(`banksocket inbox ${hosted.name}: forwarding stopped: ${describe(run.left)}`)
        tell(hosted.onForwardRun, run.right)
        nexts.push(run.right.next)
      }
      const at = nextAlarm(nexts, Date.now())
      if (at !== undefined) await this.#ctx.storage.setAlarm(at)
    }
  }
