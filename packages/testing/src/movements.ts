/**
 * A deterministic generator of realistic Banksocket notifications: Turkish banks and account
 * titles, descriptions in Turkish capitals, transaction codes, valid IBANs and tax ids, exact
 * decimal amounts, and running balances that stay consistent per account.
 *
 * @module
 */
import { currencyExponent, type Dc, formatMoney, parseBalance } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { TURKISH_BANKS, type TurkishBank } from './banks.ts'
import { turkishIban } from './iban.ts'
import { createRandom, fakeTckn, fakeVkn, type Random } from './internal.ts'
import type { UnsignedNotification } from './notification.ts'
import { CITIES, COMPANIES, CURRENCY_TITLES, DISTRICTS, DISTRICTS_UPPER, FIRST_NAMES, MERCHANTS, MONTHS, SURNAMES, UTILITIES } from './vocabulary.ts'

/**
 * One account the generator moves money on.
 *
 * @example
 * import type { AccountSpec } from '@banksocket-webhooks/testing'
 * const shop: AccountSpec = { account_id: 69, currency: 'TRY', openingBalance: '18000.00', bank: 'İşbank' }
 */
export type AccountSpec = Readonly<{
  /** Banksocket account id (digits). */
  account_id: string | number
  /** ISO 4217 code; amounts use its number of decimal places. @default 'TRY' */
  currency?: string
  /** Balance before the first movement, a dot-decimal string. @default '10000.00' */
  openingBalance?: string
  /**
   * The bank: a legal name or short brand from {@link TURKISH_BANKS}, or any other name.
   * @default drawn from TURKISH_BANKS with the seed
   */
  bank?: string
  /** Account title. @default `<district> <bank brand> <TL|USD|EUR> Hesabı`, e.g. `Kadıköy İşbank TL Hesabı` */
  title?: string
  /** Whether debits may take the balance below zero (an overdraft). @default false */
  allowNegative?: boolean
}>

/**
 * Options of {@link createMovementGenerator}.
 *
 * @example
 * import type { MovementGeneratorOptions } from '@banksocket-webhooks/testing'
 * const options: MovementGeneratorOptions = { seed: 'demo', accounts: [{ account_id: 69 }, { account_id: 70, currency: 'USD' }] }
 */
export type MovementGeneratorOptions = Readonly<{
  /** Same seed and options, same movements, on every runtime. @default 1 */
  seed?: number | string
  /**
   * The accounts, picked at random for each movement.
   * @default [{ account_id: '69', openingBalance: '18000.00', bank: 'Türkiye İş Bankası A.Ş.', title: 'Kadıköy İşbank TL Hesabı' }]
   */
  accounts?: ReadonlyArray<AccountSpec>
  /** Probability that a movement is a credit, from 0 to 1. @default 0.5 */
  creditRatio?: number
  /** Largest amount of one movement, a dot-decimal string in each account's currency. @default '25000.00' */
  maxAmount?: string
}>

/**
 * An account as the generator resolved it (defaults filled in).
 *
 * @example
 * import { createMovementGenerator } from '@banksocket-webhooks/testing'
 * createMovementGenerator({ seed: 1 }).accounts[0]?.title // 'Kadıköy İşbank TL Hesabı'
 */
export type GeneratedAccount = Readonly<{
  account_id: string
  currency: string
  bank: string
  title: string
  openingBalance: string
  allowNegative: boolean
}>

/**
 * A stream of fake movements. Each call to `next` moves one account's balance by the movement's
 * amount, so `previous.balance ± amount = balance` holds per account.
 *
 * @example
 * import { createMovementGenerator } from '@banksocket-webhooks/testing'
 * const movements = createMovementGenerator({ seed: 'demo' })
 * const first = movements.next()
 * const nextTen = movements.take(10)
 */
export type MovementGenerator = Readonly<{
  /** The next movement, unsigned. */
  next: () => UnsignedNotification
  /** The next `n` movements. */
  take: (n: number) => ReadonlyArray<UnsignedNotification>
  /** An account's balance after the movements generated so far, or `undefined` for an unknown id. */
  balance: (accountId: string | number) => string | undefined
  /** The accounts, defaults resolved. */
  accounts: ReadonlyArray<GeneratedAccount>
}>

