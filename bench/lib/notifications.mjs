// Realistic, distinct, signed Banksocket notifications for the benchmarks.
//
// Every notification is new to the receiver (a distinct description, so a distinct idempotency
// key), and the balances of one account follow each other exactly (previous balance plus a credit,
// minus a debit), so a receiver that gets one account's notifications in order reports no balance
// gap. Signing goes through core's own `sign` with a node:crypto hasher, so the bench never
// re-implements the hash it measures.
import { createHmac } from 'node:crypto'
import { encodeForm, formatMoney, sign } from '@banksocket-webhooks/core'
import { signingInput } from '@banksocket-webhooks/core/runtime-kit'

/** The secret every bench receiver is configured with. Never printed. */
export const SECRET = 'bench-s3cr3t-ÇĞİÖŞÜ'

/** The Banksocket body encoding used under load (the one the documentation's PHP sample posts). */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded'

/** node:crypto SHA-256 as the Node receiver runs it (adapter-node-server's default hasher). */
export { nodeSha256 } from '@banksocket-webhooks/adapter-node-server'

import { nodeSha256 } from '@banksocket-webhooks/adapter-node-server'

export const CODES = ['EFT', 'FAST', 'HAVALE']
export const COUNTERPARTIES = ['ÇAĞLAR İNŞAAT', 'GÜNEŞ ÖZTÜRK', 'ŞİRİN KUYUMCULUK', 'IŞIK GIDA', 'ÜMİT DOĞAN']

/** A small deterministic generator (mulberry32), so every run sends the same movements. */
export const random = (seed) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * One account's movements, in order. `next()` returns the wire fields (hash included) of the next
 * movement; the balance after each movement is the previous one plus or minus its amount.
 *
 * @param {{ accountId: number, seed?: number, secret?: string, sequencePrefix?: string }} options
 */
export const accountMovements = ({ accountId, seed = accountId, secret = SECRET, sequencePrefix = 'B' }) => {
  const unsigned = unsignedMovements({ accountId, seed, sequencePrefix })
  return {
    accountId: unsigned.accountId,
    /** @returns {Promise<Record<string, string>>} */
    next: async () => {
      const fields = unsigned.next()
      const hash = await sign(fields, secret, { sha256: nodeSha256 })()
      return { ...fields, hash }
    },
  }
}

/**
 * The same movements as {@link accountMovements}, signed synchronously (for drivers that build each
 * request when it is sent, such as the 1,000,000-notification run against `banksocket listen`).
 * The hash is core's `sign` unrolled for a synchronous hasher: `base64(sha256hex(signingInput
 * + secret))`; the first movement of every account is checked against `sign` itself.
 *
 * @param {{ accountId: number, seed?: number, secret?: string, sequencePrefix?: string }} options
 */
export const accountMovementsSync = async ({ accountId, seed = accountId, secret = SECRET, sequencePrefix = 'B' }) => {
  const unsigned = unsignedMovements({ accountId, seed, sequencePrefix })
  const signNow = (fields) => btoa(nodeSha256(signingInput(fields) + secret))
  const check = unsignedMovements({ accountId, seed, sequencePrefix }).next()
  if (signNow(check) !== (await sign(check, secret, { sha256: nodeSha256 })()))
    throw new Error('accountMovementsSync: signs differently from core `sign`')
  return {
    accountId: unsigned.accountId,
    /** @returns {Record<string, string>} */
    next: () => {
      const fields = unsigned.next()
      return { ...fields, hash: signNow(fields) }
    },
  }
}

