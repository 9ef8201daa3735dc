/**
 * What running unchanged uvu test files under another test runner takes, whatever that runner is:
 * loading a file with uvu in deferred mode and collecting the suites its `test.run()` calls queued
 * ({@link collectUvuSuites}), then registering each test with the runner and running it with uvu's
 * hook order ({@link uvuCases}). The Deno bridge (`uvu-bridge.ts`) and the Bun bridge of the
 * frameworks tests (test/frameworks/bun/uvu-bun.ts) are this plus their runner's `test` function.
 *
 * uvu queues a suite as `runner.bind(0, ctx, name)`, where `ctx` holds the suite's tests and
 * hooks. {@link collectUvuSuites} captures that `ctx` by observing `bind` while a file's
 * `test.run()` calls happen (nothing else is patched, and the patch is removed before the file's
 * tests run). If uvu ever changes this, it fails loudly: every `test.run()` must yield exactly one
 * captured suite.
 */
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

/**
 * Loads one uvu file and returns the suites its `test.run()` calls queued, with their names. */
const collectUvuSuites = async (file: URL): Promise<Array<Readonly<{ name: string; suite: UvuSuite }>>> => {
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
    throw new Error(`uvu suites: ${file.pathname} queued ${queued} suites but ${captured.length} were captured (has uvu changed?)`)
  }
  if (captured.length === 0) throw new Error(`uvu suites: ${file.pathname} never called test.run()`)
  return captured
}

/** One uvu test as another runner registers it: its full name and the function that runs it. */
export type UvuCase = Readonly<{ name: string; run: () => Promise<void> }>

/**
 * Every test of the given uvu files as {@link UvuCase}s, named `<file> › <suite> › <test>`, each
 * running its suite's hooks as uvu does: `before` before the suite's first test, `before.each` and
 * `after.each` around each test, `after` after its last test; `test.only` narrows the suite.
 *
 * @example
 * for (const c of await uvuCases([new URL('../vectors.test.ts', import.meta.url)])) Deno.test(c.name, c.run)
 */
export const uvuCases = async (files: readonly URL[]): Promise<UvuCase[]> => {
  const cases: UvuCase[] = []
  for (const file of files) {
    const label = file.pathname.split('/').pop() ?? file.pathname
    for (const { name, suite } of await collectUvuSuites(file)) {
      const prefix = name === '' ? label : `${label} › ${name}`
      const tests = suite.only.length > 0 ? suite.only : suite.tests
      tests.forEach((test, index) => {
        cases.push({
          name: `${prefix} › ${test.name}`,
          run: async () => {
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
    }
  }
  return cases
}
