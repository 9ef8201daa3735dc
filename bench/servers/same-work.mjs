// The same-work baseline (docs/architecture.md, "Benchmarks: what the limit is"; issue 13): a hand-written
// node:http + URLSearchParams + node:crypto receiver doing, per notification, the work
// `banksocket listen` does, and nothing a receiver could skip:
//
//   - POST only, a 64 KiB body limit, urlencoded only, the documented fields present;
//   - the hash verified as Banksocket signs it: base64(hex_lowercase(sha256(utf8(dc + code + amount
//     + balance + currency + description + secret)))), or base64 of the raw 32-byte digest, in
//     constant time (core's `verify`, packages/core/src/hash.ts);
//   - an idempotency key that survives a secret rotation: hex SHA-256 of the six signed fields,
//     length-prefixed (core's `keyInput` in packages/core/src/receive.ts), so a second SHA-256 per
//     delivery, as ours;
//   - money parsed once into bigint minor units (the currency's exponent), refused if malformed;
//   - a bounded duplicate window per ledger (account_id + currency): a Set of keys per ledger, and
//     one ring of the last 100,000 keys of all ledgers (core's DEFAULT_DEDUPE_WINDOW, which core's
//     KeyIndex also bounds across all ledgers) that evicts the oldest from its ledger's Set; a
//     duplicate answers 200 {"status":"duplicate"} and is counted, not stored;
//   - the balance check in bigint: previous balance + signed amount = new balance, else a gap (from,
//     to, missing) that goes into the transaction's line;
//   - a bounded event history: the last 10,000 events in a ring;
//   - one listener (node:events) writing one JSON line per transaction to stdout, the lines of one
//     event-loop turn in one write (as `banksocket listen` batches them; a write per line measured
//     10 to 20 % slower here; the bench sends stdout to /dev/null, as `banksocket listen > /dev/null`).
//
// Durable variant (BENCH_DURABLE=1, the `same-work-durable` server): every event is also appended
// to a file (BENCH_DURABLE_FILE, or a fresh one in the temporary directory) as a JSON line; appends
// are group-committed (one write + one fdatasync for everything that arrived while the previous
// one was under way) and each 200 and its stdout line wait for the fdatasync that covers its event.
//
// Not done (neither by the bare baseline): multipart and JSON bodies, the IBAN validity view,
// several secrets, the balance chain's fragments (a late link that closes a gap).
import { createHash, hash, timingSafeEqual } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { closeSync, fdatasync, fdatasyncSync, mkdtempSync, openSync, rmSync, write } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SECRET } from '../lib/notifications.mjs'
import { counters, serve } from './serve.mjs'

const LIMIT = 64 * 1024
const WINDOW = 100_000
const HISTORY = 10_000
const REQUIRED = ['dc', 'code', 'amount', 'balance', 'currency', 'description', 'account_id', 'hash']
const DURABLE = process.env.BENCH_DURABLE === '1'
const counts = counters()

const sha256Hex =
  typeof hash === 'function' ? (message) => hash('sha256', message, 'hex') : (message) => createHash('sha256').update(message, 'utf8').digest('hex')

const answer = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

// --- verification -------------------------------------------------------------------------------

const verified = (f) => {
  const claimed = Buffer.from(f.get('hash'), 'base64')
  const message = f.get('dc') + f.get('code') + f.get('amount') + f.get('balance') + f.get('currency') + f.get('description') + SECRET
  const hex = sha256Hex(message)
  if (claimed.length === 64) return timingSafeEqual(claimed, Buffer.from(hex, 'latin1'))
  if (claimed.length === 32) return timingSafeEqual(claimed, Buffer.from(hex, 'hex'))
  return false
}

const keyOf = (dc, code, amount, balance, currency, description) =>
  sha256Hex(
    `${dc.length}:${dc}|${code.length}:${code}|${amount.length}:${amount}|${balance.length}:${balance}|${currency.length}:${currency}|${description.length}:${description}`,
  )

