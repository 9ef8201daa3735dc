import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { HandlerTimeoutError } from '../src/async.ts'
import { answerFor, METHOD_NOT_ALLOWED } from '../src/http.ts'
import { createInbox, createInMemoryEventStore, type EventStore, encodeForm, InvalidSecretError, type LedgerEvent, receive } from '../src/index.ts'
import { receiveFields } from '../src/receive.ts'
import { MAX_READ_LIMIT } from '../src/store.ts'
import { SECRET, signed } from './support/fields.ts'

const FORM = 'application/x-www-form-urlencoded'
const now = () => new Date('2026-11-23T10:00:00.000Z')
const body = async (overrides: Record<string, string> = {}) => ({ body: encodeForm(await signed(overrides)), contentType: FORM })
const noop = () => {}

test('accepted: handlers see the events before they are stored, then the answer is 200 ok', async () => {
  const store = createInMemoryEventStore<LedgerEvent>()
  const inbox = createInbox({ secrets: [SECRET], store, now })
  let storedDuringHandler = -1
  const outcome = await inbox.deliver(await body(), async (events) => {
    assert.equal(
      events.map((e) => e.type),
      ['TransactionReceived'],
    )
    const all = await store.readAll()()
    storedDuringHandler = E.isRight(all) ? all.right.length : -1
  })
  assert.is(outcome._tag, 'accepted')
  assert.is(storedDuringHandler, 0)
  const all = await store.readAll()()
  assert.equal(E.map((xs: ReadonlyArray<{ stream: string }>) => xs.map((x) => x.stream))(all), E.right(['ledger-69-TRY']))
  assert.equal(answerFor(outcome), { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"status":"ok"}' })
})

test('duplicate: the second delivery answers duplicate and handlers get only DuplicateIgnored', async () => {
  const inbox = createInbox({ secrets: [SECRET], now })
  const input = await body()
  await inbox.deliver(input, noop)
  const seen: string[] = []
  const outcome = await inbox.deliver(input, (events) => void seen.push(...events.map((e) => e.type)))
  assert.is(outcome._tag, 'duplicate')
  assert.equal(seen, ['DuplicateIgnored'])
  assert.is(answerFor(outcome).body, '{"status":"duplicate"}')
})

test('gap: a broken running balance yields BalanceGapDetected then TransactionReceived', async () => {
  const inbox = createInbox({ secrets: [SECRET], now })
  await inbox.deliver(await body({ amount: '100.00', balance: '18100.00', description: 'a' }), noop)
  const outcome = await inbox.deliver(await body({ amount: '10.00', balance: '18300.00', description: 'b' }), noop)
  assert.is(outcome._tag, 'accepted')
  if (outcome._tag === 'accepted') {
    const [gap] = outcome.events
    assert.equal(gap?.type === 'BalanceGapDetected' && gap.data.missing, '190.00')
  }
  const ledgers = await inbox.ledgers()
  const summary = E.isRight(ledgers) ? ledgers.right.get('ledger-69-TRY') : undefined
  assert.is(summary?.count, 2)
  assert.is(summary?.gapsDetected, 1)
  assert.equal(
    summary?.openGaps.map((g) => g.missing.minor),
    [19000n],
  )
})

test('a handler that throws, rejects or times out gives handler_failed, stores nothing, and a retry is processed afresh', async () => {
  const store = createInMemoryEventStore<LedgerEvent>()
  const inbox = createInbox({ secrets: [SECRET], store, handlerTimeout: 30, now })
  const input = await body()
  const thrown = await inbox.deliver(input, () => {
    throw new Error('boom')
  })
  const rejected = await inbox.deliver(input, async () => {
    throw new Error('async boom')
  })
  const slow = await inbox.deliver(input, () => new Promise((resolve) => setTimeout(resolve, 200)))
  assert.equal([thrown._tag, rejected._tag, slow._tag], ['handler_failed', 'handler_failed', 'handler_failed'])
  assert.ok(slow._tag === 'handler_failed' && slow.error instanceof HandlerTimeoutError)
  assert.equal(answerFor(thrown), { status: 500, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"error":"handler_failed"}' })
  assert.equal(await store.readAll()(), E.right([]))
  assert.is((await inbox.deliver(input, noop))._tag, 'accepted')
})

test('rejections never reach handlers and map to the contract statuses', async () => {
  const inbox = createInbox({ secrets: [SECRET], limit: 2048, now })
  let called = false
  const dispatch = () => {
    called = true
  }
  const bad = await signed()
  const cases: Array<[{ body: string; contentType: string | null }, number, string]> = [
    [{ body: encodeForm({ ...bad, hash: btoa('0'.repeat(64)) }), contentType: FORM }, 401, '{"error":"invalid_hash"}'],
    [
      { body: encodeForm({ ...bad, dc: 'Refund' }), contentType: FORM },
      400,
      '{"error":"invalid_payload","details":[{"path":"dc","message":"expected \\"Credit\\" or \\"Debit\\""}]}',
    ],
    [{ body: 'x'.repeat(2049), contentType: FORM }, 413, '{"error":"too_large"}'],
    [{ body: 'a=b', contentType: 'text/plain' }, 415, '{"error":"unsupported_media_type"}'],
    [{ body: 'a=b', contentType: null }, 415, '{"error":"unsupported_media_type"}'],
  ]
  for (const [input, status, text] of cases) {
    const answer = answerFor(await inbox.deliver(input, dispatch))
    assert.is(answer.status, status)
    assert.is(answer.body, text)
  }
  assert.not.ok(called)
  assert.equal([METHOD_NOT_ALLOWED.status, METHOD_NOT_ALLOWED.headers['allow']], [405, 'POST'])
})

test('deliveries to one ledger are processed one at a time in arrival order; other ledgers run alongside', async () => {
  const inbox = createInbox({ secrets: [SECRET], now })
  const order: string[] = []
  let active69 = 0
  let max69 = 0
  let started70!: () => void
  const account70Started = new Promise<void>((resolve) => (started70 = resolve))
  let overlapped = false
  const dispatch = async (events: ReadonlyArray<LedgerEvent>) => {
    const tx = events.find((e) => e.type === 'TransactionReceived')
    if (tx?.type !== 'TransactionReceived') return
    if (tx.data.unverified.account_id === '70') {
      started70()
      return
    }
    active69++
    max69 = Math.max(max69, active69)
    // The first delivery of account 69 waits for account 70's handler: only possible if the two
    // ledgers are not serialised behind each other.
    if (order.length === 0)
      overlapped = await Promise.race([account70Started.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000))])
    await new Promise((r) => setTimeout(r, 5))
    order.push(tx.data.verified.description)
    active69--
  }
  const inputs = await Promise.all([
    body({ description: '1', amount: '1.00', balance: '18001.00' }),
    body({ description: '2', amount: '1.00', balance: '18002.00' }),
    body({ description: '3', amount: '1.00', balance: '18003.00' }),
    body({ description: 'x', account_id: '70' }),
  ])
  const outcomes = await Promise.all(inputs.map((i) => inbox.deliver(i, dispatch)))
  assert.equal(
    outcomes.map((o) => o._tag),
    ['accepted', 'accepted', 'accepted', 'accepted'],
  )
  assert.equal(order, ['1', '2', '3'])
  assert.is(max69, 1)
  assert.ok(overlapped)
  const ledgers = await inbox.ledgers()
  assert.equal(E.isRight(ledgers) && ledgers.right.get('ledger-69-TRY')?.openGaps.length, 0)
})

