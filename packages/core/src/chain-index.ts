/**
 * An index of a long chain's fragments by balance: how many fragments end at each balance and how
 * many start from it. With it, a link that fits nowhere (every movement of a ledger whose chain
 * keeps breaking) or that continues the head is placed without reading every fragment: at the
 * 1,000 fragments a ledger may keep, reading them all twice per movement (once to decide, once to
 * evolve) cost more than the rest of the delivery (docs/benchmarks.md, issue 26).
 *
 * The chain stays a plain immutable value (`Chain` is unchanged and holds no index). The index is
 * kept beside a fragments array, in a `WeakMap`, and is handed over to the array derived from it
 * (by `addLink` or `bridgeGap`), updated by what the derivation removed and added: a ledger's
 * states follow one another, so one index serves the whole line, at a few map updates per
 * movement. The array it was handed over from loses it and, if it is used again, is read whole, as
 * any array without an index is: an index always counts exactly the fragments of the array it is
 * kept for. An index is made for an array of at least {@link INDEX_FROM} fragments derived from one
 * that was itself derived (a chain that is being extended movement after movement, not one just
 * decoded from a store row, which a shared store decodes afresh for every delivery), and dropped
 * when its chain falls under {@link INDEX_UNTIL}. Internal: not a package entry point.
 *
 * @module
 */
import type { Fragment, Link } from './chain.ts'

/** Fragments of a chain counted by the balance they end at (`ends`) and start from (`starts`). */
type FragmentIndex = Readonly<{ ends: Map<bigint, number>; starts: Map<bigint, number> }>

/**
 * The fewest fragments for which an index is made: under it, reading the fragments is cheaper
 * than keeping an index up to date.
 *
 * @example
 * import { INDEX_FROM } from './chain-index.ts'
 * INDEX_FROM // 64
 */
export const INDEX_FROM = 64

/**
 * Under this many fragments an index is dropped (half of {@link INDEX_FROM}, so that a chain
 * around the threshold does not make and drop one at every movement).
 */
const INDEX_UNTIL = 32

/** An index and the one array it counts now (it moves on from array to array). */
type Kept = { owner: ReadonlyArray<Fragment>; readonly index: FragmentIndex }

/**
 * The index of each indexed fragments array. An array the index has moved on from stays a key
 * until it is collected (no delete per movement), but its entry no longer names it as the owner.
 */
const indexes = new WeakMap<ReadonlyArray<Fragment>, Kept>()

/** Long arrays derived by a link from an array without an index: the next derivation makes one. */
const extended = new WeakSet<ReadonlyArray<Fragment>>()

const add = (tally: Map<bigint, number>, balance: bigint): void => {
  tally.set(balance, (tally.get(balance) ?? 0) + 1)
}

const remove = (tally: Map<bigint, number>, balance: bigint): void => {
  const n = tally.get(balance) ?? 0
  if (n <= 1) tally.delete(balance)
  else tally.set(balance, n - 1)
}

/**
 * Counts every fragment of `fragments` (what an index holds, made from scratch).
 *
 * @example
 * import { tallyOf } from './chain-index.ts'
 * tallyOf([{ start: 1n, end: 2n, startKey: 'a', endKey: 'a', gapId: undefined }]).ends.get(2n) // 1
 */
export const tallyOf = (fragments: ReadonlyArray<Fragment>): FragmentIndex => {
  const ends = new Map<bigint, number>()
  const starts = new Map<bigint, number>()
  for (const f of fragments) {
    add(ends, f.end)
    add(starts, f.start)
  }
  return { ends, starts }
}

/**
 * The index kept for `fragments`, if there is one (never for fewer than {@link INDEX_UNTIL}).
 *
 * @example
 * import { indexOf } from './chain-index.ts'
 * const index = indexOf(chain.fragments) // undefined for a short chain
 */
export const indexOf = (fragments: ReadonlyArray<Fragment>): FragmentIndex | undefined => {
  if (fragments.length < INDEX_UNTIL) return undefined
  const kept = indexes.get(fragments)
  return kept !== undefined && kept.owner === fragments ? kept.index : undefined
}

/**
 * Records that `next` was made from `prev` by taking out `removedA` and `removedB` and putting in
 * `added` and `addedB` (each if given), everything else kept: `prev`'s index, if it has one, is
 * updated and moves to `next`. Without one, a `next` of at least {@link INDEX_FROM} fragments made
 * by a link (`byLink`) from an array that was itself made so gets an index made from scratch. Only
 * the balances count: a fragment replaced by one with the same start and end but another gap id
 * changes nothing here.
 *
 * @example
 * import { handOver } from './chain-index.ts'
 * const next = fs.concat([fragment])
 * handOver(fs, next, true, fragment) // a fragment started
 */
export const handOver = (
  prev: ReadonlyArray<Fragment>,
  next: ReadonlyArray<Fragment>,
  byLink: boolean,
  added: Fragment | undefined,
  removedA?: Fragment,
  removedB?: Fragment,
  addedB?: Fragment,
): void => {
  if (prev.length < INDEX_UNTIL && next.length < INDEX_FROM) return
  const kept = indexes.get(prev)
  if (kept === undefined || kept.owner !== prev) {
    if (!byLink || next.length < INDEX_FROM) return
    if (extended.has(prev)) indexes.set(next, { owner: next, index: tallyOf(next) })
    else extended.add(next)
    return
  }
  if (next.length < INDEX_UNTIL) {
    indexes.delete(prev)
    return
  }
  const { index } = kept
  // Only what moved: a fragment replaced by one that keeps its start (a link that extends it) or
  // its end (a link prepended to it), or two merged into one (the first's start, the second's
  // end), leaves those counts as they were.
  let addStart = added?.start
  let addEnd = added?.end
  if (removedA !== undefined) {
    if (removedA.start === addStart) addStart = undefined
    else remove(index.starts, removedA.start)
    if (removedA.end === addEnd) addEnd = undefined
    else remove(index.ends, removedA.end)
  }
  if (removedB !== undefined) {
    if (removedB.start === addStart) addStart = undefined
    else remove(index.starts, removedB.start)
    if (removedB.end === addEnd) addEnd = undefined
    else remove(index.ends, removedB.end)
  }
  if (addStart !== undefined) add(index.starts, addStart)
  if (addEnd !== undefined) add(index.ends, addEnd)
  if (addedB !== undefined) {
    add(index.starts, addedB.start)
    add(index.ends, addedB.end)
  }
  kept.owner = next
  indexes.set(next, kept)
}

/**
 * Whether a link would extend, prepend to or join some fragment, by the index of `fragments`;
 * `undefined` when it has none (the caller reads the fragments).
 *
 * @example
 * import { fitsByIndex } from './chain-index.ts'
 * fitsByIndex(chain.fragments, link) ?? chain.fragments.some((f) => f.end === link.before || f.start === link.after)
 */
export const fitsByIndex = (fragments: ReadonlyArray<Fragment>, link: Link): boolean | undefined => {
  const index = indexOf(fragments)
  return index === undefined ? undefined : index.ends.has(link.before) || index.starts.has(link.after)
}
