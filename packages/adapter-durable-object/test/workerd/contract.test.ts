/**
 * The receiver contract (packages/test-support/src/receiver-contract.ts) through a Worker and the
 * inbox object, in workerd: each case's requests go to a loopback server started here, which
 * relays them, as they came, to the Worker (`dispatchFetch`) at the case's own object, and answers
 * with what the Worker answered; the receiver events the object kept for the request
 * (contract.worker.ts, `GET /events/<name>`) are emitted here before the answer is, so the
 * contract's recorder sees them as it sees an in-process receiver's.
 *
 * The cases run are those that send requests and look at the answers and the events: the test
 * vectors in every encoding, duplicates, replays, gaps, secret rotation, 400, 401, 405, 413 and
 * 415. The others register listeners in this process or hand the receiver a store of this
 * process, which a receiver inside a Durable Object cannot take; what they check through a Worker
 * (a listener's failure answering 500, the store) is in inbox.test.ts, forward.test.ts and the
 * store tests.
 */
import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { contract, contractCaseNames, type Start } from '@banksocket-webhooks/test-support/receiver-contract'
import { bundleWorker } from '@banksocket-webhooks/test-support/workerd-bundle'
import { Miniflare } from 'miniflare'
import * as assert from 'uvu/assert'

const bundle = await bundleWorker(new URL('./contract.worker.ts', import.meta.url))
const mf = new Miniflare({
  modules: true,
  script: bundle.code,
  compatibilityDate: '2025-09-01',
  durableObjects: { INBOX: { className: 'Inbox', useSQLite: true } },
})
await mf.ready

/** `123n` back to a bigint: the Worker writes bigints so (Money's `minor`). */
const revive = (_: string, v: unknown) => (typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v)

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })

/** The cases a receiver behind a process boundary can run: no listener and no store of this process. */
const RUNS_THROUGH_A_WORKER = [
  /^vector /,
  /^a duplicate answers 200 duplicate/,
  /^a re-delivery with altered unauthenticated fields/,
  /^a balance gap emits gap/,
  /^a missed debit shows as a negative gap/,
  /^secret rotation/,
  /^400 invalid_payload/,
  /^401 invalid_hash/,
  /^405 with Allow/,
  /^413 too_large past the default/,
  /^413 honours a smaller limit/,
  /^415 unsupported_media_type/,
]
const runs = (name: string) => RUNS_THROUGH_A_WORKER.some((pattern) => pattern.test(name))

let objects = 0

const suite = contract(
  'Durable Object inbox, through a Worker',
  async (options) => {
    const name = `case-${++objects}`
    const configured = await mf.dispatchFetch(`http://worker.example/configure/${name}`, {
      method: 'PUT',
      body: JSON.stringify({ secrets: options.secrets, limit: options.limit, now: options.now?.().toISOString() }),
    })
    assert.is(configured.status, 204)
    const events = new EventEmitter()
    const relay = async (req: IncomingMessage, res: ServerResponse) => {
      const body = await readBody(req)
      const headers: Record<string, string> = {}
      for (const [header, value] of Object.entries(req.headers))
        if (typeof value === 'string' && header !== 'transfer-encoding') headers[header] = value
      const answer = await mf.dispatchFetch(`http://worker.example/banksocket/${name}${new URL(req.url ?? '/', 'http://x').search}`, {
        method: req.method ?? 'POST',
        headers,
        ...(body.byteLength === 0 ? {} : { body: new Uint8Array(body) }),
      })
      const reported = JSON.parse(await (await mf.dispatchFetch(`http://worker.example/events/${name}`)).text(), revive) as Array<{
        name: string
        payload: unknown
      }>
      for (const event of reported) events.emit(event.name, event.payload)
      const out: Record<string, string> = {}
      answer.headers.forEach((value, header) => {
        if (header !== 'content-length' && header !== 'transfer-encoding') out[header] = value
      })
      const text = Buffer.from(await answer.arrayBuffer())
      res.writeHead(answer.status, { ...out, 'content-length': String(text.byteLength) }).end(text)
    }
    const server: Server = createServer((req, res) => {
      relay(req, res).catch((error: unknown) => res.writeHead(599).end(`${String(error)} ${String((error as { cause?: unknown }).cause)}`))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const receiver = {
      on: (event: string, listener: (payload: unknown) => void) => events.on(event, listener),
      once: (event: string, listener: (payload: unknown) => void) => events.once(event, listener),
      off: (event: string, listener: (payload: unknown) => void) => events.off(event, listener),
    }
    return {
      url: `http://127.0.0.1:${port}`,
      // What the contract uses of a receiver here: on, once and off (no case this harness runs reads its inbox).
      receiver: receiver as unknown as Awaited<ReturnType<Start>>['receiver'],
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    }
  },
  { include: runs },
)

suite('every case this harness runs is a case of the contract, and most of them run', () => {
  const picked = contractCaseNames.filter(runs)
  assert.ok(picked.length >= 20, `${picked.length} cases picked`)
  for (const pattern of RUNS_THROUGH_A_WORKER)
    assert.ok(
      contractCaseNames.some((n) => pattern.test(n)),
      `no case matches ${pattern}`,
    )
})

suite.after(async () => {
  await mf.dispose()
})

suite.run()