test('a store that fails answers store_failed (500) and the ledger is re-read on the next delivery', async () => {
  const inner = createInMemoryEventStore<LedgerEvent>()
  let fail = true
  const store: EventStore<LedgerEvent> = {
    ...inner,
    appendToStream: (s, events, v) =>
      fail ? async () => E.left({ _tag: 'StoreFailure', message: 'disk full' }) : inner.appendToStream(s, events, v),
  }
  const inbox = createInbox({ secrets: [SECRET], store, now })
  const input = await body()
  const failed = await inbox.deliver(input, noop)
  assert.is(failed._tag, 'store_failed')
  assert.is(answerFor(failed).status, 500)
  fail = false
  assert.is((await inbox.deliver(input, noop))._tag, 'accepted')
  assert.is((await inbox.deliver(input, noop))._tag, 'duplicate')
})

test('a store that throws instead of returning Left is still a store_failed, not a crash', async () => {
  const inner = createInMemoryEventStore<LedgerEvent>()
  const store: EventStore<LedgerEvent> = {
    ...inner,
    appendToStream: () => async () => {
      throw new Error('EIO')
    },
  }
  const inbox = createInbox({ secrets: [SECRET], store, now })
  const outcome = await inbox.deliver(await body(), noop)
  assert.equal(outcome._tag === 'store_failed' && outcome.error, { _tag: 'StoreFailure', message: 'EIO' })
})

