/**
 * Readiness of `listen` and `forward` (`GET /readyz` on the admin port): whether the store answered
 * the last time it was asked. It is asked by a periodic check (a cheap read: the store's `head`),
 * and by the work itself: a transaction stored or a batch forwarded is an answer, a store failure
 * reported by the receiver or the forwarder is a failure until the next check that succeeds. Before
 * the store is open (and while `--wait-for-store` waits for it) and once the command is stopping it
 * is not ready, with the reason.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'

/**
 * What `/readyz` answers: ready, or not with why (a store's failure message, never a password).
 *
 * @example
 * const down: ReadyState = { ready: false, reason: 'PostgreSQL store: ... ECONNREFUSED ...' }
 */
type ReadyState = Readonly<{ ready: true }> | Readonly<{ ready: false; reason: string }>

/**
 * A cheap question to the store: Right when it answered, Left with its failure message.
 *
 * @example
 * import type { StoreCheck } from './readiness.ts'
 * const check: StoreCheck = async () => E.mapLeft((e: StoreError) => (e._tag === 'StoreFailure' ? e.message : e._tag))(await store.head()())
 */
export type StoreCheck = () => Promise<E.Either<string, unknown>>

/**
 * The readiness of a command. `answered` records that the store answered (a check, or real work
 * that reached it); `notReady` says why it is not ready: a store failure, or that the store is not
 * open yet (opening it, waiting for it); `watch` asks `check` every `intervalMs` until `close`,
 * which stops the checks and freezes the state as not ready (the command is stopping). Reasons go
 * through the redactor given at creation.
 *
 * @example
 * import type { Readiness } from './readiness.ts'
 * const probe = (readiness: Readiness) => (readiness.state().ready ? 200 : 503)
 */
export type Readiness = Readonly<{
  state: () => ReadyState
  answered: () => void
  notReady: (reason: string) => void
  watch: (check: StoreCheck, intervalMs: number) => void
  close: (reason: string) => void
}>

/** How long a check may take before the store counts as not answering: the interval, at least 2 s. */
const checkTimeout = (intervalMs: number): number => Math.max(intervalMs, 2_000)

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/**
 * A {@link Readiness}, not ready for `initial` until told otherwise. A check that has not answered
 * within the interval (at least 2 s) makes it not ready meanwhile; the next check starts an
 * interval after the last one answered, so checks never pile up on a store that hangs.
 *
 * @example
 * import { createReadiness } from './readiness.ts'
 * const readiness = createReadiness('opening the store', (text) => text)
 * readiness.answered()
 * readiness.watch(async () => E.right(await store.head()()), 5_000)
 * // ... on SIGTERM:
 * readiness.close('stopping')
 */
export const createReadiness = (initial: string, redact: (text: string) => string): Readiness => {
  let current: ReadyState = { ready: false, reason: redact(initial) }
  let closed = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let watching = 0
  const set = (next: ReadyState): void => {
    if (!closed) current = next.ready ? next : { ready: false, reason: redact(next.reason) }
  }
  const stopTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }
  const schedule = (ms: number, run: () => void): void => {
    stopTimer()
    timer = setTimeout(run, ms)
    timer.unref?.()
  }
  const watch = (check: StoreCheck, intervalMs: number): void => {
    const generation = ++watching
    const live = () => !closed && generation === watching
    const ask = async (): Promise<void> => {
      if (!live()) return
      const timeout = checkTimeout(intervalMs)
      schedule(timeout, () => set({ ready: false, reason: `the store has not answered a check within ${timeout} ms` }))
      let answer: E.Either<string, unknown>
      try {
        answer = await check()
      } catch (error) {
        answer = E.left(messageOf(error))
      }
      if (!live()) return
      set(E.isRight(answer) ? { ready: true } : { ready: false, reason: answer.left })
      schedule(intervalMs, () => void ask())
    }
    schedule(intervalMs, () => void ask())
  }
  return {
    state: () => current,
    answered: () => set({ ready: true }),
    notReady: (reason) => set({ ready: false, reason }),
    watch,
    close: (reason) => {
      set({ ready: false, reason })
      closed = true
      stopTimer()
    },
  }
}
