/**
 * Runs unchanged uvu test files under `bun test`, one bun test per uvu test, as
 * packages/test-support/src/uvu-bridge.ts does for `deno test` (read its comment for how the
 * suites are collected: uvu's deferred mode, and the `ctx` each `test.run()` binds to uvu's
 * runner). The workspace runner counts Bun results from `bun test`'s own `N pass` / `N fail`
 * lines, so every contract case is counted on its own.
 */
import { test } from 'bun:test'

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

/** Loads one uvu file (uvu must not be loaded before) and returns the suites its `test.run()` calls queued. */
const collect = async (file: URL): Promise<Array<Readonly<{ name: string; suite: UvuSuite }>>> => {
  uvuGlobals.UVU_DEFER = 1
  const queue = (uvuGlobals.UVU_QUEUE ??= [])
  uvuGlobals.UVU_INDEX = queue.length
  queue.push([file.pathname])

  const captured: Array<Readonly<{ name: string; suite: UvuSuite }>> = []
  const bind = Function.prototype.bind
  Function.prototype.bind = function (this: (...args: never[]) => unknown, thisArg: unknown, ...args: unknown[]) {
    if (this.name === 'runner' && thisArg === 0 && args.length === 2) captured.push({ suite: args[0] as UvuSuite, name: String(args[1] ?? '') })
    return bind.call(this, thisArg, ...args)
  } as typeof bind
  try {
    await import(file.href)
  } finally {
    Function.prototype.bind = bind
  }

  const queued = (queue[uvuGlobals.UVU_INDEX] ?? []).length - 1
  if (queued !== captured.length) {
    throw new Error(`uvu-bun: ${file.pathname} queued ${queued} suites but ${captured.length} were captured (has uvu changed?)`)
  }
  if (captured.length === 0) throw new Error(`uvu-bun: ${file.pathname} never called test.run()`)
  return captured
}

/** Registers the tests of one uvu suite with `bun:test`, keeping uvu's hook order. */
const register = (label: string, suite: UvuSuite, timeoutMs: number): number => {
  const tests = suite.only.length > 0 ? suite.only : suite.tests
  tests.forEach((t, index) => {
    test(
      `${label} › ${t.name}`,
      async () => {
        const state = suite.state
        state['__test__'] = t.name
        try {
          if (index === 0) for (const hook of suite.before) await hook(state)
          for (const hook of suite.bEach) await hook(state)
          try {
            await t.handler(state)
          } finally {
            for (const hook of suite.aEach) await hook(state)
          }
        } finally {
          state['__test__'] = ''
          if (index === tests.length - 1) for (const hook of suite.after) await hook(state)
        }
      },
      timeoutMs,
    )
  })
  return tests.length
}

/**
 * Registers every test of the given uvu files with `bun:test`. Call it from a bun test module's
 * top level (with `await`), before the module finishes loading. Returns the number registered.
 *
 * @example
 * await registerUvuFiles([new URL('./contract-suite.ts', import.meta.url)])
 */
export const registerUvuFiles = async (files: readonly URL[], timeoutMs = 30_000): Promise<number> => {
  let count = 0
  for (const file of files) {
    const label = file.pathname.split('/').pop() ?? file.pathname
    for (const { name, suite } of await collect(file)) count += register(name === '' ? label : `${label} › ${name}`, suite, timeoutMs)
  }
  return count
}
