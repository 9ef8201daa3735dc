/**
 * A typed handle on the `Deno` global for the Deno test files.
 *
 * The packages typecheck with `"types": []` (core) or `["node"]` (adapters), so the `Deno`
 * namespace is not declared there. Rather than pulling Deno's whole `lib.deno.d.ts` (which clashes
 * with the DOM lib), the tests read the global through this small interface that names only what
 * they use. The tests only run under `deno test`, where the global exists.
 */

/** `Deno.test` options, as far as the tests use them. */
export type DenoTestDefinition = Readonly<{
  name: string
  fn: () => void | Promise<void>
  ignore?: boolean
  sanitizeOps?: boolean
  sanitizeResources?: boolean
}>

/** What `Deno.serve` answers: the bound address, and a way to stop it. */
type DenoHttpServer = Readonly<{
  addr: Readonly<{ hostname: string; port: number }>
  finished: Promise<void>
  shutdown: () => Promise<void>
}>

/** `Deno.serve` options, as far as the tests use them. */
type DenoServeOptions = Readonly<{
  port: number
  hostname: string
  onListen?: (addr: Readonly<{ hostname: string; port: number }>) => void
}>

type DenoDirEntry = Readonly<{ name: string; isFile: boolean; isDirectory: boolean }>

/** A child process started by `new Deno.Command(...).spawn()`. */
export type DenoChildProcess = Readonly<{
  stdout: ReadableStream<Uint8Array>
  stderr: ReadableStream<Uint8Array>
  status: Promise<Readonly<{ success: boolean; code: number; signal: string | null }>>
  kill: (signal?: 'SIGTERM' | 'SIGKILL' | 'SIGINT') => void
}>

/** `Deno.Command` options, as far as the tests use them. */
type DenoCommandOptions = Readonly<{
  args: readonly string[]
  cwd?: string
  env?: Readonly<Record<string, string>>
  stdin?: 'null' | 'piped' | 'inherit'
  stdout?: 'null' | 'piped' | 'inherit'
  stderr?: 'null' | 'piped' | 'inherit'
}>

type DenoCommand = Readonly<{
  spawn: () => DenoChildProcess
  output: () => Promise<Readonly<{ success: boolean; code: number; stdout: Uint8Array; stderr: Uint8Array }>>
}>

export type DenoRuntime = Readonly<{
  version: Readonly<{ deno: string }>
  test: (definition: DenoTestDefinition) => void
  serve: (options: DenoServeOptions, handler: (request: Request) => Response | Promise<Response>) => DenoHttpServer
  readDirSync: (path: URL) => Iterable<DenoDirEntry>
  execPath: () => string
  Command: new (command: string, options: DenoCommandOptions) => DenoCommand
}>

const runtime = (globalThis as unknown as { Deno?: DenoRuntime }).Deno

if (runtime === undefined) throw new Error('these tests run under Deno: node_modules/.bin/deno test --allow-all <file>')

/** The `Deno` global, typed. */
export const Deno: DenoRuntime = runtime

/**
 * Serves `handler` on 127.0.0.1 with a port the system picks, and resolves once it listens.
 * `close` stops accepting, waits for open connections and resolves when the server is finished.
 */
export const serveOnLoopback = async (
  handler: (request: Request) => Response | Promise<Response>,
): Promise<Readonly<{ url: string; close: () => Promise<void> }>> => {
  let listening!: () => void
  const ready = new Promise<void>((resolve) => (listening = resolve))
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => listening() }, handler)
  await ready
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    close: async () => {
      await server.shutdown()
      await server.finished
    },
  }
}
