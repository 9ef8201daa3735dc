/**
 * The Workers guide promises `500` for a database that cannot be reached (Banksocket then delivers
 * again), never a false `ok`. packages/adapter-postgres/test/workerd/guide-worker.test.ts checks it
 * for a `DATABASE_URL`; this file checks it through the `HYPERDRIVE` binding, the way the guide
 * deploys the Worker and the way `wrangler dev` runs it locally: the guide's Worker
 * (docs/guides/examples/worker-postgres.ts), bundled as wrangler bundles it with `nodejs_compat`
 * (that test's bundler, shared), loaded into workerd through miniflare with the compatibility date
 * and flags of the guide's wrangler-postgres.toml, and miniflare's local Hyperdrive pointed at
 * (1) a loopback port nobody listens on, as when the local PostgreSQL is stopped, and (2) a server
 * that accepts each connection and drops it at once, as a database going away mid-connection.
 * Every request answers `500 {"error":"store_failed"}`, the runtime keeps serving, and the password
 * never reaches the logs.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { Miniflare } from 'miniflare'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bundlePgWorker } from '../../packages/adapter-postgres/test/workerd/bundle.ts'
import { type SignedNotification, sendNotification, signNotification } from '../../packages/testing/src/index.ts'

const examples = new URL('../../docs/guides/examples/', import.meta.url)
const toml = readFileSync(new URL('wrangler-postgres.toml', examples), 'utf8')
const main = /^main\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? 'missing-main'
const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? 'missing'
const compatibilityFlags = [...(/^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1] as string)
const SECRET = 'hyperdrive-unreachable-secret-41c'
const PASSWORD = 'pw-never-logged-hd-7b2'

const bundle = await bundlePgWorker(new URL(main, examples))
let logs = ''

/** The guide's Worker with its HYPERDRIVE binding on `127.0.0.1:port`. */
const workerWithHyperdriveAt = (port: number): Miniflare =>
  new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate,
    compatibilityFlags,
    bindings: { BANKSOCKET_SECRET: SECRET },
    hyperdrives: { HYPERDRIVE: `postgres://app:${PASSWORD}@127.0.0.1:${port}/app` },
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')))
      stderr.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')))
    },
  })

/** A loopback server; `onConnection` decides what happens to each connection. */
const listen = (onConnection: (socket: Socket) => void): Promise<Readonly<{ server: Server; port: number }>> =>
  new Promise((resolve, reject) => {
    const server = createServer(onConnection)
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      resolve({ server, port: typeof address === 'object' && address !== null ? address.port : 0 })
    })
  })

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()))

/** A port nobody listens on: one a server just released. */
const closedPort = async (): Promise<number> => {
  const { server, port } = await listen((socket) => socket.destroy())
  await close(server)
  return port
}

const signed = (n: number): Promise<SignedNotification> =>
  signNotification({ account_id: '4545', amount: '5.00', balance: `${100 + 5 * n}.00`, description: `SN:hyperdrive-${n}` }, SECRET)()

const post = async (url: string, fields: SignedNotification): Promise<Readonly<{ status: number; body: unknown }>> => {
  const sent = await sendNotification(url, fields)()
  if (sent._tag === 'Left') throw new Error(`sending failed: ${JSON.stringify(sent.left)}`)
  return { status: sent.right.status, body: sent.right.json }
}

const STORE_FAILED = { status: 500, body: { error: 'store_failed' } }

test('the guide binds the database through HYPERDRIVE with nodejs_compat', () => {
  assert.match(toml, /^\[\[hyperdrive\]\]\nbinding = "HYPERDRIVE"$/m)
  assert.ok(compatibilityFlags.includes('nodejs_compat'))
})

test('HYPERDRIVE on a port nobody listens on (PostgreSQL stopped): 500 store_failed, request after request', async () => {
  const mf = workerWithHyperdriveAt(await closedPort())
  try {
    const url = new URL('/banksocket', await mf.ready).href
    assert.equal(await post(url, await signed(1)), STORE_FAILED)
    assert.equal(await post(url, await signed(1)), STORE_FAILED) // Banksocket's retry meets the same answer
    assert.equal(await post(url, await signed(2)), STORE_FAILED)
  } finally {
    await mf.dispose()
  }
  assert.not.ok(logs.includes(PASSWORD))
})

test('HYPERDRIVE on a server that drops every connection (a database going away): 500 store_failed', async () => {
  let connections = 0
  const { server, port } = await listen((socket) => {
    connections += 1
    socket.destroy()
  })
  const mf = workerWithHyperdriveAt(port)
  try {
    const url = new URL('/banksocket', await mf.ready).href
    assert.equal(await post(url, await signed(3)), STORE_FAILED)
    assert.equal(await post(url, await signed(4)), STORE_FAILED)
    assert.ok(connections >= 2, `the Worker reached the server (${connections} connections)`)
  } finally {
    await mf.dispose()
    await close(server)
  }
  assert.not.ok(logs.includes(PASSWORD))
})

test.run()
