/**
 * The decider pattern: plain data `{ initialState, decide, evolve }`. `decide` turns a command and
 * the current state into events (or a domain error); `evolve` folds an event into the state.
 *
 * @module
 */
import type * as E from 'fp-ts/lib/Either.js'

/**
 * A decider over commands `C`, events `Ev`, state `S` and domain errors `Err`.
 *
 * @example
 * import type { Decider } from '@banksocket-webhooks/core'
 * import * as E from 'fp-ts/lib/Either.js'
 * const counter: Decider<{ type: 'Add' }, { type: 'Added' }, number, never> = {
 *   initialState: 0,
 *   decide: () => E.right([{ type: 'Added' }]),
 *   evolve: (n) => n + 1,
 * }
 */
export type Decider<C, Ev, S, Err> = Readonly<{
  initialState: S
  decide: (command: C, state: S) => E.Either<Err, ReadonlyArray<Ev>>
  evolve: (state: S, event: Ev) => S
}>

/**
 * Folds events into a state with a decider's `evolve`, starting from `initialState`.
 *
 * @example
 * import { fold, subscriptionDecider } from '@banksocket-webhooks/core'
 * const state = fold(subscriptionDecider)(events)
 */
export const fold =
  <C, Ev, S, Err>(decider: Decider<C, Ev, S, Err>) =>
  (events: Iterable<Ev>, from: S = decider.initialState): S => {
    let state = from
    for (const e of events) state = decider.evolve(state, e)
    return state
  }
