/**
 * `banksocket inspect`, with real processes, files, sockets and a real PostgreSQL (test-support's
 * embedded server, or DATABASE_URL): read beside the `listen` that writes a file log (its tables
 * and its JSON, exactly: balances, movements, the open gap's missing amount), the last events,
 * `--follow` printing what is committed after it started (until SIGTERM, exit 0), the consumers of
 * `banksocket forward` (checkpoint, lag, the events given up on), payments written into the store
 * by `@banksocket-webhooks/payments`, an event no codec knows, the same on PostgreSQL, and the
 * errors with their exit codes (never the database's password).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openFileEventStore } from '@banksocket-webhooks/adapter-file-store'
import { createPayments, creditTransactionOf, type PaymentsEvent } from '@banksocket-webhooks/payments'
import { freePort, startDatabase, type TestDatabase } from '@banksocket-webhooks/test-support/postgres'
import { encodeNotification, signNotification } from '@banksocket-webhooks/testing'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { displayUrl } from '../src/commands/migrate.ts'
import { ensureBuilt, json, type Running, run, start, startListen } from './support/cli.ts'
import { createCleanup, FORWARD_SECRET, logEvents, startApp, until } from './support/forwarding.ts'
import { runInProcess } from './support/memory.ts'

const SECRET = 'inspect-test-s3cr3t'

const dir = mkdtempSync(join(tmpdir(), 'banksocket-cli-inspect-'))
let db: TestDatabase | undefined

test.before(async () => {
  ensureBuilt()
})

test.after(async () => {
  await db?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** One movement as Banksocket notifies it. */
type Movement = Readonly<{ account: string; currency: string; dc: 'Credit' | 'Debit'; amount: string; balance: string; description: string }>

/** Signs `m` as Banksocket does and POSTs it; the receiver must answer 200 (so the events are committed). */
const deliver = async (url: string, m: Movement): Promise<void> => {
  const signed = await signNotification(
    { dc: m.dc, code: 'EFT', amount: m.amount, balance: m.balance, currency: m.currency, description: m.description, account_id: m.account },
    SECRET,
  )()
  const { body, contentType } = encodeNotification(signed, 'form')
  const response = await fetch(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'content-type': contentType },
  })
  assert.is(response.status, 200, `${m.description}: ${await response.text()}`)
}

/**
 * Account 69 (TRY) gets a credit, then a debit that does not continue the chain (18100.00, but the
 * debit starts at 18000.00: 100.00 out never notified, gap 1), then a credit; account 70 (USD) one
 * credit. Positions: 1 the credit, 2 the gap, 3 the debit, 4 the USD credit, 5 the last credit.
 */
const MOVEMENTS: ReadonlyArray<Movement> = [
  { account: '69', currency: 'TRY', dc: 'Credit', amount: '100.00', balance: '18100.00', description: 'SN:1 EFT GELEN ŞÜKRÜ ÖZKAN' },
  { account: '69', currency: 'TRY', dc: 'Debit', amount: '40.00', balance: '17960.00', description: 'SN:2 KİRA ARALIK' },
  { account: '70', currency: 'USD', dc: 'Credit', amount: '12.50', balance: '512.50', description: 'USD GELEN İADE' },
  { account: '69', currency: 'TRY', dc: 'Credit', amount: '250.00', balance: '18210.00', description: 'SN:3 FAST ÖDEME GÜLŞEN' },
]

/** The debit of 100.00 the chain missed, late: it closes gap 1 (positions 6 and 7). */
const LATE: Movement = { account: '69', currency: 'TRY', dc: 'Debit', amount: '100.00', balance: '18000.00', description: 'SN:4 GEÇ GELEN ÇEKİM' }

const LEDGERS_JSON = [
  {
    accountId: '69',
    currency: 'TRY',
    balance: '18210.00',
    movements: 3,
    credits: '350.00',
    debits: '40.00',
    suspectedReplays: 0,
    openGaps: [{ gapId: 1, from: '18100.00', to: '18000.00', missing: '-100.00' }],
  },
  { accountId: '70', currency: 'USD', balance: '512.50', movements: 1, credits: '12.50', debits: '0.00', suspectedReplays: 0, openGaps: [] },
]

