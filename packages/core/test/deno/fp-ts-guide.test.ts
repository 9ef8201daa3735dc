/**
 * The fp-ts guide's pipeline (docs/guides/examples/fp-ts-pipeline.ts) under Deno: the same
 * verify-decide-append-answer run as on Node, with Deno's Web Crypto doing the hashing.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as assert from 'uvu/assert'
import { type Deps, handle } from '../../../../docs/guides/examples/fp-ts-pipeline.ts'
import { Deno } from '../../../test-support/src/deno.ts'
import { createInMemoryEventStore, encodeForm, type LedgerEvent } from '../../src/index.ts'
import { SECRET, signed } from '../support/fields.ts'

const deliver = async (deps: Deps, overrides: Record<string, string>, secret = SECRET) => {
  const answer = await handle({ body: encodeForm(await signed(overrides, secret)), contentType: 'application/x-www-form-urlencoded' })(deps)()
  if (E.isLeft(answer)) throw new Error('handle never fails')
  return { status: answer.right.status, body: JSON.parse(answer.right.body) as unknown }
}

Deno.test({
  name: 'Deno: the fp-ts guide pipeline accepts, deduplicates, records a gap and refuses a forgery',
  fn: async () => {
    const store = createInMemoryEventStore<LedgerEvent>()
    const deps: Deps = { secrets: [SECRET], store, now: () => new Date('2026-11-23T10:00:00.000Z') }
    const first = { amount: '100.00', balance: '18100.00' }
    assert.equal(await deliver(deps, first), { status: 200, body: { status: 'ok' } })
    assert.equal(await deliver(deps, first), { status: 200, body: { status: 'duplicate' } })
    assert.equal(await deliver(deps, { amount: '1.00', balance: '18200.00', description: 'next' }), { status: 200, body: { status: 'ok' } })
    assert.equal(await deliver(deps, {}, 'forged'), { status: 401, body: { error: 'invalid_hash' } })
    const all = await store.readAll()()
    assert.equal(E.isRight(all) && all.right.map((s) => s.event.type), ['TransactionReceived', 'BalanceGapDetected', 'TransactionReceived'])
  },
})
