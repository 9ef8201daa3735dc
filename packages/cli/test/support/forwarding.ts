/**
 * What the forwarding tests share: an application on a loopback port that verifies every request
 * as Standard Webhooks (with `verifyWebhook` of `@banksocket-webhooks/consumers`, and again
 * independently with node:crypto), answers what the test decides, and can be made unavailable (503)
 * or closed (its port shut) for a while; notifications in balance-chain order per account, signed
 * as Banksocket signs them (`@banksocket-webhooks/testing`); what a store holds to forward; and the
 * checks every forwarding test makes (every event acknowledged, per-account order, one body per id).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { openFileEventFollower } from '@banksocket-webhooks/adapter-file-store'
import {
  type ConsumerEvent,
  forwardMessage,
  parseWebhookSecret,
  verifyWebhook,
  webhookIdOf,
  withConsumerEvents,
} from '@banksocket-webhooks/consumers'
import { formatMoney, LedgerEvent, type StoredEvent } from '@banksocket-webhooks/core'
import { encodeNotification, signNotification } from '@banksocket-webhooks/testing'
import * as E from 'fp-ts/lib/Either.js'
import * as assert from 'uvu/assert'

/** The Standard Webhooks specification's own example secret (24 bytes): a test secret, nothing else. */
export const FORWARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
/** The Banksocket secret the tests' receivers verify with. */
export const BANKSOCKET_SECRET = 'forward-test-secret-7e1'

const parsedSecret = (() => {
  const parsed = parseWebhookSecret(FORWARD_SECRET)
  if (E.isLeft(parsed)) throw new Error(parsed.left.message)
  return parsed.right
})()

/** One request the application got: its arrival number, what it said, and the answer it was given. */
type Delivery = Readonly<{
  seq: number
  id: string
  body: string
  status: number
  query: string
  stream: string
  position: number
  version: number
  type: string
  accountId: string
  description: string | undefined
}>

/** What the application's `decide` is told of a verified request. */
export type Incoming = Readonly<{ id: string; stream: string; accountId: string; type: string; attempt: number }>

/** The Standard Webhooks signature of `id.timestamp.body`, computed here with node:crypto (not with the package under test). */
const independentlySigned = (id: string, timestamp: string, body: string, signatures: string): boolean => {
  const key = Buffer.from(FORWARD_SECRET.slice('whsec_'.length), 'base64')
  const expected = Buffer.from(`v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`)
  return signatures.split(' ').some((entry) => {
    const given = Buffer.from(entry)
    return given.length === expected.length && timingSafeEqual(given, expected)
  })
}

const header = (req: IncomingMessage, name: string): string => {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join(', ') : (value ?? '')
}

/**
 * An application on 127.0.0.1: verifies each request (a request that fails either check is
 * answered 401 and counted in `unverified`), then answers `decide` (default 200). `setMode`:
 * `'up'`, `'unavailable'` (503 for everything) or `'closed'` (the port shut, connections dropped;
 * `'up'` listens again on the same port).
 */