const tables = (store: string, head: number, events: number): string =>
  [
    `Store ${store}: head position ${head}, ${events} events`,
    '',
    'Ledgers',
    '  ACCOUNT  CURRENCY   BALANCE  MOVEMENTS  OPEN GAPS  MISSING',
    '  69       TRY       18210.00          3          1  -100.00',
    '  70       USD         512.50          1          0  -',
    '',
  ].join('\n')

const NO_CONSUMERS = 'Consumers\n  no consumers (no checkpoint saved, no failure recorded)\n'
const NO_PAYMENTS = '\nPayments\n  no payments recorded\n'

const LAST_THREE = [
  '',
  'Last 3 events',
  '  POSITION  STREAM            TYPE                 SUMMARY',
  '         3  ledger-69-TRY     TransactionReceived  Debit -40.00 TRY, balance 17960.00',
  '         4  ledger-70-USD     TransactionReceived  Credit +12.50 USD, balance 512.50',
  '         5  ledger-69-TRY     TransactionReceived  Credit +250.00 TRY, balance 18210.00',
  '',
].join('\n')

/** Runs `banksocket inspect …args`, which must exit 0 with nothing on stderr; answers its stdout. */
const inspect = async (args: ReadonlyArray<string>): Promise<string> => {
  const { code, stdout, stderr } = await run(['inspect', ...args])
  assert.is(stderr, '', `inspect ${args.join(' ')}: nothing on stderr`)
  assert.is(code, 0, `inspect ${args.join(' ')} exits 0`)
  return stdout
}

const inspectJson = async (args: ReadonlyArray<string>): Promise<Record<string, unknown>> => {
  const stdout = await inspect([...args, '--json'])
  assert.is(stdout.split('\n').length, 2, 'one JSON line')
  return json(stdout)
}

/** The position saved in a file log's checkpoint of consumer `name` (undefined: none yet). */
const fileCheckpoint = (log: string, name: string): number | undefined => {
  try {
    return (JSON.parse(readFileSync(`${log}.checkpoints/${name}.json`, 'utf8')) as { position: number }).position
  } catch {
    return undefined
  }
}

/** Starts `inspect --follow` and waits until it has printed what it read (`ready` is its last line so far). */
const startFollow = async (args: ReadonlyArray<string>, ready: (line: string) => boolean): Promise<Running> => {
  const follow = start(['inspect', ...args, '--follow'])
  await follow.line('stdout', ready)
  return follow
}

test('banksocket --help lists inspect; inspect --help shows its flags', async () => {
  const root = await run(['--help'])
  assert.is(root.code, 0)
  assert.match(root.stdout, /\n {2}inspect +show what a store holds/)
  const help = await run(['inspect', '--help'])
  assert.is(help.code, 0)
  for (const flag of ['--store FILE|URL', '--events N', '--follow', '--json']) assert.ok(help.stdout.includes(flag), flag)
})

