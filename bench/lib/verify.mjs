// Part 1: hash verification throughput.
//
// Candidates, all verifying distinct notifications of the same size:
// - the baseline: the least a correct Banksocket verifier must do with node:crypto (hash the six
//   fields and the secret, decode the received base64, compare to the hex digest in constant time);
// - the same baseline with node:crypto's one-shot `hash` (Node 20.12+) instead of a Hash object;
// - core's `verify` with adapter-node-server's `nodeSha256` (what the Node receiver runs);
// - core's `verify` with its Web Crypto default, one at a time and with 50 in flight;
// - the peers: `@octokit/webhooks-methods` verify (HMAC-SHA256 over a JSON payload) and
//   `standardwebhooks` verify (HMAC-SHA256 in pure JS, with timestamp check).
import { createHash, hash as oneShotHash, timingSafeEqual } from 'node:crypto'
import { nodeSha256 } from '@banksocket-webhooks/adapter-node-server'
import { verify } from '@banksocket-webhooks/core'
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods'
import { Webhook } from 'standardwebhooks'
import { compare, envNumber } from './measure.mjs'
import { accountMovements, formBody, SECRET } from './notifications.mjs'
import { profiled } from './profile.mjs'
import { section } from './section.mjs'

const POOL = 1024

export const run = async () => {
  const sliceMs = envNumber('BENCH_VERIFY_MS', 1000)
  const rounds = envNumber('BENCH_VERIFY_ROUNDS', 5)
  const warmupMs = Math.min(500, sliceMs)

  const movements = accountMovements({ accountId: 69 })
  const notes = []
  for (let i = 0; i < POOL; i++) notes.push(await movements.next())
  const secrets = [SECRET]

  // The peers sign the same movement as a JSON payload with their own schemes.
  const payloads = notes.map(({ hash: _h, ...rest }) => JSON.stringify(rest))
  const octokitSignatures = await Promise.all(payloads.map((p) => octokitSign(SECRET, p)))
  const swSecret = `whsec_${Buffer.from(SECRET, 'utf8').toString('base64')}`
  const sw = new Webhook(swSecret)
  const now = new Date()
  const swHeaders = payloads.map((p, i) => ({
    'webhook-id': `msg_${i}`,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': sw.sign(`msg_${i}`, now, p),
  }))

  const at = (i) => i & (POOL - 1)

  const baseline = (i) => {
    const n = notes[at(i)]
    const claimed = Buffer.from(n.hash, 'base64')
    const hex = createHash('sha256')
      .update(n.dc + n.code + n.amount + n.balance + n.currency + n.description + SECRET, 'utf8')
      .digest('hex')
    return claimed.length === 64 && timingSafeEqual(claimed, Buffer.from(hex, 'latin1'))
  }
  // The same with node:crypto's one-shot `hash` (Node 20.12+), which the Node receiver's hasher uses.
  const baselineOneShot = (i) => {
    const n = notes[at(i)]
    const claimed = Buffer.from(n.hash, 'base64')
    const hex = oneShotHash('sha256', n.dc + n.code + n.amount + n.balance + n.currency + n.description + SECRET, 'hex')
    return claimed.length === 64 && timingSafeEqual(claimed, Buffer.from(hex, 'latin1'))
  }
  const coreNode = async (i) => {
    const n = notes[at(i)]
    return (await verify(n, n.hash, secrets, nodeSha256)())._tag === 'Right'
  }
  const coreWeb = async (i) => {
    const n = notes[at(i)]
    return (await verify(n, n.hash, secrets)())._tag === 'Right'
  }
  const octokit = (i) => octokitVerify(SECRET, payloads[at(i)], octokitSignatures[at(i)])
  const standard = (i) => {
    sw.verify(payloads[at(i)], swHeaders[at(i)], { jsonParse: false })
    return true
  }

  const profileFile = process.env.BENCH_VERIFY_PROFILE
  if (profileFile !== undefined && profileFile !== '') {
    // Profile mode (bench/run.mjs uses it when the verify target is missed): warm up, then only
    // core's verify with the node:crypto hasher, under the profiler.
    for (let i = 0; i < 200_000; i++) await coreNode(i)
    const count = 1_000_000
    await profiled(profileFile, async () => {
      for (let i = 0; i < count; i++) if (!(await coreNode(i))) throw new Error('verify failed')
    })
    return { profile: profileFile, count }
  }

  const results = await compare(
    [
      { name: 'baseline', label: 'baseline: node:crypto createHash + timingSafeEqual', op: baseline, mode: 'sync' },
      { name: 'baseline-oneshot', label: 'baseline with node:crypto one-shot `hash` + timingSafeEqual', op: baselineOneShot, mode: 'sync' },
      { name: 'core-node', label: 'core `verify`, node:crypto hasher (`nodeSha256`, one-shot `hash`)', op: coreNode, mode: 'async' },
      { name: 'core-web', label: 'core `verify`, Web Crypto (default), one at a time', op: coreWeb, mode: 'async' },
      { name: 'core-web-50', label: 'core `verify`, Web Crypto, 50 in flight', op: coreWeb, mode: 'concurrent', inFlight: 50 },
      { name: 'octokit', label: '`@octokit/webhooks-methods` verify (peer: HMAC-SHA256 over JSON)', op: octokit, mode: 'async' },
      { name: 'standardwebhooks', label: '`standardwebhooks` verify (peer: pure-JS HMAC-SHA256, timestamp check)', op: standard, mode: 'sync' },
    ],
    { sliceMs, rounds, warmupMs },
  )
  return {
    sliceMs,
    rounds,
    sizes: {
      formBodyBytes: formBody(notes[0]).length,
      jsonPayloadBytes: Buffer.byteLength(payloads[0]),
      signedInputBytes: Buffer.byteLength(
        notes[0].dc + notes[0].code + notes[0].amount + notes[0].balance + notes[0].currency + notes[0].description + SECRET,
      ),
    },
    results,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) section(run)
