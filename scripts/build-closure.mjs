#!/usr/bin/env node
// Builds one workspace package and every workspace package it depends on (through `dependencies`
// and `peerDependencies`), with a single `tsc -b` over their tsconfig.build.json files in dependency
// order, and marks their `bin` files executable as their own build scripts do. It is what the
// demo needs and nothing more: the other packages may not even have their dependencies installed
// after the demo's filtered install. One tsc process shares the parsed standard library and
// dependency types between packages, so this takes about half the time of `pnpm -r run build`.
//
//   node scripts/build-closure.mjs [--no-check] @banksocket-webhooks/cli
//
// --no-check emits without type-checking (tsc --noCheck, about 40 % less CPU): for the demo, which
// only runs the JavaScript; `pnpm run build` and CI check the types.
//
// `pnpm run build` remains the full build (each package's own `build` script); CI uses that.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const noCheck = args[0] === '--no-check'
const target = noCheck ? args[1] : args[0]
if (target === undefined || args.length !== (noCheck ? 2 : 1)) {
  console.error('usage: node scripts/build-closure.mjs [--no-check] <workspace package name>')
  process.exit(2)
}

/** Workspace packages under packages/, by name. */
const byName = new Map()
for (const dir of readdirSync(join(root, 'packages'))) {
  const manifest = join(root, 'packages', dir, 'package.json')
  if (!existsSync(manifest)) continue
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'))
  byName.set(pkg.name, { dir: join(root, 'packages', dir), pkg })
}
if (!byName.has(target)) {
  console.error(`build-closure: no workspace package named ${target} under packages/ (known: ${[...byName.keys()].sort().join(', ')})`)
  process.exit(2)
}

/** Depth-first post-order: every package comes after the workspace packages it depends on. */
const order = []
const visiting = new Set()
const visit = (name, path) => {
  if (order.some((p) => p.pkg.name === name)) return
  if (visiting.has(name)) throw new Error(`build-closure: dependency cycle ${[...path, name].join(' -> ')}`)
  visiting.add(name)
  const entry = byName.get(name)
  for (const [dep, range] of Object.entries({ ...entry.pkg.dependencies, ...entry.pkg.peerDependencies })) {
    if (String(range).startsWith('workspace:') && byName.has(dep)) visit(dep, [...path, name])
  }
  visiting.delete(name)
  order.push(entry)
}
visit(target, [])

const configs = order.map(({ dir, pkg }) => {
  const config = join(dir, 'tsconfig.build.json')
  if (!existsSync(config)) {
    console.error(`build-closure: ${pkg.name} has no tsconfig.build.json; build it with \`pnpm --filter ${pkg.name} run build\``)
    process.exit(1)
  }
  return config
})

const started = Date.now()
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const result = spawnSync(process.execPath, [tsc, '-b', ...(noCheck ? ['--noCheck'] : []), ...configs.map((c) => relative(root, c))], {
  cwd: root,
  stdio: 'inherit',
})
if (result.status !== 0) {
  console.error(`build-closure: tsc -b failed (exit ${result.status ?? result.signal})`)
  process.exit(1)
}
for (const { dir, pkg } of order) {
  const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {})
  for (const bin of bins) chmodSync(join(dir, bin), 0o755)
}
console.error(
  `built${noCheck ? ' (types not checked)' : ''} ${order.map((p) => p.pkg.name.replace(/^@banksocket-webhooks\//, '')).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
)
