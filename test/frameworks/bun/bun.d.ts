/**
 * The little of Bun's types these tests use: `bun:test`'s `test` and the `Bun.serve` server. The
 * workspace typechecks with `"types": ["node"]` and does not install bun-types; these files only
 * run under `bun test`, where both exist.
 */
declare module 'bun:test' {
  /** Registers one test; a rejected promise or a throw fails it. `timeout` is in milliseconds. */
  export const test: (name: string, fn: () => void | Promise<void>, timeout?: number) => void
}

/** What `Bun.serve` answers: the bound port, and a way to stop it. */
type BunServer = Readonly<{ port: number; hostname: string; stop: (closeActiveConnections?: boolean) => Promise<void> }>

/** `Bun.serve` options, as far as the tests use them. */
type BunServeOptions = Readonly<{ port: number; hostname: string; fetch: (request: Request) => Response | Promise<Response> }>

/** The `Bun` global, as far as the tests use it. */
declare const Bun: Readonly<{ version: string; serve: (options: BunServeOptions) => BunServer }>
