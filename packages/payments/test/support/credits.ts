import { type Money, parseAmount } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import type { CreditTransaction } from '../../src/index.ts'

/** Exact money from a decimal string; the tests only write valid ones. */
export const money = (amount: string, currency = 'TRY'): Money => {
  const parsed = parseAmount(amount, currency)
  if (E.isLeft(parsed)) throw new Error(`test money ${amount} ${currency}: ${parsed.left.reason}`)
  return parsed.right
}

let next = 0

/** A verified credit as payments reads it, with a fresh idempotency key unless one is given. */
export const creditTx = (
  fields: Readonly<{ amount: string; description: string; currency?: string; accountId?: string; key?: string; dc?: 'Credit' | 'Debit' }>,
): CreditTransaction => {
  const currency = fields.currency ?? 'TRY'
  return {
    idempotencyKey: fields.key ?? `credit-key-${++next}`,
    amount: money(fields.amount, currency),
    verified: { dc: fields.dc ?? 'Credit', description: fields.description, currency },
    unverified: { account_id: fields.accountId ?? '69' },
  }
}

/** The right of an Either, or a failed test naming the left. */
export const right = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either))
    throw new Error(`expected Right, got Left ${JSON.stringify(either.left, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`)
  return either.right
}
