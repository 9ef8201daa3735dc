/**
 * The replay attacks of issue 16, over real sockets against the Node receiver: a captured
 * notification replayed with other `account_id`s (unsigned), replayed unchanged against the file
 * store, and replayed after it left the dedupe window. Each ends as a duplicate or a suspected
 * replay: never a second credit, never a growing store.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { encodeForm, LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createNodeReceiver } from '../../src/index.ts'
import { type Answer, Connection } from './support/client.ts'
import { fieldsOf, post, SECRET, signFields } from './support/notifications.ts'

const dir = mkdtempSync(join(tmpdir(), 'bsw-replay-'))
test.after(() => rmSync(dir, { recursive: true, force: true }))

/** Sends every body over `connections` keep-alive connections, pipelined in batches; returns the answers' bodies. */
const blast = async (port: number, bodies: ReadonlyArray<string>, connections = 4, batch = 200): Promise<string[]> => {
  const lanes = await Promise.all(Array.from({ length: connections }, () => Connection.open(port)))
  const out: string[] = []
  try {
    await Promise.all(
      lanes.map(async (lane, l) => {
        const mine = bodies.filter((_, i) => i % connections === l)
        for (let at = 0; at < mine.length; at += batch) {
          const chunk = mine.slice(at, at + batch)
          lane.socket.write(Buffer.concat(chunk.map((b) => post(b))))
          const answers: Answer[] = await lane.take(chunk.length, 30_000)
          assert.is(answers.length, chunk.length, 'every request answered')
          for (const a of answers) out.push(`${a.status} ${a.body}`)
        }
      }),
    )
  } finally {
    for (const lane of lanes) lane.close()
  }
  return out
}

const tally = (answers: ReadonlyArray<string>): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const a of answers) counts[a] = (counts[a] ?? 0) + 1
  return counts
}

test('one captured notification replayed 20,000 times with other account_ids: 1 ok, 19,999 duplicates, one credit', async () => {
  const receiver = createNodeReceiver({ secrets: [SECRET] })
  const credits: string[] = []
  receiver.on('credit', (tx) => void credits.push(tx.unverified.account_id))
  const { port } = await receiver.listen(0, '127.0.0.1')
  try {
    const captured = await signFields(fieldsOf(0, 1))
    const bodies = Array.from({ length: 20_000 }, (_, i) => encodeForm({ ...captured, account_id: String(1000 + i) }))
    const answers = await blast(port, bodies)
    assert.equal(tally(answers), { '200 {"status":"ok"}': 1, '200 {"status":"duplicate"}': 19_999 })
    assert.is(credits.length, 1, 'one credit event in all')
    const ledgers = await receiver.inbox.ledgers()
    assert.ok(E.isRight(ledgers))
    assert.is(ledgers.right.size, 1, 'no ledger was opened for a replayed account_id')
    const [only] = ledgers.right.values()
    assert.equal([only?.count, only?.duplicates], [1, 19_999])
  } finally {
    await receiver.close()
  }
})

test('one notification replayed 100,000 times against the file store: every replay a duplicate, the store grows by under 64 KB', async () => {
  const path = join(dir, 'replays.jsonl')
  const opened = await openFileEventStore({ path, codec: LedgerEvent })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  const store = opened.right
  const receiver = createNodeReceiver({ secrets: [SECRET], store })
  const { port } = await receiver.listen(0, '127.0.0.1')
  try {
    const body = encodeForm(await signFields(fieldsOf(0, 1)))
    assert.equal(await blast(port, [body], 1), ['200 {"status":"ok"}'])
    const before = statSync(path).size
    const answers = await blast(
      port,
      Array.from({ length: 100_000 }, () => body),
    )
    assert.equal(tally(answers), { '200 {"status":"duplicate"}': 100_000 })
    const grown = statSync(path).size - before
    assert.ok(grown < 64 * 1024, `the store grew by ${grown} bytes`)
    assert.is(grown, 0, 'in fact nothing is written for a duplicate')
  } finally {
    await receiver.close()
    await store.close()()
  }
})

test('a notification replayed after it left the dedupe window is a suspected replay, never a credit', async () => {
  const receiver = createNodeReceiver({ secrets: [SECRET], dedupeWindow: 50 })
  const credits: string[] = []
  const suspected: string[] = []
  receiver.on('credit', (tx) => void credits.push(tx.verified.description))
  receiver.on('suspected_replay', (d) => void suspected.push(d.verified.description))
  const { port } = await receiver.listen(0, '127.0.0.1')
  try {
    // 200 movements on one account (fieldsOf with one account is one unbroken chain); the first
    // one then leaves the window of 50 keys.
    const bodies = await Promise.all(Array.from({ length: 200 }, async (_, n) => encodeForm(await signFields(fieldsOf(n, 1)))))
    const answers = await blast(port, bodies, 1)
    assert.equal(tally(answers), { '200 {"status":"ok"}': 200 })
    const old = bodies[0] as string
    assert.equal(await blast(port, [old], 1), ['200 {"status":"suspected_replay"}'])
    assert.equal(await blast(port, [old], 1), ['200 {"status":"duplicate"}'], 'reported once, then remembered')
    assert.is(credits.length, 200)
    assert.equal(suspected, ['SN:0 SİPARİŞ ÖDEMESİ'])
    const ledgers = await receiver.inbox.ledgers()
    const [ledger] = E.isRight(ledgers) ? [...ledgers.right.values()] : []
    assert.equal([ledger?.count, ledger?.suspectedReplays, ledger?.openGaps.length, ledger?.balance?.minor], [200, 1, 0, 120000n])
  } finally {
    await receiver.close()
  }
})

test.run()
