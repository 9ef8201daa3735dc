/**
 * The command's view of the process: its two output streams, its environment and its signals, as a
 * small port so that commands never touch `process` directly. Every write goes through a redactor:
 * the values of secret flags and variables are replaced by `[redacted]` wherever they would appear.
 *
 * @module
 */

/**
 * An output stream.
 *
 * @example
 * import type { Output } from '@banksocket-webhooks/cli'
 * const lines: string[] = []
 * const output: Output = { write: (text) => void lines.push(text), isTTY: false }
 */
export type Output = Readonly<{ write: (text: string) => void; isTTY: boolean }>

/**
 * A termination signal the command reacts to.
 *
 * @example
 * import type { Signal } from '@banksocket-webhooks/cli'
 * const s: Signal = 'SIGTERM'
 */
export type Signal = 'SIGINT' | 'SIGTERM'

/**
 * Environment variables.
 *
 * @example
 * import type { Env } from '@banksocket-webhooks/cli'
 * const env: Env = { BANKSOCKET_SECRET: 'a,b' }
 */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * Everything a command may use of its process.
 *
 * @example
 * import type { CliIo } from '@banksocket-webhooks/cli'
 * const io: CliIo = {
 *   stdout: { write: (t) => void process.stdout.write(t), isTTY: false },
 *   stderr: { write: (t) => void process.stderr.write(t), isTTY: false },
 *   env: {},
 *   onSignal: () => () => {},
 *   exit: (code) => process.exit(code),
 * }
 */
export type CliIo = Readonly<{
  stdout: Output
  stderr: Output
  env: Env
  /** Calls `handler` on SIGINT and SIGTERM until the returned function is called. */
  onSignal: (handler: (signal: Signal) => void) => () => void
  /** Ends the process at once (a second Ctrl-C while shutting down). */
  exit: (code: number) => void
}>

/** Where batched text goes: `process.stdout` or `process.stderr`. */
type Sink = Readonly<{ write: (text: string) => unknown }>

/** Where batched bytes go (a {@link createByteBatcher}'s sinks): `process.stdout` or `process.stderr`. */
type ByteSink = Readonly<{ write: (chunk: Uint8Array) => unknown }>

/**
 * The largest batch kept before writing (in UTF-16 code units): a burst of lines is written in
 * pieces of about this size rather than all at the end of the turn.
 *
 * @internal
 */
export const BATCH_LIMIT = 64 * 1024

/**
 * Writes to several sinks in batches: every write of one event-loop turn is queued, consecutive
 * writes to the same sink are joined, and the queue is written in order (one `write` per run of
 * the same sink) when the turn ends (`setImmediate`), when it holds {@link BATCH_LIMIT} code units,
 * or on `flush`. So a busy receiver makes one `write` syscall per turn instead of one per line,
 * lines keep their order within a stream and across the two streams, and no line waits longer than
 * the rest of the event-loop turn it was written in.
 *
 * @internal
 * @example
 * const batch = createBatcher()
 * const out = batch.sink(process.stdout)
 * out.write('a\n')
 * out.write('b\n') // one process.stdout.write('a\nb\n') at the end of the turn
 * batch.flush() // or now
 */
export const createBatcher = (schedule: (flush: () => void) => void = (flush) => void setImmediate(flush)) => {
  const sinks: Sink[] = []
  const texts: string[] = []
  let size = 0
  let scheduled = false
  const flush = (): void => {
    // Taken before writing, so that a write that re-enters (a sink calling back) starts a new queue.
    const runs = sinks.splice(0)
    const pieces = texts.splice(0)
    size = 0
    for (let i = 0; i < runs.length; i++) runs[i]?.write(pieces[i] ?? '')
  }
  const onTurnEnd = (): void => {
    scheduled = false
    flush()
  }
  const sink = (target: Sink): Sink => ({
    write: (text) => {
      const last = sinks.length - 1
      if (last >= 0 && sinks[last] === target) texts[last] += text
      else {
        sinks.push(target)
        texts.push(text)
      }
      size += text.length
      if (size >= BATCH_LIMIT) flush()
      else if (!scheduled) {
        scheduled = true
        schedule(onTurnEnd)
      }
    },
  })
  return { sink, flush }
}

/** A Buffer's own UTF-8 writer, which `buffer.write(text, offset, 'utf8')` calls after sorting out its arguments. */
type Utf8Writer = Buffer & { utf8Write?: (text: string, offset: number) => number }

/** Writes `text` as UTF-8 into `buffer` at `offset` (there is room) and answers the bytes written. */
const encodeInto = (buffer: Utf8Writer, text: string, offset: number): number =>
  buffer.utf8Write === undefined ? buffer.write(text, offset, 'utf8') : buffer.utf8Write(text, offset)

/** Bytes of UTF-8 one UTF-16 code unit may take, at most. */
const UTF8_PER_UNIT = 3

