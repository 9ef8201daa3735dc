import * as E from 'fp-ts/lib/Either.js'
import * as assert from 'uvu/assert'
import { type Decider, fold } from '../../src/index.ts'

/**
 * Given/when/then over a decider: `given(decider)([events]).when(command).then([events])`.
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
