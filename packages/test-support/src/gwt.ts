/**
 * Given/when/then over a decider, for the decider tests of core and payments: the shape those tests
 * were written in, over `DeciderSpecification` of `@banksocket-webhooks/testing` (imported from its
 * source, as test-support's own files are).
 */
import type { Decider } from '@banksocket-webhooks/core'
import { DeciderSpecification } from '../../testing/src/decider-specification.ts'

/**
 * Given/when/then over a decider: `given(decider)([events]).when(command).then([events])`; the
 * events are folded into a state, the command decided on it, and the result compared by
 * `DeciderSpecification` (a failure throws an `AssertionError` naming the first difference).
 * `.thenFails(error)` expects a `Left`; `.result` is the decision itself.
 *
 * @example
 * import { given } from '@banksocket-webhooks/test-support/gwt'
 *
 * given(ledgerDecider)([]).when(command).then([expectedEvent])
 */
export const given = <C, Ev, S, Err>(decider: Decider<C, Ev, S, Err>) => {
  const spec = DeciderSpecification.for(decider)
  return (events: ReadonlyArray<Ev>) => ({
    when: (command: C) => {
      const { then, thenFails, result } = spec.given(events).when(command)
      return { then, thenFails, result }
    },
  })
}