test('the next delivery of a ledger is decided while the previous append is still being made durable', async () => {
  const inner = createInMemoryEventStore<LedgerEvent>()
  let pending = 0
  let maxPending = 0
  let allStarted!: () => void
  const everyAppendStarted = new Promise<void>((resolve) => (allStarted = resolve))
  const store: EventStore<LedgerEvent> = {
    ...inner,
    appendToStream: (s, events, v) => async () => {
      const result = inner.appendToStream(s, events, v)() // takes its place now, like a file store
      pending++
      maxPending = Math.max(maxPending, pending)
      // The "fsync" completes once all four appends are under way (or after 2 s, if the inbox
      // wrongly waited for each one before deciding the next).
      if (pending === 4) allStarted()
      await Promise.race([everyAppendStarted, new Promise((r) => setTimeout(r, 2_000))])
      pending--
      return result
    },
  }
  const inbox = createInbox({ secrets: [SECRET], store, now })
  const inputs = await Promise.all([1, 2, 3, 4].map((i) => body({ description: String(i), amount: '1.00', balance: `${18000 + i}.00` })))
  const outcomes = await Promise.all(inputs.map((i) => inbox.deliver(i, noop)))
  assert.equal(
    outcomes.map((o) => o._tag),
    ['accepted', 'accepted', 'accepted', 'accepted'],
  )
  assert.is(maxPending, 4)
  const ledgers = await inbox.ledgers()
  assert.equal(E.isRight(ledgers) && [ledgers.right.get('ledger-69-TRY')?.count, ledgers.right.get('ledger-69-TRY')?.openGaps.length], [4, 0])
})

test('when a durable append fails, deliveries decided after it fail too and the ledger is re-read', async () => {
  const inner = createInMemoryEventStore<LedgerEvent>()
  let poisoned = false
  const store: EventStore<LedgerEvent> = {
    ...inner,
    appendToStream: (_s, _events, _v) => async () => {
      if (poisoned) return E.left({ _tag: 'StoreFailure', message: 'poisoned' })
      await new Promise((r) => setTimeout(r, 10))
      poisoned = true
      return E.left({ _tag: 'StoreFailure', message: 'fsync failed' })
    },
  }
  const inbox = createInbox({ secrets: [SECRET], store, now })
  const inputs = await Promise.all([1, 2].map((i) => body({ description: String(i) })))
  const outcomes = await Promise.all(inputs.map((i) => inbox.deliver(i, noop)))
  assert.equal(
    outcomes.map((o) => o._tag),
    ['store_failed', 'store_failed'],
  )
})

