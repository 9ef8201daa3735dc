// DeciderSpecification: given/when/then over a decider, failing with a readable AssertionError
// (the path of the first difference, both sides, bigints with an `n`) under any runner; here uvu,
// and node:test in a child process (Deno.test: test/deno/decider-specification.test.ts).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { AssertionError, DeciderSpecification } from '../src/index.ts'
import { deposit, deposited, lira, type WalletError, wallet, withdraw, withdrawn } from './support/wallet.ts'

const spec = DeciderSpecification.for(wallet)

/** The AssertionError `run` throws; fails the test if it throws nothing or something else. */
const failureOf = (run: () => void): AssertionError => {
  try {
    run()
  } catch (error) {
    if (error instanceof AssertionError) return error
    throw error
  }
  return assert.unreachable('expected an AssertionError') as never
}

// ---------------------------------------------------------------------------------------------
// Passing

test('no history: given([]) decides on the initial state', () => {
  const decision = spec.given([]).when(deposit(10000n))
  decision.then([deposited(10000n)])
  assert.equal(decision.state, wallet.initialState)
})

test('the history is folded with evolve before the command is decided', () => {
  const decision = spec.given([deposited(10000n), withdrawn(2500n)]).when(withdraw(7500n))
  assert.equal(decision.state, { balance: 7500n, movements: ['Deposited', 'Withdrawn'] })
  decision.then([withdrawn(7500n)])
})

test('then([]): the command is accepted and nothing happens', () => {
  spec
    .given([deposited(100n)])
    .when(deposit(0n))
    .then([])
})

test('thenFails: the Left the decider answers, compared deeply, bigints included', () => {
  spec
    .given([deposited(10000n)])
    .when(withdraw(10001n))
    .thenFails({ _tag: 'InsufficientFunds', balance: lira(10000n), requested: lira(10001n) })
})

test('thenFailsWith: a predicate on the error, typed as the decider error', () => {
  spec
    .given([])
    .when(withdraw(1n))
    .thenFailsWith((error: WalletError) => error._tag === 'InsufficientFunds' && error.requested.minor === 1n)
})

test('thenState: the decided events evolved onto the given state', () => {
  spec
    .given([deposited(10000n)])
    .when(withdraw(2500n))
    .thenState({ balance: 7500n, movements: ['Deposited', 'Withdrawn'] })
})

test('result is the decision itself; decide runs once, at when', () => {
  let decided = 0
  const counting: typeof wallet = {
    ...wallet,
    decide: (command, state) => {
      decided++
      return wallet.decide(command, state)
    },
  }
  const decision = DeciderSpecification.for(counting).given([]).when(deposit(5n))
  assert.equal(decision.result, E.right([deposited(5n)]))
  decision.then([deposited(5n)])
  decision.thenState({ balance: 5n, movements: ['Deposited'] })
  assert.is(decided, 1)
})

test('one given history serves several commands', () => {
  const afterDeposit = spec.given([deposited(300n)])
  afterDeposit.when(withdraw(300n)).then([withdrawn(300n)])
  afterDeposit.when(withdraw(301n)).thenFailsWith((e) => e._tag === 'InsufficientFunds')
})

// ---------------------------------------------------------------------------------------------
// Failing, readably

test('a wrong amount: the path of the first difference and both bigints, with an n', () => {
  const error = failureOf(() =>
    spec
      .given([])
      .when(deposit(1000n))
      .then([deposited(10000n)]),
  )
  assert.is(
    error.message,
    [
      'the decided events differ from the expected ones at events[0].data.amount.minor',
      '  expected: 10000n',
      '  actual:   1000n',
      '  decided:  [{ type: "Deposited", data: { amount: { minor: 1000n, currency: "TRY" } } }]',
    ].join('\n'),
  )
  assert.is(error.name, 'AssertionError')
  assert.is(error.code, 'ERR_ASSERTION')
  assert.is(error.operator, 'then')
  assert.ok(error instanceof Error)
  assert.equal(error.actual, E.right([deposited(1000n)]))
  assert.equal(error.expected, E.right([deposited(10000n)]))
})

