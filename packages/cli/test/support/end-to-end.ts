/**
 * The end-to-end forwarding scenario, run on a file log and on PostgreSQL: `banksocket listen
 * --store … --forward-to APP` receives a stream of notifications (accounts at once, each in chain
 * order, retried by the sender until answered 200, as Banksocket retries) while the application
 * refuses 30 % of the deliveries, is unavailable (503) and then down (its port closed) for a while,
 * and the receiver is SIGKILLed mid-stream and restarted on the same store. Then: every
 * notification listen acknowledged reached the application (acknowledged at least once), every
 * event the store holds to forward was acknowledged, per-account order held, each redelivery had
 * the same id and body, and every signature verified.
 */
import type { ConsumerEvent } from '@banksocket-webhooks/consumers'
import type { LedgerEvent, StoredEvent } from '@banksocket-webhooks/core'
import * as assert from 'uvu/assert'
import { json, startListen } from './cli.ts'
import {
  BANKSOCKET_SECRET,
  chains,
  checkDeliveries,
  createCleanup,
  FORWARD_SECRET,
  forwardableIds,
  type Movement,
  post,
  startApp,
  until,
} from './forwarding.ts'

/** The next number in [0, 1) of a seeded generator (mulberry32): the same seed, the same refusals. */
const seeded = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs the scenario on `store` (a file path or a postgres:// URL); `events` reads what the store
 * holds. Prints the seed when it fails (`FORWARD_E2E_SEED=<seed>` replays the app's refusals).
 */
export const forwardThroughFaults = async (
  store: string,
  events: () => Promise<ReadonlyArray<StoredEvent<LedgerEvent | ConsumerEvent>>>,
  options: Readonly<{ accounts?: number; perAccount?: number }> = {},
): Promise<string> => {
  const seed = Number(process.env['FORWARD_E2E_SEED'] ?? Math.floor(Math.random() * 2 ** 32))
  const cleanup = createCleanup()
  try {
    return await scenario(store, events, seed, options.accounts ?? 8, options.perAccount ?? 25, cleanup)
  } catch (error) {
    console.error(`forward end-to-end: failed with FORWARD_E2E_SEED=${seed}`)
    throw error
  } finally {
    await cleanup.close()
  }
}

const scenario = async (
  store: string,
  events: () => Promise<ReadonlyArray<StoredEvent<LedgerEvent | ConsumerEvent>>>,
  seed: number,
  accountCount: number,
  perAccount: number,
  cleanup: ReturnType<typeof createCleanup>,
): Promise<string> => {
  const random = seeded(seed)
  const app = cleanup.add(await startApp(() => (random() < 0.3 ? 500 : 200)))
  const args = [
    '--port',
    '0',
    '--secret',
    BANKSOCKET_SECRET,
    '--store',
    store,
    '--forward-to',
    app.url,
    '--forward-secret',
    FORWARD_SECRET,
    '--forward-max-delay',
    '200ms',
    // Enough for the outage: nothing is given up on here (the dead letter has tests of its own).
    '--forward-max-attempts',
    '1000',
  ]
  let listen = cleanup.add(await startListen(args))
  const first = listen
  const accounts = chains(
    Array.from({ length: accountCount }, (_, i) => String(501 + i)),
    perAccount,
    `e${seed}`,
  )
  const total = accountCount * perAccount
  const acknowledged: Movement[] = []
  let sent = 0
  let outage: Promise<void> | undefined
  let restart: Promise<void> | undefined
  let killedAt = -1

  /** At a fifth of the stream the app answers 503 for a while, then shuts its port for a while. */
  const breakApp = async (): Promise<void> => {
    await app.setMode('unavailable')
    await sleep(800)
    await app.setMode('closed')
    await sleep(800)
    await app.setMode('up')
  }
  /** Half-way, the receiver (and the forwarder in it) is SIGKILLed, and started again on the same store. */
  const killAndRestart = async (): Promise<void> => {
    killedAt = sent
    listen.child.kill('SIGKILL')
    await listen.exited
    await sleep(300)
    listen = cleanup.add(await startListen(args))
  }
  const onAcknowledged = (m: Movement): void => {
    acknowledged.push(m)
    sent++
    if (outage === undefined && sent >= total / 5) outage = breakApp()
    if (restart === undefined && sent >= total / 2) restart = killAndRestart()
  }
  await Promise.all(
    accounts.map(async (movements) => {
      for (const m of movements) {
        // Banksocket retries a notification until it is answered 200 (a receiver that is down, or
        // killed before it answered: the retry of something it stored is a duplicate, also 200).
        for (;;) {
          const answer = await post(listen.url, m)
          if (answer.status === 200) break
          assert.ok(answer.status === 0, `${m.description}: ${answer.status} ${answer.body}`)
          await sleep(50)
        }
        onAcknowledged(m)
        await sleep(100)
      }
    }),
  )
  await outage
  await restart
  assert.ok(killedAt > 0 && killedAt < total, 'killed mid-stream')
  assert.is(acknowledged.length, total)

  const expected = forwardableIds(await events())
  await until(
    'the app to acknowledge every stored event',
    () => {
      const acked = new Set(app.acked().map((d) => d.id))
      return expected.every((id) => acked.has(id))
    },
    60_000,
  )
  assert.is((await listen.stop()).code, 0)
  const stopped = json(listen.lines('stderr').find((l) => l.includes('"type":"stopped"')) ?? '{}')
  assert.is(stopped['forwardFailed'], 0)
  assert.is(stopped['forwardPending'], 0)
  assert.is(first.child.signalCode, 'SIGKILL')

  const all = await events()
  checkDeliveries(app, forwardableIds(all))
  // Every notification listen acknowledged reached the app as a transaction it acknowledged.
  const reached = new Set(
    app
      .acked()
      .filter((d) => d.type === 'transaction')
      .map((d) => d.description),
  )
  const lost = acknowledged.filter((m) => !reached.has(m.description)).map((m) => m.description)
  assert.equal(lost, [], 'acknowledged by listen but never acknowledged by the app')
  assert.is(reached.size, total)
  // The faults happened: refusals, the outage's 503s, redeliveries of one id.
  const statuses = new Set(app.deliveries.map((d) => d.status))
  assert.ok(statuses.has(500) && statuses.has(503), [...statuses].join(','))
  const ids = app.deliveries.map((d) => d.id)
  const redelivered = ids.length - new Set(ids).size
  assert.ok(redelivered > 0)
  return `seed ${seed}: ${total} notifications over ${accountCount} accounts, listen SIGKILLed after ${killedAt} and restarted, ${app.deliveries.length} deliveries for ${expected.length} events (${redelivered} redeliveries)`
}
