/**
 * Where a link goes in a balance chain: the search behind `addLink` (chain.ts), kept apart from it
 * so that the ledger's `decide` can learn what a link would change without building the chain it
 * would lead to (its `evolve` builds that chain). Internal: not a package entry point.
 *
 * @module
 */
import type { Chain, ChainChange, ChainGap, Fragment, Link, Placement } from './chain.ts'
import { handOver, indexOf } from './chain-index.ts'

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

/** A link that fits no fragment: one shared, frozen answer. */
const NOWHERE: Place = Object.freeze({ end: -1, start: -1 })

/**
 * Where `link` goes among `fragments`. The fragment it extends is looked for from the head back
 * (the head first); the one it is prepended to is the next one, else looked for from the first.
 * Balances can repeat: a link that can join two fragments is placed by both its ends, which is
 * stronger evidence than extending the head by one, so an earlier fragment ending at its `before`
 * is taken when it lets the link join.
 *
 * A long chain's index (`chain-index.ts`) answers the two usual cases without reading the
 * fragments: the link fits nowhere (no fragment ends at its `before` or starts at its `after`), or
 * it continues the head and nothing else (the head is the one fragment ending at its `before`, and
 * none starts at its `after`). Anything else is searched for as in a short chain.
 *
 * @example
 * import { emptyChain, linkOf } from '@banksocket-webhooks/core/chain'
 * import { placeLink } from './chain-place.ts'
 * placeLink(emptyChain.fragments, linkOf('a', 'Credit', 10000n, 110000n)) // { end: -1, start: -1 }
 */
export const placeLink = (fragments: ReadonlyArray<Fragment>, link: Link): Place => {
  const { before, after } = link
  const index = indexOf(fragments)
  if (index !== undefined && !index.starts.has(after)) {
    const ending = index.ends.get(before)
    if (ending === undefined) return NOWHERE
    const last = fragments.length - 1
    if (ending === 1 && (fragments[last] as Fragment).end === before) return { end: last, start: -1 }
  }
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

/**
 * A link added to a chain, before anyone asks what it changed among the gaps: the new chain, where
 * the link went, the gap it opened (when it fit nowhere in a chain with a head), and whether gaps
 * moved otherwise (it extended a fragment other than the head, prepended to one or joined two:
 * what changed is then the difference between the two chains' gaps).
 *
 * @example
 * import type { Linked } from './chain-place.ts'
 * const quiet = (l: Linked) => l.opened === undefined && !l.gapsMoved
 */
export type Linked = Readonly<{ chain: Chain; placement: Placement; opened: ChainGap | undefined; gapsMoved: boolean }>

const withFirstGapless = (fs: Fragment[]): Fragment[] => {
  const first = fs[0]
  if (first !== undefined && first.gapId !== undefined) fs[0] = { ...first, gapId: undefined }
  return fs
}

/**
 * Adds a link to a chain: `addLink` (chain.ts) without working out what changed among the gaps,
 * which the ledger's `evolve` does not need (its `decide` did). The fragments array of the new
 * chain takes over the old one's index (`chain-index.ts`).
 *
 * @example
 * import { emptyChain, linkOf } from '@banksocket-webhooks/core/chain'
 * import { linkChain } from './chain-place.ts'
 * linkChain(emptyChain, linkOf('a', 'Credit', 10000n, 110000n)).placement // 'started'
 */
export const linkChain = (chain: Chain, link: Link): Linked => {
  const fs = chain.fragments
  const last = fs.length - 1
  const { end: i, start: j } = placeLink(fs, link)
  if (i === last && i >= 0 && j < 0) {
    // The common case: the link continues the head. Only the head is rebuilt (a literal, not a
    // spread); a one-fragment chain, the usual one, gets a one-element array without copying.
    const head = fs[last] as Fragment
    const moved: Fragment = { start: head.start, end: link.after, startKey: head.startKey, endKey: link.key, gapId: head.gapId }
    let next: Fragment[]
    if (last === 0) next = [moved]
    else {
      next = fs.slice()
      next[last] = moved
      handOver(fs, next, true, moved, head)
    }
    return { chain: { fragments: next, nextGapId: chain.nextGapId }, placement: 'extended', opened: undefined, gapsMoved: false }
  }
  if (i < 0 && j < 0) {
    const gap = last < 0 ? undefined : openedGap(chain, fs[last] as Fragment, link)
    const fragment: Fragment = { start: link.before, end: link.after, startKey: link.key, endKey: link.key, gapId: gap?.id }
    if (gap === undefined)
      return { chain: { fragments: [fragment], nextGapId: chain.nextGapId }, placement: 'started', opened: undefined, gapsMoved: false }
    // concat, not a spread: it copies a long chain (one with many open gaps) several times faster.
    const next = fs.concat([fragment])
    handOver(fs, next, true, fragment)
    return { chain: { fragments: next, nextGapId: gap.id + 1 }, placement: 'started', opened: gap, gapsMoved: false }
  }
  let next: Fragment[]
  let placement: Placement
  if (i >= 0 && j >= 0) {
    const a = fs[i] as Fragment
    const b = fs[j] as Fragment
    const joined: Fragment = { ...a, end: b.end, endKey: b.endKey }
    next = fs.slice()
    next[i] = joined
    next.splice(j, 1)
    handOver(fs, next, true, joined, a, b)
    placement = 'joined'
  } else if (i >= 0) {
    const a = fs[i] as Fragment
    const extended: Fragment = { ...a, end: link.after, endKey: link.key }
    next = fs.slice()
    next[i] = extended
    handOver(fs, next, true, extended, a)
    placement = 'extended'
  } else {
    const b = fs[j] as Fragment
    const prepended: Fragment = { ...b, start: link.before, startKey: link.key }
    next = fs.slice()
    next[j] = prepended
    handOver(fs, next, true, prepended, b)
    placement = 'prepended'
  }
  return { chain: { fragments: withFirstGapless(next), nextGapId: chain.nextGapId }, placement, opened: undefined, gapsMoved: true }
}

/**
 * A link that fits nowhere, added to a chain whose oldest gap is then bridged (given up): what a
 * ledger at its fragment limit does at every movement when its chain keeps breaking, done with
 * one copy of the fragments instead of two. The same chain as `linkChain` followed by `bridgeGap`
 * (chain.ts) of the gap in front of the second fragment; `undefined` when that is not the case to
 * take (the link fits some fragment, the chain has fewer than two fragments, or its second one
 * names no gap), for the caller to do the two steps.
 *
 * @example
 * import { linkOf } from '@banksocket-webhooks/core/chain'
 * import { linkChainBridgingOldest } from './chain-place.ts'
 * linkChainBridgingOldest(chain, linkOf('z', 'Credit', 100n, 990000n)) // its first two fragments merged, the link's at the end
 */
export const linkChainBridgingOldest = (chain: Chain, link: Link): Chain | undefined => {
  const fs = chain.fragments
  const first = fs[0]
  const second = fs[1]
  if (first === undefined || second === undefined || second.gapId === undefined) return undefined
  const { end, start } = placeLink(fs, link)
  if (end >= 0 || start >= 0) return undefined
  const gapId = chain.nextGapId
  const fragment: Fragment = { start: link.before, end: link.after, startKey: link.key, endKey: link.key, gapId }
  const merged: Fragment = { ...first, end: second.end, endKey: second.endKey }
  // One copy: concat, then shift, which moves the array's start in place rather than its elements.
  const next = fs.concat([fragment])
  next.shift()
  next[0] = merged
  handOver(fs, next, true, merged, first, second, fragment)
  return { fragments: next, nextGapId: gapId + 1 }
}