/** One account's movements in order, without the hash. */
const unsignedMovements = ({ accountId, seed, sequencePrefix }) => {
  const rnd = random(seed * 7919 + 17)
  let balance = 100_000_00n + BigInt(Math.floor(rnd() * 900_000_00))
  let sequence = 0
  const account = String(accountId)
  return {
    accountId: account,
    next: () => {
      sequence++
      const amount = 1_00n + BigInt(Math.floor(rnd() * 4_999_00))
      const dc = balance > amount && rnd() < 0.4 ? 'Debit' : 'Credit'
      balance = dc === 'Credit' ? balance + amount : balance - amount
      const who = COUNTERPARTIES[Math.floor(rnd() * COUNTERPARTIES.length)]
      const fields = {
        dc,
        code: CODES[Math.floor(rnd() * CODES.length)],
        amount: formatMoney({ minor: amount, currency: 'TRY' }),
        balance: formatMoney({ minor: balance, currency: 'TRY' }),
        currency: 'TRY',
        description: `SN:${sequencePrefix}${account}-${sequence} ${who} FATURA ÖDEMESİ ŞUBAT/2025`,
        account_id: account,
        account: 'Kadıköy İşbank TL Hesabı',
        bank: 'Türkiye İş Bankası A.Ş.',
        opponent_id: '1234567890',
        opponent_iban: 'TR330006100519786457841326',
      }
      return fields
    },
  }
}

/** A Banksocket notification as the urlencoded body Banksocket posts. */
export const formBody = (fields) => Buffer.from(encodeForm(fields), 'utf8')

const formEscape = (v) =>
  encodeURIComponent(v)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * The same bytes as {@link formBody} (core's `encodeForm`: spaces as `+`, everything but
 * `A-Za-z0-9*-._` percent-encoded as UTF-8), five times cheaper: for drivers that build each request
 * when it is sent. bench/lib/listen-memory.mjs checks it against `formBody`.
 */
export const formBodyFast = (fields) => {
  let text = ''
  for (const name in fields) text += `${text === '' ? '' : '&'}${formEscape(name)}=${formEscape(fields[name])}`
  return Buffer.from(text, 'utf8')
}

/**
 * The same movement as a GitHub-style delivery for `@octokit/webhooks`: the notification fields as
 * JSON (hash left out), signed with HMAC-SHA256 in `X-Hub-Signature-256`, the peer's own signature
 * scheme. Issue 13 compares the two on same-size payloads: the JSON is shorter than the form body
 * (no percent-encoding), so a `padding` field of spaces makes it exactly as many bytes as
 * {@link formBody} of the same fields (checked: a mismatch throws).
 */
const octokitDelivery = (fields, id, secret = SECRET) => {
  const { hash: _hash, ...rest } = fields
  const target = formBody(fields).length
  const bare = JSON.stringify({ action: 'created', notification: rest, padding: '' })
  const short = target - Buffer.byteLength(bare, 'utf8')
  const payload = JSON.stringify({ action: 'created', notification: rest, padding: ' '.repeat(Math.max(0, short)) })
  if (Buffer.byteLength(payload, 'utf8') !== target)
    throw new Error(`octokitDelivery: ${Buffer.byteLength(payload, 'utf8')} bytes, not the form body's ${target}`)
  const signature = `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`
  return {
    body: Buffer.from(payload, 'utf8'),
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': id,
      'x-hub-signature-256': signature,
    },
  }
}

/**
 * Per connection, a queue of request bodies (and headers) to send in order: connection `k` sends
 * only account `k`'s movements, so each account's balances arrive in order.
 *
 * @param {{ connections: number, perConnection: number, kind: 'form' | 'octokit', seedBase?: number }} options
 * @returns {Promise<Array<Array<{ body: Buffer, headers: Record<string, string> }>>>}
 */
export const connectionQueues = async ({ connections, perConnection, kind, seedBase = 1000 }) => {
  const queues = []
  for (let k = 0; k < connections; k++) {
    const movements = accountMovements({ accountId: seedBase + k + 1 })
    const queue = new Array(perConnection)
    for (let i = 0; i < perConnection; i++) {
      const fields = await movements.next()
      queue[i] =
        kind === 'octokit'
          ? octokitDelivery(fields, `${seedBase + k + 1}-${i}`)
          : { body: formBody(fields), headers: { 'content-type': FORM_CONTENT_TYPE } }
    }
    queues.push(queue)
  }
  return queues
}
