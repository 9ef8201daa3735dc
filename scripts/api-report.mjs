#!/usr/bin/env node
// Writes or checks the API report of every published entry point, so that a change to the public
// surface of a package is always a visible diff in review.
//
//   node scripts/api-report.mjs            (pnpm run api:report: regenerate every report)
//   node scripts/api-report.mjs --check    (pnpm run api:check, in `ci`: compare, change nothing)
//
// Run after `pnpm run build`: it reads the built declarations, not the sources. For every package
// under packages/ whose package.json is not `"private": true`, and for every entry point of its
// `exports` map, API Extractor (@microsoft/api-extractor, from ./tooling) reads the `types` file of
// the entry (`dist/….d.ts`) and writes the report to packages/<dir>/api/<name>.api.md, where <name>
// is the unscoped package name for `.` and `<unscoped name>-<subpath>` for a subpath
// (`./store-kit` of core: packages/core/api/core-store-kit.api.md). The configuration is built here
// in memory; there is no api-extractor.json. Only the report is produced: no doc model, no d.ts
// rollup, no tsdoc-metadata.json. Other workspace packages (`@banksocket-webhooks/core` imported by
// receiver, …) are external like any other dependency: the report names their types, it does not
// inline them.
//
// When a change to a package's exports is intended, run `pnpm run build && pnpm run api:report`
// and commit the changed packages/*/api/*.api.md together with the change. With --check, a report
// that differs from the built API, is missing, or belongs to an entry point that no longer exists
// is printed with the start of its diff; without --check, those reports are rewritten or deleted.
//
// A report's title names the package, also for a subpath (API Extractor takes it from package.json);
// the file name tells the entry point. Reports are compared as API Extractor does, ignoring
// differences in whitespace only.
//
// Messages: warnings are printed and never fail the run; `ae-forgotten-export` (a type the public
// API uses but the entry point does not export) is one of them, except when another entry point of
// the same package exports that type (only counted in the summary). Release tags are not used here,
// so `ae-missing-release-tag` is off; TSDoc syntax and `{@link}` targets are off too (typedoc
// checks the doc comments and their links).
// Compiler errors and API Extractor errors fail the run. Prints the warnings, one line per report
// that differs (was written), and last `N reports checked in N packages, N differ, N warnings, N
// errors (N s)`. Exits 1 when a report differs (with --check) or on errors. CPU time for all 14
// reports is about 9 s (two TypeScript programs: with and without node's types).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CompilerState, Extractor, ExtractorConfig } from '@microsoft/api-extractor'

// The TypeScript that API Extractor bundles (and analyses with), for its SymbolFlags.
const ts = createRequire(fileURLToPath(import.meta.resolve('@microsoft/api-extractor')))('typescript')
const root = fileURLToPath(new URL('..', import.meta.url))
const check = process.argv.includes('--check')
const tmp = join(root, '.tmp', 'api-report')
const DIFF_LINES = 40
const started = performance.now()

/** The `types` file of an `exports` target: a string, or the `types` (else first) condition of an object. */
const typesOf = (target) => {
  if (typeof target === 'string') return target.endsWith('.d.ts') ? target : target.replace(/\.(m|c)?js$/, '.d.$1ts')
  if (target === null || typeof target !== 'object') return undefined
  if (typeof target.types === 'string') return target.types
  for (const value of Object.values(target)) {
    const types = typesOf(value)
    if (types !== undefined) return types
  }
  return undefined
}

/**
 * The declared names of what the entry point `dts` exports (through `export { x as y }` and
 * re-exports: the name of the declaration), in the program of `compilerState`.
 */