// --- exact money --------------------------------------------------------------------------------

const EXPONENTS = { JPY: 0, KRW: 0, CLP: 0, ISK: 0, VND: 0, BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3 }
const MONEY = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/
const POW = [1n, 10n, 100n, 1000n]

/** A dot-decimal string to bigint minor units, or undefined if malformed or too precise. */
const toMinor = (text, exponent) => {
  const m = MONEY.exec(text)
  if (m === null) return undefined
  const fraction = m[2] ?? ''
  if (fraction.length > exponent) return undefined
  return BigInt(m[1]) * POW[exponent] + (fraction === '' ? 0n : BigInt(fraction) * POW[exponent - fraction.length])
}

const formatMinor = (minor, exponent) => {
  const negative = minor < 0n
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0')
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`
  return negative ? `-${text}` : text
}

// --- ledgers: duplicate window, balance check, history ------------------------------------------

/** Per ledger: the head balance and its keys among the last WINDOW keys of all ledgers. */
const ledgers = new Map()
const ledgerOf = (name) => {
  let ledger = ledgers.get(name)
  if (ledger === undefined) {
    ledger = { balance: undefined, keys: new Set(), movements: 0, gaps: 0 }
    ledgers.set(name, ledger)
  }
  return ledger
}
/** The last WINDOW keys of all ledgers, oldest first from `ringNext`, and whose each one is. */
const ringKeys = []
const ringLedgers = []
let ringNext = 0
const remember = (ledger, key) => {
  if (ringKeys.length < WINDOW) {
    ringKeys.push(key)
    ringLedgers.push(ledger)
  } else {
    ringLedgers[ringNext].keys.delete(ringKeys[ringNext])
    ringKeys[ringNext] = key
    ringLedgers[ringNext] = ledger
    ringNext = (ringNext + 1) % WINDOW
  }
  ledger.keys.add(key)
}

const history = new Array(HISTORY)
let historyNext = 0
const keep = (event) => {
  history[historyNext] = event
  historyNext = (historyNext + 1) % HISTORY
}

// --- the one listener ---------------------------------------------------------------------------

const events = new EventEmitter()
// Lines are batched per event-loop turn (one write for every line of the turn), as a receiver
// that cares about its cost would write them (and as `banksocket listen` does).
let pending = ''
const flushLines = () => {
  const text = pending
  pending = ''
  process.stdout.write(text)
}
events.on('transaction', (event) => {
  if (pending === '') setImmediate(flushLines)
  pending += `${JSON.stringify(event)}\n`
})

// --- durable appends, group-committed -----------------------------------------------------------

const durable = DURABLE ? openLog(process.env.BENCH_DURABLE_FILE) : undefined
function openLog(path) {
  const dir = path === undefined ? mkdtempSync(join(tmpdir(), 'bsw-same-work-')) : undefined
  const file = path ?? join(dir, 'events.jsonl')
  return { dir, file, fd: openSync(file, 'a'), batch: [], writing: false }
}
const writeAll = (fd, buffer, offset, done) => {
  write(fd, buffer, offset, buffer.length - offset, null, (error, written) => {
    if (error) return done(error)
    if (offset + written < buffer.length) writeAll(fd, buffer, offset + written, done)
    else done(null)
  })
}
const commit = () => {
  if (durable.batch.length === 0) {
    durable.writing = false
    return
  }
  durable.writing = true
  const taken = durable.batch
  durable.batch = []
  let text = ''
  for (const entry of taken) text += entry.line
  writeAll(durable.fd, Buffer.from(text, 'utf8'), 0, (error) => {
    const settle = (failed) => {
      for (const entry of taken) {
        if (failed) {
          counts.errors++
          answer(entry.res, 500, '{"error":"store_failed"}')
        } else {
          events.emit('transaction', entry.event)
          answer(entry.res, 200, '{"status":"ok"}')
        }
      }
      commit()
    }
    if (error) return settle(true)
    fdatasync(durable.fd, (synced) => settle(synced !== null && synced !== undefined))
  })
}
const append = (event, res) => {
  durable.batch.push({ line: `${JSON.stringify(event)}\n`, event, res })
  if (!durable.writing) commit()
}

// --- one notification ---------------------------------------------------------------------------

const accept = (f, res) => {
  const dc = f.get('dc')
  const code = f.get('code')
  const amountText = f.get('amount')
  const balanceText = f.get('balance')
  const currency = f.get('currency')
  const description = f.get('description')
  const exponent = EXPONENTS[currency] ?? 2
  const amount = toMinor(amountText, exponent)
  const balance = toMinor(balanceText, exponent)
  if ((dc !== 'Credit' && dc !== 'Debit') || amount === undefined || balance === undefined || !/^[A-Z]{3}$/.test(currency)) {
    counts.rejected++
    return answer(res, 400, '{"error":"invalid_payload"}')
  }
  if (!verified(f)) {
    counts.rejected++
    return answer(res, 401, '{"error":"invalid_hash"}')
  }
  const key = keyOf(dc, code, amountText, balanceText, currency, description)
  const accountId = f.get('account_id')
  const ledger = ledgerOf(`${accountId}/${currency}`)
  if (ledger.keys.has(key)) {
    counts.duplicates++
    return answer(res, 200, '{"status":"duplicate"}')
  }
  remember(ledger, key)
  const before = dc === 'Credit' ? balance - amount : balance + amount
  let gap = null
  if (ledger.balance !== undefined && ledger.balance !== before) {
    counts.gaps++
    ledger.gaps++
    gap = { from: formatMinor(ledger.balance, exponent), to: formatMinor(before, exponent), missing: formatMinor(before - ledger.balance, exponent) }
  }
  ledger.balance = balance
  ledger.movements++
  counts.accepted++
  const event = {
    type: 'transaction',
    idempotencyKey: key,
    receivedAt: new Date().toISOString(),
    accountId,
    dc,
    amount: formatMinor(amount, exponent),
    balance: formatMinor(balance, exponent),
    currency,
    verified: { dc, code, amount: amountText, balance: balanceText, currency, description },
    unverified: {
      account_id: accountId,
      account: f.get('account') ?? '',
      bank: f.get('bank') ?? '',
      opponent_id: f.get('opponent_id') ?? '',
      opponent_iban: f.get('opponent_iban') ?? '',
    },
    hash: f.get('hash'),
    gap,
  }
  keep(event)
  if (durable !== undefined) return append(event, res)
  events.emit('transaction', event)
  answer(res, 200, '{"status":"ok"}')
}

serve((req, res) => {
  if (req.method !== 'POST') {
    res.setHeader('allow', 'POST')
    return answer(res, 405, '{"error":"method_not_allowed"}')
  }
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    counts.rejected++
    return answer(res, 415, '{"error":"unsupported_media_type"}')
  }
  const chunks = []
  let size = 0
  req.on('data', (chunk) => {
    size += chunk.length
    if (size <= LIMIT) chunks.push(chunk)
  })
  req.on('end', () => {
    if (size > LIMIT) {
      counts.rejected++
      return answer(res, 413, '{"error":"too_large"}')
    }
    const fields = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    if (!REQUIRED.every((name) => fields.has(name))) {
      counts.rejected++
      return answer(res, 400, '{"error":"invalid_payload"}')
    }
    accept(fields, res)
  })
}, counts)

if (durable !== undefined) {
  process.on('exit', () => {
    try {
      fdatasyncSync(durable.fd)
      closeSync(durable.fd)
      if (durable.dir !== undefined) rmSync(durable.dir, { recursive: true, force: true })
    } catch {
      // exiting anyway
    }
  })
}