/** U+FFFD, what UTF-8 encoding makes of a lone surrogate (as `Buffer.from(text, 'utf8')` does). */
const REPLACEMENT = '\ufffd'

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff
const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff

/**
 * {@link createBatcher} for sinks that take bytes: each write is encoded as UTF-8 into one buffer
 * the moment it is queued, and each run is written as a copy of its bytes. The bytes written are
 * exactly those of the text batcher's runs encoded with `Buffer.from(run, 'utf8')`, the encoding
 * `process.stdout.write(text)` does, surrogate pairs split across two writes of a run included.
 * What it saves is work: the text batcher joins a turn's lines into one string, which the stream
 * then copies flat, measures and encodes, while a line written here was made flat already (by the
 * redactor's scan) and is encoded once, into room that is reused from turn to turn.
 *
 * @internal
 * @example
 * const batch = createByteBatcher()
 * const out = batch.sink(process.stdout)
 * out.write('a\n')
 * out.write('b\n') // one process.stdout.write(<61 0a 62 0a>) at the end of the turn
 * batch.flush() // or now
 */
export const createByteBatcher = (schedule: (flush: () => void) => void = (flush) => void setImmediate(flush)) => {
  const pool: Utf8Writer = Buffer.allocUnsafe(BATCH_LIMIT * UTF8_PER_UNIT)
  let used = 0
  /** The runs queued: their sinks and where each one's bytes end in `pool`. */
  const sinks: ByteSink[] = []
  const ends: number[] = []
  /** A high surrogate that ended the last write, not encoded yet: its pair may start the next write to the same sink. */
  let pending = ''
  let size = 0
  let scheduled = false
  const append = (target: ByteSink, text: string): void => {
    const last = sinks.length - 1
    used += encodeInto(pool, text, used)
    if (last >= 0 && sinks[last] === target) ends[last] = used
    else {
      sinks.push(target)
      ends.push(used)
    }
  }
  const flush = (): void => {
    // a high surrogate that ends its run is alone: U+FFFD, as in the text of the run
    if (pending !== '') {
      pending = ''
      append(sinks[sinks.length - 1] as ByteSink, REPLACEMENT)
    }
    size = 0
    if (sinks.length === 0) return
    // Taken and copied (a stream may keep a chunk until it is written) before writing, so that a
    // write that re-enters (a sink calling back) starts a new queue.
    const runs = sinks.splice(0)
    const bounds = ends.splice(0)
    const chunks: Uint8Array[] = []
    let from = 0
    for (const to of bounds) {
      chunks.push(Buffer.from(pool.subarray(from, to)))
      from = to
    }
    used = 0
    for (let i = 0; i < runs.length; i++) runs[i]?.write(chunks[i] as Uint8Array)
  }
  const onTurnEnd = (): void => {
    scheduled = false
    flush()
  }
  const sink = (target: ByteSink): Sink => ({
    write: (given) => {
      let text = given
      if (text === '') {
        // Nothing to encode, but a write to another sink ends the run before it (as in the text
        // batcher): a high surrogate left at its end is alone.
        if (pending !== '' && sinks[sinks.length - 1] !== target) {
          pending = ''
          append(sinks[sinks.length - 1] as ByteSink, REPLACEMENT)
        }
        return
      }
      if (pending !== '' && sinks[sinks.length - 1] === target && isLowSurrogate(text.charCodeAt(0))) {
        // the pair split over two writes of one run: encoded together, as in the run's text
        text = pending + text
        pending = ''
        size--
      }
      if (pending !== '' || used + text.length * UTF8_PER_UNIT > pool.length) flush()
      if (text.length * UTF8_PER_UNIT > pool.length) {
        // larger than any batch: written at once, as the text batcher writes a run that fills it
        target.write(Buffer.from(text, 'utf8'))
        return
      }
      const end = text.length - 1
      if (isHighSurrogate(text.charCodeAt(end))) {
        append(target, text.slice(0, end))
        pending = text.slice(end)
      } else append(target, text)
      size += text.length
      if (size >= BATCH_LIMIT) flush()
      else if (!scheduled) {
        scheduled = true
        schedule(onTurnEnd)
      }
    },
  })
  return { sink, flush }
}

let processBatcher: ReturnType<typeof createByteBatcher> | undefined

/** The one batcher of `process.stdout` and `process.stderr`, flushed at the latest on exit. */
const processOutput = (): ReturnType<typeof createByteBatcher> => {
  if (processBatcher === undefined) {
    const batcher = createByteBatcher()
    process.once('exit', batcher.flush)
    processBatcher = batcher
  }
  return processBatcher
}

/**
 * Writes what the process's streams still hold in their batch (see {@link nodeIo}); the process's
 * `exit` event does too, so only a caller that waits for the streams to drain needs it.
 *
 * @internal
 * @example
 * flushNodeIo()
 * await drained(process.stdout)
 */
export const flushNodeIo = (): void => processBatcher?.flush()

