/**
 * Given/when/then over a decider (`{ initialState, decide, evolve }`, core's `Decider`): given the
 * events of a stream's history, when a command is decided, then these events (or this error, or
 * this state). Runner-agnostic: a failed expectation throws an {@link AssertionError} whose message
 * gives the path of the first difference with both sides, bigints printed with an `n`. Web APIs
 * only.
 *
 * @module
 */
import type { Decider } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import { AssertionError } from './assertion-error.ts'
import { type Difference, firstDifference, showValue } from './deep-equal.ts'

/**
 * What to expect of a decision: `then(events)` when the command is accepted, `thenFails(error)` or
 * `thenFailsWith(predicate)` when it is refused, `thenState(state)` for the state the decided
 * events lead to. Each throws an {@link AssertionError} when the decision differs, and returns
 * nothing otherwise. `result` is the decision itself, for any other check.
 *
 * @example
 * import { DeciderSpecification } from '@banksocket-webhooks/testing'
 *
 * const decision: Decision<Deposit, Deposited, bigint, Refused> = DeciderSpecification.for(wallet).given([]).when(deposit(100n))
 * decision.then([deposited(100n)])
 * decision.thenState(100n)
 */
export type Decision<Ev, S, Err> = Readonly<{
  /** Asserts the command was accepted and decided exactly `expected`, in order (`[]`: accepted, nothing happened). */
  then: (expected: ReadonlyArray<Ev>) => void
  /** Asserts the command was refused with an error deeply equal to `expected`. */
  thenFails: (expected: Err) => void
  /** Asserts the command was refused with an error `predicate` accepts (`description` names the predicate in the message). */
  thenFailsWith: (predicate: (error: Err) => boolean, description?: string) => void
  /** Asserts the command was accepted and its events, evolved onto the given state, lead to `expected`. */
  thenState: (expected: S) => void
  /** The decision: the decided events (`Right`) or the domain error (`Left`). */
  result: E.Either<Err, ReadonlyArray<Ev>>
  /** The state the given events folded into, on which the command was decided. */
  state: S
}>

/**
 * A stream's history given: `when(command)` decides the command on the state the events fold into.
 *
 * @example
 * import { DeciderSpecification } from '@banksocket-webhooks/testing'
 *
 * const afterDeposit: Given<Deposit, Deposited, bigint, Refused> = DeciderSpecification.for(wallet).given([deposited(100n)])
 * afterDeposit.when(deposit(50n)).then([deposited(50n)])
 */
export type Given<C, Ev, S, Err> = Readonly<{
  /** Decides `command` on the state the given events fold into (`decide` runs here, once). */
  when: (command: C) => Decision<Ev, S, Err>
}>

/**
 * Given/when/then for one decider: `given(events)` (`[]` for a stream with no history), then
 * `when(command)`, then what to expect (see {@link Decision}). The command, event, state and error
 * types are the decider's.
 *
 * @example
 * import { DeciderSpecification } from '@banksocket-webhooks/testing'
 *
 * const spec: DeciderSpecification<Deposit, Deposited, bigint, Refused> = DeciderSpecification.for(wallet)
 * spec.given([]).when(deposit(100n)).then([deposited(100n)])
 */
export type DeciderSpecification<C, Ev, S, Err> = Readonly<{
  /** The stream's history, oldest first; `[]` for none (the decider's `initialState`). */
  given: (events: ReadonlyArray<Ev>) => Given<C, Ev, S, Err>
}>

const evolveAll = <Ev, S>(evolve: (state: S, event: Ev) => S, from: S, events: ReadonlyArray<Ev>): S => {
  let state = from
  for (const event of events) state = evolve(state, event)
  return state
}

/** `headline at path (note)`, then both sides there and, last, the whole value for context. */
const differenceLines = (headline: string, difference: Difference, context: string): ReadonlyArray<string> => [
  `${headline} at ${difference.path}${difference.note === undefined ? '' : ` (${difference.note})`}`,
  `  expected: ${difference.expected}`,
  `  actual:   ${difference.actual}`,
  `  ${context}`,
]

const fail = (lines: ReadonlyArray<string>, actual: unknown, expected: unknown, operator: string): never => {
  throw new AssertionError(lines.join('\n'), { actual, expected, operator })
}