test('one key space: a replay with an altered account_id is a duplicate, and the other ledger never sees it', async () => {
  const inbox = createInbox({ secrets: [SECRET], now })
  await inbox.deliver(await body({ account_id: '70', amount: '5.00', balance: '505.00', description: 'own' }), noop)
  const original = await signed({ amount: '100.00', balance: '18100.00', description: 'SN:1' })
  assert.is((await inbox.deliver({ body: encodeForm(original), contentType: FORM }, noop))._tag, 'accepted')
  const seen: string[] = []
  const replay = await inbox.deliver(
    { body: encodeForm({ ...original, account_id: '70' }), contentType: FORM },
    (events) => void seen.push(...events.map((e) => e.type)),
  )
  assert.is(replay._tag, 'duplicate')
  assert.equal(seen, ['DuplicateIgnored'])
  const ledgers = await inbox.ledgers()
  const l70 = E.isRight(ledgers) ? ledgers.right.get('ledger-70-TRY') : undefined
  const l69 = E.isRight(ledgers) ? ledgers.right.get('ledger-69-TRY') : undefined
  assert.equal([l70?.count, l70?.openGaps.length, l70?.balance?.minor], [1, 0, 50500n])
  assert.equal([l69?.count, l69?.duplicates], [1, 1])
})

test('one key space under concurrency: the same notification for two account_ids at once is accepted once', async () => {
  const inbox = createInbox({ secrets: [SECRET], now })
  const original = await signed({ amount: '100.00', balance: '18100.00', description: 'SN:race' })
  const slow = () => new Promise<void>((r) => setTimeout(r, 20))
  const outcomes = await Promise.all(
    ['69', '70', '71', '69'].map((account_id) => inbox.deliver({ body: encodeForm({ ...original, account_id }), contentType: FORM }, slow)),
  )
  assert.equal(outcomes.map((o) => o._tag).sort(), ['accepted', 'duplicate', 'duplicate', 'duplicate'])
})

test("a delivery that waited for another ledger's failed attempt is then accepted: nothing is lost", async () => {
  const inbox = createInbox({ secrets: [SECRET], now })
  const original = await signed({ amount: '100.00', balance: '18100.00', description: 'SN:retry' })
  let calls = 0
  const failFirst = async () => {
    calls++
    await new Promise<void>((r) => setTimeout(r, 10))
    if (calls === 1) throw new Error('handler down')
  }
  // Which delivery verifies first is up to the runtime's crypto scheduling (Deno sometimes
  // finishes the second one first), so the law is about the pair, not its order.
  const outcomes = await Promise.all(
    ['69', '70'].map((account_id) => inbox.deliver({ body: encodeForm({ ...original, account_id }), contentType: FORM }, failFirst)),
  )
  assert.equal(outcomes.map((o) => o._tag).sort(), ['accepted', 'handler_failed'])
  assert.is(calls, 2)
})

test('a hasher that throws is an internal_error (500), not a crash', async () => {
  const inbox = createInbox({
    secrets: [SECRET],
    sha256: () => {
      throw new Error('no crypto')
    },
    now,
  })
  const outcome = await inbox.deliver(await body(), noop)
  assert.is(outcome._tag, 'internal_error')
  assert.is(answerFor(outcome).status, 500)
})

test('state is rebuilt from the store: a new inbox on the same store still recognises duplicates', async () => {
  const store = createInMemoryEventStore<LedgerEvent>()
  const input = await body()
  await createInbox({ secrets: [SECRET], store, now }).deliver(input, noop)
  assert.is((await createInbox({ secrets: [SECRET], store, now }).deliver(input, noop))._tag, 'duplicate')
})

test('without a store the inbox keeps no history: no event is kept, yet dedupe and ledger summaries work', async () => {
  const inbox = createInbox({ secrets: [SECRET], now })
  assert.is(inbox.store, undefined)
  const first = await body({ amount: '100.00', balance: '18100.00', description: 'a' })
  assert.is((await inbox.deliver(first, noop))._tag, 'accepted')
  assert.is((await inbox.deliver(await body({ amount: '10.00', balance: '18300.00', description: 'b' }), noop))._tag, 'accepted')
  assert.is((await inbox.deliver(first, noop))._tag, 'duplicate')
  const ledgers = await inbox.ledgers()
  const summary = E.isRight(ledgers) ? ledgers.right.get('ledger-69-TRY') : undefined
  assert.is(summary?.count, 2)
  assert.is(summary?.duplicates, 1)
  assert.equal(summary?.balance, { minor: 1830000n, currency: 'TRY' })
  assert.equal(
    summary?.openGaps.map((g) => g.missing.minor),
    [19000n],
  )
})

