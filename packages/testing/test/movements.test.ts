import { ibanView, type LedgerEvent, type LedgerState, ledgerDecider, parseAmount, parseBalance, WireNotification } from '@banksocket-webhooks/core'
import { receiveFields } from '@banksocket-webhooks/core/runtime-kit'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createMovementGenerator,
  type MovementGeneratorOptions,
  signNotification,
  TURKISH_BANKS,
  turkishIban,
  type UnsignedNotification,
} from '../src/index.ts'
import { createRandom, fakeTckn, fakeVkn, isTckn, isVkn } from '../src/internal.ts'

const accounts: MovementGeneratorOptions['accounts'] = [
  { account_id: 69, openingBalance: '18000.00', bank: 'Türkiye İş Bankası A.Ş.', title: 'Kadıköy İşbank TL Hesabı' },
  { account_id: '70', currency: 'EUR', openingBalance: '25.00', bank: 'Garanti BBVA' },
  { account_id: 71, currency: 'JPY', openingBalance: '5000' },
  { account_id: 72, currency: 'KWD', openingBalance: '10.000' },
]

const minor = (m: UnsignedNotification, field: 'amount' | 'balance'): bigint => {
  const parsed = (field === 'amount' ? parseAmount : parseBalance)(m[field], m.currency)
  if (E.isLeft(parsed)) throw new Error(`${field} ${m[field]} ${parsed.left.reason}`)
  return parsed.right.minor
}

test('the same seed gives the same movements; another seed others', () => {
  const a = createMovementGenerator({ seed: 2026, accounts }).take(300)
  const b = createMovementGenerator({ seed: 2026, accounts }).take(300)
  const c = createMovementGenerator({ seed: 2027, accounts }).take(300)
  assert.equal(a, b)
  assert.not.equal(a, c)
  assert.equal(createMovementGenerator({ seed: 'demo' }).take(20), createMovementGenerator({ seed: 'demo' }).take(20))
  assert.not.equal(createMovementGenerator({ seed: 'demo' }).take(20), createMovementGenerator({ seed: 'other' }).take(20))
})

test('spelling out the resolved defaults gives the same movements', () => {
  const implicit = createMovementGenerator({ seed: 'spell', accounts: [{ account_id: 1 }, { account_id: 2, bank: 'Akbank' }] })
  const explicit = createMovementGenerator({ seed: 'spell', accounts: implicit.accounts, creditRatio: 0.5, maxAmount: '25000.00' })
  assert.equal(explicit.take(100), implicit.take(100))
})

test('next() and take() continue one sequence', () => {
  const one = createMovementGenerator({ seed: 5, accounts })
  const two = createMovementGenerator({ seed: 5, accounts })
  assert.equal([one.next(), ...one.take(9)], two.take(10))
})

test('running balances are consistent per account (bigint arithmetic) and never negative', () => {
  const generator = createMovementGenerator({ seed: 'balances', accounts, creditRatio: 0.3 })
  const balances = new Map<string, bigint>([
    ['69', 1800000n],
    ['70', 2500n],
    ['71', 5000n],
    ['72', 10000n],
  ])
  for (const m of generator.take(2000)) {
    const amount = minor(m, 'amount')
    assert.ok(amount > 0n, `amount ${m.amount}`)
    const previous = balances.get(m.account_id) as bigint
    const expected = m.dc === 'Credit' ? previous + amount : previous - amount
    assert.is(minor(m, 'balance'), expected, `${m.account_id} ${m.dc} ${m.amount} ${m.balance}`)
    assert.ok(expected >= 0n)
    balances.set(m.account_id, expected)
  }
  for (const [id, balance] of balances) {
    const currency = generator.accounts.find((a) => a.account_id === id)?.currency ?? ''
    const reported = parseBalance(generator.balance(id) ?? '', currency)
    assert.equal(reported, E.right({ minor: balance, currency }), `balance(${id})`)
  }
  assert.is(generator.balance(999), undefined)
})

test("amounts use each currency's decimal places", () => {
  const byCurrency = new Map<string, RegExp>([
    ['TRY', /^\d+\.\d{2}$/],
    ['EUR', /^\d+\.\d{2}$/],
    ['JPY', /^\d+$/],
    ['KWD', /^\d+\.\d{3}$/],
  ])
  for (const m of createMovementGenerator({ seed: 9, accounts }).take(400)) {
    assert.match(m.amount, byCurrency.get(m.currency) as RegExp)
    assert.match(m.balance, byCurrency.get(m.currency) as RegExp)
  }
})

