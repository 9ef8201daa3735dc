/**
 * `--wait-for-store`: the flag's checks, and the waiting itself with a store that fails a given
 * number of times (the end-to-end runs against real databases are in test/faults).
 */

import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import * as E from 'fp-ts/lib/Either.js'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseArguments } from '../src/argv.ts'
import { configureListen, listenCommand } from '../src/commands/listen.ts'
import { fatal, openWaiting, pauseAfter, type StoreProblem, transient, type WaitReport } from '../src/store-wait.ts'
import { run } from './support/cli.ts'

const never = new Promise<never>(() => {})

/** An attempt that fails `failures` times with `problem`, then opens. */
const failing = (failures: number, problem: StoreProblem) => {
  let calls = 0
  return {
    calls: () => calls,
    attempt: async (): Promise<E.Either<StoreProblem, 'open'>> => (++calls <= failures ? E.left(problem) : E.right('open')),
  }
}

test('the pause doubles from 250 ms to at most 5 s, jittered between half and all of it', () => {
  assert.equal(
    [1, 2, 3, 4, 5, 6, 10].map((n) => pauseAfter(n, () => 1)),
    [250, 500, 1000, 2000, 4000, 5000, 5000],
  )
  assert.equal(
    [1, 6].map((n) => pauseAfter(n, () => 0)),
    [125, 2500],
  )
})

test('a retryable problem is tried again until the store opens, each retry reported', async () => {
  const store = failing(2, transient('connect ECONNREFUSED'))
  const reports: WaitReport[] = []
  const opened = await openWaiting(store.attempt, { waitFor: 60_000, stopped: never, onRetry: (r) => void reports.push(r) })
  assert.equal(opened, E.right('open'))
  assert.is(store.calls(), 3)
  assert.equal(
    reports.map((r) => [r.attempt, r.reason]),
    [
      [1, 'connect ECONNREFUSED'],
      [2, 'connect ECONNREFUSED'],
    ],
  )
})

test('without waiting, the first problem ends it with a hint; a problem waiting cannot fix ends it at once', async () => {
  const down = failing(1, transient('connect ECONNREFUSED'))
  const once = await openWaiting(down.attempt, { waitFor: undefined, stopped: never, onRetry: () => assert.unreachable('no retry') })
  assert.equal(
    once,
    E.left({
      _tag: 'Failed',
      problem: { ...transient('connect ECONNREFUSED'), message: 'connect ECONNREFUSED (to wait for it at start, pass --wait-for-store DURATION)' },
    }),
  )
  const corrupt = failing(5, fatal('line 7 is not JSON'))
  const refused = await openWaiting(corrupt.attempt, { waitFor: 60_000, stopped: never, onRetry: () => assert.unreachable('no retry') })
  assert.equal(refused, E.left({ _tag: 'Failed', problem: fatal('line 7 is not JSON') }))
  assert.is(corrupt.calls(), 1)
})

test('past the deadline the last problem ends it, saying how long it waited; a signal ends it as Stopped', async () => {
  let clock = 0
  const store = failing(1_000, transient('connect ECONNREFUSED'))
  const given = await openWaiting(store.attempt, {
    waitFor: 2_000,
    stopped: never,
    now: () => clock,
    onRetry: (r) => {
      clock += r.retryInMs
    },
  })
  assert.ok(E.isLeft(given) && given.left._tag === 'Failed' && /still failing after --wait-for-store 2s\)$/.test(given.left.problem.message))
  let stop = () => {}
  const stopped = new Promise<void>((resolve) => {
    stop = resolve
  })
  const waiting = openWaiting(failing(1_000, transient('down')).attempt, { waitFor: 3_600_000, stopped, onRetry: () => stop() })
  assert.equal(await waiting, E.left({ _tag: 'Stopped' }))
})

test('--wait-for-store takes a duration, and needs --store', async () => {
  const configured = E.chain((args: Parameters<typeof configureListen>[0]) => configureListen(args, { BANKSOCKET_SECRET: 's' }))(
    parseArguments(listenCommand.spec, ['--port', '0', '--store', 'e.jsonl', '--wait-for-store', '2m']),
  )
  assert.equal(E.map((c: { waitForStore: number | undefined }) => c.waitForStore)(configured), E.right(120_000))
  const bad = await run(['listen', '--port', '0', '--secret', 's', '--store', 'e.jsonl', '--wait-for-store', '5'])
  assert.is(bad.code, 2)
  assert.match(bad.stderr, /--wait-for-store/)
  const alone = await run(['listen', '--port', '0', '--secret', 's', '--wait-for-store', '30s'])
  assert.is(alone.code, 2)
  assert.match(alone.stderr, /--wait-for-store needs --store/)
})

test('listen --wait-for-store on a port in use: it says so and exits 1 at once, without waiting out the duration', async () => {
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  const { port } = taken.address() as AddressInfo
  try {
    const started = Date.now()
    const result = await run([
      'listen',
      '--port',
      String(port),
      '--secret',
      's',
      '--store',
      'postgres://app@127.0.0.1:1/app',
      '--wait-for-store',
      '10m',
    ])
    assert.is(result.code, 1)
    assert.match(result.stderr, new RegExp(`could not listen on 127\\.0\\.0\\.1:${port} while waiting for the store: the port is in use`))
    assert.ok(Date.now() - started < 30_000)
  } finally {
    taken.close()
  }
})

test.run()
