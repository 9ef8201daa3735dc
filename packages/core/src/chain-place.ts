/**
 * Where a link goes in a balance chain: the search behind `addLink` (chain.ts), kept apart from it
 * so that the ledger's `decide` can learn what a link would change without building the chain it
 * would lead to (its `evolve` builds that chain). Internal: not a package entry point.
 *
 * @module
 */
import type { Chain, ChainChange, ChainGap, Fragment, Link } from './chain.ts'

/**
 * Where a link goes among a chain's fragments: `end` is the index of the fragment whose end is the
 * link's `before` (the link extends it), `start` the index of the fragment whose start is the
 * link's `after` (the link is prepended to it), -1 for none. Both found: the link joins the two.
 *
 * @example
 * import type { Place } from './chain-place.ts'
 * const extendsHead = (place: Place, fragments: number) => place.end === fragments - 1 && place.start < 0
 */
export type Place = Readonly<{ end: number; start: number }>

/** The first fragment but `endIndex` that starts at `after`; the one after `endIndex` first. */
const findStart = (fs: ReadonlyArray<Fragment>, after: bigint, endIndex: number): number => {
  const next = fs[endIndex + 1]
  if (endIndex >= 0 && next !== undefined && next.start === after) return endIndex + 1
  for (let i = 0; i < fs.length; i++) if (i !== endIndex && (fs[i] as Fragment).start === after) return i
  return -1
}

/**
 * Where `link` goes among `fragments`. The fragment it extends is looked for from the head back
 * (the head first); the one it is prepended to is the next one, else looked for from the first.
 * Balances can repeat: a link that can join two fragments is placed by both its ends, which is
 * stronger evidence than extending the head by one, so an earlier fragment ending at its `before`
 * is taken when it lets the link join.
 *
 * @example
 * import { emptyChain, linkOf } from '@banksocket-webhooks/core/chain'
 * import { placeLink } from './chain-place.ts'
 * placeLink(emptyChain.fragments, linkOf('a', 'Credit', 10000n, 110000n)) // { end: -1, start: -1 }
 */
export const placeLink = (fragments: ReadonlyArray<Fragment>, link: Link): Place => {
  const { before, after } = link
  // One pass for both ends (what costs is reading each fragment, not comparing): the last
  // fragment that ends at `before`, and the first that starts at `after`.
  let end = -1
  let first = -1
  for (let i = fragments.length - 1; i >= 0; i--) {
    const f = fragments[i] as Fragment
    if (f.start === after) first = i
    if (end < 0 && f.end === before) end = i
  }
  let start: number
  if (end >= 0 && fragments[end + 1]?.start === after) start = end + 1
  else if (first !== end || first < 0) start = first
  else start = findStart(fragments, after, end)
  if (end >= 0 && start < 0) {
    for (let k = end - 1; k >= 0; k--) {
      if ((fragments[k] as Fragment).end !== before) continue
      const joined = findStart(fragments, after, k)
      if (joined >= 0) {
        end = k
        start = joined
        break
      }
    }
  }
  return { end, start }
}

/**
 * The changes of a link that moved no gap: one shared, frozen, empty list.
 *
 * @example
 * import { NO_CHANGES } from './chain-place.ts'
 * NO_CHANGES.length // 0
 */
export const NO_CHANGES: ReadonlyArray<ChainChange> = Object.freeze([])

/**
 * The gap a link opens when it fits no fragment of a chain that has a head: from the head's end to
 * the link's `before`, under the chain's next gap id.
 *
 * @example
 * import { linkOf } from '@banksocket-webhooks/core/chain'
 * import { openedGap } from './chain-place.ts'
 * openedGap(chain, head, linkOf('c', 'Debit', 3000n, 112000n)) // { id: 1, from: 110000n, to: 115000n, fromKey: 'a', toKey: 'c' }
 */
export const openedGap = (chain: Chain, head: Fragment, link: Link): ChainGap => ({
  id: chain.nextGapId,
  from: head.end,
  to: link.before,
  fromKey: head.endKey,
  toKey: link.key,
})