const exportedDeclarationNames = (compilerState, dts) => {
  const checker = compilerState.program.getTypeChecker()
  const file = compilerState.program.getSourceFile(dts)
  const module = file && checker.getSymbolAtLocation(file)
  if (module === undefined) return new Set()
  return new Set(
    checker
      .getExportsOfModule(module)
      .map((symbol) => ((symbol.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(symbol) : symbol).name),
  )
}

/** Every published package with its entry points: `{ dir, name, entries: [{ subpath, report, dts }] }`. */
const packages = readdirSync(join(root, 'packages'))
  .sort()
  .flatMap((dir) => {
    const file = join(root, 'packages', dir, 'package.json')
    if (!existsSync(file)) return []
    const pkg = JSON.parse(readFileSync(file, 'utf8'))
    if (pkg.private === true) return []
    const unscoped = pkg.name.replace(/^@[^/]+\//, '')
    const exportsMap = typeof pkg.exports === 'string' || pkg.exports?.['.'] === undefined ? { '.': pkg.exports ?? pkg.types } : pkg.exports
    const entries = Object.entries(exportsMap)
      .filter(([subpath]) => subpath !== './package.json')
      .map(([subpath, target]) => {
        if (subpath.includes('*')) throw new Error(`${pkg.name}: wildcard export ${subpath} is not supported by api-report`)
        const types = typesOf(target)
        if (types === undefined) throw new Error(`${pkg.name}: export ${subpath} has no types`)
        const suffix = subpath === '.' ? '' : `-${subpath.replace(/^\.\//, '').replaceAll('/', '-')}`
        return { subpath, report: `${unscoped}${suffix}.api.md`, dts: resolve(root, 'packages', dir, types) }
      })
    return [{ dir, name: pkg.name, folder: join(root, 'packages', dir), packageJson: pkg, entries }]
  })

const missing = packages.flatMap((p) => p.entries.filter((e) => !existsSync(e.dts)).map((e) => relative(root, e.dts)))
if (missing.length > 0) {
  console.error(`api-report: ${missing.join(', ')} missing; run \`pnpm run build\` first`)
  process.exit(2)
}

/**
 * The package's own build settings (the `types` it compiles with: node or none), over the built
 * declarations. `files` and `include` only keep tsc from listing src/: API Extractor analyses
 * .d.ts files only and adds the entry points itself. skipLibCheck (as in tsconfig.base.json): the
 * build has type-checked the sources, and checking node_modules' declarations with API Extractor's
 * TypeScript would only add noise.
 */
const tsconfigFor = (pkg, entry) => ({
  extends: join(pkg.folder, 'tsconfig.build.json'),
  compilerOptions: { noEmit: true, skipLibCheck: true },
  files: [entry.dts],
  include: [],
})

/**
 * Packages whose compiler options are the same (once rootDir and outDir, which API Extractor drops,
 * are left out) share one TypeScript program: creating a program is most of the time a report takes,
 * and there are two kinds here, with node's types and without.
 */
const optionsKey = (pkg) => {
  const { options } = ts.parseJsonConfigFileContent(tsconfigFor(pkg, pkg.entries[0]), ts.sys, pkg.folder)
  for (const key of ['rootDir', 'outDir', 'declarationDir', 'configFilePath']) delete options[key]
  return JSON.stringify(Object.entries(options).sort(([a], [b]) => a.localeCompare(b)))
}

const configFor = (pkg, entry) =>
  ExtractorConfig.prepare({
    packageJsonFullPath: join(pkg.folder, 'package.json'),
    packageJson: pkg.packageJson,
    configObject: {
      projectFolder: pkg.folder,
      mainEntryPointFilePath: entry.dts,
      bundledPackages: [],
      newlineKind: 'lf',
      enumMemberOrder: 'preserve',
      compiler: { overrideTsconfig: tsconfigFor(pkg, entry) },
      apiReport: {
        enabled: true,
        reportFileName: entry.report,
        reportVariants: ['complete'],
        reportFolder: join(pkg.folder, 'api'),
        reportTempFolder: join(tmp, pkg.dir),
        includeForgottenExports: false,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning' },
          'ae-missing-release-tag': { logLevel: 'none' },
          'ae-forgotten-export': { logLevel: 'warning', addToApiReportFile: false },
          'ae-undocumented': { logLevel: 'none' },
          // {@link} targets are typedoc's business (its link validation); API Extractor also flags
          // every link to a codec whose type shares its name as ambiguous.
          'ae-unresolved-link': { logLevel: 'none' },
          'ae-wrong-input-file-type': { logLevel: 'error' },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
  })

let warnings = 0
let reachable = 0
let errors = 0
let checked = 0
const changed = []

const labelOf = (pkg, entry) => `${pkg.name}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}`

const keys = new Map(packages.map((pkg) => [pkg, optionsKey(pkg)]))
const programs = new Map()
/** The compiler state of `pkg`'s group, created with the entry points of every package in it. */
const compilerStateFor = (pkg, config) => {
  const key = keys.get(pkg)
  if (!programs.has(key)) {
    const additionalEntryPoints = packages.filter((p) => keys.get(p) === key).flatMap((p) => p.entries.map((e) => e.dts))
    programs.set(key, CompilerState.create(config, { additionalEntryPoints }))
  }
  return programs.get(key)
}

/** Writes (or, with --check, compares) the report of one entry point; `shared` holds what its package's entry points share. */
const report = (pkg, entry, shared) => {
  const label = labelOf(pkg, entry)
  const config = configFor(pkg, entry)
  shared.compilerState ??= compilerStateFor(pkg, config)
  shared.exportedBy ??= pkg.entries.map((e) => ({ subpath: e.subpath, names: exportedDeclarationNames(shared.compilerState, e.dts) }))
  let diff
  const result = Extractor.invoke(config, {
    localBuild: !check,
    compilerState: shared.compilerState,
    printApiReportDiff: check,
    messageCallback: (message) => {
      message.handled = true
      if (message.messageId === 'console-api-report-diff') diff = message.text
      if (message.category === 'console') {
        // Console messages are API Extractor's own progress and report notices, summarised below;
        // only its errors (e.g. a report folder it cannot create) are shown.
        if (message.logLevel === 'error') console.log(`${label}: error: ${message.text}`)
        return
      }
      if (message.messageId === 'ae-forgotten-export') {
        // API Extractor looks at one entry point at a time: a type that another entry point of the
        // same package exports (store-kit's signatures use `Decider`, which `.` exports) is not
        // forgotten, a consumer imports it from there.
        const name = /The symbol "([^"]+)"/.exec(message.text)?.[1]
        if (shared.exportedBy.some((e) => e.subpath !== entry.subpath && e.names.has(name))) {
          reachable++
          return
        }
      }
      if (message.logLevel === 'error' || message.logLevel === 'warning') {
        if (message.logLevel === 'warning') warnings++
        console.log(`${label}: ${message.logLevel}: ${message.formatMessageWithLocation(root)}`)
      }
    },
  })
  errors += result.errorCount
  if (!result.apiReportChanged) return
  const path = relative(root, join(pkg.folder, 'api', entry.report))
  changed.push(path)
  console.log(`${label}: ${path} ${check ? 'differs from the built API' : 'written'}`)
  if (!check) return
  if (diff === undefined) {
    console.log('  (no committed report)')
    return
  }
  const lines = diff
    .replace(/^Changes to the API report:\n\n/, '')
    .replaceAll(root, '')
    .split('\n')
  for (const line of lines.slice(0, DIFF_LINES)) console.log(`  ${line}`)
  if (lines.length > DIFF_LINES) console.log(`  … ${lines.length - DIFF_LINES} more lines`)
}

for (const pkg of packages) {
  if (!check) mkdirSync(join(pkg.folder, 'api'), { recursive: true })
  const shared = {}
  for (const entry of pkg.entries) {
    checked++
    try {
      report(pkg, entry, shared)
    } catch (error) {
      // E.g. a declaration or source map being rewritten by a build running at the same time.
      errors++
      console.log(`${labelOf(pkg, entry)}: error: ${error.message}`)
    }
  }
}

// Reports of entry points (or packages) that are gone.
const expected = new Set(packages.flatMap((p) => p.entries.map((e) => join(p.folder, 'api', e.report))))
for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const folder = join(root, 'packages', dir, 'api')
  if (!existsSync(folder)) continue
  for (const name of readdirSync(folder).filter((n) => n.endsWith('.api.md'))) {
    const path = join(folder, name)
    if (expected.has(path)) continue
    changed.push(relative(root, path))
    if (check) console.log(`${relative(root, path)}: no such published entry point any more`)
    else {
      rmSync(path)
      console.log(`${relative(root, path)}: deleted (no such published entry point any more)`)
    }
  }
}

if (check && changed.length > 0) console.log('The public API differs from the committed reports: run `pnpm run api:report` and commit the change.')
const seconds = ((performance.now() - started) / 1000).toFixed(1)
console.log(
  `${checked} reports ${check ? 'checked' : 'generated'} in ${packages.length} packages, ${changed.length} ${check ? 'differ' : 'updated'}, ${warnings} warnings${reachable > 0 ? ` (and ${reachable} unexported types another entry point exports)` : ''}, ${errors} errors (${seconds} s)`,
)
process.exit(errors > 0 || (check && changed.length > 0) ? 1 : 0)