test('a wrong event type is named by its path', () => {
  const error = failureOf(() =>
    spec
      .given([deposited(500n)])
      .when(withdraw(100n))
      .then([deposited(100n)]),
  )
  assert.match(
    error.message,
    /^the decided events differ from the expected ones at events\[0\]\.type\n {2}expected: "Deposited"\n {2}actual: {3}"Withdrawn"\n/,
  )
})

test('one event more or fewer than expected: the count, and the event that is absent on one side', () => {
  const more = failureOf(() => spec.given([]).when(deposit(5n)).then([]))
  assert.match(more.message, /at events\[0\] \(1 element where 0 were expected\)\n {2}expected: <absent>\n {2}actual: {3}\{ type: "Deposited"/)
  const fewer = failureOf(() =>
    spec
      .given([])
      .when(deposit(5n))
      .then([deposited(5n), deposited(5n)]),
  )
  assert.match(
    fewer.message,
    /at events\[1\] \(1 element where 2 were expected\)\n {2}expected: \{ type: "Deposited", data: \{ amount: \{ minor: 5n, currency: "TRY" \} \} \}\n {2}actual: {3}<absent>/,
  )
})

test('a number where a bigint is decided is a difference, and says so', () => {
  const wrong = [{ type: 'Deposited', data: { amount: { minor: 5, currency: 'TRY' } } }] as unknown as ReadonlyArray<ReturnType<typeof deposited>>
  const error = failureOf(() => spec.given([]).when(deposit(5n)).then(wrong))
  assert.match(error.message, /at events\[0\]\.data\.amount\.minor \(bigint where number was expected\)\n {2}expected: 5\n {2}actual: {3}5n/)
})

test('a Left when a Right was expected: the error the decider refused with', () => {
  const error = failureOf(() =>
    spec
      .given([])
      .when(withdraw(100n))
      .then([withdrawn(100n)]),
  )
  assert.is(
    error.message,
    [
      'expected the command to be accepted, but the decider refused it with { _tag: "InsufficientFunds", balance: { minor: 0n, currency: "TRY" }, requested: { minor: 100n, currency: "TRY" } }',
      '  expected events: [{ type: "Withdrawn", data: { amount: { minor: 100n, currency: "TRY" } } }]',
    ].join('\n'),
  )
  assert.ok(error.actual !== undefined && E.isLeft(error.actual as E.Either<unknown, unknown>))
})

test('a Right when a Left was expected: the events the decider decided', () => {
  const error = failureOf(() =>
    spec
      .given([])
      .when(deposit(100n))
      .thenFails({ _tag: 'NotPositive', amount: lira(100n) }),
  )
  assert.is(
    error.message,
    [
      'expected the command to be refused with { _tag: "NotPositive", amount: { minor: 100n, currency: "TRY" } }, but the decider accepted it',
      '  decided: [{ type: "Deposited", data: { amount: { minor: 100n, currency: "TRY" } } }]',
    ].join('\n'),
  )
  assert.is(error.operator, 'thenFails')
  assert.equal(error.expected, E.left({ _tag: 'NotPositive', amount: lira(100n) }))
})

test('another Left than expected: the path into the error', () => {
  const error = failureOf(() =>
    spec
      .given([deposited(10000n)])
      .when(withdraw(10001n))
      .thenFails({ _tag: 'InsufficientFunds', balance: lira(10000n), requested: lira(10002n) }),
  )
  assert.match(
    error.message,
    /^the decider refused the command with another error than expected at error\.requested\.minor\n {2}expected: 10002n\n {2}actual: {3}10001n\n/,
  )
})

test('thenFailsWith: a rejecting predicate, named by its description or its name, and a Right', () => {
  const isNotPositive = (e: WalletError) => e._tag === 'NotPositive'
  const named = failureOf(() => spec.given([]).when(withdraw(1n)).thenFailsWith(isNotPositive))
  assert.is(
    named.message,
    'the decider refused the command with { _tag: "InsufficientFunds", balance: { minor: 0n, currency: "TRY" }, requested: { minor: 1n, currency: "TRY" } }, which does not satisfy isNotPositive',
  )
  const described = failureOf(() =>
    spec
      .given([])
      .when(withdraw(1n))
      .thenFailsWith((e) => e._tag === 'NotPositive', 'a NotPositive error'),
  )
  assert.match(described.message, /which does not satisfy a NotPositive error$/)
  const accepted = failureOf(() =>
    spec
      .given([])
      .when(deposit(1n))
      .thenFailsWith((e) => e._tag === 'NotPositive'),
  )
  assert.match(
    accepted.message,
    /^expected the command to be refused with an error satisfying the predicate, but the decider accepted it\n {2}decided: \[/,
  )
})

test('thenState: the path into the state, and a Left', () => {
  const wrong = failureOf(() =>
    spec
      .given([deposited(10000n)])
      .when(withdraw(2500n))
      .thenState({ balance: 7400n, movements: ['Deposited', 'Withdrawn'] }),
  )
  assert.is(
    wrong.message,
    [
      'the state the decided events lead to differs from the expected one at state.balance',
      '  expected: 7400n',
      '  actual:   7500n',
      '  decided:  [{ type: "Withdrawn", data: { amount: { minor: 2500n, currency: "TRY" } } }]',
    ].join('\n'),
  )
  assert.equal(wrong.actual, { balance: 7500n, movements: ['Deposited', 'Withdrawn'] })
  const refused = failureOf(() => spec.given([]).when(withdraw(1n)).thenState({ balance: 0n, movements: [] }))
  assert.match(refused.message, /^expected the command to be accepted, but the decider refused it with \{ _tag: "InsufficientFunds"/)
})

test('a key holding undefined is not an absent key', () => {
  const withUndefined = [{ ...deposited(5n), meta: undefined }] as unknown as ReadonlyArray<ReturnType<typeof deposited>>
  const error = failureOf(() => spec.given([]).when(deposit(5n)).then(withUndefined))
  assert.match(error.message, /at events\[0\]\.meta \(a key is missing\)\n {2}expected: undefined\n {2}actual: {3}<absent>/)
})

test('awaiting a decision (tsc refuses it) rejects with a TypeError instead of comparing the resolve function', async () => {
  const decision: unknown = spec.given([]).when(deposit(1n))
  try {
    await Promise.resolve(decision)
    assert.unreachable('awaiting a decision resolved')
  } catch (error) {
    assert.instance(error, TypeError)
    assert.match((error as Error).message, /a decision is not a promise, do not await it/)
  }
})

test('the types flow from the decider (checked by tsc)', () => {
  const given = spec.given([])
  // @ts-expect-error: not a command of the wallet
  const other = () => given.when({ type: 'Close' })
  // @ts-expect-error: not an event of the wallet
  const event = () => given.when(deposit(1n)).then([{ type: 'Closed' }])
  // @ts-expect-error: not an error of the wallet
  const error = () => given.when(withdraw(1n)).thenFails({ _tag: 'Closed' })
  // @ts-expect-error: the state's balance is a bigint
  const state = () => given.when(deposit(1n)).thenState({ balance: 1, movements: [] })
  assert.type(other, 'function')
  assert.type(event, 'function')
  assert.type(error, 'function')
  assert.type(state, 'function')
})

// ---------------------------------------------------------------------------------------------
// Another runner

test('under node:test, a passing spec passes and a failing one fails with the readable message', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url))
  const dir = mkdtempSync(join(tmpdir(), 'banksocket-spec-'))
  try {
    const file = join(dir, 'spec.test.ts')
    writeFileSync(
      file,
      [
        `import { test } from 'node:test'`,
        `import { DeciderSpecification } from '${new URL('../src/index.ts', import.meta.url).href}'`,
        `import { deposit, deposited, wallet } from '${new URL('./support/wallet.ts', import.meta.url).href}'`,
        `const spec = DeciderSpecification.for(wallet)`,
        `test('passes', () => spec.given([]).when(deposit(100n)).then([deposited(100n)]))`,
        `test('fails', () => spec.given([]).when(deposit(100n)).then([deposited(1000n)]))`,
      ].join('\n'),
    )
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', file], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    })
    const output = `${run.stdout}${run.stderr}`
    assert.is(run.status, 1, output)
    assert.match(output, /pass 1/)
    assert.match(output, /fail 1/)
    assert.match(output, /the decided events differ from the expected ones at events\[0\]\.data\.amount\.minor/)
    assert.match(output, /expected: 1000n/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
