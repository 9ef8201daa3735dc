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
 * @module
 */

/**
 * One stream: its version (the last version taken; with `onCorruption: 'skip'` it can exceed the
 * number of readable events) and the ordinals (positions in the index) of its events, in order.
 *
 * @internal
 */
export type StreamEntry = { version: number; readonly ordinals: number[] }

const INITIAL_CAPACITY = 1024

/**
 * Creates an empty index.
 *
 * @internal
 */
export const createLineIndex = () => {
  let offsets = new Float64Array(INITIAL_CAPACITY)
  let lengths = new Uint32Array(INITIAL_CAPACITY)
  let count = 0
  const streams = new Map<string, StreamEntry>()

  const grow = (): void => {
    const capacity = offsets.length * 2
    const nextOffsets = new Float64Array(capacity)
    nextOffsets.set(offsets)
    const nextLengths = new Uint32Array(capacity)
    nextLengths.set(lengths)
    offsets = nextOffsets
    lengths = nextLengths
  }

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
    /** Records an acknowledged event of `stream` at `version`, whose line (without `\n`) is at `offset`, `length` bytes. */
    add: (stream: string, version: number, offset: number, length: number): void => {
      if (count === offsets.length) grow()
      offsets[count] = offset
      lengths[count] = length
      const entry = entryOf(stream)
      entry.ordinals.push(count)
      entry.version = version
      count++
    },
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
