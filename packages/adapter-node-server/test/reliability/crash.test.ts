/**
 * Durability under SIGKILL: a receiver process with the file store is killed at a random moment
 * while many keep-alive connections deliver distinct signed notifications over three accounts, then
 * restarted on the same file. Every notification answered 200 before the kill is stored exactly
 * once; after the restart every one of them is answered `{"status":"duplicate"}`; a notification
 * that got no answer may be stored or not, but never twice.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { LedgerEvent } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startReceiver } from './support/child.ts'
import { Connection } from './support/client.ts'
import { notification, post } from './support/notifications.ts'

const ROUNDS = 4
const CONNECTIONS = 24
const ACCOUNTS = 3

const dir = mkdtempSync(join(tmpdir(), 'bsw-crash-'))
const path = join(dir, 'events.jsonl')
test.after(() => rmSync(dir, { recursive: true, force: true }))

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** How many times each notification number has a TransactionReceived in the log. */
const storedCounts = async (): Promise<Map<number, number>> => {
  const opened = await openFileEventStore({ path, codec: LedgerEvent })()
  if (E.isLeft(opened)) throw new Error(opened.left.message)
  const all = await opened.right.readAll()()
  await opened.right.close()()
  if (E.isLeft(all)) throw new Error(JSON.stringify(all.left))
  const counts = new Map<number, number>()
  for (const { event } of all.right) {
    if (event.type !== 'TransactionReceived') continue
    const n = Number(/^SN:(\d+)/.exec(event.data.verified.description)?.[1])
    counts.set(n, (counts.get(n) ?? 0) + 1)
  }
  return counts
}

/** Delivers notifications `numbers` over `connections` keep-alive connections; resolves with each answer body. */
const deliverAll = async (port: number, numbers: ReadonlyArray<number>, connections: number): Promise<Map<number, string>> => {
  const bodies = new Map<number, string>()
  let i = 0
  await Promise.all(
    Array.from({ length: Math.min(connections, numbers.length) }, async () => {
      const connection = await Connection.open(port)
      try {
        for (let k = i++; k < numbers.length; k = i++) {
          const n = numbers[k] as number
          const answer = await connection.request(post((await notification(n, ACCOUNTS)).body))
          bodies.set(n, answer === undefined ? 'no answer' : `${answer.status} ${answer.body}`)
        }
      } finally {
        connection.close()
      }
    }),
  )
  return bodies
}

test('SIGKILL under load, restart on the same file: every 200 is stored exactly once and re-delivered as a duplicate', async () => {
  const acked = new Set<number>()
  const unanswered = new Set<number>()
  let next = 0
  const killedAfter: number[] = []
  const inFlightAtKill = { total: 0, stored: 0 }

  for (let round = 0; round < ROUNDS; round++) {
    const receiver = await startReceiver(path)
    try {
      if (round > 0) {
        // After the restart: every acknowledged notification is a duplicate; an unanswered one is
        // accepted now if the kill lost it, a duplicate if it had been stored.
        const again = await deliverAll(receiver.port, [...acked], 16)
        for (const [n, answer] of again) assert.is(answer, '200 {"status":"duplicate"}', `round ${round}: re-delivery of acknowledged #${n}`)
        const retried = await deliverAll(receiver.port, [...unanswered], 16)
        for (const [n, answer] of retried) {
          assert.ok(answer === '200 {"status":"ok"}' || answer === '200 {"status":"duplicate"}', `retry of unanswered #${n}: ${answer}`)
          acked.add(n)
        }
        unanswered.clear()
      }

      // Load, then SIGKILL at a random moment once some deliveries were acknowledged.
      let ackedThisRound = 0
      let stop = false
      const load = Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          const connection = await Connection.open(receiver.port)
          try {
            while (!stop) {
              const n = next++
              const answer = await connection.request(post((await notification(n, ACCOUNTS)).body))
              if (answer === undefined) {
                unanswered.add(n)
                return
              }
              assert.is(`${answer.status} ${answer.body}`, '200 {"status":"ok"}', `#${n} is accepted`)
              acked.add(n)
              ackedThisRound++
            }
          } finally {
            connection.close()
          }
        }),
      )
      let settled = false
      void load.then(
        () => (settled = true),
        () => (settled = true),
      )
      while (ackedThisRound < 20 && !settled) await sleep(5)
      const delay = Math.floor(Math.random() * 400)
      await sleep(delay)
      killedAfter.push(ackedThisRound)
      receiver.child.kill('SIGKILL')
      await receiver.exited
      stop = true
      await load
    } finally {
      receiver.child.kill('SIGKILL')
      await receiver.exited
    }

    const stored = await storedCounts()
    for (const n of acked) assert.is(stored.get(n), 1, `round ${round}: acknowledged #${n} is stored exactly once`)
    for (const [n, times] of stored) assert.is(times, 1, `round ${round}: #${n} is stored once, not ${times} times`)
    for (const n of unanswered) assert.ok((stored.get(n) ?? 0) <= 1)
    inFlightAtKill.total += unanswered.size
    inFlightAtKill.stored += [...unanswered].filter((n) => stored.has(n)).length
  }

  // A last restart: everything acknowledged is a duplicate, the unanswered ones are accepted or
  // duplicates, and only the accepted ones are emitted as transactions (once each).
  const receiver = await startReceiver(path)
  const again = await deliverAll(receiver.port, [...acked], 16)
  for (const [n, answer] of again) assert.is(answer, '200 {"status":"duplicate"}', `final re-delivery of #${n}`)
  const retried = await deliverAll(receiver.port, [...unanswered], 16)
  const accepted = [...retried.values()].filter((answer) => answer === '200 {"status":"ok"}').length
  assert.is(accepted + [...retried.values()].filter((answer) => answer === '200 {"status":"duplicate"}').length, unanswered.size)
  for (const n of unanswered) acked.add(n)
  const closed = await receiver.ask('close', 'closed')
  await receiver.exited
  assert.is(closed['transactions'], accepted)
  assert.is(closed['emittedTwice'], 0)
  assert.is(closed['duplicates'], acked.size - accepted)
  const stored = await storedCounts()
  for (const n of acked) assert.is(stored.get(n), 1, `#${n} is stored exactly once`)
  assert.is([...stored.values()].filter((times) => times !== 1).length, 0)
  assert.ok(
    acked.size > ROUNDS * 20,
    `${acked.size} notifications acknowledged across ${ROUNDS} kills (acks per round at the kill: ${killedAfter.join(', ')})`,
  )
  console.log(
    `crash: ${ROUNDS} SIGKILL rounds, ${acked.size} notifications acknowledged (acks per round when killed: ${killedAfter.join(', ')}); ` +
      `${inFlightAtKill.total} were in flight at a kill, ${inFlightAtKill.stored} of them had been stored; ${stored.size} stored, each once`,
  )
})

test.run()