test('a file log beside the listen that writes it: tables, JSON, the last events, --follow, and the consumers of forward', async () => {
  const log = join(dir, 'events.jsonl')
  const cleanup = createCleanup()
  try {
    const listen = cleanup.add(await startListen(['--port', '0', '--secret', SECRET, '--store', log]))
    for (const m of MOVEMENTS) await deliver(listen.url, m)

    // Tables, while listen holds the log.
    assert.is(await inspect(['--store', log]), `${tables(log, 5, 5)}\n${NO_CONSUMERS}${NO_PAYMENTS}`)
    // JSON: the same, exactly.
    assert.equal(await inspectJson(['--store', log]), {
      store: log,
      head: 5,
      eventCount: 5,
      undecoded: 0,
      ledgers: LEDGERS_JSON,
      consumers: [],
      payments: null,
    })
    // The last 3 events, as a table and as JSON.
    assert.is(await inspect(['--store', log, '--events', '3']), `${tables(log, 5, 5)}\n${NO_CONSUMERS}${NO_PAYMENTS}${LAST_THREE}`)
    const withEvents = await inspectJson(['--store', log, '--events', '3'])
    assert.equal(withEvents['events'], [
      {
        position: 3,
        stream: 'ledger-69-TRY',
        version: 3,
        type: 'TransactionReceived',
        summary: { accountId: '69', dc: 'Debit', amount: '40.00', balance: '17960.00', currency: 'TRY' },
      },
      {
        position: 4,
        stream: 'ledger-70-USD',
        version: 1,
        type: 'TransactionReceived',
        summary: { accountId: '70', dc: 'Credit', amount: '12.50', balance: '512.50', currency: 'USD' },
      },
      {
        position: 5,
        stream: 'ledger-69-TRY',
        version: 4,
        type: 'TransactionReceived',
        summary: { accountId: '69', dc: 'Credit', amount: '250.00', balance: '18210.00', currency: 'TRY' },
      },
    ])
    // Asking for more events than there are shows them all.
    assert.equal(((await inspectJson(['--store', log, '--events', '100']))['events'] as unknown[]).length, 5)

    // --follow: the late debit is delivered after it started; it prints the debit and the gap it closes.
    const follow = cleanup.add(await startFollow(['--store', log], (line) => line.includes('POSITION')))
    const before = follow.lines('stdout').length
    await deliver(listen.url, LATE)
    await follow.line('stdout', (line) => line.includes('BalanceGapClosed'), { from: before })
    assert.equal(follow.lines('stdout').slice(before - 2), [
      'New events (following; Ctrl-C to stop)',
      '  POSITION  STREAM            TYPE                 SUMMARY',
      '         6  ledger-69-TRY     TransactionReceived  Debit -100.00 TRY, balance 18000.00',
      '         7  ledger-69-TRY     BalanceGapClosed     gap 1 closed: 18100.00 -> 18000.00, -100.00 TRY filled',
    ])
    assert.equal(await follow.stop('SIGTERM'), { code: 0, signal: null })
    assert.is(follow.text('stderr'), '')

    // --follow --json: the document, then one JSON line per new event.
    const followJson = cleanup.add(await startFollow(['--store', log, '--json'], (line) => line.startsWith('{"store"')))
    const document = json(followJson.lines('stdout')[0] ?? '{}')
    assert.is(document['head'], 7)
    assert.equal((document['ledgers'] as Array<Record<string, unknown>>)[0]?.['openGaps'], [])
    await deliver(listen.url, { account: '70', currency: 'USD', dc: 'Credit', amount: '2.50', balance: '515.00', description: 'USD 2' })
    const line = await followJson.line('stdout', (l) => l.includes('"position":8'))
    assert.equal(json(line), {
      position: 8,
      stream: 'ledger-70-USD',
      version: 2,
      type: 'TransactionReceived',
      summary: { accountId: '70', dc: 'Credit', amount: '2.50', balance: '515.00', currency: 'USD' },
    })
    assert.equal(await followJson.stop('SIGINT'), { code: 0, signal: null })
    assert.is(followJson.lines('stdout').length, 2)

    // A consumer: forward everything to an application, stop it, and see its checkpoint with lag 0.
    const app = cleanup.add(await startApp())
    const forward = cleanup.add(start(['forward', '--store', log, '--to', app.url, '--secret', FORWARD_SECRET]))
    await until('forward to reach the head', () => fileCheckpoint(log, 'forward') === 8)
    assert.is((await forward.stop()).code, 0)
    assert.equal((await inspectJson(['--store', log]))['consumers'], [{ name: 'forward', checkpoint: 8, lag: 0, failed: 0 }])
    // One more movement: forward lags by one.
    await deliver(listen.url, { account: '70', currency: 'USD', dc: 'Debit', amount: '15.00', balance: '500.00', description: 'USD ÇIKIŞ' })
    // A consumer whose application refuses everything gives each event up after one attempt: its
    // failures are in its failure file beside the log.
    const refusing = cleanup.add(await startApp(() => 500))
    const audit = cleanup.add(
      start([
        'forward',
        '--store',
        log,
        '--to',
        refusing.url,
        '--secret',
        FORWARD_SECRET,
        '--name',
        'audit',
        '--max-attempts',
        '1',
        '--max-delay',
        '200ms',
      ]),
    )
    await until('audit to reach the head', () => fileCheckpoint(log, 'audit') === 9)
    assert.is((await audit.stop()).code, 0)
    assert.equal((await inspectJson(['--store', log]))['consumers'], [
      { name: 'audit', checkpoint: 9, lag: 0, failed: 9 },
      { name: 'forward', checkpoint: 8, lag: 1, failed: 0 },
    ])
    const shown = await inspect(['--store', log])
    assert.ok(
      shown.includes(
        ['Consumers', '  NAME     CHECKPOINT  LAG  FAILED', '  audit             9    0       9', '  forward           8    1       0', ''].join(
          '\n',
        ),
      ),
      shown,
    )
    assert.ok(
      shown.includes(['  69       TRY       18210.00          4          0  -', '  70       USD         500.00          3          0  -'].join('\n')),
      shown,
    )
    assert.is((await listen.stop()).code, 0)
  } finally {
    await cleanup.close()
  }
})

