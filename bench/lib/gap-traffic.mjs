// Hostile traffic for bench/gaps.mjs (issue 26): distinct, correctly signed notifications of a few
// accounts whose balances never connect, so that every notification opens a balance gap and each
// ledger soon holds as many chain fragments as it may keep (core's DEFAULT_MAX_FRAGMENTS, 1,000).
// What a webhook filtered to NEW_CREDIT sees without `--events credits`, a sender that skips, or an
// account with many missed movements, at its worst.
//
// Movement i of an account ends at `start + i * STEP` and moves less than STEP / 2, so its balance
// before (`balance - amount` for a credit, `+ amount` for a debit) lies strictly between two ends:
// no movement's `before` is any movement's `after`, no two movements share an end or a start, and
// none extends, prepends to or joins another, whatever the order they arrive in.
//
// Also the loader: the same measurements as bench/lib/load.mjs's `loadServer` (autocannon over
// loopback, prebuilt raw requests per connection, CPU time from /proc), for queues made here.
import { loadavg } from 'node:os'
import { formatMoney, sign } from '@banksocket-webhooks/core'
import { signingInput } from '@banksocket-webhooks/core/runtime-kit'
import { cpuMsOf, fire, memoryOf, percentile, startServer, stopServer } from './load.mjs'
import { CODES, COUNTERPARTIES, FORM_CONTENT_TYPE, formBodyFast, nodeSha256, random, SECRET } from './notifications.mjs'

/** The distance between the ends of two consecutive movements of an account: 10,000.00 TRY. */
const STEP = 1_000_000n

/**
 * One account's movements, none of which connects to another (see the module's comment), signed
 * as core's `sign` signs them (checked on the first movement). Fields, sizes and Turkish text as
 * bench/lib/notifications.mjs's realistic movements.
 *
 * @example
 * const movements = await disconnectedMovements({ accountId: 7001 })
 * const fields = movements.next() // { dc, code, amount, balance, ..., hash }
 *
 * @param {{ accountId: number, secret?: string }} options
 */
const disconnectedMovements = async ({ accountId, secret = SECRET }) => {
  const rnd = random(accountId * 7919 + 29)
  const start = 100_000_00n + BigInt(Math.floor(rnd() * 900_000)) * STEP
  const account = String(accountId)
  let sequence = 0
  const unsigned = () => {
    sequence++
    const balance = start + BigInt(sequence) * STEP
    const amount = 1_00n + BigInt(Math.floor(rnd() * 4_999_00)) // under STEP / 2
    return {
      dc: rnd() < 0.4 ? 'Debit' : 'Credit',
      code: CODES[Math.floor(rnd() * CODES.length)],
      amount: formatMoney({ minor: amount, currency: 'TRY' }),
      balance: formatMoney({ minor: balance, currency: 'TRY' }),
      currency: 'TRY',
      description: `SN:G${account}-${sequence} ${COUNTERPARTIES[Math.floor(rnd() * COUNTERPARTIES.length)]} FATURA ÖDEMESİ ŞUBAT/2025`,
      account_id: account,
      account: 'Kadıköy İşbank TL Hesabı',
      bank: 'Türkiye İş Bankası A.Ş.',
      opponent_id: '1234567890',
      opponent_iban: 'TR330006100519786457841326',
    }
  }
  const signNow = (fields) => btoa(nodeSha256(signingInput(fields) + secret))
  const first = unsigned()
  const hash = signNow(first)
  if (hash !== (await sign(first, secret, { sha256: nodeSha256 })())) throw new Error('disconnectedMovements: signs differently from core `sign`')
  let pending = { ...first, hash }
  return {
    accountId: account,
    /** @returns {Record<string, string>} */
    next: () => {
      if (pending !== undefined) {
        const taken = pending
        pending = undefined
        return taken
      }
      const fields = unsigned()
      return { ...fields, hash: signNow(fields) }
    },
  }
}

