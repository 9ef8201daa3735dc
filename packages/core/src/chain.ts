/**
 * The balance chain of one ledger: every movement is a link `before -> after` in minor units, and
 * the ledger is the set of chain fragments seen so far, in their presumed order. Between two
 * consecutive fragments lies an open gap. Arrival order means little (a retried notification
 * arrives after newer ones), so a late link that fits closes or narrows a gap instead of raising a
 * false one. Pure and synchronous; money is `bigint` minor units throughout.
 * `@banksocket-webhooks/core/chain`; the ledger decider is built on it.
 *
 * @example
 * import { addLink, emptyChain, gapsOf, linkOf } from '@banksocket-webhooks/core/chain'
 * const first = addLink(emptyChain, linkOf('k1', 'Credit', 10000n, 1810000n)).chain
 * const late = addLink(first, linkOf('k3', 'Credit', 5000n, 1830000n)).chain // 1810000 -> 1825000 missing
 * gapsOf(late) // [{ id: 1, from: 1810000n, to: 1825000n, ... }]
 *
 * @module
 */
import { fitsByIndex, handOver } from './chain-index.ts'
import { linkChain, NO_CHANGES } from './chain-place.ts'

/**
 * One movement as the chain sees it: the balance before it, the balance after it, and its
 * idempotency key.
 *
 * @example
 * import { linkOf } from '@banksocket-webhooks/core/chain'
 * linkOf('k1', 'Credit', 10000n, 1810000n) // { key: 'k1', before: 1800000n, after: 1810000n }
 */
export type Link = Readonly<{ key: string; before: bigint; after: bigint }>

/**
 * A contiguous run of links: the balance it starts from and ends at, the keys at both ends, and
 * the id of the open gap in front of it (none for the first fragment).
 *
 * @example
 * import type { Fragment } from '@banksocket-webhooks/core/chain'
 * const f: Fragment = { start: 100000n, end: 110000n, startKey: 'k1', endKey: 'k1', gapId: undefined }
 */
export type Fragment = Readonly<{ start: bigint; end: bigint; startKey: string; endKey: string; gapId: number | undefined }>

/**
 * A ledger's chain: its fragments in presumed order (the last one is the head) and the next gap id.
 *
 * @example
 * import { emptyChain } from '@banksocket-webhooks/core/chain'
 * emptyChain.fragments.length // 0
 */
export type Chain = Readonly<{ fragments: ReadonlyArray<Fragment>; nextGapId: number }>

/**
 * An open gap between two fragments: the balance the earlier one ends at (`from`), the balance the
 * later one starts from (`to`), the keys on both sides, and its id. What is missing is `to - from`.
 *
 * @example
 * import type { ChainGap } from '@banksocket-webhooks/core/chain'
 * const g: ChainGap = { id: 1, from: 110000n, to: 115000n, fromKey: 'k1', toKey: 'k3' } // 50.00 missing
 */
export type ChainGap = Readonly<{ id: number; from: bigint; to: bigint; fromKey: string; toKey: string }>

/**
 * What adding a link did to the gaps: one `opened` (the link fits nowhere), `narrowed` (a gap's
 * bounds moved: it now needs `to - from`), `closed` (the gap as it was before the link filled it).
 *
 * @example
 * import type { ChainChange } from '@banksocket-webhooks/core/chain'
 * const describe = (c: ChainChange) => `${c._tag} gap ${c.gap.id}`
 */
export type ChainChange = Readonly<{ _tag: 'opened' | 'narrowed' | 'closed'; gap: ChainGap }>

/**
 * How a link was placed: it extended a fragment's end, prepended to a fragment's start, joined two
 * fragments, or started a new fragment.
 *
 * @example
 * import type { Placement } from '@banksocket-webhooks/core/chain'
 * const p: Placement = 'joined'
 */
export type Placement = 'extended' | 'prepended' | 'joined' | 'started'

/**
 * The chain of a ledger that has seen nothing.
 *
 * @example
 * import { emptyChain } from '@banksocket-webhooks/core/chain'
 * emptyChain.nextGapId // 1
 */
export const emptyChain: Chain = { fragments: [], nextGapId: 1 }

/**
 * The link of a movement from its direction, amount and balance after it (minor units): a credit
 * came from `balance - amount`, a debit from `balance + amount`.
 *
 * @example
 * import { linkOf } from '@banksocket-webhooks/core/chain'
 * linkOf('k2', 'Debit', 3000n, 112000n).before // 115000n
 */
export const linkOf = (key: string, dc: 'Credit' | 'Debit', amount: bigint, balance: bigint): Link => ({
  key,
  before: dc === 'Credit' ? balance - amount : balance + amount,
  after: balance,
})

/**
 * The balance at the head of the chain (the end of its last fragment), if it has seen a link.
 *
 * @example
 * import { emptyChain, headOf } from '@banksocket-webhooks/core/chain'
 * headOf(emptyChain) // undefined
 */
export const headOf = (chain: Chain): bigint | undefined => chain.fragments[chain.fragments.length - 1]?.end

