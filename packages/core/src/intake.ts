/**
 * An inbox's intake: what every delivery goes through before a ledger takes it, whichever inbox
 * (in-process or shared-store). The body is parsed (with the inbox's own parser) or the fields
 * decoded, a refusal answered at once, the ledger named (by the notification's account and
 * currency), the hash's verification started, the delivery counted until its outcome for `drain`,
 * and anything thrown turned into an `internal_error`. The {@link Inbox} object is built here, once,
 * around the implementation's `take` and `ledgers`: its `deliver` always answers with a Promise.
 *
 * @module
 */
import * as E from 'fp-ts/lib/Either.js'
import { InFlight, type Step } from './async.ts'
import type { LedgerEvent } from './events.ts'
import type { Fields } from './fields.ts'
import type { Dispatch, Inbox, Outcome } from './inbox.ts'
import type { InboxSettings } from './inbox-settings.ts'
import { ledgerStream } from './ledger.ts'
import {
  type DecodedNotification,
  decodeNotification,
  parseNotification,
  type ReceiveOptions,
  type VerifiedTransaction,
  verifyDecoded,
} from './receive.ts'
import type { Rejection } from './rejection.ts'
import type { EventStore } from './store.ts'

/** A verification that threw or rejected (a failing hasher): answered as an internal error. */
type Thrown = Readonly<{ _tag: 'Thrown'; error: unknown }>

/**
 * What verifying a decoded notification came to: the verified transaction, the rejection (a hash
 * that does not match), or what the hasher threw.
 *
 * @internal
 * @example
 * const rejected: Verdict = E.left({ _tag: 'invalid_hash' })
 */
export type Verdict = E.Either<Rejection, VerifiedTransaction> | Thrown

/**
 * An implementation's part of a delivery: take it into the ledger `stream` (in call order), with its
 * verdict (itself when the hasher answered at once, else a Promise of it; never a rejection), and
 * come to its outcome: itself when nothing had to be waited for, else a Promise of it.
 *
 * @internal
 * @example
 * const queue = new SerialQueue()
 * const take: Take = (stream, verdict, dispatch) => queue.run(stream, () => decideOn(stream, verdict, dispatch))
 */
export type Take = (stream: string, verdict: Step<Verdict>, dispatch: Dispatch) => Step<Outcome>

const thrown = (error: unknown): Thrown => ({ _tag: 'Thrown', error })

/** Starts verifying: the verdict itself when the hasher answered at once, a Promise of it otherwise. */
const verdictOf = (n: DecodedNotification, options: ReceiveOptions): Step<Verdict> => {
  try {
    const v = verifyDecoded(n, options)
    return v instanceof Promise ? v.catch(thrown) : v
  } catch (error) {
    return thrown(error)
  }
}

/**
 * An inbox's way in, before `Promise`s: `deliverNow` and `deliverFieldsNow` answer with the outcome
 * itself when the delivery went through without waiting for anything (the in-process inbox's fast
 * path), with a Promise of it otherwise; `drain` waits for every delivery counted. Never throws,
 * never rejects.
 *
 * @internal
 * @example
 * const intake = createIntake(settingsOf(options), take)
 * const outcome = intake.deliverNow({ body, contentType }, dispatch) // an Outcome, or a Promise of one
 */
export type Intake = Readonly<{
  deliverNow: (input: Parameters<Inbox['deliver']>[0], dispatch: Dispatch) => Step<Outcome>
  deliverFieldsNow: (fields: Fields, dispatch: Dispatch) => Step<Outcome>
  drain: () => Promise<void>
}>

/**
 * The intake of an implementation: parse or decode, name the ledger, start verifying and hand the
 * delivery to `take`, counted until its outcome.
 *
 * @internal
 * @example
 * const intake = createIntake(settingsOf(options), take)
 */
export const createIntake = (settings: InboxSettings, take: Take): Intake => {
  const inFlight = new InFlight()
  const { metrics, filter } = settings
  const finished = (outcome: Outcome): Outcome => {
    metrics.delivered(outcome, filter)
    inFlight.leave()
    return outcome
  }
  const failed = (error: unknown): Outcome => finished({ _tag: 'internal_error', error })

  /** One delivery, counted from here to its outcome. */
  const admit = <A>(decode: (input: A) => E.Either<Rejection, DecodedNotification>, input: A, dispatch: Dispatch): Step<Outcome> => {
    inFlight.enter()
    let outcome: Step<Outcome>
    try {
      const decoded = decode(input)
      if (E.isLeft(decoded)) outcome = { _tag: 'rejected', rejection: decoded.left }
      else {
        const n = decoded.right
        outcome = take(ledgerStream(n.unverified.account_id, n.verified.currency), verdictOf(n, settings.verifying), dispatch)
      }
    } catch (error) {
      return failed(error)
    }
    return outcome instanceof Promise ? outcome.then(finished, failed) : finished(outcome)
  }

  const parse = (input: Parameters<Inbox['deliver']>[0]) => parseNotification(input, settings.limit, settings.parseBody)

  return {
    deliverNow: (input, dispatch) => admit(parse, input, dispatch),
    deliverFieldsNow: (fields, dispatch) => admit(decodeNotification, fields, dispatch),
    drain: () => inFlight.idle(),
  }
}

/** A Promise of an outcome, whether it is known already or not. */
const eventually = (outcome: Step<Outcome>): Promise<Outcome> => (outcome instanceof Promise ? outcome : Promise.resolve(outcome))

/**
 * The {@link Inbox} around an intake: `deliver` and `deliverFields` are the intake's, as Promises;
 * `ledgers` and `store` are the implementation's.
 *
 * @internal
 * @example
 * const inbox = inboxOf(createIntake(settings, take), undefined, summaries)
 */
export const inboxOf = (intake: Intake, store: EventStore<LedgerEvent> | undefined, ledgers: Inbox['ledgers']): Inbox => ({
  store,
  deliver: (input, dispatch) => eventually(intake.deliverNow(input, dispatch)),
  deliverFields: (fields, dispatch) => eventually(intake.deliverFieldsNow(fields, dispatch)),
  ledgers,
  drain: intake.drain,
})
