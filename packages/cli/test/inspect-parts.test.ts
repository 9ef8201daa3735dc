/**
 * The parts of `banksocket inspect` that need no store: the aligned tables (Turkish letters are one
 * column each, numbers keep to the right), decoding by type (an event no codec knows, or whose data
 * does not fit its type's codec, is counted, not thrown), the last events kept in a ring, and the
 * consumers' lags.
 */
import type { StoredEvent } from '@banksocket-webhooks/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { consumerViews, createFold, decodeEvent } from '../src/commands/inspect-read.ts'
import { renderTable, tableRow } from '../src/commands/inspect-table.ts'

test('tables pad by code points: Turkish letters are one column; amounts keep to the right; no trailing spaces', () => {
  const table = renderTable(
    [
      { title: 'AD', align: 'left' },
      { title: 'TUTAR', align: 'right' },
      { title: 'AÇIKLAMA', align: 'left' },
    ],
    [
      ['ŞÜKRÜ ÖZKAN', '1499.90', 'kira ödemesi'],
      ['Ali', '5.00', ''],
    ],
    '  ',
  )
  assert.is(table, ['  AD             TUTAR  AÇIKLAMA', '  ŞÜKRÜ ÖZKAN  1499.90  kira ödemesi', '  Ali             5.00', ''].join('\n'))
  assert.is(tableRow([{ title: 'N', align: 'right', minWidth: 4 }], [4], ['7']), '   7')
})

const stored = (position: number, stream: string, event: unknown): StoredEvent<unknown> => ({ position, stream, version: position, event })

const credit = (amount: string, balance: string) => ({
  type: 'TransactionReceived',
  data: {
    idempotencyKey: `k-${balance}`,
    receivedAt: '2026-12-07T10:00:00.000Z',
    hash: 'x',
    verified: { dc: 'Credit', code: 'EFT', amount, balance, currency: 'TRY', description: 'SN:1' },
    unverified: { account_id: '69', account: '', bank: '', opponent_id: '', opponent_iban: '' },
  },
})

test('decoding by type: a known type decodes with its family; an unknown type or a broken one is counted', () => {
  assert.is(decodeEvent(credit('1.00', '1.00')).family, 'ledger')
  assert.equal(decodeEvent({ type: 'WebhookDeleted', data: { id: 7 } }), {
    family: 'subscription',
    event: { type: 'WebhookDeleted', data: { id: 7 } },
  })
  assert.equal(decodeEvent({ type: 'OrderShipped', data: {} }), { family: undefined, type: 'OrderShipped' })
  assert.equal(decodeEvent({ type: 'TransactionReceived', data: { amount: 5 } }), { family: undefined, type: 'TransactionReceived' })
  assert.equal(decodeEvent('not an object'), { family: undefined, type: undefined })

  const fold = createFold({ recent: 2, positions: new Set() })
  fold.add(stored(1, 'ledger-69-TRY', credit('100.00', '1100.00')))
  fold.add(stored(2, 'orders-1', { type: 'OrderShipped', data: {} }))
  fold.add(stored(3, 'ledger-69-TRY', { type: 'TransactionReceived', data: null }))
  fold.add(stored(4, 'ledger-69-TRY', credit('50.00', '1150.00')))
  fold.add(stored(5, 'ledger-69-TRY', credit('25.00', '1175.00')))
  const folded = fold.result()
  assert.is(folded.count, 5)
  assert.is(folded.undecoded, 2)
  assert.equal(
    folded.ledgers.map((l) => [l.accountId, l.currency, l.balance, l.movements, l.credits]),
    [['69', 'TRY', '1175.00', 3, '175.00']],
  )
  // The ring keeps the last two, oldest first, after wrapping around twice.
  assert.equal(
    folded.recent.map((e) => [e.position, e.text]),
    [
      [4, 'Credit +50.00 TRY, balance 1150.00'],
      [5, 'Credit +25.00 TRY, balance 1175.00'],
    ],
  )
})

test('lags: events after the checkpoint; a checkpoint the read did not meet lags head - checkpoint, never below 0', () => {
  const fold = createFold({ recent: 0, positions: new Set([2, 4]) })
  for (const position of [1, 2, 4, 5]) fold.add(stored(position, 'feed', { type: 'OrderShipped', data: {} }))
  const folded = fold.result()
  assert.equal(
    consumerViews(
      new Map([
        ['a', 2],
        ['b', 4],
        ['c', 0],
        ['d', 9],
        ['e', 3],
      ]),
      new Map([['f', 2]]),
      folded,
    ),
    [
      // Position 3 is not in the feed (a PostgreSQL sequence skips numbers): events are counted, not positions subtracted.
      { name: 'a', checkpoint: 2, lag: 2, failed: 0 },
      { name: 'b', checkpoint: 4, lag: 1, failed: 0 },
      { name: 'c', checkpoint: 0, lag: 4, failed: 0 },
      { name: 'd', checkpoint: 9, lag: 0, failed: 0 },
      { name: 'e', checkpoint: 3, lag: 2, failed: 0 },
      { name: 'f', checkpoint: null, lag: null, failed: 2 },
    ],
  )
})

test.run()
