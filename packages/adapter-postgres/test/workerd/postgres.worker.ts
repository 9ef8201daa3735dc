/**
 * A Worker that uses the PostgreSQL store through pg on `cloudflare:sockets`. A Worker may not share a
 * connection between requests, so each request makes its store from the connection string (one
 * connection) and closes it before answering.
 *
 * - `GET /scenario`: migrate, record, replay the same key into another ledger, read the state and
 *   the feed; answers every step's result.
 * - `GET /record?stream=S&key=K`: one `record` at version 0 claiming K; answers the Either.
 * - `GET /unreachable`: `readState` against a server that is not there; answers the Either.
 */
import * as E from 'fp-ts/lib/Either.js'
import { createPostgresEventStore, migrate } from '../../src/index.ts'

type Env = Readonly<{ DATABASE_URL: string; UNREACHABLE_URL: string; SCHEMA: string }>
type Ev = Readonly<{ type: string; key: string }>

/** What a route answers: JSON of every step, or of what was thrown (the test fails on that). */
export type WorkerReport = Readonly<Record<string, unknown>>

const open = (url: string, schema: string) => createPostgresEventStore<Ev>({ connectionString: url, schema, max: 1, connectionTimeoutMillis: 5000 })

const scenario = async (env: Env): Promise<WorkerReport> => {
  const steps: Record<string, unknown> = { userAgent: navigator.userAgent }
  steps['migrate'] = await migrate(env.DATABASE_URL, { schema: env.SCHEMA })()
  const store = open(env.DATABASE_URL, env.SCHEMA)
  steps['record'] = await store.record('ledger-69-TRY', {
    expectedVersion: 0,
    events: [{ type: 'TransactionReceived', key: 'k1' }],
    state: { head: '100.00' },
    claim: 'k1',
  })()
  steps['replay'] = await store.record('ledger-70-TRY', { expectedVersion: 0, events: [{ type: 'TransactionReceived', key: 'k1' }], claim: 'k1' })()
  steps['state'] = await store.readState('ledger-69-TRY')()
  steps['feed'] = E.map((p: { events: ReadonlyArray<{ stream: string; version: number }> }) => p.events.map((e) => `${e.stream}@${e.version}`))(
    await store.readAllPage()(),
  )
  steps['close'] = await store.close()()
  return steps
}

const record = async (env: Env, params: URLSearchParams): Promise<WorkerReport> => {
  const store = open(env.DATABASE_URL, env.SCHEMA)
  const key = params.get('key') ?? ''
  const result = await store.record(params.get('stream') ?? '', { expectedVersion: 0, events: [{ type: 'TransactionReceived', key }], claim: key })()
  await store.close()()
  return { result }
}

const unreachable = async (env: Env): Promise<WorkerReport> => {
  const store = open(env.UNREACHABLE_URL, env.SCHEMA)
  const result = await store.readState('ledger-69-TRY')()
  await store.close()()
  return { result }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    try {
      const report =
        url.pathname === '/scenario'
          ? await scenario(env)
          : url.pathname === '/record'
            ? await record(env, url.searchParams)
            : url.pathname === '/unreachable'
              ? await unreachable(env)
              : { notFound: url.pathname }
      return Response.json(report)
    } catch (error) {
      return Response.json({ thrown: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, { status: 500 })
    }
  },
}
