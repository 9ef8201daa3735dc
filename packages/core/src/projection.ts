/**
 * The ledger projection: what an account ledger adds up to, in exact money, with its open gaps.
 *
 * @module
 */
import { type Fragment, gapsOf } from './chain.ts'
import type { WebhookEvent } from './codecs.ts'
import type { LedgerEvent } from './events.ts'
import { isUnobserved, type LedgerState, ledgerBalance, ledgerDecider } from './ledger.ts'
import type { Money } from './money.ts'
import type { StreamEvent } from './store.ts'

/**
 * An open gap of a ledger: between the balance `from` (where a chain fragment ends) and `to` (where
 * the next one starts); `missing` is `to - from`.
 *
 * @example
 * import type { OpenGap } from '@banksocket-webhooks/core'
 * const line = (g: OpenGap) => `gap ${g.gapId}: ${g.missing.minor} minor units missing`
 */
export type OpenGap = Readonly<{ gapId: number; from: Money; to: Money; missing: Money }>

/**
 * One account ledger in one currency: the balance at the head of its chain, credit and debit
 * totals, how many movements (credits, debits and genuine repeats), duplicates and suspected
 * replays seen, gaps ever detected (and given up past `maxFragments`), and the gaps still open (`openGaps`) or explained by the
 * direction a filtered webhook does not see (`unobserved`).
 *
 * @example
 * import type { LedgerSummary } from '@banksocket-webhooks/core'
 * const show = (s: LedgerSummary) => `${s.accountId}: ${s.count} movements, ${s.openGaps.length} open gaps`
 */
export type LedgerSummary = Readonly<{
  accountId: string
  currency: string
  balance: Money | undefined
  credits: Money
  debits: Money
  count: number
  creditCount: number
  debitCount: number
  repeats: number
  duplicates: number
  suspectedReplays: number
  gapsDetected: number
  gapsAbandoned: number
  openGaps: ReadonlyArray<OpenGap>
  unobserved: ReadonlyArray<OpenGap>
}>

/**
 * The summary of a ledger's state. `filter` is the webhook's event filter (what counts as
 * unobserved rather than a gap).
 *
 * @example
 * import { ledgerDecider, summarizeLedger } from '@banksocket-webhooks/core'
 * summarizeLedger(ledgerDecider().initialState, '69', 'TRY').count // 0
 */
export const summarizeLedger = (state: LedgerState, accountId: string, currency: string, filter: WebhookEvent = 'NEW_TRANSACTION'): LedgerSummary => {
  const openGaps: OpenGap[] = []
  const unobserved: OpenGap[] = []
  for (const gap of gapsOf(state.chain)) {
    const missing = gap.to - gap.from
    const view: OpenGap = {
      gapId: gap.id,
      from: { minor: gap.from, currency },
      to: { minor: gap.to, currency },
      missing: { minor: missing, currency },
    }
    if (filter !== 'NEW_TRANSACTION' && isUnobserved(filter, missing)) unobserved.push(view)
    else openGaps.push(view)
  }
  return {
    accountId: state.accountId ?? accountId,
    currency: state.currency ?? currency,
    balance: ledgerBalance(state),
    credits: { minor: state.credits, currency },
    debits: { minor: state.debits, currency },
    count: state.count,
    creditCount: state.creditCount,
    debitCount: state.debitCount,
    repeats: state.repeats,
    duplicates: state.duplicates,
    suspectedReplays: state.suspectedReplays,
    gapsDetected: state.gapsDetected,
    gapsAbandoned: state.gapsAbandoned,
    openGaps,
    unobserved,
  }
}

/**
 * How many gaps of a ledger's state are open: {@link summarizeLedger}'s `openGaps.length`, counted
 * without building them (what the `banksocket.gaps.open` gauge asks at every collection).
 *
 * @internal
 * @example
 * openGapCount(state, 'NEW_TRANSACTION') === summarizeLedger(state, '69', 'TRY').openGaps.length // true
 */
export const openGapCount = (state: LedgerState, filter: WebhookEvent): number => {
  const fs = state.chain.fragments
  if (filter === 'NEW_TRANSACTION') return Math.max(0, fs.length - 1)
  let open = 0
  for (let i = 1; i < fs.length; i++) if (!isUnobserved(filter, (fs[i] as Fragment).start - (fs[i - 1] as Fragment).end)) open++
  return open
}

/**
 * The account id and currency of a ledger stream name (`ledger-<account>-<currency>`).
 *
 * @example
 * import { parseLedgerStream } from '@banksocket-webhooks/core'
 * parseLedgerStream('ledger-69-TRY') // { accountId: '69', currency: 'TRY' }
 */
export const parseLedgerStream = (stream: string): Readonly<{ accountId: string; currency: string }> | undefined => {
  if (!stream.startsWith('ledger-')) return undefined
  const dash = stream.lastIndexOf('-')
  if (dash <= 'ledger-'.length - 1) return undefined
  return { accountId: stream.slice('ledger-'.length, dash), currency: stream.slice(dash + 1) }
}

/**
 * Summaries of every ledger found in stored events, keyed by stream name: each stream's events are
 * folded by the ledger decider, so the balance is the chain's head (never simply the last arrival)
 * and the open gaps are those still unfilled. Streams that are not ledgers are ignored.
 *
 * @example
 * import { summarizeLedgers } from '@banksocket-webhooks/core'
 * const all = await store.readAll()()
 * if (all._tag === 'Right') for (const s of summarizeLedgers(all.right).values()) console.log(s.accountId, s.openGaps.length)
 */
export const summarizeLedgers = (
  events: ReadonlyArray<StreamEvent<LedgerEvent>>,
  options: Readonly<{ filter?: WebhookEvent }> = {},
): ReadonlyMap<string, LedgerSummary> => {
  const decider = ledgerDecider(options.filter === undefined ? {} : { filter: options.filter })
  const states = new Map<string, LedgerState>()
  for (const { stream, event } of events) {
    if (!stream.startsWith('ledger-')) continue
    states.set(stream, decider.evolve(states.get(stream) ?? decider.initialState, event))
  }
  const summaries = new Map<string, LedgerSummary>()
  for (const [stream, state] of states) {
    const owner = parseLedgerStream(stream)
    summaries.set(stream, summarizeLedger(state, owner?.accountId ?? '', owner?.currency ?? '', options.filter))
  }
  return summaries
}
