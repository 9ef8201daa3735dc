import { createInbox, encodeForm, LedgerEvent, type SignedFields, sign } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openFileEventStore } from '../src/index.ts'
import { receiveAndStop } from './examples/inbox-to-file.ts'
import { cleanup, right, tempLog } from './support/tmp.ts'

test.after.each(cleanup)

const SECRET = 'whsec-ÇĞİÖŞÜ-test'

const body = async (amount: string, balance: string, description: string): Promise<string> => {
  const fields = {
    dc: 'Credit',
    code: 'EFT',
    amount,
    balance,
    currency: 'TRY',
    description,
    account_id: '69',
    account: 'Kadıköy İşbank TL Hesabı',
    bank: 'Türkiye İş Bankası A.Ş.',
    opponent_id: '',
    opponent_iban: '',
  }
  return encodeForm({ ...fields, hash: await sign(fields as SignedFields, SECRET)() })
}

test('README example: dedupe and the running balance survive a restart of the receiver', async () => {
  const path = tempLog()
  const first = await body('100.00', '18100.00', 'SN:1')
  const second = await body('50.00', '18150.00', 'SN:2')
  assert.equal(await receiveAndStop(path, SECRET, [first, second]), ['accepted', 'accepted'])
  // After a restart, a re-delivery is a duplicate and the balance continues from the stored ledger.
  const third = await body('10.00', '18160.00', 'SN:3')
  assert.equal(await receiveAndStop(path, SECRET, [second, third]), ['duplicate', 'accepted'])

  const store = right(await openFileEventStore({ path, codec: LedgerEvent })())
  const inbox = createInbox({ secrets: [SECRET], store })
  const ledgers = await inbox.ledgers()
  const summary = E.isRight(ledgers) ? ledgers.right.get('ledger-69-TRY') : undefined
  assert.is(summary?.count, 3)
  assert.is(summary?.openGaps.length, 0)
  assert.is(summary?.balance?.minor, 1816000n)
  const types = right(await store.readStream('ledger-69-TRY')()).events.map((e) => e.type)
  assert.equal(types, ['TransactionReceived', 'TransactionReceived', 'TransactionReceived'], 'a duplicate is not stored')
  right(await store.close()())
})

test.run()