test('payments written into the store by @banksocket-webhooks/payments, and an event no codec knows', async () => {
  const log = join(dir, 'payments.jsonl')
  const cleanup = createCleanup()
  try {
    const listen = cleanup.add(await startListen(['--port', '0', '--secret', SECRET, '--store', log]))
    const credits: ReadonlyArray<readonly [string, string, string]> = [
      ['1499.90', '11499.90', 'SN:901 FAST GELEN sip-1001 ödemesi'],
      ['500.00', '11999.90', 'SN:902 FAST GELEN Sip 1002 kapora'],
      ['320.00', '12319.90', 'SN:903 FAST GELEN kira ödemesi'],
    ]
    for (const [amount, balance, description] of credits) {
      await deliver(listen.url, { account: '71', currency: 'TRY', dc: 'Credit', amount, balance, description })
    }
    assert.is((await listen.stop()).code, 0)
    const recorded = await logEvents(log)

    // The application's payments, in the same store (opened without a codec: it holds ledger events too).
    const opened = await openFileEventStore<PaymentsEvent>({ path: log })()
    if (E.isLeft(opened)) throw new Error(opened.left.message)
    const store = opened.right
    const payments = await createPayments({ store })()
    if (E.isLeft(payments)) throw new Error(payments.left._tag)
    for (const [id, reference, minor] of [
      ['ORDER-1001', 'SİP1001', 149990n],
      ['ORDER-1002', 'SİP1002', 75000n],
      ['ORDER-1003', 'SİP1003', 9999n],
    ] as const) {
      assert.ok(E.isRight(await payments.right.expect({ id, reference, amount: { minor, currency: 'TRY' } })()))
    }
    let review = ''
    for (const stored of recorded) {
      const tx = creditTransactionOf(stored)
      if (tx === undefined) continue
      const outcome = await payments.right.applyCredit(tx)()
      assert.ok(E.isRight(outcome), E.isLeft(outcome) ? outcome.left._tag : '')
      if (tx.verified.description.includes('kira')) review = tx.idempotencyKey
    }
    assert.ok(E.isRight(await store.close()()))
    // Another application's event in the same log: counted, shown by its type, never a failure.
    const raw = await openFileEventStore<unknown>({ path: log })()
    if (E.isLeft(raw)) throw new Error(raw.left.message)
    assert.ok(E.isRight(await raw.right.appendToStream('shipping-ORDER-1001', [{ type: 'OrderShipped', data: { order: 'ORDER-1001' } }], 'any')()))
    assert.ok(E.isRight(await raw.right.close()()))

    const document = await inspectJson(['--store', log, '--events', '1'])
    const head = document['head'] as number
    assert.is(document['undecoded'], 1)
    assert.equal(document['payments'], {
      statuses: { expected: 1, partially_paid: 1, settled: 1, overpaid: 0, cancelled: 0, expired: 0 },
      expected: [
        {
          id: 'ORDER-1003',
          reference: 'SİP1003',
          status: 'expected',
          amount: '99.99',
          paid: '0.00',
          due: '99.99',
          currency: 'TRY',
          accountId: null,
          expiresAt: null,
        },
      ],
      partiallyPaid: [
        {
          id: 'ORDER-1002',
          reference: 'SİP1002',
          status: 'partially_paid',
          amount: '750.00',
          paid: '500.00',
          due: '250.00',
          currency: 'TRY',
          accountId: null,
          expiresAt: null,
        },
      ],
      toReview: [
        {
          credit: review,
          amount: '320.00',
          currency: 'TRY',
          description: 'SN:903 FAST GELEN kira ödemesi',
          accountId: '71',
          reason: 'no_reference',
          candidates: [],
        },
      ],
    })
    assert.equal(document['events'], [{ position: head, stream: 'shipping-ORDER-1001', version: 1, type: 'OrderShipped', summary: {} }])
    assert.equal((document['ledgers'] as unknown[]).length, 1)

    const shown = await inspect(['--store', log])
    assert.ok(
      shown.startsWith(`Store ${log}: head position ${head}, ${head} events, 1 not decoded (no codec of this version knows their type)\n`),
      shown,
    )
    assert.ok(
      shown.endsWith(
        [
          '',
          'Payments',
          '  3 expected payments: 1 expected, 1 partially paid, 1 settled',
          '  ID          REFERENCE  STATUS          AMOUNT    PAID     DUE  CURRENCY',
          '  ORDER-1003  SİP1003    expected         99.99    0.00   99.99  TRY',
          '  ORDER-1002  SİP1002    partially paid  750.00  500.00  250.00  TRY',
          '  1 credit waiting for review:',
          '  CREDIT         AMOUNT  CURRENCY  ACCOUNT  REASON        DESCRIPTION',
          `  ${review.slice(0, 12)}…  320.00  TRY       71       no_reference  SN:903 FAST GELEN kira ödemesi`,
          '',
        ].join('\n'),
      ),
      shown,
    )
    const last = await inspect(['--store', log, '--events', '1'])
    assert.ok(
      last.endsWith(`  ${String(head).padStart(8)}  shipping-ORDER-1001  OrderShipped         not decoded: no codec of this version knows it\n`),
      last,
    )
  } finally {
    await cleanup.close()
  }
})