export const startApp = async (decide: (incoming: Incoming) => number = () => 200) => {
  const deliveries: Delivery[] = []
  const unverified: string[] = []
  const attempts = new Map<string, number>()
  let seq = 0
  let mode: 'up' | 'unavailable' | 'closed' = 'up'
  const sockets = new Set<Socket>()
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const arrival = ++seq
    const id = header(req, 'webhook-id')
    const verified = await verifyWebhook(parsedSecret, req.headers as Record<string, string>, body)
    if (E.isLeft(verified) || !independentlySigned(id, header(req, 'webhook-timestamp'), body, header(req, 'webhook-signature'))) {
      unverified.push(`${id}: ${E.isLeft(verified) ? verified.left.message : 'the independent HMAC differs'}`)
      res.writeHead(401).end()
      return
    }
    const message = JSON.parse(body) as { stream: string; position: number; type: string; accountId: string; verified?: { description: string } }
    const attempt = (attempts.get(id) ?? 0) + 1
    attempts.set(id, attempt)
    const status = mode === 'unavailable' ? 503 : decide({ id, stream: message.stream, accountId: message.accountId, type: message.type, attempt })
    deliveries.push({
      seq: arrival,
      id,
      body,
      status,
      query: new URL(req.url ?? '/', 'http://x').search,
      stream: message.stream,
      position: message.position,
      version: Number(/_(\d+)$/.exec(id)?.[1] ?? 0),
      type: message.type,
      accountId: message.accountId,
      description: message.verified?.description,
    })
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no')
  }
  let server: Server
  const open = async (port: number): Promise<number> => {
    server = createServer((req, res) => void handle(req, res))
    server.on('connection', (socket: Socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    server.listen(port, '127.0.0.1')
    await once(server, 'listening')
    return (server.address() as AddressInfo).port
  }
  const shut = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const socket of sockets) socket.destroy()
    await closed
  }
  const port = await open(0)
  const url = `http://127.0.0.1:${port}/banksocket`
  return {
    url,
    deliveries,
    unverified,
    /** The deliveries the app acknowledged (2xx). */
    acked: () => deliveries.filter((d) => d.status >= 200 && d.status < 300),
    setMode: async (next: 'up' | 'unavailable' | 'closed'): Promise<void> => {
      if (next === mode) return
      if (next === 'closed') await shut()
      if (mode === 'closed') await open(port)
      mode = next
    },
    close: async (): Promise<void> => {
      if (mode !== 'closed') await shut()
      mode = 'closed'
    },
  }
}

export type App = Awaited<ReturnType<typeof startApp>>

/** One movement of an account, in its chain: the balance after it follows from the one before. */
export type Movement = Readonly<{ account: string; dc: 'Credit' | 'Debit'; amount: string; balance: string; description: string }>

/**
 * `perAccount` movements for each account (a number), each list in chain order (the balance after
 * each one is the next one's start), the same for an account whatever the other accounts are, so
 * `chains([a], n + k).slice(n)` continues `chains([a], n)`; descriptions are unique
 * (`tag-account-i`), so every notification is new.
 */
export const chains = (accounts: ReadonlyArray<string>, perAccount: number, tag: string): Movement[][] =>
  accounts.map((account) => {
    // From the account's own number, so that a later call continues the same account's chain.
    const a = Number(account) % 1000
    let balance = 100_000n + BigInt(a) * 10_000n
    return Array.from({ length: perAccount }, (_, i) => {
      const dc = i % 4 === 3 ? 'Debit' : 'Credit'
      const amount = BigInt(100 + ((a * 37 + i * 13) % 900))
      balance = dc === 'Credit' ? balance + amount : balance - amount
      return {
        account,
        dc,
        amount: formatMoney({ minor: amount, currency: 'TRY' }),
        balance: formatMoney({ minor: balance, currency: 'TRY' }),
        description: `${tag}-${account}-${i}`,
      }
    })
  })

/** A movement as Banksocket sends it: signed, form-encoded. */
const bodyOf = async (m: Movement): Promise<Readonly<{ body: string; contentType: string }>> => {
  const signed = await signNotification(
    { dc: m.dc, code: 'EFT', amount: m.amount, balance: m.balance, currency: 'TRY', description: m.description, account_id: m.account },
    BANKSOCKET_SECRET,
  )()
  const { body, contentType } = encodeNotification(signed, 'form')
  return { body: typeof body === 'string' ? body : new TextDecoder().decode(body), contentType }
}

/** POSTs one notification; `status` 0 when nothing answered (a receiver that is down). */
export const post = async (url: string, m: Movement): Promise<Readonly<{ status: number; body: string }>> => {
  const { body, contentType } = await bodyOf(m)
  try {
    const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } })
    return { status: response.status, body: await response.text() }
  } catch {
    return { status: 0, body: '' }
  }
}

/** Sends each account's movements in chain order, the accounts at once; answers whether each got a 200. */
export const sendAll = async (url: string, accounts: ReadonlyArray<ReadonlyArray<Movement>>): Promise<void> => {
  await Promise.all(
    accounts.map(async (movements) => {
      for (const m of movements) {
        const answer = await post(url, m)
        assert.is(answer.status, 200, `${m.description}: ${answer.body}`)
      }
    }),
  )
}