test('onRecorded is told the stored events with their versions once they are stored, never for a duplicate or a failure', async () => {
  const inner = createInMemoryEventStore<LedgerEvent>()
  let stored = 0
  const store: EventStore<LedgerEvent> = {
    ...inner,
    appendToStream: (s, events, v) => async () => {
      const result = await inner.appendToStream(s, events, v)()
      if (E.isRight(result)) stored += events.length
      return result
    },
  }
  const told: Array<Readonly<{ outcome: string; stream: string; versions: number[]; types: string[]; stored: number }>> = []
  const inbox = createInbox({
    secrets: [SECRET],
    store,
    now,
    onRecorded: (r) => {
      told.push({ outcome: r.outcome, stream: r.stream, versions: r.events.map((e) => e.version), types: r.events.map((e) => e.event.type), stored })
      throw new Error('a failing hook changes nothing')
    },
  })
  const first = await body({ amount: '100.00', balance: '18100.00', description: 'a' })
  assert.is((await inbox.deliver(first, noop))._tag, 'accepted')
  assert.is((await inbox.deliver(first, noop))._tag, 'duplicate')
  assert.is((await inbox.deliver(await body({ amount: '10.00', balance: '18300.00', description: 'b' }), noop))._tag, 'accepted')
  const failing = await body({ amount: '5.00', balance: '18305.00', description: 'c' })
  assert.is((await inbox.deliver(failing, () => Promise.reject(new Error('no'))))._tag, 'handler_failed')
  assert.equal(told, [
    { outcome: 'accepted', stream: 'ledger-69-TRY', versions: [1], types: ['TransactionReceived'], stored: 1 },
    { outcome: 'accepted', stream: 'ledger-69-TRY', versions: [2, 3], types: ['BalanceGapDetected', 'TransactionReceived'], stored: 3 },
  ])
})

test('onRecorded without a store: told as the ledger moves on, versions counted in memory', async () => {
  const versions: number[] = []
  const inbox = createInbox({ secrets: [SECRET], now, onRecorded: (r) => versions.push(...r.events.map((e) => e.version)) })
  await inbox.deliver(await body({ amount: '100.00', balance: '18100.00', description: 'a' }), noop)
  await inbox.deliver(await body({ amount: '100.00', balance: '18200.00', description: 'b' }), noop)
  assert.equal(versions, [1, 2])
})

test('drain waits for deliveries under way', async () => {
  const inbox = createInbox({ secrets: [SECRET], now })
  let done = false
  void inbox.deliver(
    await body(),
    () =>
      new Promise<void>((r) =>
        setTimeout(() => {
          done = true
          r()
        }, 30),
      ),
  )
  await new Promise((r) => setTimeout(r, 5))
  await inbox.drain()
  assert.ok(done)
})

test('an inbox refuses an empty list, an empty, blank or undefined secret, naming its index', () => {
  const index = (secrets: unknown[]) => {
    try {
      createInbox({ secrets: secrets as string[] })
    } catch (error) {
      return error instanceof InvalidSecretError ? [error.index, error.message] : ['not typed', String(error)]
    }
    return ['accepted']
  }
  assert.equal(index([]), [-1, 'at least one webhook secret is needed: the list of secrets is empty'])
  assert.equal(index(['ok', '']), [1, 'secret 1 is empty'])
  assert.equal(index(['  \t']), [0, 'secret 0 is only whitespace'])
  assert.equal(index(['ok', 'fine', undefined]), [2, 'secret 2 is undefined (an unset environment variable?)'])
})

test('receive and receiveFields refuse a bad secret when called, before hashing anything', () => {
  assert.throws(
    () => receive({ body: '', contentType: FORM }, { secrets: [''] }),
    (e: unknown) => e instanceof InvalidSecretError && e.index === 0,
  )
  assert.throws(
    () => receiveFields({}, { secrets: ['x', undefined as unknown as string] }),
    (e: unknown) => e instanceof InvalidSecretError && e.index === 1,
  )
})