/**
 * The open gaps, in chain order.
 *
 * @example
 * import { gapsOf } from '@banksocket-webhooks/core/chain'
 * for (const gap of gapsOf(chain)) console.log(gap.id, gap.to - gap.from)
 */
export const gapsOf = (chain: Chain): ReadonlyArray<ChainGap> => {
  const gaps: ChainGap[] = []
  const fs = chain.fragments
  for (let i = 1; i < fs.length; i++) {
    const prev = fs[i - 1] as Fragment
    const next = fs[i] as Fragment
    gaps.push({ id: next.gapId ?? 0, from: prev.end, to: next.start, fromKey: prev.endKey, toKey: next.startKey })
  }
  return gaps
}

/**
 * Whether a link continues the head exactly (its `before` is the head's balance).
 *
 * @example
 * import { continuesHead, linkOf } from '@banksocket-webhooks/core/chain'
 * continuesHead(chain, linkOf('k', 'Credit', 10000n, 1810000n))
 */
export const continuesHead = (chain: Chain, link: Link): boolean => {
  const head = headOf(chain)
  return head !== undefined && head === link.before
}

/**
 * Whether a link would extend, prepend to or join an existing fragment (rather than start one).
 *
 * @example
 * import { fitsChain, linkOf } from '@banksocket-webhooks/core/chain'
 * fitsChain(chain, linkOf('k', 'Credit', 10000n, 1810000n))
 */
export const fitsChain = (chain: Chain, link: Link): boolean =>
  fitsByIndex(chain.fragments, link) ?? chain.fragments.some((f) => f.end === link.before || f.start === link.after)

/** The gaps that disappeared, moved or appeared between two chains, matched by id. */
const diffGaps = (before: Chain, after: Chain): ChainChange[] => {
  const old = new Map(gapsOf(before).map((g) => [g.id, g]))
  const changes: ChainChange[] = []
  const now = gapsOf(after)
  const kept = new Set<number>()
  for (const gap of now) {
    const was = old.get(gap.id)
    if (was === undefined) changes.push({ _tag: 'opened', gap })
    else {
      kept.add(gap.id)
      if (was.from !== gap.from || was.to !== gap.to) changes.push({ _tag: 'narrowed', gap })
    }
  }
  for (const [id, gap] of old) if (!kept.has(id)) changes.push({ _tag: 'closed', gap })
  return changes
}

/**
 * Adds a link to the chain. It joins two fragments when one ends at its `before` and another starts
 * at its `after`; otherwise it extends the fragment whose end is its `before` (the head first),
 * prepends to the fragment whose start is its `after`, or
 * starts a new fragment after the head and opens a gap from the head to it. Returns the new chain,
 * where the link went, and what changed among the gaps.
 *
 * @example
 * import { addLink, emptyChain, linkOf } from '@banksocket-webhooks/core/chain'
 * let { chain } = addLink(emptyChain, linkOf('a', 'Credit', 10000n, 110000n)) // 1000.00 -> 1100.00
 * const late = addLink(chain, linkOf('c', 'Debit', 3000n, 112000n))          // 1150.00 -> 1120.00
 * late.changes // [{ _tag: 'opened', gap: { from: 110000n, to: 115000n, ... } }]: 50.00 missing
 * const filled = addLink(late.chain, linkOf('b', 'Credit', 5000n, 115000n)) // 1100.00 -> 1150.00
 * filled.placement // 'joined'; filled.changes[0]._tag === 'closed'
 */
export const addLink = (chain: Chain, link: Link): Readonly<{ chain: Chain; placement: Placement; changes: ReadonlyArray<ChainChange> }> => {
  const linked = linkChain(chain, link)
  const changes: ReadonlyArray<ChainChange> =
    linked.opened !== undefined ? [{ _tag: 'opened', gap: linked.opened }] : linked.gapsMoved ? diffGaps(chain, linked.chain) : NO_CHANGES
  return { chain: linked.chain, placement: linked.placement, changes }
}

/**
 * Merges the two fragments around a gap without a link (the gap is taken as explained), so that
 * chains of filtered subscriptions, where every unseen movement leaves a boundary, stay bounded.
 * An unknown id leaves the chain as it is.
 *
 * @example
 * import { bridgeGap } from '@banksocket-webhooks/core/chain'
 * const smaller = bridgeGap(chain, 1)
 */
export const bridgeGap = (chain: Chain, gapId: number): Chain => {
  const fs = chain.fragments
  let k = 1
  while (k < fs.length && (fs[k] as Fragment).gapId !== gapId) k++
  if (k >= fs.length) return chain
  const prev = fs[k - 1] as Fragment
  const cur = fs[k] as Fragment
  const merged: Fragment = { ...prev, end: cur.end, endKey: cur.endKey }
  let next: Fragment[]
  if (k === 1) {
    // The oldest gap, the one a ledger at its limit gives up at every movement: one copy.
    next = fs.slice(1)
    next[0] = merged
  } else {
    next = fs.slice()
    next[k - 1] = merged
    next.splice(k, 1)
  }
  handOver(fs, next, false, merged, prev, cur)
  return { fragments: next, nextGapId: chain.nextGapId }
}
