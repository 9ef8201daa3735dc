/**
 * The receiver HTTP contract (docs/architecture.md, "The receiver's HTTP contract"), as one table of requests with the status, body and events
 * each must produce. Every runtime adapter runs this same suite over real loopback sockets: the
 * fetch handler through adapter-fetch's bridge (test/support/bridge.ts there), on Deno.serve, and
 * the Node receiver on its own server.
 *
 * @example
 * import { contract } from '@banksocket-webhooks/test-support/receiver-contract'
 *
 * contract('node receiver', async (options) => {
 *   const receiver = createNodeReceiver(options)
 *   const { port } = await receiver.listen(0, '127.0.0.1')
 *   return { url: `http://127.0.0.1:${port}`, receiver, close: () => receiver.close() }
 * }).run()
 */
import { inspect } from 'node:util'
import { createInMemoryEventStore, type EventStore, type LedgerEvent, type Money, parseAmount, parseBalance } from '@banksocket-webhooks/core'
import type { Receiver, ReceiverEventName, ReceiverEvents, ReceiverOptions, Recorded as StoredDelivery } from '@banksocket-webhooks/receiver'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Encoding, encodings, type NotificationFields, SECRET, signed } from './encodings.ts'
import { send, type WireRequest, type WireResponse } from './http.ts'
import { vectors } from './vectors.ts'

/** What the suite needs of a receiver, structurally, so that receivers built on the receiver package's dist fit too. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- listeners of every event name
type Subscribe = (event: ReceiverEventName, listener: (payload: any) => unknown) => unknown
type ContractReceiver = Pick<Receiver, 'inbox'> & Readonly<{ on: Subscribe; once: Subscribe; off: Subscribe }>
type Harness = Readonly<{ url: string; receiver: ContractReceiver; close: () => Promise<void> }>
export type Start = (options: ReceiverOptions) => Promise<Harness>

export type Recorded = Readonly<{ name: ReceiverEventName; payload: unknown }>

const NAMES: ReadonlyArray<ReceiverEventName> = ['transaction', 'credit', 'debit', 'duplicate', 'gap', 'rejected', 'error']

const NOW = new Date('2026-11-23T10:00:00.000Z')

/** Records every event, in emission order, with listeners registered before any other. */
const record = (receiver: Pick<ContractReceiver, 'on'>): Recorded[] => {
  const log: Recorded[] = []
  for (const name of NAMES) receiver.on(name, (payload: unknown) => void log.push({ name, payload }))
  return log
}

const payload = <K extends ReceiverEventName>(log: ReadonlyArray<Recorded>, name: K): Parameters<ReceiverEvents[K]>[0] => {
  const found = log.find((r) => r.name === name)
  if (found === undefined) assert.unreachable(`no ${name} event was emitted`)
  return found?.payload as Parameters<ReceiverEvents[K]>[0]
}

const money = (minor: bigint, currency = 'TRY'): Money => ({ minor, currency })
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const bigintSafe = (_: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)

type Step = Readonly<{
  send: WireRequest
  status: number
  body?: unknown
  headers?: Readonly<Record<string, string>>
  events: ReadonlyArray<ReceiverEventName>
  check?: (events: ReadonlyArray<Recorded>, response: WireResponse) => void | Promise<void>
}>

type Ctx = Readonly<{ receiver: ContractReceiver; log: ReadonlyArray<Recorded> }>

type Case = Readonly<{
  name: string
  options?: Partial<ReceiverOptions>
  /** Builds the steps; may register listeners (after the recorder) and run between steps. */
  steps: (ctx: Ctx) => Promise<ReadonlyArray<Step | ((ctx: Ctx) => void | Promise<void>)>>
}>

const OK = { status: 'ok' }
const DUPLICATE = { status: 'duplicate' }
const HANDLER_FAILED = { error: 'handler_failed' }
const post = (fields: NotificationFields, encoding: Encoding = 'form', path?: string): WireRequest =>
  path === undefined ? encodings[encoding](fields) : { ...encodings[encoding](fields), path }

