/**
 * The log format: one JSON object per line, UTF-8, each line ending with `\n`.
 *
 * ```
 * {"format":"banksocket-webhooks/event-log","version":1}
 * {"stream":"ledger-69-TRY","version":1,"event":{"type":"TransactionReceived","data":{...}}}
 * {"stream":"ledger-70-TRY","version":1,"event":{"type":"TransactionReceived","data":{...}}}
 * {"commit":2}
 * ```
 *
 * The first line is a header. Every group commit writes its event lines followed by a commit
 * record counting them, in one write, then syncs. Lines after the last commit record were never
 * acknowledged (a crash interrupted that write), which is how recovery tells a torn tail from
 * corruption.
 *
 * @module
 */

/**
 * The name in the header line.
 *
 * @example
 * import { LOG_FORMAT } from '@banksocket-webhooks/adapter-file-store'
 * LOG_FORMAT // 'banksocket-webhooks/event-log'
 */
export const LOG_FORMAT = 'banksocket-webhooks/event-log'

/**
 * The format version this package reads and writes.
 *
 * @example
 * import { LOG_VERSION } from '@banksocket-webhooks/adapter-file-store'
 * LOG_VERSION // 1
 */
export const LOG_VERSION = 1

/** @internal */
export const HEADER_LINE = `${JSON.stringify({ format: LOG_FORMAT, version: LOG_VERSION })}\n`

/**
 * The line of one event (with its trailing newline); `json` is the event already as JSON.
 *
 * @internal
 */
export const eventLine = (stream: string, version: number, json: string): string =>
  `{"stream":${JSON.stringify(stream)},"version":${version},"event":${json}}\n`

/**
 * The commit record closing a group of `count` event lines.
 *
 * @internal
 */
export const commitLine = (count: number): string => `{"commit":${count}}\n`

/**
 * The last line of the acknowledged part of a log: the header while no group was committed, else
 * the commit record of the last group, which counts `count` event lines. The writer's repair checks
 * that the log still ends with it.
 *
 * @internal
 */
export type LastLine = Readonly<{ kind: 'header' }> | Readonly<{ kind: 'commit'; count: number }>

/**
 * A line, read back.
 *
 * @internal
 */
export type ParsedLine =
  | Readonly<{ kind: 'event'; stream: string; version: number; event: unknown }>
  | Readonly<{ kind: 'commit'; count: number }>
  | Readonly<{ kind: 'header'; format: unknown; version: unknown }>
  | Readonly<{ kind: 'invalid'; reason: 'invalid_json' | 'invalid_record'; message: string }>

const isCount = (n: unknown, min: number): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= min

/**
 * Parses one line (without its newline). Never throws.
 *
 * @internal
 */
export const parseLine = (text: string): ParsedLine => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { kind: 'invalid', reason: 'invalid_json', message: 'is not JSON' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: 'invalid_record', message: 'is not a JSON object' }
  }
  const record = value as Record<string, unknown>
  if ('stream' in record) {
    if (typeof record['stream'] !== 'string') return { kind: 'invalid', reason: 'invalid_record', message: 'has a stream that is not a string' }
    if (!isCount(record['version'], 1)) return { kind: 'invalid', reason: 'invalid_record', message: 'has a version that is not a positive integer' }
    if (!('event' in record)) return { kind: 'invalid', reason: 'invalid_record', message: 'has no event' }
    return { kind: 'event', stream: record['stream'], version: record['version'], event: record['event'] }
  }
  if ('commit' in record) {
    if (!isCount(record['commit'], 0)) return { kind: 'invalid', reason: 'invalid_record', message: 'has a commit count that is not an integer' }
    return { kind: 'commit', count: record['commit'] }
  }
  if ('format' in record) return { kind: 'header', format: record['format'], version: record['version'] }
  return { kind: 'invalid', reason: 'invalid_record', message: 'is neither an event nor a commit record' }
}