/** Waits (bounded) until `ready` holds, polling. */
export const until = async (what: string, ready: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Every event of a file log, read with a follower (beside its writer, or after it stopped). */
export const logEvents = async (path: string): Promise<ReadonlyArray<StoredEvent<LedgerEvent | ConsumerEvent>>> => {
  const opened = await openFileEventFollower<LedgerEvent | ConsumerEvent>({ path, codec: withConsumerEvents(LedgerEvent) })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  const all: StoredEvent<LedgerEvent | ConsumerEvent>[] = []
  try {
    for (;;) {
      const page = await opened.right.readAll({ after: all.at(-1)?.position ?? 0, limit: 1000 })()
      if (E.isLeft(page)) throw new Error(page.left._tag)
      if (page.right.length === 0) return all
      all.push(...page.right)
    }
  } finally {
    await opened.right.close()()
  }
}

/** The message ids of the events a forwarder sends (those with a message), in feed order. */
export const forwardableIds = (events: ReadonlyArray<StoredEvent<LedgerEvent | ConsumerEvent>>): ReadonlyArray<string> =>
  events
    .filter((e) => e.stream.startsWith('ledger-') && forwardMessage(e as StoredEvent<LedgerEvent>, undefined) !== undefined)
    .map((e) => webhookIdOf(e))

/**
 * What every forwarding test asserts of an application's deliveries: every request verified; one
 * body per message id (a redelivery is the same bytes); per account (stream), each event's first
 * delivery came after the previous event of the account was acknowledged; and, given `expected`,
 * each of those ids acknowledged at least once and no other id delivered.
 */
export const checkDeliveries = (app: App, expected?: ReadonlyArray<string>): void => {
  assert.equal(app.unverified, [], 'every request verifies')
  const bodies = new Map<string, string>()
  for (const d of app.deliveries) {
    const before = bodies.get(d.id)
    if (before !== undefined) assert.is(d.body, before, `the same body on every delivery of ${d.id}`)
    bodies.set(d.id, d.body)
  }
  const streams = new Map<string, Delivery[]>()
  for (const d of app.deliveries) streams.set(d.stream, [...(streams.get(d.stream) ?? []), d])
  for (const [stream, deliveries] of streams) {
    const versions = [...new Set(deliveries.map((d) => d.version))].sort((a, b) => a - b)
    for (let i = 1; i < versions.length; i++) {
      const previous = deliveries.filter((d) => d.version === versions[i - 1])
      const firstAck = previous.find((d) => d.status >= 200 && d.status < 300)
      const first = deliveries.find((d) => d.version === versions[i])
      if (firstAck === undefined) {
        // Given up on (a dead letter): every delivery of it comes before the next event's first.
        const last = previous.at(-1)
        assert.ok(
          last !== undefined && first !== undefined && last.seq < first.seq,
          `${stream}@${versions[i]} waited for ${versions[i - 1]} to be given up on`,
        )
        continue
      }
      assert.ok(
        first !== undefined && firstAck.seq < first.seq,
        `${stream}: ${versions[i]} first sent (#${first?.seq}) after ${versions[i - 1]} was acknowledged (#${firstAck.seq})`,
      )
    }
  }
  if (expected !== undefined) {
    const acked = new Set(app.acked().map((d) => d.id))
    const missing = expected.filter((id) => !acked.has(id))
    assert.equal(missing, [], 'every event acknowledged')
    const extra = [...bodies.keys()].filter((id) => !expected.includes(id))
    assert.equal(extra, [], 'nothing else delivered')
  }
}

/**
 * What a test started (processes, apps), closed by `close` in a `finally` whatever failed, so
 * that a failing test does not leave the file's process waiting on them.
 */
export const createCleanup = () => {
  const closers: Array<() => Promise<unknown>> = []
  return {
    add: <A extends { stop: () => Promise<unknown> } | { close: () => Promise<unknown> }>(thing: A): A => {
      closers.push(() => ('stop' in thing ? thing.stop() : thing.close()))
      return thing
    },
    close: async (): Promise<void> => {
      await Promise.allSettled(
        closers
          .splice(0)
          .reverse()
          .map((close) => close()),
      )
    },
  }
}