const DEFAULT_ACCOUNTS: ReadonlyArray<AccountSpec> = [
  { account_id: '69', openingBalance: '18000.00', bank: 'Türkiye İş Bankası A.Ş.', title: 'Kadıköy İşbank TL Hesabı' },
]

type AccountState = {
  readonly spec: GeneratedAccount
  readonly exponent: number
  readonly bankInfo: TurkishBank
  balance: bigint
}

type Counterparty = Readonly<{ description: string; opponent_id: string; opponent_iban: string }>

const CREDIT_CODES: ReadonlyArray<readonly [string, number]> = [
  ['EFT', 30],
  ['HAVALE', 25],
  ['FAST', 35],
  ['VIRMAN', 5],
  ['POS', 5],
]
const DEBIT_CODES: ReadonlyArray<readonly [string, number]> = [
  ['EFT', 20],
  ['HAVALE', 15],
  ['FAST', 25],
  ['POS', 20],
  ['ATM', 10],
  ['FATURA', 10],
]

const weighted = (random: Random, items: ReadonlyArray<readonly [string, number]>): string => {
  const total = items.reduce((a, [, w]) => a + w, 0)
  let roll = random.int(1, total)
  for (const [item, w] of items) {
    roll -= w
    if (roll <= 0) return item
  }
  return items[items.length - 1]?.[0] ?? ''
}

const findBank = (name: string): TurkishBank | undefined => TURKISH_BANKS.find((b) => b.name === name || b.short === name)

const resolveAccount = (spec: AccountSpec, random: Random, seen: Set<string>): AccountState => {
  const id = String(spec.account_id)
  if (!/^\d{1,15}$/.test(id)) throw new TypeError(`account_id must be digits, got "${id}"`)
  if (seen.has(id)) throw new TypeError(`account_id "${id}" is listed twice; give each account its own id`)
  seen.add(id)
  const currency = spec.currency ?? 'TRY'
  const opening = parseBalance(spec.openingBalance ?? '10000.00', currency)
  if (E.isLeft(opening)) {
    throw new TypeError(`openingBalance of account ${id}: "${opening.left.input}" ${opening.left.reason}`)
  }
  const allowNegative = spec.allowNegative ?? false
  if (opening.right.minor < 0n && !allowNegative) {
    throw new TypeError(`openingBalance of account ${id} is negative; set allowNegative: true to start overdrawn`)
  }
  // draw both defaults even when given, so that spelling a default out never changes the movements
  const drawnBank = random.pick(TURKISH_BANKS)
  const drawnDistrict = random.pick(DISTRICTS)
  const known = spec.bank === undefined ? drawnBank : findBank(spec.bank)
  const bankInfo: TurkishBank = known ?? { name: spec.bank ?? '', short: spec.bank ?? '', code: '00000' }
  const title = spec.title ?? `${drawnDistrict} ${bankInfo.short} ${CURRENCY_TITLES[currency] ?? currency} Hesabı`
  return {
    spec: { account_id: id, currency, bank: bankInfo.name, title, openingBalance: formatMoney(opening.right), allowNegative },
    exponent: currencyExponent(currency),
    bankInfo,
    balance: opening.right.minor,
  }
}

const person = (random: Random): string => `${random.pick(FIRST_NAMES)} ${random.pick(SURNAMES)}`

const randomIban = (random: Random): string => turkishIban(random.pick(TURKISH_BANKS).code, random.digits(16))

/** Why the money moved, as people write it: depends on the direction and on who the other side is. */
const purpose = (random: Random, dc: Dc, company: boolean): string => {
  const month = random.pick(MONTHS)
  const options =
    dc === 'Credit'
      ? company
        ? ['FATURA ÖDEMESİ', 'CARİ HESAP ÖDEMESİ', `MAAŞ ${month}`, `FATURA NO: A-${random.digits(4)} KDV DAHİL %20`, 'İADE']
        : [`SİPARİŞ NO ${random.digits(6)}`, `KİRA ${month}`, `AİDAT ${month}`, 'BORÇ İADESİ', `SİPARİŞ #${random.digits(5)} & KARGO`]
      : company
        ? ['FATURA ÖDEMESİ', 'TEDARİKÇİ ÖDEMESİ', `KİRA ${month}`, `FATURA NO: B-${random.digits(4)} KDV DAHİL %20`]
        : [`MAAŞ ${month}`, 'AVANS', `KİRA ${month}`, 'BORÇ ÖDEMESİ', 'HARÇLIK']
  return random.pick(options)
}