/** The raw HTTP/1.1 request for one form body (as bench/lib/load.mjs writes them). */
const rawFormRequest = (body) => {
  const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\ncontent-type: ${FORM_CONTENT_TYPE}\r\nContent-Length: ${body.length}\r\n\r\n`
  return Buffer.concat([Buffer.from(head, 'latin1'), body])
}

/**
 * Raw requests per connection for hostile traffic: `accounts` accounts, connection k sending
 * account `k % accounts`'s movements (each account's movements dealt round-robin to its
 * connections). `connections` must be a multiple of `accounts`.
 *
 * @example
 * const queues = await gapQueues({ accounts: 10, connections: 50, perConnection: 1000 })
 *
 * @param {{ accounts: number, connections: number, perConnection: number, accountBase?: number }} options
 * @returns {Promise<Buffer[][]>}
 */
export const gapQueues = async ({ accounts, connections, perConnection, accountBase = 7000 }) => {
  if (connections % accounts !== 0) throw new Error(`gapQueues: ${connections} connections is not a multiple of ${accounts} accounts`)
  const queues = Array.from({ length: connections }, () => [])
  for (let a = 0; a < accounts; a++) {
    const movements = await disconnectedMovements({ accountId: accountBase + a + 1 })
    for (let i = 0; i < perConnection; i++)
      for (let k = a; k < connections; k += accounts) queues[k].push(rawFormRequest(formBodyFast(movements.next())))
  }
  return queues
}

/**
 * Loads one server (a bench script or the CLI, as bench/lib/load.mjs starts them: stdout to
 * /dev/null) with `queues`: `warmupPer` requests per connection first (not measured), then
 * `amountPer`. Returns requests/s, exact latency percentiles, the server's CPU time per request
 * (user + system, /proc), RSS, and the counts it kept (for the CLI, its `stopped` line whole).
 *
 * @example
 * const r = await loadQueues({ name: 'listen', cli: ['listen'] }, queues, { warmupPer: 220, amountPer: 800, cpu: 1 })
 * r.cpuUsPerRequest
 *
 * @param {{ name: string, script?: string, cli?: string[], bin?: string, env?: Record<string, string> }} server
 * @param {Buffer[][]} queues
 * @param {{ warmupPer: number, amountPer: number, cpu?: number, execArgv?: string[] }} options
 */
export const loadQueues = async (server, queues, { warmupPer, amountPer, cpu, execArgv = [] }) => {
  const connections = queues.length
  const cursors = new Array(connections).fill(0)
  const handle = await startServer(server, { cpu, execArgv })
  try {
    await fire(handle.port, { connections, amount: warmupPer * connections, queues, cursors })
    const loadBefore = loadAverage()
    const cpuBefore = cpuMsOf(handle.child.pid)
    const { result, seconds, latencies } = await fire(handle.port, { connections, amount: amountPer * connections, queues, cursors })
    const cpuMs = cpuMsOf(handle.child.pid) - cpuBefore
    const loadAfter = loadAverage()
    const memory = memoryOf(handle.child.pid)
    const stats = handle.ipc ? await ask(handle.child, 'stats') : undefined
    await stopServer(handle)
    const completed = result['2xx'] + result.non2xx
    return {
      name: server.name,
      requests: completed,
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      seconds,
      requestsPerSecond: result['2xx'] / seconds,
      cpuUsPerRequest: (cpuMs * 1000) / completed,
      cpuUtilisation: cpuMs / (seconds * 1000),
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      rss: { end: memory.rss, vmHwm: memory.peak },
      loadAverage: { before: loadBefore, after: loadAfter },
      sent: cursors.reduce((a, b) => a + b, 0),
      counts: handle.ipc ? stats.counts : undefined,
      stopped: handle.ipc ? undefined : handle.stopped,
    }
  } finally {
    await stopServer(handle)
  }
}

const ask = (child, type) =>
  new Promise((resolve) => {
    const onMessage = (message) => {
      if (message?.type === type) {
        child.off('message', onMessage)
        resolve(message)
      }
    }
    child.on('message', onMessage)
    child.send({ type })
  })

const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')
