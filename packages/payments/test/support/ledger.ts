/**
 * Real movements for following the receiver's store: signed notifications on balance chains, as
 * Banksocket POSTs them, delivered to core's inbox (or to a fetch receiver) over a store, so the
 * store holds exactly what a receiver records (transactions, repeats, gaps and their closings).
 */
import {
  addMoney,
  createInbox,
  type EventStore,
  encodeForm,
  type ForeignEvent,
  formatMoney,
  type LedgerEvent,
  type Money,
  parseBalance,
  sign,
  subtractMoney,
} from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'

export const SECRET = 'whsec-ÇĞİÖŞÜ-follow'

/** One movement: a credit or a debit of `amount` on the ledger of `accountId` (default `69`) in `currency` (default TRY). */
export type Movement = Readonly<{ dc: 'Credit' | 'Debit'; amount: string; description: string; accountId?: string; currency?: string }>

/** A notification's fields, unsigned. */
export type Fields = Readonly<Record<'dc' | 'code' | 'amount' | 'balance' | 'currency' | 'description' | 'account_id', string>>

const exact = (amount: string, currency: string): Money => {
  const parsed = parseBalance(amount, currency)
  if (E.isLeft(parsed)) throw new Error(`test money ${amount} ${currency}: ${parsed.left.reason}`)
  return parsed.right
}

/**
 * The notifications of `moves` in chain order per ledger (account and currency): each balance is
 * the previous one of its ledger plus a credit or minus a debit, every ledger opening at `opening`.
 * Exact money throughout (bigint minor units).
 */
export const onChains = (moves: ReadonlyArray<Movement>, opening = '18000.00'): Fields[] => {
  const balances = new Map<string, Money>()
  return moves.map((m) => {
    const currency = m.currency ?? 'TRY'
    const account = m.accountId ?? '69'
    const ledger = `${account}-${currency}`
    const before = balances.get(ledger) ?? exact(opening, currency)
    const amount = exact(m.amount, currency)
    const after = m.dc === 'Credit' ? addMoney(before, amount) : subtractMoney(before, amount)
    balances.set(ledger, after)
    return { dc: m.dc, code: 'FAST', amount: m.amount, balance: formatMoney(after), currency, description: m.description, account_id: account }
  })
}

/** The form-encoded body of a signed notification. */
const signedBody = async (fields: Fields): Promise<string> => {
  const all = { ...fields, account: 'Kadıköy İşbank TL Hesabı', bank: 'Türkiye İş Bankası A.Ş.', opponent_id: '', opponent_iban: '' }
  return encodeForm({ ...all, hash: await sign(all, SECRET)() })
}

/** A signed notification as a request to a fetch receiver on `/banksocket`. */
export const requestOf = async (fields: Fields): Promise<Request> =>
  new Request('http://localhost/banksocket', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: await signedBody(fields),
  })

/** Delivers `notifications` (in the order given) to an inbox on `store`, as a receiver does; answers the outcomes' tags. */
export const record = async (store: EventStore<LedgerEvent | ForeignEvent>, notifications: ReadonlyArray<Fields>): Promise<string[]> => {
  const inbox = createInbox({ secrets: [SECRET], store })
  const tags: string[] = []
  for (const fields of notifications) {
    tags.push((await inbox.deliver({ body: await signedBody(fields), contentType: 'application/x-www-form-urlencoded' }, () => {}))._tag)
  }
  await inbox.drain()
  return tags
}
