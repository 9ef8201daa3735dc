/**
 * The error the package's assertions throw: a plain `Error` shaped like Node's `AssertionError`
 * (`name`, `code: 'ERR_ASSERTION'`, `actual`, `expected`, `operator`), so every test runner reports
 * it as a failed assertion (uvu, `node:test`, `Deno.test`, vitest, which also diffs `actual` against
 * `expected`), without this package depending on `node:assert` or on any runner.
 *
 * @module
 */

/**
 * What an {@link AssertionError} carries besides its message: the values compared (whole, for a
 * runner's own diff) and the comparison made.
 *
 * @example
 * import type { AssertionDetails } from '@banksocket-webhooks/testing'
 * const details: AssertionDetails = { actual: [], expected: [{ type: 'Credited' }], operator: 'then' }
 */
export type AssertionDetails = Readonly<{ actual: unknown; expected: unknown; operator: string }>

/**
 * A failed assertion of this package (see {@link DeciderSpecification}). Its message says what was
 * expected, where the first difference is and both sides there; `actual` and `expected` hold the
 * whole values compared. `name` is `'AssertionError'` and `code` is `'ERR_ASSERTION'`, as for
 * `node:assert`, which is what runners look for; it is not an instance of Node's class.
 *
 * @example
 * import { AssertionError } from '@banksocket-webhooks/testing'
 *
 * try {
 *   spec.given([]).when(command).then([])
 * } catch (error) {
 *   if (error instanceof AssertionError) console.log(error.message, error.actual, error.expected)
 * }
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError'
  /** The code of Node's assertion errors, which runners recognise. */
  readonly code = 'ERR_ASSERTION'
  /** The value observed (for a decider: its whole `Either` result, or the evolved state). */
  readonly actual: unknown
  /** The value the test expected. */
  readonly expected: unknown
  /** The assertion that failed (`then`, `thenFails`, `thenFailsWith`, `thenState`). */
  readonly operator: string

  constructor(message: string, details: AssertionDetails) {
    super(message)
    this.actual = details.actual
    this.expected = details.expected
    this.operator = details.operator
  }
}
