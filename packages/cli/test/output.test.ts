/**
 * `listen`'s output path, in process: the transaction line's exact bytes, the redactor's fast path,
 * and the per-turn batching of the process's streams. The line's builders live in
 * `@banksocket-webhooks/consumers`, whose tests hold `transactionLineJson` to
 * `JSON.stringify(transactionLine(...))` for any text.
 */
import { transactionLine, transactionLineJson } from '@banksocket-webhooks/consumers'
import { type BalanceGapDetected, formatMoney, receive, type VerifiedTransaction } from '@banksocket-webhooks/core'
import { encodeNotification, signNotification } from '@banksocket-webhooks/testing'
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BATCH_LIMIT, createBatcher, createByteBatcher, createRedactor, writeJsonLine } from '../src/io.ts'

const SECRET = 'output-test-secret'

const verified = async (fields: Record<string, string>, contentType: 'form' | 'json' = 'form'): Promise<VerifiedTransaction> => {
  const signed = await signNotification(fields, SECRET)()
  const { body, contentType: type } = encodeNotification(signed, contentType)
  const result = await receive({ body, contentType: type }, { secrets: [SECRET] })()
  if (result._tag === 'Left') throw new Error(`not verified: ${JSON.stringify(result.left)}`)
  return result.right
}

/** The line as the CLI printed it before it was built once: a spread copy, a replacer for bigints. */
const previousLine = (tx: VerifiedTransaction, receivedAt: string, repeat: boolean, gap: BalanceGapDetected['data'] | undefined): string =>
  JSON.stringify(
    {
      type: 'transaction',
      idempotencyKey: tx.idempotencyKey,
      receivedAt,
      accountId: tx.unverified.account_id,
      dc: tx.verified.dc,
      amount: formatMoney(tx.amount),
      balance: formatMoney(tx.balance),
      currency: tx.amount.currency,
      verified: tx.verified,
      unverified: tx.unverified,
      opponentIban: tx.opponentIban.valid ? { valid: true, country: tx.opponentIban.country } : { valid: false, problem: tx.opponentIban.problem },
      ...(Object.keys(tx.extra).length === 0 ? {} : { extra: tx.extra }),
      gap:
        gap === undefined
          ? null
          : {
              gapId: gap.gapId,
              from: gap.from,
              to: gap.to,
              expectedBalance: gap.expectedBalance,
              actualBalance: gap.actualBalance,
              missing: gap.missing,
              direction: gap.missing.startsWith('-') ? 'out' : 'in',
              previousKey: gap.previousKey,
            },
      ...(repeat ? { repeat: true } : {}),
    },
    (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
  )

const GAP: BalanceGapDetected['data'] = {
  accountId: '69',
  currency: 'TRY',
  gapId: 1,
  from: '18100.00',
  to: '18000.00',
  expectedBalance: '18060.00',
  actualBalance: '17960.00',
  missing: '-100.00',
  previousKey: 'ab'.repeat(32),
  idempotencyKey: 'cd'.repeat(32),
} as BalanceGapDetected['data']

test('transactionLine: the same bytes as before, with and without extra fields, gap and repeat', async () => {
  const plain = await verified({ amount: '100.00', balance: '18100.00', opponent_iban: 'TR330006100519786457841326' })
  const extra = await verified(
    { amount: '40.00', balance: '18140.00', description: 'SN:2 "quoted" ÇĞİÖŞÜ', note: 'kept' } as Record<string, string>,
    'json',
  )
  assert.ok(Object.keys(extra.extra).length > 0, 'the second notification has extra fields')
  const at = '2026-12-05T23:00:00.000Z'
  for (const tx of [plain, extra])
    for (const repeat of [false, true])
      for (const gap of [undefined, GAP]) {
        const line = transactionLine(tx, at, repeat, gap)
        assert.is(JSON.stringify(line), previousLine(tx, at, repeat, gap))
        assert.is(transactionLineJson(tx, at, repeat, gap), previousLine(tx, at, repeat, gap))
        let written = ''
        writeJsonLine({ write: (text) => void (written += text), isTTY: false }, line)
        assert.is(written, `${previousLine(tx, at, repeat, gap)}\n`)
      }
})

/** The redactor as it was: split/join of every form, longest first, whether present or not. */
const previousRedactor = (secrets: ReadonlyArray<string>) => {
  const forms = new Set<string>()
  for (const s of secrets) {
    if (s.length < 8) continue
    forms.add(s)
    forms.add(encodeURIComponent(s))
    forms.add(JSON.stringify(s).slice(1, -1))
  }
  const sorted = [...forms].filter((f) => f.length >= 8).sort((a, b) => b.length - a.length)
  return (text: string): string => sorted.reduce((out, form) => out.split(form).join('[redacted]'), text)
}

test('createRedactor: agrees with split/join of every form on any text, secrets in any form included', () => {
  // Characters a regular expression would read as syntax are among them: the redactor looks for every form at once with one.
  const secret = fc.string({
    minLength: 1,
    maxLength: 14,
    unit: fc.constantFrom('a', 'b', '/', '"', 'ş', ' ', '%', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$', '-', '\n', '😀'),
  })
  fc.assert(
    fc.property(
      fc.array(secret, { minLength: 1, maxLength: 3 }),
      fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }),
      fc.nat(),
      (secrets, parts, seed) => {
        const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])
        const text = parts.map((p, i) => `${p}${forms[(seed + i) % forms.length] ?? ''}`).join('')
        assert.is(createRedactor(secrets)(text), previousRedactor(secrets)(text))
      },
    ),
    { numRuns: 2000 },
  )
})