test('a notification hashed with no secret or with "undefined" is refused once a real secret is set', async () => {
  const noSecret = await signed({}, '')
  const undefinedSecret = await signed({}, 'undefined')
  const inbox = createInbox({ secrets: [SECRET], now })
  assert.is((await inbox.deliver({ body: encodeForm(noSecret), contentType: FORM }, noop))._tag, 'rejected')
  assert.is((await inbox.deliver({ body: encodeForm(undefinedSecret), contentType: FORM }, noop))._tag, 'rejected')
})

/** A ledger of `count` movements (distinct keys) followed by the movement `last`, appended to `store`. */
const longLedger = async (store: EventStore<LedgerEvent>, count: number, last: LedgerEvent) => {
  if (last.type !== 'TransactionReceived') throw new Error('expected a TransactionReceived')
  const filler: LedgerEvent[] = []
  for (let i = 0; i < count; i++) filler.push({ type: 'TransactionReceived', data: { ...last.data, idempotencyKey: `filler-${i}` } })
  await store.appendToStream('ledger-69-TRY', filler, 'no_stream')()
  await store.appendToStream('ledger-69-TRY', [last], count)()
}

/** The event an inbox records for `input` (learnt from an inbox without a store). */
const recordedEvent = async (input: Awaited<ReturnType<typeof body>>): Promise<LedgerEvent> => {
  let event: LedgerEvent | undefined
  await createInbox({ secrets: [SECRET], now, onRecorded: (r) => (event = r.events.at(-1)?.event) }).deliver(input, noop)
  if (event === undefined) throw new Error('nothing recorded')
  return event
}

test('a new inbox reads the history in pages: a key recorded after the first 10,000 events is still a duplicate', async () => {
  const inner = createInMemoryEventStore<LedgerEvent>()
  const input = await body()
  await longLedger(inner, MAX_READ_LIMIT + 5, await recordedEvent(input))
  const pages: number[] = []
  const store: EventStore<LedgerEvent> = {
    ...inner,
    readAll: (options) => async () => {
      assert.ok(options?.limit !== undefined && options.limit <= MAX_READ_LIMIT, 'every read is bounded')
      const page = await inner.readAll(options)()
      if (E.isRight(page)) pages.push(page.right.length)
      return page
    },
  }
  const inbox = createInbox({ secrets: [SECRET], store, now })
  assert.is((await inbox.deliver(input, noop))._tag, 'duplicate')
  assert.equal(pages, [MAX_READ_LIMIT, 6, 0])
  const ledgers = await inbox.ledgers()
  assert.is(E.isRight(ledgers) ? ledgers.right.get('ledger-69-TRY')?.count : undefined, MAX_READ_LIMIT + 6)
})

test('a history read that fails half-way loads nothing: store_failed, then the next delivery reads it all again', async () => {
  const inner = createInMemoryEventStore<LedgerEvent>()
  const input = await body()
  await longLedger(inner, MAX_READ_LIMIT + 5, await recordedEvent(input))
  let failSecondPage = true
  const store: EventStore<LedgerEvent> = {
    ...inner,
    readAll: (options) => async () => {
      if (failSecondPage && (options?.after ?? 0) > 0) {
        failSecondPage = false
        return E.left({ _tag: 'StoreFailure', message: 'connection reset' })
      }
      return inner.readAll(options)()
    },
  }
  const inbox = createInbox({ secrets: [SECRET], store, now })
  const failed = await inbox.deliver(input, noop)
  assert.equal(failed._tag === 'store_failed' && failed.error, { _tag: 'StoreFailure', message: 'connection reset' })
  assert.is((await inbox.deliver(input, noop))._tag, 'duplicate', 'the key in the second page is known once it is read')
  const ledgers = await inbox.ledgers()
  assert.is(E.isRight(ledgers) ? ledgers.right.get('ledger-69-TRY')?.count : undefined, MAX_READ_LIMIT + 6, 'the first page was not folded twice')
})

test.run()