/** Person or company on the other side of a transfer; unknown about one time in ten. */
const transferParty = (
  random: Random,
  company: boolean,
): Readonly<{ name: string; company: boolean; opponent_id: string; opponent_iban: string }> => {
  const name = company ? random.pick(COMPANIES) : person(random)
  if (random.chance(0.1)) return { name, company, opponent_id: '', opponent_iban: '' }
  return { name, company, opponent_id: company ? fakeVkn(random) : fakeTckn(random), opponent_iban: randomIban(random) }
}

const counterparty = (random: Random, code: string, dc: Dc, account: AccountState): Counterparty => {
  switch (code) {
    case 'EFT': {
      const party = transferParty(random, dc === 'Debit' || random.chance(0.5))
      const direction = dc === 'Credit' ? 'GELEN' : 'GİDEN'
      return {
        description: `SN:${random.digits(6)} EFT ${direction} ${party.name} ${purpose(random, dc, party.company)}`,
        opponent_id: party.opponent_id,
        opponent_iban: party.opponent_iban,
      }
    }
    case 'HAVALE':
    case 'FAST': {
      const party = transferParty(random, random.chance(0.3))
      const label = code === 'FAST' ? 'FAST ÖDEME' : 'HAVALE'
      return {
        description: `${label} - ${party.name} - ${purpose(random, dc, party.company)}`,
        opponent_id: party.opponent_id,
        opponent_iban: party.opponent_iban,
      }
    }
    case 'VIRMAN':
      return {
        description: `VİRMAN - HESAPLAR ARASI TRANSFER REF:${random.digits(8)}`,
        opponent_id: '',
        opponent_iban: turkishIban(account.bankInfo.code === '00000' ? '00064' : account.bankInfo.code, random.digits(16)),
      }
    case 'POS':
      return {
        description: `POS ${dc === 'Credit' ? 'İADE' : 'HARCAMA'} - ${random.pick(MERCHANTS)} ${random.pick(CITIES)} PROVİZYON ${random.digits(6)}`,
        opponent_id: fakeVkn(random),
        opponent_iban: '',
      }
    case 'ATM':
      return {
        description: `ATM PARA ÇEKME - ${random.pick(DISTRICTS_UPPER)} ŞUBESİ İŞLEM NO ${random.digits(6)}`,
        opponent_id: '',
        opponent_iban: '',
      }
    default:
      return {
        description: `SN:${random.digits(6)} FATURA ÖDEMESİ - ${random.pick(UTILITIES)} ABONE NO ${random.digits(7)}`,
        opponent_id: fakeVkn(random),
        opponent_iban: '',
      }
  }
}

/** An amount in minor units within [min, limit]: mostly small, sometimes large, sometimes round. */
const drawAmount = (random: Random, unit: bigint, limit: bigint, maxAmount: bigint): bigint => {
  const tiers = [500n * unit, 5000n * unit, maxAmount]
  const tier = tiers[weightedIndex(random, [45, 40, 15])] ?? maxAmount
  const cap = [tier, limit, maxAmount].reduce((a, b) => (b < a ? b : a))
  let amount = random.bigint(unit, cap)
  if (random.chance(0.25)) amount -= amount % unit
  if (random.chance(0.1) && amount >= 100n * unit) amount -= amount % (100n * unit)
  return amount
}

const weightedIndex = (random: Random, weights: ReadonlyArray<number>): number => {
  let roll = random.int(
    1,
    weights.reduce((a, b) => a + b, 0),
  )
  for (let i = 0; i < weights.length; i++) {
    roll -= weights[i] ?? 0
    if (roll <= 0) return i
  }
  return weights.length - 1
}