test('errors: a log that does not exist or is not a log, usage errors (exit 2)', async () => {
  const missing = join(dir, 'nope.jsonl')
  const none = await run(['inspect', '--store', missing])
  assert.is(none.code, 1)
  assert.is(none.stdout, '')
  assert.is(none.stderr, `banksocket inspect: there is no event log at ${missing}: inspect reads the log that banksocket listen --store writes\n`)
  const notALog = join(dir, 'notes.txt')
  writeFileSync(notALog, 'hello\n')
  const wrong = await run(['inspect', '--store', notALog])
  assert.is(wrong.code, 1)
  assert.is(wrong.stdout, '')
  assert.match(wrong.stderr, /^banksocket inspect: .+\n$/)
  const usage = async (args: ReadonlyArray<string>, pattern: RegExp): Promise<void> => {
    const { code, stdout, stderr } = await runInProcess(['inspect', ...args])
    assert.is(code, 2, `${args.join(' ')}: ${stderr}`)
    assert.is(stdout, '')
    assert.match(stderr, pattern)
  }
  await usage([], /^banksocket inspect: missing required flag --store\./)
  await usage(['--store', ''], /invalid value for --store/)
  await usage(['--store', missing, '--events', '0'], /invalid value for --events: expected an integer from 1 to 10000, got '0'/)
  await usage(['--store', missing, '--events', 'all'], /invalid value for --events/)
  await usage(['--store', missing, '--follow=yes'], /flag --follow takes no value/)
  await usage(['--store', missing, '--tail'], /unknown flag --tail/)
})

