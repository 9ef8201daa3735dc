/**
 * The Worker the inbox and forwarding tests load into workerd: the inbox object made by
 * `defineInboxObject`, routed by `inboxRouter` from `/banksocket/<name>`, configured from bindings
 * (`acme` and `globex` are configured, any other name is not). For the tests only, `GET
 * /ledgers/<name>` answers the object's ledger summaries (read from its store), so that a test
 * sees the balance chain, not only the answers.
 */
import type { Receiver } from '@banksocket-webhooks/receiver'
import { defineInboxObject, type InboxObjectState } from '../../src/inbox-object.ts'
import { type InboxNamespace, inboxNameOf, inboxRouter, routeToInbox } from '../../src/routing.ts'

export interface Env {
  INBOX: InboxNamespace
  SECRET: string
  FORWARD_URL?: string
  FORWARD_SECRET?: string
  /** Milliseconds, as text (a binding). */
  FORWARD_INITIAL_DELAY?: string
  FORWARD_MAX_ATTEMPTS?: string
}

const TENANTS = new Set(['acme', 'globex'])

/** Each object's receiver, once opened (one object per name in this isolate). */
const receivers = new Map<string, Receiver>()

const Base = defineInboxObject<Env>((env, name) => {
  if (!TENANTS.has(name)) return undefined
  return {
    secrets: [env.SECRET],
    ...(env.FORWARD_URL === undefined || env.FORWARD_SECRET === undefined
      ? {}
      : {
          forward: {
            url: env.FORWARD_URL,
            secret: env.FORWARD_SECRET,
            initialDelay: Number(env.FORWARD_INITIAL_DELAY ?? '1000'),
            maxDelay: 400,
            maxAttempts: Number(env.FORWARD_MAX_ATTEMPTS ?? '20'),
            timeout: 2000,
          },
        }),
    listeners: (receiver) => {
      receivers.set(name, receiver)
      receiver.on('credit', (tx) => console.log(`${name}: credit ${tx.verified.amount} ${tx.verified.currency} balance ${tx.verified.balance}`))
    },
    onForwardRun: (run) => {
      if (run.next._tag === 'retry') console.log(`${name}: forwarding paused after ${run.next.attempts} attempts: ${run.next.reason}`)
    },
  }
})

const json = (value: unknown): string => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))

export class Inbox extends Base {
  readonly #name: string | undefined
  constructor(ctx: InboxObjectState, env: Env) {
    super(ctx, env)
    this.#name = ctx.id.name
  }

  override async fetch(request: Request): Promise<Response> {
    if (!new URL(request.url).pathname.startsWith('/ledgers/')) return super.fetch(request)
    // A GET opens the object (answered 405) so that its receiver exists.
    await super.fetch(new Request(request.url))
    const receiver = receivers.get(this.#name ?? '')
    if (receiver === undefined) return new Response('not configured', { status: 404 })
    const ledgers = await receiver.inbox.ledgers()
    return new Response(json(ledgers._tag === 'Right' ? Object.fromEntries(ledgers.right) : ledgers.left))
  }
}

const route = inboxRouter<Env>({ namespace: (env) => env.INBOX })

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const ledgers = inboxNameOf(request.url, '/ledgers/')
    return ledgers._tag === 'Right' ? routeToInbox(request, env.INBOX, ledgers.right) : route(request, env)
  },
}
