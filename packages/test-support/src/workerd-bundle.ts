/**
 * Bundles a module Worker with esbuild the way Cloudflare's tooling does (ESM, neutral platform,
 * `workerd`/`worker`/`browser` export conditions, `browser`/`module`/`main` fields), so the tests
 * load into workerd the code a deployment would ship.
 *
 * Our packages import `fp-ts/lib/*.js`: fp-ts's CommonJS build, the one Node's ESM loader can
 * resolve. In a bundle that build does not tree-shake, and io-ts brings fp-ts's ES build as well,
 * so both would ship. Two ways to swap it for `fp-ts/es6/*.js`:
 *
 * - `'fp-ts-es6'` (the default here): every `fp-ts/lib/X` import becomes `fp-ts/es6/X`, resolved
 *   from the importing file, as scripts/bundle-size.mjs does;
 * - an exact alias map, matched the way wrangler applies a wrangler.toml `[alias]` table (a key
 *   matches an import path exactly; the target is resolved from the entry's directory). The
 *   Workers guide test passes the guide's own wrangler.toml table, so the documented configuration
 *   is the one that is tested.
 */
import { build, type Plugin } from 'esbuild'

/** How fp-ts is swapped: by prefix, by an exact map (wrangler's `[alias]`), or not at all. */
type Aliasing = 'fp-ts-es6' | 'none' | Readonly<Record<string, string>>

/** The Worker bundle, as text, with the list of bundled input files. */
export type WorkerBundle = Readonly<{ code: string; inputs: readonly string[] }>

/** Options of {@link bundleWorker}. */
export type BundleOptions = Readonly<{
  /** @default 'fp-ts-es6' */
  alias?: Aliasing
  /** @default false */
  minify?: boolean
}>

const fpTsEs6: Plugin = {
  name: 'fp-ts-es6',
  setup(b) {
    b.onResolve({ filter: /^fp-ts\/lib\// }, (args) =>
      b.resolve(args.path.replace(/^fp-ts\/lib\//, 'fp-ts/es6/'), { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir }),
    )
  },
}

const exactAlias = (map: Readonly<Record<string, string>>, entryDir: string): Plugin => ({
  name: 'exact-alias',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      const target = map[args.path]
      return target === undefined ? undefined : b.resolve(target, { kind: args.kind, importer: args.importer, resolveDir: entryDir })
    })
  },
})

/**
 * Bundles `entry` into one ES module; packages are resolved from the entry's location.
 *
 * @example
 * const { code } = await bundleWorker(new URL('./vectors.worker.ts', import.meta.url))
 */
export const bundleWorker = async (entry: URL, options: BundleOptions = {}): Promise<WorkerBundle> => {
  const alias = options.alias ?? 'fp-ts-es6'
  const entryDir = new URL('.', entry).pathname
  const result = await build({
    entryPoints: [entry.pathname],
    absWorkingDir: entryDir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    minify: options.minify ?? false,
    plugins: alias === 'none' ? [] : alias === 'fp-ts-es6' ? [fpTsEs6] : [exactAlias(alias, entryDir)],
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry.pathname}`)
  return { code: output.text, inputs: Object.keys(result.metafile.inputs) }
}
