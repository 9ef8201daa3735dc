/**
 * DeciderSpecification under `Deno.test`, with no other runner loaded: the package's main entry
 * imports on Deno, a passing specification passes, and a failing one throws the AssertionError
 * Deno reports, with the path of the first difference and the bigints printed with an `n`.
 */
import { Deno } from '@banksocket-webhooks/test-support/deno'
import { AssertionError, DeciderSpecification } from '../../src/index.ts'
import { deposit, deposited, lira, wallet, withdraw, withdrawn } from '../support/wallet.ts'

const spec = DeciderSpecification.for(wallet)

const failureOf = (run: () => void): AssertionError => {
  try {
    run()
  } catch (error) {
    if (error instanceof AssertionError) return error
    throw error
  }
  throw new Error('expected an AssertionError')
}

Deno.test({
  name: 'DeciderSpecification on Deno: then, thenFails and thenState pass',
  fn: () => {
    spec
      .given([])
      .when(deposit(10000n))
      .then([deposited(10000n)])
    spec
      .given([deposited(10000n)])
      .when(withdraw(2500n))
      .thenState({ balance: 7500n, movements: ['Deposited', 'Withdrawn'] })
    spec
      .given([])
      .when(withdraw(1n))
      .thenFails({ _tag: 'InsufficientFunds', balance: lira(0n), requested: lira(1n) })
  },
})

Deno.test({
  name: 'DeciderSpecification on Deno: a wrong amount throws an AssertionError naming the difference',
  fn: () => {
    const error = failureOf(() =>
      spec
        .given([deposited(10000n)])
        .when(withdraw(2500n))
        .then([withdrawn(250n)]),
    )
    const expected = [
      'the decided events differ from the expected ones at events[0].data.amount.minor',
      '  expected: 250n',
      '  actual:   2500n',
      '  decided:  [{ type: "Withdrawn", data: { amount: { minor: 2500n, currency: "TRY" } } }]',
    ].join('\n')
    if (error.message !== expected) throw new Error(`unexpected message:\n${error.message}`)
    if (error.name !== 'AssertionError' || error.code !== 'ERR_ASSERTION') throw new Error(`unexpected error: ${error.name} ${error.code}`)
  },
})

Deno.test({
  name: 'DeciderSpecification on Deno: a Right when a Left was expected fails',
  fn: () => {
    const error = failureOf(() =>
      spec
        .given([])
        .when(deposit(1n))
        .thenFailsWith((e) => e._tag === 'NotPositive'),
    )
    if (!error.message.startsWith('expected the command to be refused with an error satisfying the predicate, but the decider accepted it')) {
      throw new Error(`unexpected message:\n${error.message}`)
    }
  },
})