test('createRedactor: a line without a secret comes back as it is; one with it, in every form, does not', () => {
  const redact = createRedactor(['s3cr/et"x-long'])
  const line = '{"type":"transaction","description":"SN:276689 TEST BANKA"}\n'
  assert.is(redact(line), line)
  const leaked = `a s3cr/et"x-long b s3cr%2Fet%22x-long c s3cr/et\\"x-long`
  assert.is(redact(leaked), 'a [redacted] b [redacted] c [redacted]')
})

/** A batcher whose turns end when the test says. */
const manual = () => {
  const turns: Array<() => void> = []
  const batcher = createBatcher((flush) => void turns.push(flush))
  const writes: string[] = []
  const sink = (name: string) => batcher.sink({ write: (text: string) => void writes.push(`${name}:${text}`) })
  const endTurn = (): void => {
    for (const flush of turns.splice(0)) flush()
  }
  return { batcher, writes, sink, endTurn, turns }
}

test('batching: the lines of one turn go out at its end, one write per run of a stream, in order across streams', () => {
  const { writes, sink, endTurn, turns } = manual()
  const out = sink('out')
  const err = sink('err')
  out.write('1\n')
  out.write('2\n')
  err.write('3\n')
  out.write('4\n')
  out.write('5\n')
  assert.equal(writes, [], 'nothing is written before the turn ends')
  assert.is(turns.length, 1, 'one flush scheduled per turn')
  endTurn()
  assert.equal(writes, ['out:1\n2\n', 'err:3\n', 'out:4\n5\n'])
  out.write('6\n')
  assert.is(turns.length, 1, 'the next turn schedules again')
  endTurn()
  assert.equal(writes.at(-1), 'out:6\n')
  endTurn()
  assert.is(writes.length, 4, 'an empty turn writes nothing')
})

test('batching: flush writes at once (before a signal, on exit); a full batch is written without waiting', () => {
  const { batcher, writes, sink, endTurn } = manual()
  const out = sink('out')
  out.write('a\n')
  batcher.flush()
  assert.equal(writes, ['out:a\n'])
  endTurn()
  assert.is(writes.length, 1, 'the turn that ends after a flush has nothing left to write')
  const big = 'x'.repeat(BATCH_LIMIT / 4 - 1)
  for (let i = 0; i < 4; i++) out.write(`${big}\n`)
  assert.is(writes.length, 2, 'written as soon as the batch holds BATCH_LIMIT')
  assert.is(writes[1], `out:${`${big}\n`.repeat(4)}`)
})

test('batching: a sink written to while it is being flushed starts the next batch, nothing lost or reordered', () => {
  const turns: Array<() => void> = []
  const batcher = createBatcher((flush) => void turns.push(flush))
  const seen: string[] = []
  let echo: ReturnType<typeof batcher.sink> | undefined
  const out = batcher.sink({
    write: (text: string) => {
      seen.push(text)
      if (text === 'first\n') echo?.write('echo\n')
    },
  })
  echo = out
  out.write('first\n')
  batcher.flush()
  assert.equal(seen, ['first\n'])
  for (const flush of turns.splice(0)) flush()
  assert.equal(seen, ['first\n', 'echo\n'])
})