test('a ledger fed with the signed, verified movements sees no gap and no duplicate', async () => {
  const decider = ledgerDecider()
  const states = new Map<string, LedgerState>()
  const events: LedgerEvent[] = []
  for (const m of createMovementGenerator({ seed: 'ledger', accounts }).take(300)) {
    const verified = await receiveFields(await signNotification(m, 'k')(), { secrets: ['k'] })()
    if (E.isLeft(verified)) throw new Error(JSON.stringify(verified.left))
    const state = states.get(m.account_id) ?? decider.initialState
    const decided = decider.decide({ type: 'RecordTransaction', data: { ...verified.right, receivedAt: new Date(0).toISOString() } }, state)
    if (E.isLeft(decided)) throw new Error(decided.left.reason)
    events.push(...decided.right)
    states.set(m.account_id, decided.right.reduce(decider.evolve, state))
  }
  assert.equal([...new Set(events.map((e) => e.type))], ['TransactionReceived'])
  assert.is(events.length, 300)
})

test('dropping a movement makes the ledger report a gap of exactly its amount', () => {
  const decider = ledgerDecider()
  const [first, dropped, third] = createMovementGenerator({ seed: 3 }).take(3) as [UnsignedNotification, UnsignedNotification, UnsignedNotification]
  const record = (m: UnsignedNotification, key: string) => ({
    type: 'RecordTransaction' as const,
    data: {
      idempotencyKey: key,
      receivedAt: '2026-01-01T00:00:00.000Z',
      hash: 'h',
      verified: { dc: m.dc, code: m.code, amount: m.amount, balance: m.balance, currency: m.currency, description: m.description },
      unverified: { account_id: m.account_id, account: m.account, bank: m.bank, opponent_id: m.opponent_id, opponent_iban: m.opponent_iban },
    },
  })
  const afterFirst = E.getOrElseW(() => [])(decider.decide(record(first, 'a'), decider.initialState)).reduce(decider.evolve, decider.initialState)
  const decided = decider.decide(record(third, 'c'), afterFirst)
  assert.is(E.isRight(decided) && decided.right[0]?.type, 'BalanceGapDetected')
  const gap = E.isRight(decided) ? decided.right[0] : undefined
  const signedMissing = (dropped.dc === 'Credit' ? '' : '-') + dropped.amount
  assert.is(gap?.type === 'BalanceGapDetected' && gap.data.missing, signedMissing)
})

test('every movement decodes as a wire notification (once signed)', async () => {
  for (const m of createMovementGenerator({ seed: 'wire', accounts }).take(200)) {
    assert.ok(E.isRight(WireNotification.decode(await signNotification(m, 'k')())), JSON.stringify(m))
  }
})

test('opponent IBANs are valid Turkish IBANs; opponent ids valid TCKN or VKN; or both empty', () => {
  let ibans = 0
  let tckns = 0
  let vkns = 0
  let empty = 0
  for (const m of createMovementGenerator({ seed: 'opponents', accounts }).take(1000)) {
    if (m.opponent_iban !== '') {
      ibans++
      const view = ibanView(m.opponent_iban)
      assert.ok(view.valid && view.country === 'TR' && m.opponent_iban.length === 26, m.opponent_iban)
      assert.ok(TURKISH_BANKS.some((b) => b.code === m.opponent_iban.slice(4, 9)))
    }
    if (m.opponent_id === '') empty++
    else if (isTckn(m.opponent_id)) tckns++
    else if (isVkn(m.opponent_id)) vkns++
    else assert.unreachable(`opponent_id ${m.opponent_id}`)
  }
  assert.ok(ibans > 300 && tckns > 100 && vkns > 100 && empty > 50, JSON.stringify({ ibans, tckns, vkns, empty }))
})

test('movements look Turkish: codes, banks, titles and descriptions with Turkish letters', () => {
  const movements = createMovementGenerator({ seed: 'look', accounts }).take(1000)
  const codes = new Set(movements.map((m) => m.code))
  for (const code of ['EFT', 'HAVALE', 'FAST', 'POS', 'ATM', 'FATURA', 'VIRMAN']) assert.ok(codes.has(code), code)
  assert.ok(movements.some((m) => /^HAVALE - [A-ZÇĞİÖŞÜ]+ [A-ZÇĞİÖŞÜ]+ - /.test(m.description)))
  assert.ok(movements.some((m) => m.description.startsWith('FAST ÖDEME - ')))
  assert.ok(movements.some((m) => /^SN:\d{6} FATURA ÖDEMESİ - /.test(m.description)))
  assert.ok(movements.filter((m) => /[ÇĞİÖŞÜçğıöşü]/.test(m.description)).length > 500)
  const first = movements.find((m) => m.account_id === '69')
  assert.is(first?.account, 'Kadıköy İşbank TL Hesabı')
  assert.is(first?.bank, 'Türkiye İş Bankası A.Ş.')
  const eur = movements.find((m) => m.account_id === '70')
  assert.is(eur?.bank, 'Türkiye Garanti Bankası A.Ş.')
  assert.match(eur?.account ?? '', / Garanti BBVA EUR Hesabı$/)
  assert.ok(movements.some((m) => m.dc === 'Credit') && movements.some((m) => m.dc === 'Debit'))
})

