import { execFile } from 'node:child_process'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ANSI, BIN, cleanEnv, ensureBuilt, run } from './support/cli.ts'

ensureBuilt()

const withoutPorts = (text: string): string => text.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')

let output = ''

test('banksocket demo: events for both accounts, a late notification closing its gap, the dropped one left open, the duplicate, the ledgers', async () => {
  const { code, stdout, stderr } = await run(['demo'])
  assert.is(stderr, '')
  assert.is(code, 0, stdout)
  output = stdout
  const lines = stdout.split('\n')
  assert.not.match(stdout, ANSI, 'plain text when stdout is not a terminal')

  assert.is(lines[0], 'banksocket demo: 39 movements over 2 accounts (36 generated, 3 payment credits), seed 7')
  assert.match(stdout, /\n {2}mock Banksocket {2}http:\/\/127\.0\.0\.1:\d+\/v1 /)
  assert.match(stdout, /\n {2}receiver {9}http:\/\/127\.0\.0\.1:\d+\/banksocket /)
  assert.match(stdout, /\n {2}webhook {10}#1 created through the ky client: NEW_TRANSACTION, all accounts -> http:\/\/127\.0\.0\.1:\d+\/banksocket\n/)

  const beforePayments = stdout.slice(0, stdout.indexOf('\nPayments: ')).split('\n')
  const verified = beforePayments.filter((l) => / verified {2}account /.test(l))
  assert.is(verified.length, 35, 'every delivered movement is verified once')
  assert.ok(
    verified.some((l) => l.includes('account 69 ')),
    'events for account 69',
  )
  assert.ok(
    verified.some((l) => l.includes('account 70 ')),
    'events for account 70',
  )
  for (const l of verified)
    assert.match(l, /^#\d+ +verified {2}account (69|70) {2}(Credit|Debit) +[+-]\d+\.\d{2} (TRY|USD) {2}balance +\d+\.\d{2} {2}\S+/)

  const dropped = /^#(\d+) +dropped {3}account (\d+) {2}(Credit|Debit) (\d+\.\d{2}) (\w+) is never delivered/m.exec(stdout)
  assert.ok(dropped, 'the dropped notification is announced')
  const [, dropNumber, dropAccount, dropDc, dropAmount, dropCurrency] = dropped ?? []
  const missing = `${dropAmount} ${dropCurrency} ${dropDc === 'Debit' ? 'out' : 'in'} never notified`
  const gaps = lines.filter((l) => / GAP {7}account /.test(l))
  assert.is(gaps.length, 2, 'one gap for the dropped notification, one for the late one')
  const dropGap = gaps.find((l) => l.includes(`account ${dropAccount} `) && l.includes(missing))
  assert.ok(dropGap, `a gap of ${missing} on account ${dropAccount}`)
  assert.match(
    dropGap ?? '',
    /^#\d+ +GAP {7}account \d+ {2}the chain is at -?\d+\.\d{2}, this movement starts at -?\d+\.\d{2}: .+ never notified \(gap \d+\)$/,
  )
  const gapNumber = Number(/^#(\d+)/.exec(dropGap ?? '')?.[1])
  assert.ok(gapNumber > Number(dropNumber), 'the gap shows on a later movement of the same account')

  const held = /^#(\d+) +held back account (\d+) {2}(Credit|Debit) (\d+\.\d{2}) (\w+) is delayed/m.exec(stdout)
  assert.ok(held, 'the late notification is announced')
  const closed = lines.filter((l) => / gap closed account /.test(l))
  assert.is(closed.length, 1, 'the late notification closes its gap')
  assert.match(closed[0] ?? '', new RegExp(`^#${held?.[1]} +gap closed account ${held?.[2]} `))
  const lateIndex = lines.findIndex((l) => l.startsWith(`#${held?.[1]} `) && l.includes(' verified '))
  const closedIndex = lines.indexOf(closed[0] ?? '')
  assert.ok(lateIndex > 0 && closedIndex === lateIndex + 1, 'verified late, then its gap closed')

  const duplicates = lines.filter((l) => / duplicate account /.test(l))
  assert.is(duplicates.length, 1)
  const dupNumber = /^#(\d+)/.exec(duplicates[0] ?? '')?.[1]
  assert.ok(
    verified.some((l) => l.startsWith(`#${dupNumber} `)),
    'the duplicated movement was verified once',
  )
  assert.match(duplicates[0] ?? '', /answered \{"status":"duplicate"\}, not processed twice/)

  const summary = stdout.slice(stdout.indexOf('Ledger summary'))
  assert.match(summary, /account 69 \(TRY\) {2}Kadıköy İşbank TL Hesabı/)
  assert.match(summary, /account 70 \(USD\) {2}Levent Garanti USD Hesabı/)
  assert.match(summary, /1 duplicate ignored/)
  assert.is(summary.match(/\(matches\)/g)?.length, 2, 'both balances reconcile in exact money')
  assert.match(summary, new RegExp(`open gap {3}${missing.replace('.', '\\.')}: the chain ends at`))
  assert.match(summary, /gaps {7}1 detected, 1 closed by late notifications, 0 open/)
  assert.match(summary, /gaps {7}1 detected, 0 closed by late notifications, 1 open/)
  for (const field of ['credits    +', 'debits     -', 'balance    ', 'movements  ']) assert.ok(summary.includes(field), field)
  const payments = stdout.slice(stdout.indexOf('\nPayments: '))
  assert.match(payments, /\n#37 +paid {6}ORDER-1001 \(SİP1001\): 1499\.90 TRY, settled in full\n/)
  assert.match(payments, /\n#38 +partial {3}ORDER-1002 \(SİP1002\): 500\.00 paid, 250\.00 TRY still due\n/)
  assert.match(payments, /\n#39 +unmatched 320\.00 TRY "SN:903 FAST GELEN kira ödemesi": no_reference, kept for review\n/)
  assert.match(
    stdout,
    new RegExp(
      `\\nok: 38 transactions verified and recorded, 1 duplicate ignored, 1 late notification closed its gap, 1 gap open \\(${missing.replace('.', '\\.')}: the dropped notification\\); payments: 1 order settled, 1 partially paid, 1 credit unmatched\\.\\n$`,
    ),
  )
})

test('banksocket demo: every figure adds up to the lines printed', () => {
  const lines = output.split('\n')
  const header = /^banksocket demo: (\d+) movements over (\d+) accounts \((\d+) generated, (\d+) payment credits\), seed 7$/.exec(lines[0] ?? '')
  assert.ok(header, lines[0])
  const [total = 0, accounts, generated = 0, credits = 0] = (header ?? []).slice(1).map(Number)
  const numbers = [...new Set(lines.flatMap((l) => /^#(\d+) /.exec(l)?.[1] ?? []).map(Number))].sort((a, b) => a - b)
  assert.equal(
    numbers,
    Array.from({ length: total }, (_, i) => i + 1),
    'one movement number, #1 to the header count, per movement the header counts',
  )
  assert.is(generated + credits, total)

  const verified = lines.filter((l) => / verified {2}account /.test(l))
  const ok =
    /^ok: (\d+) transactions verified and recorded, (\d+) duplicates? ignored, (\d+) late notifications? closed (?:its|their) gap, (\d+) gaps? open/m.exec(
      output,
    )
  assert.ok(ok, 'the last line')
  assert.is(Number(ok?.[1]), verified.length, 'the verified total is the number of verified lines')
  assert.is(Number(ok?.[2]), lines.filter((l) => / duplicate account /.test(l)).length)
  assert.is(Number(ok?.[3]), lines.filter((l) => / gap closed account /.test(l)).length)
  assert.is(Number(ok?.[4]), lines.filter((l) => /^ {4}open gap /.test(l)).length)

  // The summary comes after the payment credits, and counts them.
  const summaryAt = lines.findIndex((l) => l.startsWith('Ledger summary'))
  assert.ok(summaryAt > lines.indexOf(verified[verified.length - 1] ?? ''), 'the summary follows the last verified movement')
  assert.ok(summaryAt > lines.findIndex((l) => l.startsWith('Payments: ')), 'the summary follows the payments')
  const summaries = [...output.matchAll(/\n {2}account (\d+) \((\w+)\) .*\n {4}movements {2}(\d+) .*\n.*\n.*\n {4}balance {4}(-?\d+\.\d{2}) /g)]
  assert.is(summaries.length, accounts)
  for (const [, account, , movements, balance] of summaries) {
    const mine = verified.filter((l) => l.includes(` account ${account} `))
    assert.is(Number(movements), mine.length, `account ${account}: every verified movement, the payment credits included`)
    // With seed 7 the last verified movement of each account is the head of its chain (no late one last).
    const last = / balance +(-?\d+\.\d{2}) /.exec(mine[mine.length - 1] ?? '')?.[1]
    assert.is(balance, last, `account ${account}: the summary balance is the last verified balance`)
  }
  const payments = verified.filter((l) => / SN:90\d FAST GELEN /.test(l))
  assert.is(payments.length, credits, 'every payment credit was verified')
  const lastPayment = / balance +(-?\d+\.\d{2}) /.exec(payments[payments.length - 1] ?? '')?.[1]
  assert.match(output, new RegExp(`\\n {4}balance {4}${lastPayment?.replace('.', '\\.')} TRY\\n`), 'the TRY balance includes the payments')
})

test('banksocket demo is deterministic: same seed, same output', async () => {
  const { code, stdout } = await run(['demo', '--delay', '0'])
  assert.is(code, 0)
  assert.is(withoutPorts(stdout), withoutPorts(output))
  const other = await run(['demo', '--delay', '0', '--seed', '8', '--movements', '20'])
  assert.is(other.code, 0, other.stderr)
  assert.match(other.stdout, /^banksocket demo: 23 movements over 2 accounts \(20 generated, 3 payment credits\), seed 8\n/)
  assert.match(other.stdout, /\nok: 22 transactions verified and recorded, 1 duplicate ignored, 1 late notification closed its gap, 1 gap open/)
})

const inTerminal = (command: string, env: Record<string, string>): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile('script', ['-qefc', command, '/dev/null'], { env: cleanEnv(env), timeout: 15_000 }, (error, stdout) =>
      error === null ? resolve(stdout) : reject(error),
    )
  })

const hasScript = await new Promise<boolean>((resolve) => execFile('script', ['--version'], (error) => resolve(error === null)))

test('colours in a terminal, none with NO_COLOR', async () => {
  if (!hasScript) return
  const command = `${process.execPath} ${BIN} demo --delay 0 --movements 6`
  const coloured = await inTerminal(command, {})
  assert.match(coloured, ANSI)
  assert.match(coloured, /\u001b\[32m/)
  const plain = await inTerminal(command, { NO_COLOR: '1' })
  assert.not.match(plain, ANSI)
  assert.match(plain, /banksocket demo: 9 movements over 2 accounts \(6 generated, 3 payment credits\)/)
})

test.run()