/**
 * The real process: `process.stdout`, `process.stderr`, `process.env` and its signals. Writes to
 * the two streams are batched per event-loop turn, in order across both streams: a line is written
 * at the latest when the turn it was written in ends (or once 64 KiB are waiting), before a signal
 * is handed to the command, before `exit`, and when the process exits (its `exit` event).
 *
 * @example
 * import { nodeIo, runCli } from '@banksocket-webhooks/cli'
 * process.exitCode = await runCli(process.argv.slice(2), nodeIo())
 */
export const nodeIo = (): CliIo => {
  const batcher = processOutput()
  const stdout = batcher.sink(process.stdout)
  const stderr = batcher.sink(process.stderr)
  return {
    stdout: { write: stdout.write, isTTY: process.stdout.isTTY === true },
    stderr: { write: stderr.write, isTTY: process.stderr.isTTY === true },
    env: process.env,
    onSignal: (handler) => {
      const on = (signal: Signal) => (): void => {
        batcher.flush()
        handler(signal)
      }
      const onInt = on('SIGINT')
      const onTerm = on('SIGTERM')
      process.on('SIGINT', onInt)
      process.on('SIGTERM', onTerm)
      return () => {
        process.off('SIGINT', onInt)
        process.off('SIGTERM', onTerm)
      }
    },
    exit: (code) => {
      batcher.flush()
      process.exit(code)
    },
  }
}

/**
 * The shortest secret that is redacted. Redaction is a safety net (commands never quote a secret);
 * shorter strings are too likely to occur in real data (a description, an amount) for replacing
 * them to be harmless.
 *
 * @example
 * MIN_REDACTED_LENGTH // 8
 */
const MIN_REDACTED_LENGTH = 8

/** The prefix of a Standard Webhooks secret (`--forward-secret`, `forward --secret`). */
const WEBHOOK_SECRET_PREFIX = 'whsec_'

/**
 * A function replacing every occurrence of the given secrets (and their URL-encoded and
 * JSON-escaped forms; for a `whsec_` secret, its key alone too) by `[redacted]`. Secrets shorter
 * than {@link MIN_REDACTED_LENGTH} characters are left alone (too likely to occur in real data).
 *
 * @example
 * import { createRedactor } from './io.ts'
 * createRedactor(['s3cr3t-key'])('the secret is s3cr3t-key') // 'the secret is [redacted]'
 * createRedactor(['abc'])('abc stays') // 'abc stays': shorter than 8 characters
 */
export const createRedactor = (secrets: ReadonlyArray<string>): ((text: string) => string) => {
  const forms = new Set<string>()
  for (const given of secrets) {
    // A Standard Webhooks secret's key is the part after `whsec_`: it is redacted on its own too.
    for (const secret of given.startsWith(WEBHOOK_SECRET_PREFIX) ? [given, given.slice(WEBHOOK_SECRET_PREFIX.length)] : [given]) {
      if (secret.length < MIN_REDACTED_LENGTH) continue
      forms.add(secret)
      forms.add(encodeURIComponent(secret))
      forms.add(JSON.stringify(secret).slice(1, -1))
    }
  }
  const sorted = [...forms].filter((f) => f.length >= MIN_REDACTED_LENGTH).sort((a, b) => b.length - a.length)
  if (sorted.length === 0) return (text) => text
  // Most text holds no secret: one scan for any form (a regular expression of the forms as
  // literals: one pass over the text, where an `includes` per form made one pass each), and
  // split/join only when one is there, form by form (longest first, so a form inside a longer one is
  // replaced with it).
  const any = new RegExp(sorted.map(literal).join('|'))
  return (text) => {
    if (!any.test(text)) return text
    let out = text
    for (const form of sorted) if (out.includes(form)) out = out.split(form).join('[redacted]')
    return out
  }
}

/** `text` as a regular expression that matches exactly it (every character that could be syntax escaped). */
const literal = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')

/**
 * The same io with every write redacted.
 *
 * @example
 * import { nodeIo } from '@banksocket-webhooks/cli'
 * import { redacted } from './io.ts'
 * const io = redacted(nodeIo(), ['s3cr3t'])
 */
export const redacted = (io: CliIo, secrets: ReadonlyArray<string>): CliIo => {
  const redact = createRedactor(secrets)
  const wrap = (output: Output): Output => ({ write: (text) => output.write(redact(text)), isTTY: output.isTTY })
  return { ...io, stdout: wrap(io.stdout), stderr: wrap(io.stderr) }
}

/**
 * Writes one record as a JSON line. The record holds JSON values only (money as exact decimal
 * strings, never a bigint): it is written with a plain `JSON.stringify`, no replacer.
 *
 * @example
 * import { writeJsonLine } from './io.ts'
 * writeJsonLine(io.stdout, { type: 'listening', url: 'http://127.0.0.1:3000/' })
 */
export const writeJsonLine = (output: Output, value: object): void => output.write(`${JSON.stringify(value)}\n`)
