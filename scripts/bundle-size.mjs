#!/usr/bin/env node
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

// Measures the Cloudflare Worker a user ships, with wrangler's own bundling: `wrangler deploy
// --dry-run --outdir` (which builds the Worker and uploads nothing) on the Workers guide's
// wrangler.toml (docs/guides/examples/wrangler.toml and its worker.ts: the fetch receiver with
// core, fp-ts, io-ts and eventemitter3), once as the guide writes it and once with its `[alias]`
// table removed (the packages then bring fp-ts's CommonJS build, `fp-ts/lib/*`, which does not
// tree-shake); and the guide's Durable Object Worker (wrangler-durable-object.toml, as written). Reports the raw and gzip sizes of the Worker wrangler would upload, computed as its
// "Total Upload" line computes them, and, from wrangler's esbuild metafile (`--metafile`), what
// each package contributes.
//
//   node scripts/bundle-size.mjs            print the table and rewrite the bundle-size section of
//                                           docs/benchmarks.md (between its bundle-size markers)
//   node scripts/bundle-size.mjs --check    print only
//
// Needs the packages built (`pnpm run build`) and Node 22.12 or later, because wrangler does (its
// `engines`); on an older Node it says so and exits 2, before building anything:
//   npx --yes -p node@22 -- node scripts/bundle-size.mjs
// Exits 1 if wrangler fails, or if the aliased Worker still holds CommonJS fp-ts or io-ts, i.e. if
// tree-shaking is lost. Works in a temporary folder (removed at the end) that holds a copy of the
// guide's files and a link to docs/guides/node_modules, so that wrangler resolves the alias targets
// from the guide's project as it does from yours, and leaves nothing in the repository.

const root = fileURLToPath(new URL('..', import.meta.url))
const examples = join(root, 'docs', 'guides', 'examples')
const guideToml = join(examples, 'wrangler.toml')
// The guide's Durable Object Worker (the inbox object of adapter-durable-object), measured as written.
const durableToml = join(examples, 'wrangler-durable-object.toml')
const report = join(root, 'docs', 'benchmarks.md')
const START = '<!-- bundle-size:start -->'
const END = '<!-- bundle-size:end -->'

// wrangler is a tooling dependency, hoisted to the root node_modules (pnpm-workspace.yaml).
const wranglerDir = join(root, 'node_modules', 'wrangler')
if (!existsSync(join(wranglerDir, 'package.json'))) {
  console.error('bundle-size: wrangler is not installed (node_modules/wrangler); run `pnpm install` first')
  process.exit(2)
}
const wranglerPkg = JSON.parse(readFileSync(join(wranglerDir, 'package.json'), 'utf8'))
const needs = wranglerPkg.engines?.node ?? '>=22.12.0'
/** [major, minor, patch] of a version string such as `22.12.0` (the first one in a range such as `>=22.12.0`). */
const versionOf = (text) => (/(\d+)\.(\d+)\.(\d+)/.exec(text) ?? [text, 0, 0, 0]).slice(1, 4).map(Number)
const below = (a, b) => (a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2])
if (below(versionOf(process.versions.node), versionOf(needs))) {
  console.error(
    `bundle-size: this measures the Worker with wrangler ${wranglerPkg.version}, which needs Node ${needs}; this is Node ${process.version}.\n` +
      `Run it with a newer Node, for example: npx --yes -p node@22 -- node scripts/bundle-size.mjs${process.argv.includes('--check') ? ' --check' : ''}`,
  )
  process.exit(2)
}
const wranglerBin = join(wranglerDir, typeof wranglerPkg.bin === 'string' ? wranglerPkg.bin : wranglerPkg.bin.wrangler)
// wrangler bundles with its own esbuild: pnpm links it next to wrangler in its store.
const esbuildOfWrangler = (() => {
  const file = join(realpathSync(wranglerDir), '..', 'esbuild', 'package.json')
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : 'unknown'
})()

