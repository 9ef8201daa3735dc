// The baseline: the least a correct Banksocket receiver must do, on bare node:http. POST only,
// a 64 KiB body limit, urlencoded only, the documented fields present, the hash verified with
// node:crypto in constant time. No deduplication, no balance continuity, no events, no store:
// the floor our receivers are measured against.
import { createHash, hash, timingSafeEqual } from 'node:crypto'
import { SECRET } from '../lib/notifications.mjs'
import { counters, serve } from './serve.mjs'

const LIMIT = 64 * 1024
const REQUIRED = ['dc', 'code', 'amount', 'balance', 'currency', 'description', 'account_id', 'hash']
const counts = counters()

const answer = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

// node:crypto's one-shot `hash` where Node has it (20.12+), as our receiver's hasher does: the
// baseline should be the least work, not slower than us at hashing.
const sha256Hex =
  typeof hash === 'function' ? (message) => hash('sha256', message, 'hex') : (message) => createHash('sha256').update(message, 'utf8').digest('hex')

const verified = (f) => {
  const claimed = Buffer.from(f.get('hash'), 'base64')
  const hex = sha256Hex(f.get('dc') + f.get('code') + f.get('amount') + f.get('balance') + f.get('currency') + f.get('description') + SECRET)
  return claimed.length === 64 && timingSafeEqual(claimed, Buffer.from(hex, 'latin1'))
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
  let tooLarge = false
  req.on('data', (chunk) => {
    size += chunk.length
    if (size > LIMIT) tooLarge = true
    else chunks.push(chunk)
  })
  req.on('end', () => {
    if (tooLarge) {
      counts.rejected++
      return answer(res, 413, '{"error":"too_large"}')
    }
    const fields = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    if (!REQUIRED.every((name) => fields.has(name))) {
      counts.rejected++
      return answer(res, 400, '{"error":"invalid_payload"}')
    }
    if (!verified(fields)) {
      counts.rejected++
      return answer(res, 401, '{"error":"invalid_hash"}')
    }
    counts.accepted++
    answer(res, 200, '{"status":"ok"}')
  })
}, counts)
