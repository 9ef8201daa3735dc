/**
 * What a forwarder reports, as the JSON lines `banksocket listen --forward-to` and `banksocket
 * forward` write on stderr: one `forward_failed` line per event given up on, and `forward_problem`
 * lines for a store that cannot be read or written (at most one a second per kind, with a count).
 *
 * @module
 */
import { type ConsumerEvents, type ConsumerFailure, ForwardRejected, webhookIdOf } from '@banksocket-webhooks/consumers'

/**
 * The stderr record of an event the forwarder gave up on: where it is in the store, its
 * Standard Webhooks message id, the attempts made, the last HTTP status (absent when the last
 * attempt got no answer) and the last failure.
 *
 * @example
 * import { forwardFailedLine } from './commands/forward-output.ts'
 * forwardFailedLine(failure)
 * // { type: 'forward_failed', position: 17, stream: 'ledger-69-TRY', webhookId: 'msg_ledger-69-TRY_4',
 * //   eventType: 'TransactionReceived', attempts: 20, status: 503, error: 'http://127.0.0.1:4000/banksocket answered 503' }
 */
export const forwardFailedLine = (failure: ConsumerFailure<unknown>) => {
  const { webhookId, eventType, status } = failureFacts(failure)
  return {
    type: 'forward_failed' as const,
    position: failure.event.position,
    stream: failure.event.stream,
    webhookId,
    eventType,
    attempts: failure.attempts,
    ...(status === undefined ? {} : { status }),
    error: failure.message,
  }
}

/**
 * What a given-up event's failure says beyond its place in the store: the message id the
 * application saw, the event's type, and the last HTTP status (`undefined` when the last attempt
 * got no answer).
 *
 * @example
 * import { failureFacts } from './commands/forward-output.ts'
 * failureFacts(failure) // { webhookId: 'msg_ledger-69-TRY_4', eventType: 'TransactionReceived', status: 503 }
 */
export const failureFacts = (failure: ConsumerFailure<unknown>): Readonly<{ webhookId: string; eventType: string; status: number | undefined }> => {
  const type = (failure.event.event as { type?: unknown } | null)?.type
  return {
    webhookId: webhookIdOf(failure.event),
    eventType: typeof type === 'string' ? type : 'unknown',
    status: failure.error instanceof ForwardRejected ? failure.error.status : undefined,
  }
}

/** A problem a consumer reports (see `ConsumerEvents['problem']`). */
type Problem = Parameters<ConsumerEvents<unknown>['problem']>[0]

/** One kind's window: when its last line was written, and what came since. */
type Window = { writtenAt: number; count: number; message: string; timer: ReturnType<typeof setTimeout> | undefined }

/**
 * Reports a forwarder's problems without flooding stderr (a database that is down is a problem at
 * every retry): per kind (`read`, `checkpoint`, `record`, `lost`), the first one of a quiet second
 * is written at once as `{"type":"forward_problem","kind":…,"message":…,"count":1}`, and those that
 * follow within the second are summed up in one line when it is over (`count` problems, the last
 * one's message). `flush` writes what is counted (on shutdown).
 *
 * @example
 * import { createProblemReporter } from './commands/forward-output.ts'
 * const problems = createProblemReporter((line) => writeJsonLine(io.stderr, line))
 * forwarder.on('problem', problems.report)
 * // ... once stopped:
 * problems.flush()
 */
export const createProblemReporter = (write: (line: object) => void, intervalMs = 1000, now: () => number = Date.now) => {
  const windows = new Map<string, Window>()
  const line = (kind: string, message: string, count: number) => write({ type: 'forward_problem' as const, kind, message, count })
  const close = (kind: string): void => {
    const window = windows.get(kind)
    if (window === undefined) return
    if (window.timer !== undefined) clearTimeout(window.timer)
    window.timer = undefined
    if (window.count === 0) return
    line(kind, window.message, window.count)
    window.writtenAt = now()
    window.count = 0
  }
  const report = ({ kind, message }: Problem): void => {
    const at = now()
    const window = windows.get(kind)
    if (window === undefined || (window.count === 0 && at - window.writtenAt >= intervalMs)) {
      line(kind, message, 1)
      windows.set(kind, { writtenAt: at, count: 0, message, timer: undefined })
      return
    }
    window.count++
    window.message = message
    if (window.timer === undefined) {
      window.timer = setTimeout(() => close(kind), Math.max(0, window.writtenAt + intervalMs - at))
      window.timer.unref?.()
    }
  }
  return { report, flush: (): void => void [...windows.keys()].forEach(close) }
}