const toml = readFileSync(guideToml, 'utf8')
const main = /^main\s*=\s*"([^"]+)"\s*$/m.exec(toml)?.[1]
if (main === undefined) {
  console.error(`bundle-size: ${relative(root, guideToml)} names no \`main\``)
  process.exit(1)
}
/** The guide's wrangler.toml without its `[alias]` table (the header and its lines, up to the next table). */
const withoutAlias = (() => {
  const lines = toml.split('\n')
  const start = lines.findIndex((line) => line.trim() === '[alias]')
  if (start < 0) return undefined
  const next = lines.findIndex((line, i) => i > start && /^\s*\[/.test(line))
  return [...lines.slice(0, start), ...(next < 0 ? [] : lines.slice(next))].join('\n')
})()
if (withoutAlias === undefined) {
  console.error(`bundle-size: ${relative(root, guideToml)} has no [alias] table to measure`)
  process.exit(1)
}

const work = realpathSync(mkdtempSync(join(tmpdir(), 'banksocket-bundle-size-')))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))
copyFileSync(join(examples, main), join(work, main))
symlinkSync(join(root, 'docs', 'guides', 'node_modules'), join(work, 'node_modules'), 'dir')
writeFileSync(join(work, 'wrangler.toml'), toml)
const durable = readFileSync(durableToml, 'utf8')
const durableMain = /^main\s*=\s*"([^"]+)"\s*$/m.exec(durable)?.[1]
if (durableMain === undefined) {
  console.error(`bundle-size: ${relative(root, durableToml)} names no \`main\``)
  process.exit(1)
}
copyFileSync(join(examples, durableMain), join(work, durableMain))
writeFileSync(join(work, 'wrangler-durable-object.toml'), durable)
writeFileSync(join(work, 'wrangler.no-alias.toml'), withoutAlias)

/** The package a bundled input belongs to: an npm package by name, a workspace package, or the Worker. */
const packageOf = (input) => {
  const path = resolve(work, input)
  const npm = /\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(path)
  if (npm) return npm[1]
  const workspace = /\/packages\/([^/]+)\/(?:dist|src)\//.exec(path)
  if (workspace) return `@banksocket-webhooks/${workspace[1]}`
  if (path === join(work, main)) return `docs/guides/examples/${main} (the guide's Worker)`
  if (path === join(work, durableMain)) return `docs/guides/examples/${durableMain} (the guide's Durable Object Worker)`
  return relative(root, path)
}