test('PostgreSQL: not migrated and unreachable (exit 1, no password), then beside listen: tables, JSON, a consumer, --follow', async () => {
  db = await startDatabase()
  const { url, password } = db
  const noPassword = (...texts: ReadonlyArray<string>): void => {
    if (password === undefined) return
    for (const text of texts) assert.not.ok(text.includes(password), 'the password is never printed')
  }
  const pool = db.pool({ max: 1 })
  await pool.query('DROP SCHEMA IF EXISTS banksocket CASCADE')

  const unmigrated = await run(['inspect', '--store', url])
  assert.is(unmigrated.code, 1)
  assert.is(unmigrated.stdout, '')
  assert.match(unmigrated.stderr, /^banksocket inspect: .*banksocket migrate --store URL creates or upgrades it\n$/)
  noPassword(unmigrated.stderr)
  const nowhere = `postgres://app:pw-5ecret-9f2@127.0.0.1:${await freePort()}/app`
  const unreachable = await run(['inspect', '--store', nowhere])
  assert.is(unreachable.code, 1)
  assert.is(unreachable.stdout, '')
  assert.match(unreachable.stderr, /^banksocket inspect: PostgreSQL store: .*ECONNREFUSED.*\n$/)
  assert.not.ok(unreachable.stderr.includes('pw-5ecret-9f2'))

  const migrated = await run(['migrate', '--store', url])
  assert.is(migrated.code, 0, migrated.stderr)
  const cleanup = createCleanup()
  try {
    const listen = cleanup.add(await startListen(['--port', '0', '--secret', SECRET, '--store', url]))
    for (const m of MOVEMENTS) await deliver(listen.url, m)
    const label = displayUrl(url)
    const shown = await inspect(['--store', url, '--events', '3'])
    assert.is(shown, `${tables(label, 5, 5)}\n${NO_CONSUMERS}${NO_PAYMENTS}${LAST_THREE}`)
    assert.equal(await inspectJson(['--store', url]), {
      store: label,
      head: 5,
      eventCount: 5,
      undecoded: 0,
      ledgers: LEDGERS_JSON,
      consumers: [],
      payments: null,
    })

    const app = cleanup.add(await startApp())
    const forward = cleanup.add(start(['forward', '--store', url, '--to', app.url, '--secret', FORWARD_SECRET, '--name', 'pg-forward']))
    await until('pg-forward to reach the head', async () => {
      const saved = await pool.query("SELECT position FROM banksocket.checkpoints WHERE name = 'pg-forward'")
      return Number(saved.rows[0]?.position) === 5
    })
    assert.is((await forward.stop()).code, 0)
    assert.equal((await inspectJson(['--store', url]))['consumers'], [{ name: 'pg-forward', checkpoint: 5, lag: 0, failed: 0 }])

    // --follow on PostgreSQL polls the head: the late debit and the gap it closes come through.
    const follow = cleanup.add(await startFollow(['--store', url], (line) => line.includes('POSITION')))
    const before = follow.lines('stdout').length
    await deliver(listen.url, LATE)
    await follow.line('stdout', (line) => line.includes('BalanceGapClosed'), { from: before, timeout: 5_000 })
    assert.equal(follow.lines('stdout').slice(before), [
      '         6  ledger-69-TRY     TransactionReceived  Debit -100.00 TRY, balance 18000.00',
      '         7  ledger-69-TRY     BalanceGapClosed     gap 1 closed: 18100.00 -> 18000.00, -100.00 TRY filled',
    ])
    assert.equal(await follow.stop('SIGTERM'), { code: 0, signal: null })
    const after = await inspectJson(['--store', url])
    assert.equal(after['consumers'], [{ name: 'pg-forward', checkpoint: 5, lag: 2, failed: 0 }])
    // The late debit filled the gap inside the chain: the head (the balance) stays where it was.
    assert.equal((after['ledgers'] as Array<Record<string, unknown>>)[0], { ...LEDGERS_JSON[0], movements: 4, debits: '140.00', openGaps: [] })
    assert.is((await listen.stop()).code, 0)
    noPassword(shown, follow.text('stdout'), follow.text('stderr'), JSON.stringify(after))
  } finally {
    await cleanup.close()
  }
})

test.run()