const accepted = (fields: NotificationFields, encoding: Encoding = 'form'): Step => ({
  send: post(fields, encoding),
  status: 200,
  body: OK,
  events: ['transaction', fields['dc'] === 'Debit' ? 'debit' : 'credit'],
})

const invalidPayloadAt =
  (...paths: string[]) =>
  (_: ReadonlyArray<Recorded>, response: WireResponse) => {
    const body = response.json as { error: string; details: Array<{ path: string; message: string }> }
    assert.is(body.error, 'invalid_payload')
    assert.ok(body.details.length > 0, 'details lists the problems')
    for (const p of paths)
      assert.ok(
        body.details.some((d) => d.path === p),
        `a problem at ${p}: ${response.text}`,
      )
  }

const vectorCases: ReadonlyArray<Case> = vectors.cases.flatMap((v) =>
  (['form', 'json', 'multipart'] as const).map(
    (encoding): Case => ({
      name: `vector ${v.name} as ${encoding} is ${v.expect}`,
      options: { secrets: [v.secret] },
      steps: async () => {
        const fields = v.fields as NotificationFields
        if (v.expect === 'accepted') {
          return [
            {
              ...accepted(fields, encoding),
              check: (events) => {
                const tx = payload(events, 'transaction')
                assert.equal(tx.verified, {
                  dc: fields['dc'],
                  code: fields['code'],
                  amount: fields['amount'],
                  balance: fields['balance'],
                  currency: fields['currency'],
                  description: fields['description'],
                })
                assert.equal(tx.unverified, {
                  account_id: fields['account_id'],
                  account: fields['account'],
                  bank: fields['bank'],
                  opponent_id: fields['opponent_id'],
                  opponent_iban: fields['opponent_iban'],
                })
                assert.equal(E.right(tx.amount), parseAmount(fields['amount'] ?? '', fields['currency'] ?? ''))
                assert.equal(E.right(tx.balance), parseBalance(fields['balance'] ?? '', fields['currency'] ?? ''))
                assert.match(tx.idempotencyKey, /^[0-9a-f]{64}$/)
                assert.is(tx.receivedAt, NOW.toISOString())
                assert.is(tx.event.type, 'TransactionReceived')
                assert.is(tx.event.data.idempotencyKey, tx.idempotencyKey)
                assert.is(tx.hash, fields['hash'])
                assert.is(tx.secretIndex, 0)
              },
            },
          ]
        }
        const tag = v.expect.replace('rejected:', '')
        return [
          {
            send: post(fields, encoding),
            status: tag === 'invalid_hash' ? 401 : 400,
            ...(tag === 'invalid_hash' ? { body: { error: 'invalid_hash' } } : { check: invalidPayloadAt() }),
            events: ['rejected'],
          },
        ]
      },
    }),
  ),
)

const failingStore = (): EventStore<LedgerEvent> => ({
  ...createInMemoryEventStore<LedgerEvent>(),
  appendToStream: () => TE.left({ _tag: 'StoreFailure', message: 'disk full' }),
})