test('batching with the real event loop: written by the next check phase, in one write', async () => {
  const batcher = createBatcher()
  const writes: string[] = []
  const out = batcher.sink({ write: (text: string) => void writes.push(text) })
  for (let i = 0; i < 100; i++) out.write(`${i}\n`)
  await Promise.resolve()
  assert.is(writes.length, 0)
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(writes, [Array.from({ length: 100 }, (_, i) => `${i}\n`).join('')])
})

/** What the streams were sent, in order, consecutive chunks to the same stream joined (an empty write sends nothing). */
const joined = (log: ReadonlyArray<readonly [string, Buffer]>): Array<[string, string]> => {
  const out: Array<[string, Buffer]> = []
  for (const [name, bytes] of log) {
    if (bytes.length === 0) continue
    const last = out[out.length - 1]
    if (last !== undefined && last[0] === name) last[1] = Buffer.concat([last[1], bytes])
    else out.push([name, bytes])
  }
  return out.map(([name, bytes]) => [name, bytes.toString('hex')])
}

test('byte batching: the streams get the very bytes the text batcher has them encode, for any writes, flushes and turns', () => {
  // Lone and split surrogates, Turkish letters, emoji, quotes, newlines, and now and then a write
  // larger than a batch.
  const unit = fc.constantFrom('a', '"', '\n', 'ş', 'İ', '😀', '\ud83d', '\ude00', '\udbff', '\udc00', ' ')
  const step = fc.oneof(
    fc.record({ kind: fc.constant('write' as const), sink: fc.constantFrom('out', 'err'), text: fc.string({ unit, maxLength: 12 }) }),
    fc.record({ kind: fc.constant('big' as const), sink: fc.constantFrom('out', 'err'), text: fc.constantFrom('x', '\ud83d', '😀') }),
    fc.record({ kind: fc.constantFrom('flush' as const, 'turn' as const) }),
  )
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const run = (bytes: boolean) => {
        const turns: Array<() => void> = []
        const log: Array<readonly [string, Buffer]> = []
        const schedule = (flush: () => void) => void turns.push(flush)
        let flush: () => void
        let sinkOf: (name: string) => { write: (text: string) => unknown }
        if (bytes) {
          const batcher = createByteBatcher(schedule)
          flush = batcher.flush
          const sinks = new Map(
            ['out', 'err'].map((name) => [name, batcher.sink({ write: (chunk: Uint8Array) => void log.push([name, Buffer.from(chunk)]) })]),
          )
          sinkOf = (name) => sinks.get(name) as { write: (text: string) => unknown }
        } else {
          const batcher = createBatcher(schedule)
          flush = batcher.flush
          const sinks = new Map(
            ['out', 'err'].map((name) => [name, batcher.sink({ write: (text: string) => void log.push([name, Buffer.from(text, 'utf8')]) })]),
          )
          sinkOf = (name) => sinks.get(name) as { write: (text: string) => unknown }
        }
        for (const s of steps) {
          if ('sink' in s) sinkOf(s.sink).write(s.kind === 'big' ? `${'y'.repeat(BATCH_LIMIT + 5)}${s.text}` : s.text)
          else if (s.kind === 'flush') flush()
          else for (const f of turns.splice(0)) f()
        }
        flush()
        return joined(log)
      }
      assert.equal(run(true), run(false))
    }),
    { numRuns: 1000 },
  )
})

test('byte batching: one write per run of a stream at the end of the turn, and the buffer reused turn after turn', () => {
  const turns: Array<() => void> = []
  const batcher = createByteBatcher((flush) => void turns.push(flush))
  const writes: string[] = []
  const out = batcher.sink({ write: (chunk: Uint8Array) => void writes.push(`out:${Buffer.from(chunk).toString('utf8')}`) })
  const err = batcher.sink({ write: (chunk: Uint8Array) => void writes.push(`err:${Buffer.from(chunk).toString('utf8')}`) })
  for (let turn = 0; turn < 3; turn++) {
    out.write('1 ş\n')
    out.write('2 İ\n')
    err.write('3\n')
    out.write(`4 ${turn}\n`)
    assert.is(turns.length, 1, 'one flush scheduled per turn')
    for (const f of turns.splice(0)) f()
  }
  assert.equal(writes.slice(-3), ['out:1 ş\n2 İ\n', 'err:3\n', 'out:4 2\n'])
  assert.is(writes.length, 9)
})

test.run()
