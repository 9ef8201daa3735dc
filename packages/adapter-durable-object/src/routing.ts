/**
 * The Worker's part: it verifies nothing itself, it only sends each delivery to the Durable Object
 * of its webhook (one object per Banksocket secret, named by configuration), which verifies,
 * decides and records it (docs/architecture.md, "The receiver's HTTP contract"). Structural types
 * only: a real `DurableObjectNamespace` binding is assignable to {@link InboxNamespace}.
 *
 * @module
 */
import { type HttpAnswer, NOT_FOUND } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'

/**
 * What routing needs of a Durable Object stub: `fetch`.
 *
 * @example
 * import type { InboxStub } from '@banksocket-webhooks/adapter-durable-object'
 * const ping = (stub: InboxStub) => stub.fetch(new Request('https://inbox/', { method: 'POST' }))
 */
export interface InboxStub {
  fetch(request: Request): Promise<Response>
}

/**
 * What routing needs of a Durable Object namespace binding (`env.INBOX`): an id from a name, and
 * the stub of an id.
 *
 * @example
 * import type { InboxNamespace } from '@banksocket-webhooks/adapter-durable-object'
 * interface Env { INBOX: InboxNamespace }
 */
export interface InboxNamespace<Id = unknown> {
  idFromName(name: string): Id
  get(id: Id): InboxStub
}

/**
 * An inbox name (the tenant, one per Banksocket webhook): 1 to 64 letters, digits, `_` and `-`,
 * so that it is the same in a URL path, an object name and a binding's name.
 *
 * @example
 * import { INBOX_NAME } from '@banksocket-webhooks/adapter-durable-object'
 * INBOX_NAME.test('acme-tr') // true
 * INBOX_NAME.test('../x') // false
 */
export const INBOX_NAME = /^[A-Za-z0-9_-]{1,64}$/

/**
 * Why a request names no inbox: its path is not `<prefix><name>` with a valid name.
 *
 * @example
 * import type { NoInbox } from '@banksocket-webhooks/adapter-durable-object'
 * const e: NoInbox = { _tag: 'NoInbox', pathname: '/favicon.ico' }
 */
export type NoInbox = Readonly<{ _tag: 'NoInbox'; pathname: string }>

/**
 * The inbox a request URL names: the path segment after `prefix`, which must be the whole rest of
 * the path (`/banksocket/acme`, not `/banksocket/acme/x`), and a valid {@link INBOX_NAME}.
 *
 * @example
 * import { inboxNameOf } from '@banksocket-webhooks/adapter-durable-object'
 * inboxNameOf('https://hooks.example/banksocket/acme?x=1', '/banksocket/') // Right('acme')
 * inboxNameOf('https://hooks.example/elsewhere', '/banksocket/') // Left({ _tag: 'NoInbox', pathname: '/elsewhere' })
 */
export const inboxNameOf = (url: string, prefix: string): E.Either<NoInbox, string> => {
  let pathname: string
  try {
    pathname = new URL(url).pathname
  } catch {
    return E.left({ _tag: 'NoInbox', pathname: '' })
  }
  const name = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : ''
  return INBOX_NAME.test(name) ? E.right(name) : E.left({ _tag: 'NoInbox', pathname })
}

/**
 * Turns one of the HTTP contract's answers into a `Response`.
 *
 * @example
 * import { NOT_FOUND } from '@banksocket-webhooks/core/runtime-kit'
 * import { responseOf } from '@banksocket-webhooks/adapter-durable-object'
 * responseOf(NOT_FOUND).status // 404
 */
export const responseOf = (answer: HttpAnswer): Response => new Response(answer.body, { status: answer.status, headers: answer.headers })

/**
 * Sends a request, as it came (method, headers, the body still unread), to the Durable Object
 * named `name` in `namespace` and answers with what the object answered. The object reads the
 * body, so the Worker holds no copy of it.
 *
 * @example
 * import { routeToInbox } from '@banksocket-webhooks/adapter-durable-object'
 * export default {
 *   fetch: (request: Request, env: Env) => routeToInbox(request, env.INBOX, 'acme'),
 * }
 */
export const routeToInbox = <Id>(request: Request, namespace: InboxNamespace<Id>, name: string): Promise<Response> =>
  namespace.get(namespace.idFromName(name)).fetch(request)

/**
 * Options of {@link inboxRouter}.
 *
 * @example
 * import type { InboxRouterOptions } from '@banksocket-webhooks/adapter-durable-object'
 * const options: InboxRouterOptions<Env> = { prefix: '/banksocket/', namespace: (env) => env.INBOX, accepts: (name, env) => name in env.TENANTS }
 */
export type InboxRouterOptions<Env> = Readonly<{
  /** The path before the inbox's name; it must start and end with `/`. @default '/banksocket/' */
  prefix?: string
  /** The Durable Object namespace binding of the inbox class. */
  namespace: (env: Env) => InboxNamespace
  /**
   * Whether `name` is an inbox you configured. Refused names are answered 404 by the Worker, so a
   * request to a name nobody configured creates no object. @default every valid name
   */
  accepts?: (name: string, env: Env) => boolean
}>

/**
 * A Worker `fetch` that routes `<prefix><name>` to the inbox object named `name`, and answers
 * `404 {"error":"not_found"}` for any other path and for a name `accepts` refuses. Throws a
 * `TypeError` for a prefix that does not start and end with `/`.
 *
 * @example
 * import { defineInboxObject, inboxRouter } from '@banksocket-webhooks/adapter-durable-object'
 * export const BanksocketInbox = defineInboxObject<Env>((env) => ({ secrets: [env.BANKSOCKET_SECRET] }))
 * export default { fetch: inboxRouter<Env>({ namespace: (env) => env.INBOX }) }
 */
export const inboxRouter = <Env>(options: InboxRouterOptions<Env>): ((request: Request, env: Env) => Promise<Response>) => {
  const prefix = options.prefix ?? '/banksocket/'
  if (typeof prefix !== 'string' || !prefix.startsWith('/') || !prefix.endsWith('/'))
    throw new TypeError("inboxRouter: `prefix` must start and end with '/', for example '/banksocket/'")
  const accepts = options.accepts ?? (() => true)
  return (request, env) => {
    const name = inboxNameOf(request.url, prefix)
    if (E.isLeft(name) || !accepts(name.right, env)) return Promise.resolve(responseOf(NOT_FOUND))
    return routeToInbox(request, options.namespace(env), name.right)
  }
}