const cases: ReadonlyArray<Case> = [
  ...vectorCases,
  {
    name: 'a duplicate answers 200 duplicate, emits duplicate, never transaction again (any encoding)',
    steps: async () => {
      const n = await signed()
      return [
        accepted(n, 'form'),
        {
          send: post(n, 'json'),
          status: 200,
          body: DUPLICATE,
          events: ['duplicate'],
          check: (events) => {
            const d = payload(events, 'duplicate')
            assert.is(d.event.type, 'DuplicateIgnored')
            assert.is(d.event.data.accountId, '69')
            assert.equal(d.amount, money(10000n))
            assert.is(d.verified.description, n['description'])
          },
        },
        { send: post(n, 'multipart'), status: 200, body: DUPLICATE, events: ['duplicate'] },
      ]
    },
  },
  {
    name: 'a re-delivery with altered unauthenticated fields is still a duplicate',
    steps: async () => {
      const n = await signed()
      return [accepted(n), { send: post({ ...n, account: 'Someone else', opponent_iban: '' }), status: 200, body: DUPLICATE, events: ['duplicate'] }]
    },
  },
  {
    name: 'a balance gap emits gap with the missing amount, before transaction',
    steps: async () => [
      accepted(await signed({ amount: '100.00', balance: '1100.00', description: 'first' })),
      {
        send: post(await signed({ amount: '50.00', balance: '1400.00', description: 'second' })),
        status: 200,
        body: OK,
        events: ['gap', 'transaction', 'credit'],
        check: (events) => {
          const gap = payload(events, 'gap')
          assert.equal(gap.missing, money(25000n))
          assert.equal(gap.expectedBalance, money(115000n))
          assert.equal(gap.actualBalance, money(140000n))
          assert.is(gap.event.data.missing, '250.00')
          assert.is(gap.accountId, '69')
          assert.is(gap.currency, 'TRY')
          assert.is(gap.idempotencyKey, gap.transaction.idempotencyKey)
          assert.is(gap.idempotencyKey, payload(events, 'transaction').idempotencyKey)
        },
      },
    ],
  },
  {
    name: 'a missed debit shows as a negative gap; a continuous ledger has none',
    steps: async () => [
      accepted(await signed({ amount: '100.00', balance: '1100.00', description: 'in' })),
      accepted(await signed({ dc: 'Debit', amount: '40.00', balance: '1060.00', description: 'out' })),
      {
        send: post(await signed({ dc: 'Credit', amount: '10.00', balance: '1050.00', description: 'after a missed debit' })),
        status: 200,
        body: OK,
        events: ['gap', 'transaction', 'credit'],
        check: (events) => assert.equal(payload(events, 'gap').missing, money(-2000n)),
      },
    ],
  },
  {
    name: 'secret rotation: a notification signed with the previous secret verifies',
    options: { secrets: ['next-secret', SECRET] },
    steps: async () => [{ ...accepted(await signed()), check: (events) => assert.is(payload(events, 'transaction').secretIndex, 1) }],
  },
  {
    name: '400 invalid_payload for malformed JSON, missing fields and a field sent twice',
    steps: async () => {
      const n = await signed()
      const { hash: _hash, amount: _amount, ...partial } = n
      return [
        { send: { contentType: 'application/json', body: '{"dc":' }, status: 400, events: ['rejected'], check: invalidPayloadAt() },
        { send: post(partial, 'json'), status: 400, events: ['rejected'], check: invalidPayloadAt('amount', 'hash') },
        {
          send: { contentType: 'application/x-www-form-urlencoded', body: `${post(n).body as string}&dc=Debit` },
          status: 400,
          events: ['rejected'],
          check: invalidPayloadAt('dc'),
        },
        {
          send: post(await signed({ amount: '1,000.00' })),
          status: 400,
          events: ['rejected'],
          check: (events, response) => {
            invalidPayloadAt('amount')(events, response)
            assert.is((payload(events, 'rejected') as { _tag: string })._tag, 'invalid_payload')
          },
        },
      ]
    },
  },
  {
    name: '401 invalid_hash for another secret or a tampered amount',
    steps: async () => [
      { send: post(await signed({}, 'not-the-secret')), status: 401, body: { error: 'invalid_hash' }, events: ['rejected'] },
      { send: post({ ...(await signed()), amount: '1000.00' }), status: 401, body: { error: 'invalid_hash' }, events: ['rejected'] },
    ],
  },
  {
    name: '405 with Allow: POST for any other method',
    steps: async () => [
      { send: { method: 'GET' }, status: 405, body: { error: 'method_not_allowed' }, headers: { allow: 'POST' }, events: [] },
      {
        send: { ...post(await signed()), method: 'PUT' },
        status: 405,
        body: { error: 'method_not_allowed' },
        headers: { allow: 'POST' },
        events: [],
      },
      { send: { method: 'DELETE' }, status: 405, headers: { allow: 'POST' }, events: [] },
    ],
  },
  {
    name: '413 too_large past the default 64 KiB, declared or chunked; exactly the limit is read',
    steps: async () => {
      const n = await signed()
      const json = JSON.stringify({ ...n, padding: '' })
      const exact = JSON.stringify({ ...n, padding: 'x'.repeat(65536 - Buffer.byteLength(json)) })
      const over = `${exact} `
      return [
        {
          send: { contentType: 'application/json', body: over },
          status: 413,
          body: { error: 'too_large' },
          events: ['rejected'],
          check: (events) => assert.equal(payload(events, 'rejected'), { _tag: 'too_large', limit: 65536 }),
        },
        { send: { contentType: 'application/json', body: over, chunked: 4096 }, status: 413, body: { error: 'too_large' }, events: ['rejected'] },
        { send: { contentType: 'application/json', body: exact, chunked: 4096 }, status: 200, body: OK, events: ['transaction', 'credit'] },
      ]
    },
  },
  {
    name: '413 honours a smaller limit option',
    options: { limit: 200 },
    steps: async () => [
      {
        send: post(await signed()),
        status: 413,
        body: { error: 'too_large' },
        events: ['rejected'],
        check: (events) => assert.equal(payload(events, 'rejected'), { _tag: 'too_large', limit: 200 }),
      },
    ],
  },
  {
    name: '415 unsupported_media_type for other or missing content types',
    steps: async () => [
      { send: { contentType: 'text/plain', body: 'dc=Credit' }, status: 415, body: { error: 'unsupported_media_type' }, events: ['rejected'] },
      { send: { body: 'dc=Credit' }, status: 415, body: { error: 'unsupported_media_type' }, events: ['rejected'] },
      {
        send: { contentType: 'application/xml', body: '<dc>Credit</dc>' },
        status: 415,
        body: { error: 'unsupported_media_type' },
        events: ['rejected'],
      },
    ],
  },
  {
    name: 'a throwing transaction listener: 500 handler_failed, error emitted, nothing stored, the retry is served',
    steps: async ({ receiver }) => {
      const n = await signed()
      const boom = () => {
        throw new Error('ledger down')
      }
      receiver.on('transaction', boom)
      return [
        {
          send: post(n),
          status: 500,
          body: HANDLER_FAILED,
          events: ['transaction', 'error'],
          check: (events) => {
            const e = payload(events, 'error')
            assert.is(e._tag, 'handler_failed')
            assert.is(e._tag === 'handler_failed' && (e.error as Error).message, 'ledger down')
          },
        },
        () => void receiver.off('transaction', boom),
        accepted(n, 'json'),
      ]
    },
  },
  {
    name: 'a rejecting credit listener: 500, then the next request is served normally',
    steps: async ({ receiver }) => {
      const n = await signed()
      const failing = async () => {
        await sleep(5)
        throw new Error('rejected later')
      }
      receiver.on('credit', failing)
      return [
        { send: post(n), status: 500, body: HANDLER_FAILED, events: ['transaction', 'credit', 'error'] },
        () => void receiver.off('credit', failing),
        accepted(n, 'multipart'),
        { send: post(n), status: 200, body: DUPLICATE, events: ['duplicate'] },
      ]
    },
  },
  {
    name: 'a listener slower than handlerTimeout: 500, HandlerTimeoutError, then served normally',
    options: { handlerTimeout: 100 },
    steps: async ({ receiver }) => {
      const slow = () => sleep(400)
      receiver.once('credit', slow)
      return [
        {
          send: post(await signed({ description: 'slow' })),
          status: 500,
          body: HANDLER_FAILED,
          events: ['transaction', 'credit', 'error'],
          check: (events) => {
            const e = payload(events, 'error')
            assert.is(e._tag === 'handler_failed' && (e.error as Error).name, 'HandlerTimeoutError')
          },
        },
        accepted(await signed({ description: 'slow' })),
      ]
    },
  },
  {
    name: 'error listeners that throw or reject crash nothing',
    steps: async ({ receiver }) => {
      const n = await signed()
      const boom = () => {
        throw new Error('handler')
      }
      receiver.on('debit', boom)
      receiver.on('error', () => {
        throw new Error('error listener throws')
      })
      receiver.on('error', async () => {
        throw new Error('error listener rejects')
      })
      const debit = await signed({ dc: 'Debit', amount: '10.00', balance: '1090.00' })
      return [
        accepted(n),
        { send: post(debit), status: 500, body: HANDLER_FAILED, events: ['transaction', 'debit', 'error'] },
        () => void receiver.off('debit', boom),
        { ...accepted(debit), check: async () => await sleep(20) },
      ]
    },
  },
  {
    name: 'a gap listener that fails: 500 and no transaction; the retry detects the gap again',
    steps: async ({ receiver }) => {
      const boom = () => Promise.reject(new Error('alerting down'))
      receiver.on('gap', boom)
      const second = await signed({ amount: '50.00', balance: '1400.00', description: 'second' })
      return [
        accepted(await signed()),
        { send: post(second), status: 500, body: HANDLER_FAILED, events: ['gap', 'transaction', 'credit', 'error'] },
        () => void receiver.off('gap', boom),
        { send: post(second), status: 200, body: OK, events: ['gap', 'transaction', 'credit'] },
      ]
    },
  },
  {
    name: 'a failing duplicate listener answers 500; the next re-delivery is a duplicate again',
    steps: async ({ receiver }) => {
      const n = await signed()
      receiver.once('duplicate', () => {
        throw new Error('once')
      })
      return [
        accepted(n),
        { send: post(n), status: 500, body: HANDLER_FAILED, events: ['duplicate', 'error'] },
        { send: post(n), status: 200, body: DUPLICATE, events: ['duplicate'] },
      ]
    },
  },
  {
    name: 'a rejected listener that throws does not change the answer; error tells listener_failed',
    steps: async ({ receiver }) => {
      receiver.on('rejected', () => {
        throw new Error('metrics down')
      })
      return [
        {
          send: post(await signed({}, 'wrong')),
          status: 401,
          body: { error: 'invalid_hash' },
          events: ['rejected', 'error'],
          check: (events) => {
            const e = payload(events, 'error')
            assert.is(e._tag === 'listener_failed' && e.event, 'rejected')
            assert.is(e._tag === 'listener_failed' && (e.error as Error).message, 'metrics down')
          },
        },
      ]
    },
  },
  {
    name: 'a failing store answers 500 store_failed and tells error',
    options: { store: failingStore() },
    steps: async () => [
      {
        send: post(await signed()),
        status: 500,
        body: { error: 'store_failed' },
        events: ['transaction', 'credit', 'error'],
        check: (events) => assert.equal(payload(events, 'error')._tag, 'store_failed'),
      },
    ],
  },
  {
    name: 'requests for another path get 404 not_found; the query string is ignored',
    options: { path: '/hooks/banksocket' },
    steps: async () => {
      const n = await signed()
      return [
        { send: post(n, 'form', '/other'), status: 404, body: { error: 'not_found' }, events: [] },
        { send: { method: 'GET', path: '/' }, status: 404, body: { error: 'not_found' }, events: [] },
        { send: { method: 'GET', path: '/hooks/banksocket' }, status: 405, headers: { allow: 'POST' }, events: [] },
        { ...accepted(n), send: post(n, 'form', '/hooks/banksocket?source=banksocket') },
      ]
    },
  },
  {
    name: 'accepted events are stored after the listeners ran',
    options: { store: createInMemoryEventStore<LedgerEvent>() },
    steps: async ({ receiver }) => {
      const readAll = async () => {
        const all = await receiver.inbox.store?.readAll()()
        return all !== undefined && E.isRight(all) ? all.right.length : -2
      }
      let storedWhileHandling = -1
      receiver.once('credit', async () => {
        storedWhileHandling = await readAll()
      })
      return [
        accepted(await signed()),
        async () => {
          assert.is(storedWhileHandling, 0, 'nothing is stored before the listeners finish')
          assert.is(await readAll(), 1)
        },
      ]
    },
  },
  {
    name: 'recorded is told once the events are stored, before the answer; never for a duplicate, a rejection or a failure',
    options: { store: createInMemoryEventStore<LedgerEvent>() },
    steps: async ({ receiver }) => {
      const told: Array<Readonly<{ stream: string; outcome: string; versions: number[]; types: string[]; stored: number }>> = []
      receiver.on('recorded', async (r: StoredDelivery) => {
        const all = await receiver.inbox.store?.readAll()()
        told.push({
          stream: r.stream,
          outcome: r.outcome,
          versions: r.events.map((e) => e.version),
          types: r.events.map((e) => e.event.type),
          stored: all !== undefined && E.isRight(all) ? all.right.length : -1,
        })
      })
      const first = await signed({ amount: '100.00', balance: '1100.00', description: 'a' })
      return [
        accepted(first),
        { send: post(first, 'json'), status: 200, body: DUPLICATE, events: ['duplicate'] },
        { send: post({ ...first, hash: 'AAAA' }), status: 401, events: ['rejected'] },
        { ...accepted(await signed({ amount: '10.00', balance: '1200.00', description: 'b' })), events: ['gap', 'transaction', 'credit'] },
        () =>
          assert.equal(told, [
            { stream: 'ledger-69-TRY', outcome: 'accepted', versions: [1], types: ['TransactionReceived'], stored: 1 },
            { stream: 'ledger-69-TRY', outcome: 'accepted', versions: [2, 3], types: ['BalanceGapDetected', 'TransactionReceived'], stored: 3 },
          ]),
      ]
    },
  },
  {
    name: 'a failing recorded listener changes nothing but is told to error',
    steps: async ({ receiver }) => {
      receiver.on('recorded', () => {
        throw new Error('printer jammed')
      })
      return [
        {
          ...accepted(await signed()),
          events: ['transaction', 'credit', 'error'],
          check: (events) => {
            const e = payload(events, 'error')
            assert.is(e._tag === 'listener_failed' && e.event, 'recorded')
          },
        },
      ]
    },
  },
]