const measure = (label, config) => {
  const outdir = join(work, `out-${config}`)
  const metafile = join(work, `${config}.meta.json`)
  const r = spawnSync(process.execPath, [wranglerBin, 'deploy', '--dry-run', '--config', config, '--outdir', outdir, '--metafile', metafile], {
    cwd: work,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG_PATH: join(work, 'logs'), NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  if (r.status !== 0) {
    console.error(`bundle-size: wrangler deploy --dry-run --config ${config} failed (exit ${r.status ?? r.signal})\n${r.stdout}\n${r.stderr}`)
    process.exit(1)
  }
  const meta = JSON.parse(readFileSync(metafile, 'utf8'))
  const [outputName, output] = Object.entries(meta.outputs).find(([, o]) => o.entryPoint !== undefined) ?? []
  if (output === undefined) {
    console.error(`bundle-size: wrangler's metafile for ${config} names no entry output`)
    process.exit(1)
  }
  const code = readFileSync(resolve(work, outputName))
  const byPackage = new Map()
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (bytesInOutput === 0) continue
    const name = packageOf(input)
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput)
  }
  const attributed = [...byPackage.values()].reduce((a, b) => a + b, 0)
  // What is in the Worker: esbuild reads more (an unused CommonJS module of a package with
  // `sideEffects: false`, such as fp-ts, is read and then dropped whole).
  const inputs = Object.entries(output.inputs)
    .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
    .map(([input]) => input)
  // wrangler's own figure, to check that ours is the one it prints.
  const printed = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(r.stdout)
  return {
    label,
    raw: code.byteLength,
    // As wrangler computes its "Total Upload" gzip figure: zlib's default level.
    gzip: gzipSync(code).byteLength,
    printed: printed === null ? undefined : { raw: printed[1], gzip: printed[2] },
    files: inputs.length,
    commonJs: inputs.filter((i) => /(fp-ts|io-ts)\/lib\//.test(i)).length,
    byPackage: [...byPackage].sort((a, b) => b[1] - a[1]),
    helpers: code.byteLength - attributed,
  }
}

const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`
const percent = (part, whole) => `${Math.round((100 * part) / whole)} %`

const plain = measure('without the `[alias]` table (`fp-ts/lib`, CommonJS)', 'wrangler.no-alias.toml')
const aliased = measure("the guide's `wrangler.toml` (`fp-ts/lib` aliased to `fp-ts/es6`)", 'wrangler.toml')
const durableObject = measure(
  "the guide's Durable Object Worker, `wrangler-durable-object.toml` (the inbox object: receiver, store, projections, forwarding; aliased)",
  'wrangler-durable-object.toml',
)
for (const m of [plain, aliased, durableObject]) {
  if (m.printed !== undefined && (m.printed.raw !== (m.raw / 1024).toFixed(2) || m.printed.gzip !== (m.gzip / 1024).toFixed(2))) {
    console.error(
      `bundle-size: wrangler printed ${m.printed.raw} / ${m.printed.gzip} KiB for ${m.label}, this script measured ${kib(m.raw)} / ${kib(m.gzip)}`,
    )
  }
}

const section = [
  '## Worker bundle size',
  '',
  `Generated by \`node scripts/bundle-size.mjs\` with wrangler ${wranglerPkg.version} (esbuild ${esbuildOfWrangler}): \`wrangler deploy --dry-run`,
  "--outdir` on the [Workers guide](guides/cloudflare-workers.md)'s `wrangler.toml` (`docs/guides/examples/worker.ts`:",
  "the fetch receiver, core, fp-ts, io-ts, eventemitter3; `minify = true`, and wrangler's default `keep_names`), once",
  "as the guide writes it and once with its `[alias]` table removed; and the same on the guide's Durable Object Worker",
  '(`wrangler-durable-object.toml`, `docs/guides/examples/worker-durable-object.ts`). The sizes are those of the Worker wrangler would',
  "upload, as its `Total Upload` line gives them (gzip at zlib's default level).",
  '',
  '| bundle | raw | gzip | files in the Worker | CommonJS fp-ts/io-ts files in it |',
  '|---|---:|---:|---:|---:|',
  ...[plain, aliased, durableObject].map((m) => `| ${m.label} | ${kib(m.raw)} | ${kib(m.gzip)} | ${m.files} | ${m.commonJs} |`),
  '',
  `The alias saves ${kib(plain.raw - aliased.raw)} raw (${percent(plain.raw - aliased.raw, plain.raw)}) and ${kib(plain.gzip - aliased.gzip)} gzip (${percent(plain.gzip - aliased.gzip, plain.gzip)}): the packages import`,
  "fp-ts's CommonJS build (Node's ESM loader cannot resolve `fp-ts/Either`), which esbuild cannot tree-shake (it",
  'keeps a CommonJS module whole, or drops it whole when nothing uses it, since fp-ts declares `sideEffects: false`),',
  "and io-ts's ES build pulls fp-ts's ES build next to it.",
  '',
  "Bytes per package in the guide's Worker (with the alias), from wrangler's esbuild metafile (`--metafile`):",
  '',
  '| package | bytes |',
  '|---|---:|',
  ...aliased.byPackage.map(([name, bytes]) => `| ${name} | ${bytes} |`),
  `| esbuild's helpers (\`keep_names\`, CommonJS interop) and the source-map comment | ${aliased.helpers} |`,
  '',
  `The Durable Object Worker is ${kib(durableObject.raw - aliased.raw)} raw and ${kib(durableObject.gzip - aliased.gzip)} gzip more than the fetch receiver (the store, the inbox object, projections, forwarding and the consumers' signing); bytes per package in it:`,
  '',
  '| package | bytes |',
  '|---|---:|',
  ...durableObject.byPackage.map(([name, bytes]) => `| ${name} | ${bytes} |`),
  `| esbuild's helpers and the source-map comment | ${durableObject.helpers} |`,
].join('\n')

console.log(section)

for (const m of [aliased, durableObject]) {
  if (m.commonJs > 0) {
    console.error(`\nbundle-size: ${m.label} still holds ${m.commonJs} CommonJS fp-ts/io-ts files: tree-shaking is lost`)
    process.exit(1)
  }
}

if (!process.argv.includes('--check')) {
  const block = `${START}\n\n${section}\n\n${END}`
  const text = existsSync(report) ? readFileSync(report, 'utf8') : ''
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${block}${text.slice(end + END.length)}`
      : `${text}${text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n'}${block}\n`
  writeFileSync(report, next)
  console.log(`\nbundle-size: wrote ${relative(root, report)}`)
}