test('no two movements share all six authenticated fields (no accidental duplicates)', () => {
  const seen = new Set<string>()
  const generator = createMovementGenerator({ seed: 'unique', accounts: [{ account_id: 1, openingBalance: '5.00' }], maxAmount: '5.00' })
  for (const m of generator.take(3000)) {
    const key = [m.dc, m.code, m.amount, m.balance, m.currency, m.description].join('|')
    assert.not.ok(seen.has(key), key)
    seen.add(key)
  }
})

test('allowNegative lets debits overdraw; otherwise an empty account only receives', () => {
  const overdraft = createMovementGenerator({ seed: 1, creditRatio: 0, accounts: [{ account_id: 5, openingBalance: '0.00', allowNegative: true }] })
  assert.ok(overdraft.take(50).every((m) => m.dc === 'Debit'))
  assert.match(overdraft.balance(5) ?? '', /^-\d+\.\d{2}$/)
  const strict = createMovementGenerator({ seed: 1, creditRatio: 0, accounts: [{ account_id: 5, openingBalance: '0.00' }] })
  const [first] = strict.take(1)
  assert.is(first?.dc, 'Credit')
  assert.ok(strict.take(200).every((m) => !m.balance.startsWith('-')))
})

test('defaults: one İşbank account 69 starting at 18000.00', () => {
  const generator = createMovementGenerator()
  assert.equal(generator.accounts, [
    {
      account_id: '69',
      currency: 'TRY',
      bank: 'Türkiye İş Bankası A.Ş.',
      title: 'Kadıköy İşbank TL Hesabı',
      openingBalance: '18000.00',
      allowNegative: false,
    },
  ])
  assert.equal(generator.take(5), createMovementGenerator({ seed: 1 }).take(5))
})

test('bad options throw a TypeError that says what to fix', () => {
  const cases: ReadonlyArray<[MovementGeneratorOptions, RegExp]> = [
    [{ accounts: [] }, /at least one account/],
    [{ accounts: [{ account_id: 'abc' }] }, /account_id must be digits/],
    [{ accounts: [{ account_id: 1 }, { account_id: '1' }] }, /listed twice/],
    [{ accounts: [{ account_id: 1, openingBalance: '1,000.00' }] }, /openingBalance of account 1/],
    [{ accounts: [{ account_id: 1, openingBalance: '-5.00' }] }, /allowNegative/],
    [{ creditRatio: 1.5 }, /creditRatio/],
    [{ maxAmount: '0.50' }, /maxAmount must be at least 1 TRY/],
    [{ seed: 1.5 }, /seed/],
  ]
  for (const [options, message] of cases) {
    assert.throws(
      () => createMovementGenerator(options),
      (e: unknown) => e instanceof TypeError && message.test(e.message),
    )
  }
  assert.throws(() => createMovementGenerator().take(-1), TypeError)
})

test('turkishIban computes mod-97 check digits (known IBAN) and refuses malformed parts', () => {
  assert.is(turkishIban('00061', '0519786457841326'), 'TR330006100519786457841326')
  assert.is(turkishIban('00064', '0000012345678901'), 'TR670006400000012345678901')
  assert.ok(ibanView(turkishIban('00064', '0000000000000001')).valid)
  assert.throws(() => turkishIban('64', '0000000000000001'), TypeError)
  assert.throws(() => turkishIban('00064', '123'), TypeError)
})

test('TCKN and VKN check digits: known values and generated ones', () => {
  assert.ok(isTckn('10000000146'))
  assert.not.ok(isTckn('10000000147'))
  assert.not.ok(isTckn('01000000146'))
  assert.ok(isVkn('4540536920'))
  assert.not.ok(isVkn('4540536921'))
  const random = createRandom('ids')
  for (let i = 0; i < 200; i++) {
    assert.ok(isTckn(fakeTckn(random)))
    assert.ok(isVkn(fakeVkn(random)))
  }
})

test('the PRNG is uniform enough and bigint draws stay in range', () => {
  const random = createRandom(7)
  const counts = Array.from({ length: 10 }, () => 0)
  for (let i = 0; i < 10000; i++) counts[random.int(0, 9)]!++
  assert.ok(
    counts.every((c) => c > 850 && c < 1150),
    JSON.stringify(counts),
  )
  for (let i = 0; i < 1000; i++) {
    const n = random.bigint(10n ** 20n, 10n ** 20n + 5n)
    assert.ok(n >= 10n ** 20n && n <= 10n ** 20n + 5n)
  }
})

test.run()
