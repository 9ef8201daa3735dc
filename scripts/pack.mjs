#!/usr/bin/env node
// Packs every public workspace package (each packages/* whose package.json is not `private`) with
// `pnpm pack`, as `pnpm publish` would publish it: `workspace:^` ranges become the versions they
// point to, and the repository's LICENSE goes into every tarball. Needs the packages built
// (`pnpm run pack:all` builds first).
//
//   node scripts/pack.mjs [--out DIR]     DIR defaults to .tmp/packs (its old tarballs are removed)
//
// Writes DIR/*.tgz, DIR/packs.json ([{ name, version, file }], file relative to DIR) and
// DIR/pnpm-overrides.json ({ name: 'file:/abs/DIR/….tgz' }, for pnpm apps), and prints one line
// per tarball. The README's Install section shows how an app installs them with npm or pnpm.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const usable = args.length === 0 || (args.length === 2 && args[0] === '--out' && args[1] !== '')
if (!usable) {
  console.error('usage: node scripts/pack.mjs [--out DIR]')
  process.exit(2)
}
const out = resolve(args[1] ?? join(root, '.tmp', 'packs'))

/** The public packages: packages/* without `"private": true`. */
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => pkg.private !== true)
if (packages.length === 0) {
  console.error('pack: no public package under packages/')
  process.exit(1)
}
const unbuilt = packages.filter(({ dir }) => !existsSync(join(dir, 'dist')) || readdirSync(join(dir, 'dist')).length === 0)
if (unbuilt.length > 0) {
  console.error(`pack: not built: ${unbuilt.map(({ pkg }) => pkg.name).join(', ')}; run \`pnpm run build\` first (or \`pnpm run pack:all\`)`)
  process.exit(1)
}

/** The pnpm running this script (`pnpm run …` sets npm_execpath), else the pinned one through npx. */
const pnpm = () => {
  const execpath = process.env.npm_execpath
  if (execpath !== undefined && /pnpm/.test(basename(execpath)) && existsSync(execpath)) return [process.execPath, [execpath]]
  const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager
  return ['npx', ['--yes', pinned]]
}

mkdirSync(out, { recursive: true })
// Only what an earlier pack left: DIR may be any folder the caller chose.
for (const name of readdirSync(out)) if (name.endsWith('.tgz') || name === 'packs.json' || name === 'pnpm-overrides.json') rmSync(join(out, name))
const [command, prefix] = pnpm()
const filters = packages.flatMap(({ pkg }) => ['--filter', pkg.name])
const result = spawnSync(command, [...prefix, '-r', ...filters, 'pack', '--pack-destination', out, '--json'], {
  cwd: root,
  encoding: 'utf8',
  // Without npm's own npm_config_* variables: under `npx -p node@22 -- node …` they carry
  // `package=node@22`, which an inner `npx pnpm@…` would take for its own package list.
  env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_config_'))), NO_COLOR: '1' },
})
if (result.status !== 0) {
  console.error(`pack: pnpm pack failed (exit ${result.status ?? result.signal})\n${result.stdout}\n${result.stderr}`)
  process.exit(1)
}
// pnpm prints one JSON document: an array for a recursive pack.
const start = result.stdout.indexOf('[')
const packed = JSON.parse(result.stdout.slice(start))
const manifest = packed
  .map((p) => ({ name: p.name, version: p.version, file: relative(out, p.filename) }))
  .sort((a, b) => a.name.localeCompare(b.name))
const missing = packages.filter(({ pkg }) => !manifest.some((m) => m.name === pkg.name))
if (missing.length > 0) {
  console.error(`pack: pnpm did not pack ${missing.map(({ pkg }) => pkg.name).join(', ')}`)
  process.exit(1)
}
writeFileSync(join(out, 'packs.json'), `${JSON.stringify(manifest, null, 2)}\n`)
// pnpm resolves a tarball's own dependencies on the registry, where these names are not (yet):
// an app points them at the tarballs with `pnpm.overrides` (README, Install).
const overrides = Object.fromEntries(manifest.map((m) => [m.name, `file:${join(out, m.file)}`]))
writeFileSync(join(out, 'pnpm-overrides.json'), `${JSON.stringify(overrides, null, 2)}\n`)
for (const m of manifest) {
  const kb = (statSync(join(out, m.file)).size / 1024).toFixed(0)
  console.log(`${m.name}@${m.version}  ${relative(process.cwd(), join(out, m.file))}  (${kb} KB)`)
}
