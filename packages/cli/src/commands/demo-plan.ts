/**
 * What `banksocket demo` delivers: its two accounts, the plan over the generated movements (one
 * dropped, one delivered twice, one late), and the orders and transfers of its payments part.
 *
 * @module
 */
import type { AccountSpec, UnsignedNotification } from '@banksocket-webhooks/testing'

/**
 * The two accounts of the demo: a Turkish lira account at İşbank and a US dollar account at Garanti.
 *
 * @example
 * import { DEMO_ACCOUNTS } from './commands/demo-plan.ts'
 * DEMO_ACCOUNTS.map((a) => a.account_id) // ['69', '70']
 */
export const DEMO_ACCOUNTS: ReadonlyArray<AccountSpec> = [
  { account_id: '69', currency: 'TRY', openingBalance: '18000.00', bank: 'Türkiye İş Bankası A.Ş.', title: 'Kadıköy İşbank TL Hesabı' },
  { account_id: '70', currency: 'USD', openingBalance: '2500.00', bank: 'Türkiye Garanti Bankası A.Ş.', title: 'Levent Garanti USD Hesabı' },
]

/**
 * The orders of the demo's payments part: references customers are asked to write in the transfer.
 *
 * @example
 * import { DEMO_ORDERS } from './commands/demo-plan.ts'
 * DEMO_ORDERS.map((o) => o.reference) // ['SİP1001', 'SİP1002', 'SİP1003']
 */
export const DEMO_ORDERS = [
  { id: 'ORDER-1001', reference: 'SİP1001', amount: { minor: 149990n, currency: 'TRY' } },
  { id: 'ORDER-1002', reference: 'SİP1002', amount: { minor: 75000n, currency: 'TRY' } },
  { id: 'ORDER-1003', reference: 'SİP1003', amount: { minor: 9999n, currency: 'TRY' } },
] as const

/**
 * The transfers of the demo's payments part, credits to the first account as customers typed them:
 * one pays order 1001 in full ("sip-1001"), one pays part of order 1002 ("Sip 1002"), one names no
 * order.
 *
 * @example
 * import { DEMO_PAYMENTS } from './commands/demo-plan.ts'
 * DEMO_PAYMENTS.map(([amount]) => amount) // ['1499.90', '500.00', '320.00']
 */
export const DEMO_PAYMENTS = [
  ['1499.90', 'SN:901 FAST GELEN sip-1001 ödemesi'],
  ['500.00', 'SN:902 FAST GELEN Sip 1002 kapora'],
  ['320.00', 'SN:903 FAST GELEN kira ödemesi'],
] as const

/**
 * One step of the demo: deliver a movement once, twice (a duplicate delivery), late (held back and
 * delivered after the next movement on its account, as a retried notification arrives: a gap opens
 * and closes), or drop it (it is never delivered, so the next movement on its account reveals a
 * balance gap that stays open).
 *
 * @example
 * import type { DemoStep } from './commands/demo-plan.ts'
 * const label = (s: DemoStep) => `#${s.number} ${s.action}`
 */
export type DemoStep = Readonly<{ number: number; movement: UnsignedNotification; action: 'deliver' | 'duplicate' | 'late' | 'drop' }>

/**
 * Plans the demo over generated movements: the first movement of the second account after a third
 * of the stream that is followed by another movement on that account is dropped; the first
 * movement of the first account from the fifth on is delivered twice; and a movement of the first
 * account after half of the stream, with movements of that account before and after it, arrives
 * late.
 *
 * @example
 * import { planDemo } from './commands/demo-plan.ts'
 * planDemo(movements, ['69', '70']).filter((s) => s.action !== 'deliver').map((s) => s.action) // ['duplicate', 'drop', 'late']
 */
export const planDemo = (movements: ReadonlyArray<UnsignedNotification>, accounts: readonly [string, string]): ReadonlyArray<DemoStep> => {
  const [first, second] = accounts
  const dropIndex = movements.findIndex(
    (m, i) => i >= Math.floor(movements.length / 3) && m.account_id === second && movements.slice(i + 1).some((n) => n.account_id === second),
  )
  const duplicateIndex = movements.findIndex((m, i) => i >= 4 && i !== dropIndex && m.account_id === first)
  const lateIndex = movements.findIndex(
    (m, i) =>
      i >= Math.floor(movements.length / 2) &&
      i !== dropIndex &&
      i !== duplicateIndex &&
      m.account_id === first &&
      movements.slice(0, i).some((n) => n.account_id === first) &&
      movements.slice(i + 1).some((n) => n.account_id === first),
  )
  return movements.map((movement, i) => ({
    number: i + 1,
    movement,
    action: i === dropIndex ? 'drop' : i === duplicateIndex ? 'duplicate' : i === lateIndex ? 'late' : 'deliver',
  }))
}
