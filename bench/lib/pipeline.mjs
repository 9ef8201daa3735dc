// Part 4: what one notification costs on its way through the receive pipeline, stage by stage:
// parse (core `parseBody`), decode (`WireNotification.decode`), verify (`verify`, node:crypto
// hasher), store (append to core's in-memory store), emit (eventemitter3 to one listener). Then
// the whole of core's `receive` and of `createInbox(...).deliver`, so that what the stages leave
// out (exact money, the idempotency key, the ledger decision, the dedupe window) shows as the rest.

import { createInbox, createInMemoryEventStore, receive, verify, WireNotification } from '@banksocket-webhooks/core'
import { parseBody } from '@banksocket-webhooks/core/runtime-kit'
import { EventEmitter } from 'eventemitter3'
import { envNumber, nsPerOpAsync, nsPerOpSync } from './measure.mjs'
import { accountMovements, FORM_CONTENT_TYPE, formBody, nodeSha256, SECRET } from './notifications.mjs'
import { section } from './section.mjs'

const POOL = 1024

const distinct = async (count, accountId, prefix) => {
  const movements = accountMovements({ accountId, sequencePrefix: prefix })
  const out = new Array(count)
  for (let i = 0; i < count; i++) out[i] = await movements.next()
  return out
}

export const run = async () => {
  const iterations = envNumber('BENCH_PIPELINE_ITERATIONS', 100_000)
  const rounds = envNumber('BENCH_PIPELINE_ROUNDS', 5)
  const secrets = [SECRET]
  const options = { iterations, rounds }

  const notes = await distinct(POOL, 69, 'P')
  const bodies = notes.map((n) => new Uint8Array(formBody(n)))
  const fieldsOf = bodies.map((b) => parseBody(b, FORM_CONTENT_TYPE).right)
  const at = (i) => i & (POOL - 1)

  const parse = nsPerOpSync('parse', (i) => parseBody(bodies[at(i)], FORM_CONTENT_TYPE)._tag === 'Right', options)
  const decode = nsPerOpSync('decode', (i) => WireNotification.decode(fieldsOf[at(i)])._tag === 'Right', options)
  const verifyNs = await nsPerOpAsync(
    'verify',
    async (i) => {
      const f = fieldsOf[at(i)]
      return (await verify(f, f.hash, secrets, nodeSha256)())._tag === 'Right'
    },
    options,
  )

  const receiveOptions = { secrets, sha256: nodeSha256 }
  const txs = []
  for (let i = 0; i < POOL; i++) txs.push((await receive({ body: bodies[i], contentType: FORM_CONTENT_TYPE }, receiveOptions)()).right)
  const events = txs.map((tx) => ({
    type: 'TransactionReceived',
    data: {
      idempotencyKey: tx.idempotencyKey,
      receivedAt: new Date().toISOString(),
      hash: tx.hash,
      verified: tx.verified,
      unverified: tx.unverified,
    },
  }))
  // Two fresh stores: one for the warm-up calls, one for the measured ones, each a single stream
  // whose expected version follows the appends.
  let store = createInMemoryEventStore()
  let version = 0
  const storeNs = await nsPerOpAsync(
    'store',
    async (i) => {
      if (i === 0) {
        store = createInMemoryEventStore()
        version = 0
      }
      const r = await store.appendToStream('ledger-69-TRY', [events[at(i)]], version)()
      version++
      return r._tag === 'Right'
    },
    { iterations, rounds: 1 },
  )

  const emitter = new EventEmitter()
  let seen = 0
  emitter.on('transaction', () => {
    seen++
  })
  const emit = nsPerOpSync('emit', (i) => emitter.emit('transaction', txs[at(i)]), options)

  const receiveNs = await nsPerOpAsync(
    'receive',
    async (i) => (await receive({ body: bodies[at(i)], contentType: FORM_CONTENT_TYPE }, receiveOptions)())._tag === 'Right',
    options,
  )

  // The inbox deduplicates, so it needs distinct notifications: one account, in order.
  const inboxCount = envNumber('BENCH_PIPELINE_INBOX', 50_000)
  const inboxNotes = await distinct(inboxCount * 2, 70, 'I')
  const inboxBodies = inboxNotes.map((n) => new Uint8Array(formBody(n)))
  const inbox = createInbox({ secrets, sha256: nodeSha256 })
  const dispatch = (evs) => {
    emitter.emit('transaction', evs)
  }
  let cursor = 0
  const deliverNs = await nsPerOpAsync(
    'inbox.deliver',
    async () => (await inbox.deliver({ body: inboxBodies[cursor++], contentType: FORM_CONTENT_TYPE }, dispatch))._tag === 'accepted',
    { iterations: inboxCount, rounds: 1 },
  )

  const stages = [
    { name: 'parse', label: 'parse: `parseBody` (urlencoded, UTF-8, Turkish letters)', ns: parse },
    { name: 'decode', label: 'decode: `WireNotification.decode` (io-ts)', ns: decode },
    { name: 'verify', label: 'verify: `verify`, node:crypto hasher', ns: verifyNs },
    { name: 'store', label: 'store: in-memory `appendToStream` of one event', ns: storeNs },
    { name: 'emit', label: 'emit: eventemitter3 `emit` to one listener', ns: emit },
  ]
  return {
    iterations,
    rounds,
    bodyBytes: bodies[0].length,
    stages,
    stagesTotalNs: stages.reduce((a, s) => a + s.ns, 0),
    receiveNs,
    deliverNs,
    deliverCount: inboxCount,
    listenerCalls: seen,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) section(run)
