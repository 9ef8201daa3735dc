/** Given/when/then over a decider, for the decider tests of core and payments. */
import { type Decider, fold } from '@banksocket-webhooks/core'
import * as E from 'fp-ts/lib/Either.js'
import * as assert from 'uvu/assert'

/**
 * Given/when/then over a decider: `given(decider)([events]).when(command).then([events])`; the
 * events are folded into a state, the command decided on it, and the result compared with uvu.
 *
 * @example
 * import { given } from '@banksocket-webhooks/test-support/gwt'
 *
 * given(ledgerDecider)([]).when(command).then([expectedEvent])
 */
export const given =
  <C, Ev, S, Err>(decider: Decider<C, Ev, S, Err>) =>
  (events: ReadonlyArray<Ev>) => ({
    when: (command: C) => {
      const result = decider.decide(command, fold(decider)(events))
      return {
        then: (expected: ReadonlyArray<Ev>) => assert.equal(result, E.right(expected)),
        thenFails: (expected: Err) => assert.equal(result, E.left(expected)),
        result,
      }
    },
  })