/**
 * Creates a deterministic movement generator. Amounts are at least one whole currency unit;
 * without `allowNegative` a debit never exceeds the balance (an account that cannot pay gets a
 * credit instead). The six authenticated fields of two generated movements are never all equal,
 * so a receiver never mistakes one for a duplicate. Bad options (an account id that is not digits,
 * a malformed balance, a ratio outside 0..1) throw a `TypeError` that says what to fix.
 *
 * Drop a movement to simulate a gap (the next one's balance will not follow), or send one twice
 * to simulate a duplicate.
 *
 * @example
 * import { createMovementGenerator } from '@banksocket-webhooks/testing'
 * const movements = createMovementGenerator({
 *   seed: 42,
 *   accounts: [{ account_id: 69, openingBalance: '18000.00' }, { account_id: 70, currency: 'EUR', openingBalance: '500.00' }],
 * })
 * for (const m of movements.take(3)) console.log(m.dc, m.amount, m.balance, m.description)
 */
export const createMovementGenerator = (options: MovementGeneratorOptions = {}): MovementGenerator => {
  const random = createRandom(options.seed ?? 1)
  const creditRatio = options.creditRatio ?? 0.5
  if (!(creditRatio >= 0 && creditRatio <= 1)) {
    throw new TypeError(`creditRatio must be between 0 and 1, got ${String(creditRatio)}`)
  }
  const specs = options.accounts ?? DEFAULT_ACCOUNTS
  if (specs.length === 0) throw new TypeError('accounts must list at least one account')
  const seen = new Set<string>()
  const accounts = specs.map((spec) => resolveAccount(spec, random, seen))
  const maxAmounts = accounts.map((a) => {
    const max = parseBalance(options.maxAmount ?? '25000.00', a.spec.currency)
    if (E.isLeft(max)) throw new TypeError(`maxAmount "${max.left.input}" ${max.left.reason}`)
    if (max.right.minor < 10n ** BigInt(a.exponent)) {
      throw new TypeError(`maxAmount must be at least 1 ${a.spec.currency}, got "${options.maxAmount ?? ''}"`)
    }
    return max.right.minor
  })
  const fingerprints = new Set<string>()
  let serial = 0

  const next = (): UnsignedNotification => {
    const index = random.int(0, accounts.length - 1)
    const account = accounts[index] as AccountState
    const unit = 10n ** BigInt(account.exponent)
    const maxAmount = maxAmounts[index] as bigint
    let dc: Dc = random.chance(creditRatio) ? 'Credit' : 'Debit'
    if (dc === 'Debit' && !account.spec.allowNegative && account.balance < unit) dc = 'Credit'
    const limit = dc === 'Debit' && !account.spec.allowNegative ? account.balance : maxAmount
    const code = weighted(random, dc === 'Credit' ? CREDIT_CODES : DEBIT_CODES)
    let amount = drawAmount(random, unit, limit, maxAmount)
    if (code === 'ATM' && amount >= 10n * unit) amount -= amount % (10n * unit)
    account.balance = dc === 'Credit' ? account.balance + amount : account.balance - amount
    const party = counterparty(random, code, dc, account)
    const currency = account.spec.currency
    const fields = {
      amount: formatMoney({ minor: amount, currency }),
      balance: formatMoney({ minor: account.balance, currency }),
      description: party.description,
    }
    serial++
    const fingerprintOf = () => [dc, code, fields.amount, fields.balance, currency, fields.description].join('\u0000')
    while (fingerprints.has(fingerprintOf())) fields.description = `${fields.description} REF:${serial}`
    const fingerprint = fingerprintOf()
    fingerprints.add(fingerprint)
    return {
      dc,
      code,
      amount: fields.amount,
      balance: fields.balance,
      currency,
      description: fields.description,
      account_id: account.spec.account_id,
      account: account.spec.title,
      bank: account.spec.bank,
      opponent_id: party.opponent_id,
      opponent_iban: party.opponent_iban,
    }
  }

  return {
    next,
    take: (n) => {
      if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`take(n) needs a non-negative integer, got ${String(n)}`)
      return Array.from({ length: n }, next)
    },
    balance: (accountId) => {
      const account = accounts.find((a) => a.spec.account_id === String(accountId))
      return account === undefined ? undefined : formatMoney({ minor: account.balance, currency: account.spec.currency })
    },
    accounts: accounts.map((a) => a.spec),
  }
}
