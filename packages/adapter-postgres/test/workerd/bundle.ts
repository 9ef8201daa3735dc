/**
 * Bundles a module Worker that uses `pg` with esbuild, the way wrangler does for a Worker with the
 * `nodejs_compat` flag: `workerd`/`worker`/`browser` export conditions (so pg finds pg-cloudflare,
 * its socket on `cloudflare:sockets`), Node built-ins left to workerd (`node:*`, and a CommonJS
 * `require('events')` turned into an import of `node:events`, as wrangler's nodejs-compat plugin
 * does), `cloudflare:*` external, and fp-ts's ES build in place of `fp-ts/lib`.
 */
import { builtinModules } from 'node:module'
import { build, type Plugin } from 'esbuild'

const BUILTINS = new Set(builtinModules)

const nodeCompat: Plugin = {
  name: 'node-compat',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '')
      if (!BUILTINS.has(name)) return undefined
      // A CommonJS require of a built-in: a small CommonJS module that imports it.
      if (args.kind === 'require-call') return { path: name, namespace: 'node-require' }
      return { path: `node:${name}`, external: true }
    })
    b.onLoad({ filter: /.*/, namespace: 'node-require' }, (args) => ({
      contents: `import lib from 'node:${args.path}'; module.exports = lib;`,
      loader: 'js',
    }))
    b.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, external: true }))
    // pg loads pg-native only when `pg.native` is read; it is not installed.
    b.onResolve({ filter: /^pg-native$/ }, (args) => ({ path: args.path, external: true }))
    b.onResolve({ filter: /^fp-ts\/lib\// }, (args) =>
      b.resolve(args.path.replace(/^fp-ts\/lib\//, 'fp-ts/es6/'), { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir }),
    )
  },
}

/** The Worker at `entry` as one ES module, with the files it holds. */
export const bundlePgWorker = async (entry: URL): Promise<Readonly<{ code: string; inputs: readonly string[] }>> => {
  const result = await build({
    entryPoints: [entry.pathname],
    absWorkingDir: new URL('.', entry).pathname,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    plugins: [nodeCompat],
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry.pathname}`)
  return { code: output.text, inputs: Object.keys(result.metafile.inputs) }
}
