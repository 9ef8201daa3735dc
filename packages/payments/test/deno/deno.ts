/**
 * A typed handle on the `Deno` global for the Deno test files (the package typechecks with Node's
 * types, not Deno's): only what these tests use.
 */

/** `Deno.test` options, as far as the tests use them. */
type DenoTestDefinition = Readonly<{
  name: string
  fn: () => void | Promise<void>
  ignore?: boolean
  sanitizeOps?: boolean
  sanitizeResources?: boolean
}>

type DenoDirEntry = Readonly<{ name: string; isFile: boolean; isDirectory: boolean }>

export type DenoRuntime = Readonly<{
  version: Readonly<{ deno: string }>
  test: (definition: DenoTestDefinition) => void
  readDirSync: (path: URL) => Iterable<DenoDirEntry>
}>

const runtime = (globalThis as unknown as { Deno?: DenoRuntime }).Deno

if (runtime === undefined) throw new Error('these tests run under Deno: node_modules/.bin/deno test --allow-all <file>')

/** The `Deno` global, typed. */
export const Deno: DenoRuntime = runtime
