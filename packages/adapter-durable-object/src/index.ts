/**
 * `@banksocket-webhooks/adapter-durable-object`: Cloudflare Workers with a store of their own. An
 * event store with global positions and checkpoints on a Durable Object's SQLite storage, and a
 * Durable Object class that hosts the receiver on it (one object per Banksocket webhook), so that
 * duplicates, replays and the balance chain have one truth across every isolate; projections kept
 * in the object's own database, exactly once; and forwarding to an application, signed as Standard
 * Webhooks, driven by the object's alarm. Web APIs only; structural types, so no
 * `@cloudflare/workers-types` is needed.
 *
 * @example
 * import { defineInboxObject, inboxRouter } from '@banksocket-webhooks/adapter-durable-object'
 *
 * type Env = { INBOX: DurableObjectNamespace; BANKSOCKET_SECRET: string; FORWARD_URL: string; FORWARD_SECRET: string }
 * export const BanksocketInbox = defineInboxObject<Env>((env, name) =>
 *   name === 'acme' ? { secrets: [env.BANKSOCKET_SECRET], forward: { url: env.FORWARD_URL, secret: env.FORWARD_SECRET } } : undefined,
 * )
 * export default { fetch: inboxRouter<Env>({ namespace: (env) => env.INBOX }) }
 *
 * @packageDocumentation
 */
export type { AlarmNext, AlarmPorts, AlarmRunError } from './alarm.ts'
export { createDurableObjectCheckpoints, type DurableObjectCheckpoints } from './checkpoints.ts'
export {
  createDurableObjectEventStore,
  type DurableObjectCodec,
  type DurableObjectEventStore,
  type DurableObjectEventStoreOptions,
  type DurableObjectRecordResult,
} from './event-store.ts'
export {
  type AlarmForwarder,
  createAlarmForwarder,
  type ForwardingOptions,
  type ForwardRun,
} from './forwarding.ts'
export {
  defineInboxObject,
  type InboxConfiguration,
  type InboxObject,
  type InboxObjectClass,
  type InboxObjectOptions,
  type InboxObjectState,
} from './inbox-object.ts'
export { createProjectionRunner, type Projection, type ProjectionRun, type ProjectionRunner } from './projections.ts'
export {
  INBOX_NAME,
  type InboxNamespace,
  type InboxRouterOptions,
  type InboxStub,
  inboxNameOf,
  inboxRouter,
  type NoInbox,
  routeToInbox,
} from './routing.ts'
export {
  DURABLE_OBJECT_MIGRATIONS,
  DURABLE_OBJECT_SCHEMA_VERSION,
  type DurableObjectMigration,
  ensureSchema,
} from './schema.ts'
export type { DurableObjectStorageLike, SqlCursorLike, SqlFailure, SqlRow, SqlStorageLike, SqlValue } from './sql.ts'
