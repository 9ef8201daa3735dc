/**
 * 200 notifications in parallel across 3 accounts, plus 40 re-deliveries racing their originals:
 * every transaction is emitted exactly once, every re-delivery is a duplicate, and each ledger's
 * stored stream is consistent (contiguous, every gap recorded exactly where the arrival order broke
 * the running balance, and nowhere else).
 */
import { createInMemoryEventStore, type LedgerEvent, ledgerStream, type StoredEvent, sign } from '@banksocket-webhooks/core'
import { type Encoding, encodings, SECRET } from '@banksocket-webhooks/test-support/encodings'
import { send } from '@banksocket-webhooks/test-support/http'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createNodeReceiver, nodeSha256 } from '../src/index.ts'

const ACCOUNTS = ['101', '202', '303']
const TOTAL = 200
const RESENDS = 40

const notification = async (i: number) => {
  const account = ACCOUNTS[i % ACCOUNTS.length] as string
  const n = Math.floor(i / ACCOUNTS.length) + 1
  const fields = { dc: 'Credit', code: 'FAST', amount: '1.00', balance: `${1000 + n}.00`, currency: 'TRY', description: `movement ${i}` }
  return {
    ...fields,
    account_id: account,
    account: '',
    bank: '',
    opponent_id: '',
    opponent_iban: '',
    hash: await sign(fields, SECRET, { sha256: nodeSha256 })(),
  }
}

const cents = (s: string) => BigInt(s.replace('.', ''))

test('parallel deliveries: each emitted exactly once, ledgers consistent', async () => {
  const store = createInMemoryEventStore<LedgerEvent>()
  const receiver = createNodeReceiver({ secrets: [SECRET], store })
  const transactions = new Map<string, number>()
  let duplicates = 0
  let gaps = 0
  receiver.on('transaction', async (tx) => {
    transactions.set(tx.idempotencyKey, (transactions.get(tx.idempotencyKey) ?? 0) + 1)
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5))
  })
  receiver.on('duplicate', () => void duplicates++)
  receiver.on('gap', () => void gaps++)
  const { port } = await receiver.listen(0, '127.0.0.1')
  const url = `http://127.0.0.1:${port}`
  try {
    const all = await Promise.all(Array.from({ length: TOTAL }, (_, i) => notification(i)))
    const encodingOf = (i: number): Encoding => (['form', 'json', 'multipart'] as const)[i % 3] as Encoding
    const requests = [...all.map((n, i) => encodings[encodingOf(i)](n)), ...all.slice(0, RESENDS).map((n, i) => encodings[encodingOf(i + 1)](n))]
    const responses = await Promise.all(requests.map((r) => send(url, r)))
    const statuses = responses.map((r) => JSON.stringify(r.json))
    assert.is(statuses.filter((s) => s === '{"status":"ok"}').length, TOTAL)
    assert.is(statuses.filter((s) => s === '{"status":"duplicate"}').length, RESENDS)
    assert.is(transactions.size, TOTAL)
    assert.ok(
      [...transactions.values()].every((count) => count === 1),
      'every transaction emitted exactly once',
    )
    assert.is(duplicates, RESENDS)

    const stored = await store.readAll()()
    if (E.isLeft(stored)) return assert.unreachable('the store failed')
    let storedGaps = 0
    for (const account of ACCOUNTS) {
      const stream = stored.right.filter((s: StoredEvent<LedgerEvent>) => s.stream === ledgerStream(account, 'TRY'))
      assert.equal(
        stream.map((s) => s.version),
        stream.map((_, i) => i + 1),
        'versions are contiguous',
      )
      let last: string | undefined
      let pendingGap: LedgerEvent | undefined
      for (const { event } of stream) {
        if (event.type === 'BalanceGapDetected') {
          pendingGap = event
          storedGaps++
        } else if (event.type === 'TransactionReceived') {
          const expected = last === undefined ? undefined : cents(last) + cents(event.data.verified.amount)
          const broke = expected !== undefined && expected !== cents(event.data.verified.balance)
          assert.is(pendingGap !== undefined, broke, `a gap is recorded exactly where the balance broke (${event.data.verified.description})`)
          if (pendingGap?.type === 'BalanceGapDetected') {
            assert.is(pendingGap.data.idempotencyKey, event.data.idempotencyKey)
            assert.is(cents(pendingGap.data.expectedBalance), expected)
            assert.is(cents(pendingGap.data.missing), cents(event.data.verified.balance) - (expected ?? 0n))
          }
          last = event.data.verified.balance
          pendingGap = undefined
        }
      }
    }
    assert.is(storedGaps, gaps, 'every stored gap was emitted once')

    const ledgers = await receiver.inbox.ledgers()
    if (E.isLeft(ledgers)) return assert.unreachable('the store failed')
    const counts = ACCOUNTS.map((a) => ledgers.right.get(ledgerStream(a, 'TRY'))?.count)
    assert.equal(
      counts,
      ACCOUNTS.map((_, k) => Math.ceil((TOTAL - k) / ACCOUNTS.length)),
    )
    const credited = [...ledgers.right.values()].reduce((sum, l) => sum + l.credits.minor, 0n)
    assert.is(credited, BigInt(TOTAL) * 100n)
    assert.is(
      [...ledgers.right.values()].reduce((sum, l) => sum + l.duplicates, 0),
      RESENDS,
    )
  } finally {
    await receiver.close()
  }
})

test.run()
