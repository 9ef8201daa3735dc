/**
 * The frameworks as the guide samples resolve them (docs/guides/node_modules), for the tests that
 * build the broken variant of a sample: the route without its raw-body step. The workspace root
 * does not depend on the frameworks, so they are loaded with a `require` rooted at the guides
 * package (their CommonJS entries) and typed here as far as those tests use them.
 */
import type { Server } from 'node:http'
import { createRequire } from 'node:module'

const requireFromGuides = createRequire(new URL('../../../docs/guides/package.json', import.meta.url))

/** Hono's context, as far as the tests use it. */
type HonoContext = Readonly<{ req: Readonly<{ raw: Request; parseBody: () => Promise<Record<string, unknown>> }> }>

/** A Hono app, as far as the tests use it. */
type HonoApp = Readonly<{
  post: (path: string, handler: (c: HonoContext) => Promise<Response>) => unknown
  fetch: (request: Request) => Response | Promise<Response>
}>

/** `hono` and `@hono/node-server`. */
export const hono = {
  Hono: (requireFromGuides('hono') as { Hono: new () => HonoApp }).Hono,
  serve: (
    requireFromGuides('@hono/node-server') as {
      serve: (options: { fetch: HonoApp['fetch']; port: number; hostname: string }, listening: (info: { port: number }) => void) => Server
    }
  ).serve,
}

/** A Fastify request, as far as the tests use it. */
type FastifyRequest = Readonly<{ method: string; url: string; headers: Readonly<Record<string, string | undefined>>; body: unknown }>

/** A Fastify reply, as far as the tests use it. */
type FastifyReply = {
  code: (status: number) => FastifyReply
  headers: (headers: Readonly<Record<string, string>>) => FastifyReply
  send: (body: string) => FastifyReply
}

/** A Fastify instance, as far as the tests use it. */
type FastifyApp = Readonly<{
  post: (path: string, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) => unknown
  listen: (options: { port: number; host: string }) => Promise<string>
  close: () => Promise<void>
}>

/** `fastify`'s factory. */
export const fastify = requireFromGuides('fastify') as () => FastifyApp