/** Registers the contract suite for one receiver: `start` serves a receiver built with the options it is given. */
/**
 * Options of {@link contract}: `include` picks the cases a harness can run by their names. A receiver
 * reached across a process boundary (a Durable Object in workerd) cannot take the listeners a case
 * registers in this process, nor be given a store of this process: such a harness runs the cases
 * that only send requests and look at the answers and the events.
 */
export type ContractOptions = Readonly<{ include?: (caseName: string) => boolean }>

/** The names of every case, in order (for a harness that picks some with `include`). */
export const contractCaseNames: ReadonlyArray<string> = cases.map((c) => c.name)

export const contract = (name: string, start: Start, options: ContractOptions = {}) => {
  const s = suite(`${name} contract`)
  for (const c of cases) {
    if (options.include !== undefined && !options.include(c.name)) continue
    s(c.name, async () => {
      const options: ReceiverOptions = { secrets: [SECRET], now: () => NOW, ...c.options }
      const harness = await start(options)
      const log = record(harness.receiver)
      const ctx: Ctx = { receiver: harness.receiver, log }
      const seen: string[] = []
      try {
        for (const step of await c.steps(ctx)) {
          if (typeof step === 'function') {
            await step(ctx)
            continue
          }
          const before = log.length
          const response = await send(harness.url, step.send)
          seen.push(response.text)
          const events = log.slice(before)
          const label = `${step.send.method ?? 'POST'} ${step.send.path ?? '/'} ${step.send.contentType ?? ''}: ${response.text}`
          assert.is(response.status, step.status, label)
          if (step.body !== undefined) assert.equal(response.json, step.body, label)
          assert.match(String(response.headers['content-type']), /^application\/json/, label)
          for (const [h, v] of Object.entries(step.headers ?? {})) assert.is(response.headers[h], v, label)
          assert.equal(
            events.map((e) => e.name),
            step.events,
            label,
          )
          await step.check?.(events, response)
        }
        await sleep(0)
        for (const r of log) seen.push(JSON.stringify(r.payload, bigintSafe), inspect(r.payload, { depth: 8 }))
        const secrets = options.secrets
        for (const text of seen) for (const secret of secrets) assert.not.ok(text.includes(secret), 'a secret leaked into an answer or an event')
      } finally {
        await harness.close()
      }
    })
  }
  return s
}