const decisionOf = <C, Ev, S, Err>(decider: Decider<C, Ev, S, Err>, state: S, command: C): Decision<Ev, S, Err> => {
  const result = decider.decide(command, state)
  return {
    result,
    state,
    // biome-ignore lint/suspicious/noThenProperty: `then(events)` is the given/when/then vocabulary; awaiting a decision is refused below
    then: (expected) => {
      // `await decision` (or returning it from an async test) calls then(resolve, reject): say so.
      if (!Array.isArray(expected)) throw new TypeError('then(events) takes the expected events; a decision is not a promise, do not await it')
      if (E.isLeft(result)) {
        return fail(
          [
            `expected the command to be accepted, but the decider refused it with ${showValue(result.left)}`,
            `  expected events: ${showValue(expected)}`,
          ],
          result,
          E.right(expected),
          'then',
        )
      }
      const difference = firstDifference(result.right, expected, 'events')
      if (difference === undefined) return
      return fail(
        differenceLines('the decided events differ from the expected ones', difference, `decided:  ${showValue(result.right)}`),
        result,
        E.right(expected),
        'then',
      )
    },
    thenFails: (expected) => {
      if (E.isRight(result)) {
        return fail(
          [`expected the command to be refused with ${showValue(expected)}, but the decider accepted it`, `  decided: ${showValue(result.right)}`],
          result,
          E.left(expected),
          'thenFails',
        )
      }
      const difference = firstDifference(result.left, expected, 'error')
      if (difference === undefined) return
      return fail(
        differenceLines('the decider refused the command with another error than expected', difference, `refused:  ${showValue(result.left)}`),
        result,
        E.left(expected),
        'thenFails',
      )
    },
    thenFailsWith: (predicate, description = predicate.name === '' ? 'the predicate' : predicate.name) => {
      if (E.isRight(result)) {
        return fail(
          [
            `expected the command to be refused with an error satisfying ${description}, but the decider accepted it`,
            `  decided: ${showValue(result.right)}`,
          ],
          result,
          description,
          'thenFailsWith',
        )
      }
      if (predicate(result.left)) return
      return fail(
        [`the decider refused the command with ${showValue(result.left)}, which does not satisfy ${description}`],
        result,
        description,
        'thenFailsWith',
      )
    },
    thenState: (expected) => {
      if (E.isLeft(result)) {
        return fail(
          [
            `expected the command to be accepted, but the decider refused it with ${showValue(result.left)}`,
            `  expected state: ${showValue(expected)}`,
          ],
          result,
          expected,
          'thenState',
        )
      }
      const evolved = evolveAll(decider.evolve, state, result.right)
      const difference = firstDifference(evolved, expected, 'state')
      if (difference === undefined) return
      return fail(
        differenceLines('the state the decided events lead to differs from the expected one', difference, `decided:  ${showValue(result.right)}`),
        evolved,
        expected,
        'thenState',
      )
    },
  }
}

/**
 * Given/when/then over a decider, after Emmett's `DeciderSpecification`, for deciders that answer
 * `Either<Err, Event[]>` instead of throwing. `DeciderSpecification.for(decider)` returns a
 * {@link DeciderSpecification}: `given(events)` folds the history with the decider's `evolve`
 * from its `initialState`, `when(command)` decides the command on that state, and `then`,
 * `thenFails`, `thenFailsWith` or `thenState` assert on the decision (see {@link Decision}).
 *
 * Events, errors and states are compared deeply: bigints exactly, nested readonly arrays and
 * objects key by key (a key holding `undefined` is not an absent key), class instances by
 * prototype, Maps, Sets and dates by content. A failure throws an {@link AssertionError} naming the
 * path of the first difference (`events[0].data.amount`) and both sides there, so the helper works
 * under any runner: uvu, `node:test`, `Deno.test`, vitest, Jest.
 *
 * @example
 * import type { Decider } from '@banksocket-webhooks/core'
 * import { DeciderSpecification } from '@banksocket-webhooks/testing'
 * import * as E from 'fp-ts/lib/Either.js'
 *
 * type Deposit = { type: 'Deposit'; amount: bigint }
 * type Deposited = { type: 'Deposited'; amount: bigint }
 * type Refused = { _tag: 'NotPositive'; amount: bigint }
 * const wallet: Decider<Deposit, Deposited, bigint, Refused> = {
 *   initialState: 0n,
 *   decide: (c) => (c.amount > 0n ? E.right([{ type: 'Deposited', amount: c.amount }]) : E.left({ _tag: 'NotPositive', amount: c.amount })),
 *   evolve: (balance, e) => balance + e.amount,
 * }
 *
 * const spec = DeciderSpecification.for(wallet)
 * spec.given([]).when({ type: 'Deposit', amount: 100n }).then([{ type: 'Deposited', amount: 100n }])
 * spec.given([{ type: 'Deposited', amount: 100n }]).when({ type: 'Deposit', amount: 50n }).thenState(150n)
 * spec.given([]).when({ type: 'Deposit', amount: 0n }).thenFails({ _tag: 'NotPositive', amount: 0n })
 */
export const DeciderSpecification = {
  /** The given/when/then of `decider`; its command, event, state and error types flow through. */
  for: <C, Ev, S, Err>(decider: Decider<C, Ev, S, Err>): DeciderSpecification<C, Ev, S, Err> => ({
    given: (events) => {
      const state = evolveAll(decider.evolve, decider.initialState, events)
      return { when: (command) => decisionOf(decider, state, command) }
    },
  }),
} as const
