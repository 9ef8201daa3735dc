/**
 * The Worker that runs the receiver contract (packages/test-support/src/receiver-contract.ts)
 * through the inbox object: every case gets an object of its own, configured first by
 * `PUT /configure/<name>` with the case's options as JSON (`secrets`, `limit`, `now` as an ISO
 * time; kept in this isolate, which is the one that hosts the objects under miniflare), then sent
 * its requests at `/banksocket/<name>`. The object answers as any inbox object does and keeps the
 * receiver events the request caused, in order; `GET /events/<name>` then answers them (JSON,
 * bigints as `123n`), so that the Node side can replay them to the contract's recorder. (Not in a
 * header of the answer: a transaction's event repeats its fields, and a 64 KiB body's overflows a
 * header.)
 */
import type { ReceiverEventName } from '@banksocket-webhooks/receiver'
import { defineInboxObject, type InboxObjectOptions, type InboxObjectState } from '../../src/inbox-object.ts'
import { type InboxNamespace, inboxNameOf, inboxRouter } from '../../src/routing.ts'

export interface Env {
  INBOX: InboxNamespace
}

type CaseOptions = Readonly<{ secrets: ReadonlyArray<string>; limit?: number; now?: string }>

const NAMES: ReadonlyArray<ReceiverEventName> = ['transaction', 'credit', 'debit', 'duplicate', 'gap', 'rejected', 'error']

/** Each case's options, by object name, and each object's events since its request began. */
const configured = new Map<string, CaseOptions>()
const events = new Map<string, Array<Readonly<{ name: string; payload: unknown }>>>()

const Base = defineInboxObject<Env>((_env, name): InboxObjectOptions | undefined => {
  const options = configured.get(name)
  if (options === undefined) return undefined
  const now = options.now
  return {
    secrets: options.secrets,
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(now === undefined ? {} : { now: () => new Date(now) }),
    listeners: (receiver) => {
      for (const event of NAMES) receiver.on(event, (payload: unknown) => void events.get(name)?.push({ name: event, payload }))
    },
  }
})

const bigintSafe = (_: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)

export class Inbox extends Base {
  readonly #name: string
  constructor(ctx: InboxObjectState, env: Env) {
    super(ctx, env)
    this.#name = ctx.id.name ?? ''
  }

  override async fetch(request: Request): Promise<Response> {
    events.set(this.#name, [])
    return super.fetch(request)
  }
}

const route = inboxRouter<Env>({ namespace: (env) => env.INBOX })

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const configure = inboxNameOf(request.url, '/configure/')
    if (configure._tag === 'Right' && request.method === 'PUT') {
      configured.set(configure.right, (await request.json()) as CaseOptions)
      return new Response(null, { status: 204 })
    }
    const reported = inboxNameOf(request.url, '/events/')
    if (reported._tag === 'Right') return new Response(JSON.stringify(events.get(reported.right) ?? [], bigintSafe))
    return route(request, env)
  },
}
