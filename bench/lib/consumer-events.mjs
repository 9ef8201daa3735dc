// Stored ledger events for the consumer benchmarks (bench/consumers.mjs): `TransactionReceived`
// events shaped and sized as the receiver records them (the verified and unverified fields of a
// realistic signed notification, its hash, a hex idempotency key, an ISO receive time), built
// directly as objects, without HTTP or the inbox. Deterministic: the same events on every run.
import { createHash } from 'node:crypto'
import { accountMovementsSync } from './notifications.mjs'

/** The stream of an account's TRY ledger, as core's `ledgerStream` names it. */
const streamOf = (accountId) => `ledger-${accountId}-TRY`

/** The account ids of `accounts` accounts: 1001, 1002, ... */
export const accountIds = (accounts, base = 1000) => Array.from({ length: accounts }, (_, k) => base + k + 1)

/**
 * One account's `TransactionReceived` events, in chain order (each balance follows the last).
 * `next()` answers the next event.
 */
export const transactionEvents = async (accountId, { start = Date.UTC(2026, 11, 7, 9, 0, 0) } = {}) => {
  const movements = await accountMovementsSync({ accountId })
  let n = 0
  return {
    stream: streamOf(accountId),
    next: () => {
      const f = movements.next()
      n++
      return {
        type: 'TransactionReceived',
        data: {
          // The receiver's key is hex SHA-256 over the authenticated fields; any 64 hex digits
          // of them give the same size and shape.
          idempotencyKey: createHash('sha256').update(`${f.dc}\n${f.code}\n${f.amount}\n${f.balance}\n${f.currency}\n${f.description}`).digest('hex'),
          receivedAt: new Date(start + n * 1000 + (accountId % 1000)).toISOString(),
          hash: f.hash,
          verified: { dc: f.dc, code: f.code, amount: f.amount, balance: f.balance, currency: f.currency, description: f.description },
          unverified: {
            account_id: f.account_id,
            account: f.account,
            bank: f.bank,
            opponent_id: f.opponent_id,
            opponent_iban: f.opponent_iban,
          },
        },
      }
    },
  }
}

/**
 * Appends `total` events over `accounts` accounts to `store` with `appendToStream(stream, events,
 * 'any')`, `chunk` events of one account per append, accounts taking turns (so the feed interleaves
 * the accounts chunk by chunk), `inFlight` appends at once. Resolves with the count appended.
 */
export const fillStore = async (store, { total, accounts, chunk, inFlight = 4, onProgress }) => {
  const ids = accountIds(accounts)
  const sources = await Promise.all(ids.map((id) => transactionEvents(id)))
  let appended = 0
  let turn = 0
  const pending = new Set()
  while (appended < total) {
    const source = sources[turn++ % sources.length]
    const size = Math.min(chunk, total - appended)
    const events = new Array(size)
    for (let i = 0; i < size; i++) events[i] = source.next()
    appended += size
    const append = store
      .appendToStream(source.stream, events, 'any')()
      .then((result) => {
        if (result._tag === 'Left') throw new Error(`append to ${source.stream} failed: ${JSON.stringify(result.left)}`)
      })
    pending.add(append)
    append.finally(() => pending.delete(append))
    if (pending.size >= inFlight) await Promise.race(pending)
    onProgress?.(appended)
  }
  await Promise.all(pending)
  return appended
}

/**
 * The trivial work every catch-up reader does per event: count it, sum its amount in minor units
 * (the verified amount is a dot-decimal string with the currency's two decimals).
 */
export const createTally = () => {
  const tally = { events: 0, minor: 0 }
  return {
    tally,
    add: (event) => {
      tally.events++
      if (event.type === 'TransactionReceived') {
        const amount = event.data.verified.amount
        const dot = amount.indexOf('.')
        tally.minor += Number(amount.slice(0, dot)) * 100 + Number(amount.slice(dot + 1))
      }
    },
  }
}
