/**
 * The index of acknowledged events kept in memory instead of the events themselves: for every event,
 * where its line is in the log (byte offset and length, in typed arrays, 12 bytes an event), and for
 * every stream its version and the positions of its events in that list (8 bytes an event). Reads
 * fetch the lines back from disk; memory grows by about 20 bytes per event instead of the hundreds a
 * decoded event takes.
 *
 * Entries are only ever added, in log order, and an acknowledged line never moves, so a reader that
 * remembers how many entries there were when it started sees a stable snapshot while appends go on.
 *
 * An event's global position is its number among the event lines of the log (1, 2, 3, ... in log
 * order), so it needs no memory and is the same on every open. An event line skipped as unusable
 * (`onCorruption: 'skip'`) keeps its number: the events after it keep theirs. Only then does the
 * index store positions (8 bytes an event, from the first skip on), and a stream's versions only
 * once a version of it was skipped.
 *
 * @module
 */

/**
 * One stream: its version (the last version taken; with `onCorruption: 'skip'` it can exceed the
 * number of readable events), the ordinals (places in the index) of its events, in order, and their
 * versions once they are no longer 1, 2, 3, ... (a version was skipped).
 *
 * @internal
 */
export type StreamEntry = { version: number; readonly ordinals: number[]; versions?: number[] }

/** The first `i` in `[0, n)` with `at(i) > value` (`at` ascending), or `n`. */
const firstGreater = (n: number, at: (i: number) => number, value: number): number => {
  let low = 0
  let high = n
  while (low < high) {
    const mid = (low + high) >>> 1
    if (at(mid) > value) high = mid
    else low = mid + 1
  }
  return low
}

/**
 * The index in `entry.ordinals` of the stream's first event whose version is greater than `after`.
 *
 * @internal
 */
export const firstAfterVersion = (entry: StreamEntry, after: number): number => {
  const { versions } = entry
  if (versions === undefined) return Math.min(after, entry.ordinals.length)
  return firstGreater(versions.length, (i) => versions[i] as number, after)
}

const INITIAL_CAPACITY = 1024

/**
 * Creates an empty index.
 *
 * @internal
 */
export const createLineIndex = () => {
  let offsets = new Float64Array(INITIAL_CAPACITY)
  let lengths = new Uint32Array(INITIAL_CAPACITY)
  /** Each event's position, once one was skipped; until then the position of ordinal `i` is `i + 1`. */
  let positions: Float64Array | undefined
  let count = 0
  /** The last position taken, by an indexed event or by a skipped line. */
  let last = 0
  const streams = new Map<string, StreamEntry>()

  const grow = (): void => {
    const capacity = offsets.length * 2
    const nextOffsets = new Float64Array(capacity)
    nextOffsets.set(offsets)
    const nextLengths = new Uint32Array(capacity)
    nextLengths.set(lengths)
    offsets = nextOffsets
    lengths = nextLengths
    if (positions !== undefined) {
      const nextPositions = new Float64Array(capacity)
      nextPositions.set(positions)
      positions = nextPositions
    }
  }

  const positionOf = (ordinal: number): number => (positions === undefined ? ordinal + 1 : (positions[ordinal] as number))

  const entryOf = (stream: string): StreamEntry => {
    let entry = streams.get(stream)
    if (entry === undefined) {
      entry = { version: 0, ordinals: [] }
      streams.set(stream, entry)
    }
    return entry
  }

  return {
    /** Records that `stream` is at `version` without a readable event (a skipped, undecodable one). */
    takeVersion: (stream: string, version: number): void => {
      entryOf(stream).version = version
    },
    /**
     * Records an acknowledged event of `stream` at `version`, whose line (without `\n`) is at
     * `offset`, `length` bytes, and whose position is `position` (default: the next one).
     */
    add: (stream: string, version: number, offset: number, length: number, position: number = last + 1): void => {
      if (count === offsets.length) grow()
      if (positions === undefined && position !== count + 1) {
        positions = new Float64Array(offsets.length)
        for (let i = 0; i < count; i++) positions[i] = i + 1
      }
      if (positions !== undefined) positions[count] = position
      offsets[count] = offset
      lengths[count] = length
      const entry = entryOf(stream)
      if (entry.versions === undefined && version !== entry.ordinals.length + 1) entry.versions = entry.ordinals.map((_, i) => i + 1)
      entry.versions?.push(version)
      entry.ordinals.push(count)
      entry.version = version
      count++
      last = position
    },
    /** Records that the positions up to `position` are taken (by lines skipped as unusable). */
    takePosition: (position: number): void => {
      last = Math.max(last, position)
    },
    /** The position of event `ordinal`. */
    position: positionOf,
    /** The last position taken: the next event gets the one after it. */
    lastPosition: (): number => last,
    /** The ordinal of the first of the first `upTo` events whose position is greater than `after`. */
    firstAfterPosition: (after: number, upTo: number): number =>
      positions === undefined ? Math.min(after, upTo) : firstGreater(upTo, positionOf, after),
    /** The stream's entry, if it was ever written. */
    stream: (stream: string): StreamEntry | undefined => streams.get(stream),
    /** Where the line of event `ordinal` starts. */
    offset: (ordinal: number): number => offsets[ordinal] as number,
    /** The byte length of the line of event `ordinal`, without its newline. */
    length: (ordinal: number): number => lengths[ordinal] as number,
    /** How many events are indexed. */
    count: (): number => count,
    /** How many streams are indexed. */
    streams: (): number => streams.size,
  }
}

/**
 * The index of acknowledged events.
 *
 * @internal
 */
export type LineIndex = ReturnType<typeof createLineIndex>
