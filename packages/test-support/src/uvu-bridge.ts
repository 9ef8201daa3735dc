/**
 * Runs unchanged uvu test files under `deno test`, one `Deno.test` per uvu test.
 *
 * The core tests are written once, with uvu, and run on Node through tsx. Deno can run the same
 * files (`deno run -A vectors.test.ts` prints uvu's summary), but `deno test` would then see one
 * opaque module, and the workspace runner counts Deno results from `deno test`'s own
 * `ok | N passed | N failed` line. So this bridge loads each file with uvu in deferred mode
 * (`UVU_DEFER`, the mode uvu's own CLI uses to collect files before running them), takes the suites
 * each `test.run()` queued, and registers every test of every suite as its own `Deno.test`, named
 * `<file> › <test>`. Hooks keep uvu's meaning: `before` runs before a suite's first test,
 * `before.each`/`after.each` around each test, `after` after its last test; `test.only` narrows the
 * suite as in uvu.
 *
 * uvu queues a suite as `runner.bind(0, ctx, name)`, where `ctx` holds the suite's tests and
 * hooks. The bridge captures that `ctx` by observing `bind` while a file's `test.run()` calls happen
 * (nothing else is patched, and the patch is removed before the file's tests run). If uvu ever
 * changes this, the bridge fails loudly: every `test.run()` must yield exactly one captured suite.
 */
import { Deno } from './deno.ts'

type Hook = (state: UvuState) => unknown
type UvuState = Record<string, unknown>
type UvuTest = Readonly<{ name: string; handler: Hook }>
type UvuSuite = Readonly<{
  tests: readonly UvuTest[]
  only: readonly UvuTest[]
  before: readonly Hook[]
  after: readonly Hook[]
  bEach: readonly Hook[]
  aEach: readonly Hook[]
  state: UvuState
}>

type UvuGlobals = { UVU_DEFER?: number; UVU_INDEX?: number; UVU_QUEUE?: unknown[][] }
const uvuGlobals = globalThis as unknown as UvuGlobals

/** Loads one uvu file and returns the suites its `test.run()` calls queued, with their names. */
const collect = async (file: URL): Promise<Array<Readonly<{ name: string; suite: UvuSuite }>>> => {
  uvuGlobals.UVU_DEFER = 1
  const queue = (uvuGlobals.UVU_QUEUE ??= [])
  uvuGlobals.UVU_INDEX = queue.length
  queue.push([file.pathname])

  const captured: Array<Readonly<{ name: string; suite: UvuSuite }>> = []
  const bind = Function.prototype.bind
  Function.prototype.bind = function (this: (...args: never[]) => unknown, thisArg: unknown, ...args: unknown[]) {
    if (this.name === 'runner' && thisArg === 0 && args.length === 2) {
      captured.push({ suite: args[0] as UvuSuite, name: String(args[1] ?? '') })
    }
    return bind.call(this, thisArg, ...args)
  } as typeof bind
  try {
    await import(file.href)
  } finally {
    Function.prototype.bind = bind
  }

  const queued = (queue[uvuGlobals.UVU_INDEX] ?? []).length - 1
  if (queued !== captured.length) {
    throw new Error(`uvu bridge: ${file.pathname} queued ${queued} suites but ${captured.length} were captured (has uvu changed?)`)
  }
  if (captured.length === 0) throw new Error(`uvu bridge: ${file.pathname} never called test.run()`)
  return captured
}

/** Registers the tests of one uvu suite as `Deno.test`s, keeping uvu's hook order. */
const register = (label: string, suite: UvuSuite): number => {
  const tests = suite.only.length > 0 ? suite.only : suite.tests
  tests.forEach((test, index) => {
    Deno.test({
      name: `${label} › ${test.name}`,
      fn: async () => {
        const state = suite.state
        state['__test__'] = test.name
        try {
          if (index === 0) for (const hook of suite.before) await hook(state)
          for (const hook of suite.bEach) await hook(state)
          try {
            await test.handler(state)
          } finally {
            for (const hook of suite.aEach) await hook(state)
          }
        } finally {
          state['__test__'] = ''
          if (index === tests.length - 1) for (const hook of suite.after) await hook(state)
        }
      },
    })
  })
  return tests.length
}

/**
 * Registers every test of the given uvu files with `Deno.test`. Call it from a Deno test module's
 * top level (with `await`), before the module finishes loading. Returns the number registered.
 *
 * @example
 * await registerUvuFiles([new URL('../vectors.test.ts', import.meta.url)])
 */
export const registerUvuFiles = async (files: readonly URL[]): Promise<number> => {
  let count = 0
  for (const file of files) {
    const label = file.pathname.split('/').pop() ?? file.pathname
    for (const { name, suite } of await collect(file)) {
      count += register(name === '' ? label : `${label} › ${name}`, suite)
    }
  }
  return count
}
